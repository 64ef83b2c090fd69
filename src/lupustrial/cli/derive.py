"""``lupustrial derive``: derive a study store and write its analysis datasets (Parquet, CSV or XPT v5)
plus ``provenance.json`` and, for XPT or with ``--define``, ``define.xml`` (Define-XML 2.0)."""

from __future__ import annotations

from pathlib import Path

import typer


def _parse_options(pairs: list[str]) -> tuple[dict, dict]:
    """``KEY=VALUE`` pairs → (derivation options, export options), values typed like their defaults
    (:meth:`lupustrial.registry.Option.parse`); choices are checked by ``derive_study`` / the export."""
    from lupustrial.cli._options import split_pairs
    from lupustrial.derive.export import EXPORT_OPTIONS
    from lupustrial.derive.study import DEFAULT_OPTIONS
    from lupustrial.errors import InputError, Problem
    from lupustrial.registry import Option

    known = {**DEFAULT_OPTIONS, **EXPORT_OPTIONS}
    derive_opts, export_opts = {}, {}
    for key, text in split_pairs(pairs, "teae_start=lymphodepletion"):
        if key not in known:
            raise InputError(f"--option {key!r} is unknown; use one of {', '.join(sorted(known))}",
                             problems=[Problem("--option", key, f"use one of {sorted(known)}")])
        value = Option(key, known[key], "").parse(text.strip())
        (export_opts if key in EXPORT_OPTIONS else derive_opts)[key] = value
    return derive_opts, export_opts


def derive(
    study: str = typer.Option(..., "--study", help="Study store: SQLite file path or SQLAlchemy URL."),
    out: Path = typer.Option(..., "--out", help="Folder to write (new or empty, or any with --force)."),
    fmt: str = typer.Option("parquet", "--format", help="parquet, csv or xpt (SAS transport v5)."),
    dataset: list[str] = typer.Option(
        [], "--dataset", help="ADSL, ADAE, ADLB, ADRS, ADPC, ADPP, ADTTE or OUTCOMES; repeatable "
        "(default: all; the seven ADaM datasets for xpt)."
    ),
    option: list[str] = typer.Option(
        [], "--option", "-o", help="KEY=VALUE, repeatable: derivation options (e.g. teae_start=infusion) "
        "and export options (xpt_text, xpt_long_text, define_date_type); see docs/derive.md."
    ),
    define: bool = typer.Option(
        False, "--define", help="Also write define.xml (Define-XML 2.0) for parquet or csv (always for xpt)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Write into a non-empty --out folder (same-name files replaced, others kept)."
    ),
) -> None:
    """Derive every analysis dataset (lupustrial.derive) and write one file each plus provenance.json
    (and define.xml for xpt or with --define)."""
    from rich.console import Console
    from rich.progress import Progress

    from lupustrial.derive import derive_study
    from lupustrial.derive.export import check_out, export_datasets, export_options, select_datasets

    derive_opts, export_opts = _parse_options(option)
    names = select_datasets(fmt, dataset)  # fail fast: bad input is reported before deriving
    export_options(export_opts)
    check_out(out, force)
    console = Console(soft_wrap=True)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("deriving", total=len(names) + 1)
        derived = derive_study(study, options=derive_opts)
        bar.update(task, advance=1)

        def progress(name: str) -> None:
            bar.update(task, description=f"writing {name}", advance=0 if name == names[0] else 1)

        prov = export_datasets(derived, out, fmt, names, export_opts, force=force, define=define or None,
                               progress=progress)
    for name, entry in prov["datasets"].items():
        console.print(f"{name:<9}{entry['rows']:>7} rows  ->  {out / entry['file']}")
    if "define" in prov:
        console.print(f"define.xml: {out / prov['define']['file']} (Define-XML {prov['define']['version']})")
    console.print(f"provenance: {out / 'provenance.json'} "
                  f"(protocol {prov['protocol']}, data hash {prov['data_hash']})")


def register(app: typer.Typer) -> None:
    app.command("derive")(derive)
