"""``lupustrial evaluate`` and ``lupustrial list``: score with any registered instrument or endpoint."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer


def _parse_options(pairs: list[str], name: str) -> dict:
    from lupustrial.cli._options import split_pairs
    from lupustrial.registry import get

    entry = get(name)
    return {key: entry.option(key).parse(text) for key, text in split_pairs(pairs, "window_days=30")}


def _read_json(path: str) -> dict:
    from lupustrial.errors import InputError, Problem

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"INPUT {path!r}: cannot read it ({exc.strerror}); give a JSON file path or -",
                         problems=[Problem("INPUT", path, "give a readable JSON file")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"INPUT {path!r}: not valid JSON at line {exc.lineno} column {exc.colno} "
                         f"({exc.msg}); see --example for a valid input",
                         problems=[Problem("INPUT", path, exc.msg)]) from None


def read_table(path: Path):
    """Read a CSV or Parquet file into polars (the CLI's table input)."""
    import polars as pl

    from lupustrial.errors import InputError, Problem

    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"--table {str(path)!r}: no such file",
                         problems=[Problem("--table", str(path), "give an existing .csv or .parquet file")])
    if suffix == ".csv":
        return pl.read_csv(path, infer_schema_length=None, null_values=["", "NA", "null"])
    if suffix == ".parquet":
        return pl.read_parquet(path)
    raise InputError(f"--table {str(path)!r}: unsupported file type {suffix!r}; use .csv or .parquet",
                     problems=[Problem("--table", str(path), "use .csv or .parquet")])


def write_table(frame, out: Path, sidecar: dict | None = None) -> None:
    """Write ``frame`` to ``out`` (.parquet or .csv) atomically, with a provenance sidecar."""
    from lupustrial.errors import InputError, Problem
    from lupustrial.results import canonical_json

    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(f"--out {str(out)!r}: unsupported file type {suffix!r}; use .parquet or .csv",
                         problems=[Problem("--out", str(out), "use .parquet or .csv")])
    tmp = out.with_name(f".{out.name}.tmp")
    if suffix == ".parquet":
        frame.write_parquet(tmp)
    else:
        import polars as pl

        flat = frame.with_columns(
            pl.col(c).list.join(";") for c, t in frame.schema.items() if isinstance(t, pl.List)
        )
        flat.write_csv(tmp)
    if sidecar is not None:
        side = out.with_name(out.name + ".provenance.json")
        side.write_text(canonical_json(sidecar) + "\n", encoding="utf-8")
    tmp.replace(out)


def evaluate(
    name: str = typer.Argument(..., help="Registered name, e.g. sledai2k (see `lupustrial list`)."),
    input: str | None = typer.Argument(None, help="JSON file with one assessment, or - for stdin."),
    option: list[str] = typer.Option([], "--option", "-o", help="KEY=VALUE, repeatable."),
    fmt: str = typer.Option("json", "--format", "-f", help="json or text."),
    example: bool = typer.Option(False, "--example", help="Print a valid example input and exit."),
    table: Path | None = typer.Option(None, "--table", help="Score a whole .csv or .parquet table."),
    out: Path | None = typer.Option(None, "--out", help="Where --table writes (.parquet or .csv)."),
) -> None:
    """Score one assessment (INPUT.json) or a whole table (--table) with a registered instrument."""
    from lupustrial.errors import InputError, Problem
    from lupustrial.registry import get

    entry = get(name)
    if example:
        typer.echo(json.dumps(dict(entry.example), indent=2, default=str))
        return
    if fmt not in ("json", "text"):
        raise InputError(f"--format {fmt!r}: choose json or text", problems=[Problem("--format", fmt)])
    options = _parse_options(option, name)
    if table is not None:
        _evaluate_table(name, table, out, options)
        return
    if input is None:
        raise InputError(f"evaluate {name}: give INPUT.json, --table FILE or --example",
                         problems=[Problem("INPUT", None, "give a JSON file, --table or --example")])
    import lupustrial

    result = lupustrial.evaluate(name, _read_json(input), **options)
    if fmt == "text":
        typer.echo(result.to_text())
    else:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))


def _evaluate_table(name: str, table: Path, out: Path | None, options: dict) -> None:
    from lupustrial.errors import InputError, Problem
    from lupustrial.evaluation import evaluate_table, table_provenance

    if out is None:
        raise InputError("--table needs --out FILE (.parquet or .csv)",
                         problems=[Problem("--out", None, "add --out scored.parquet")])
    frame = read_table(table)
    scored = evaluate_table(name, frame, keep=tuple(frame.columns), **options)
    prov = table_provenance(name, frame, **options).to_dict()
    prov["input_file"] = str(table)
    write_table(scored, out, sidecar=prov)
    n_ok = scored["value"].is_not_null().sum()
    typer.echo(f"scored {scored.height} rows with {name} ({n_ok} evaluable) -> {out}")


def list_entries(
    kind: str | None = typer.Option(None, "--kind", help="Only this kind (instrument, endpoint, ...)."),
) -> None:
    """List every registered instrument, endpoint, helper, parameter and design."""
    from rich.console import Console
    from rich.table import Table

    from lupustrial.registry import all_entries

    tab = Table("name", "kind", "version", "title")
    for entry in all_entries(kind):
        tab.add_row(entry.name, entry.kind, str(getattr(entry, "version", "")),
                    str(getattr(entry, "title", "")))
    Console().print(tab)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)
    app.command("list")(list_entries)
