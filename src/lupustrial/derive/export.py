"""Write a derived study's datasets to a folder: Parquet, CSV or SAS transport v5 (``lupustrial derive``).

``export_datasets(derived, out, fmt, datasets=None, options=None, force=False)`` writes one file per
dataset (``adsl.parquet``, ``adsl.csv`` or ``adsl.xpt``; lower-case names as FDA submissions use) and
``provenance.json``: package version, protocol hash, data hash, the derivation and export options, and
per dataset its rows, columns, content hash and file SHA-256. Everything is written into a temporary
sibling folder first and renamed into place, so a failure leaves ``out`` as it was. Into a non-empty
``out`` only with ``force=True``: files of the same names are replaced, other files are left alone.

Export options (declared below, recorded in provenance):

* ``xpt_text`` (``ascii``): ``ascii`` transliterates with ``xpt_ascii.csv`` (µ → u, ≥ → >=, …) and
  refuses any other non-ASCII character (TS-140: character data are ASCII); ``utf-8`` writes UTF-8 bytes.
XPT files use the SAS names of ``variable_labels.csv`` (``xpt_name``) for columns longer than 8
characters (e.g. ``AEBODSYS_REASON`` → ``AEBSYRSN``) and its labels; ``provenance.json`` lists the
columns as written (``file_columns``) whenever they differ from the frame's.

* ``xpt_long_text`` (``split``): character values over 200 bytes are split into ``NAME``, ``NAME1``,
  ``NAME2``, … of ≤ 200 characters (the SDTMIG §4.5.3 convention for long text); ``error`` refuses them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from lupustrial.derive._common import check_options, load_table
from lupustrial.derive.xpt import ENCODINGS, MAX_CHAR, write_xpt
from lupustrial.errors import InputError, Problem

FORMATS = ("parquet", "csv", "xpt")
ADAM_DATASETS = ("ADSL", "ADAE", "ADLB", "ADRS", "ADPC", "ADPP", "ADTTE")
ALL_DATASETS = (*ADAM_DATASETS, "OUTCOMES")
EXPORT_OPTIONS: dict[str, Any] = {"xpt_text": "ascii", "xpt_long_text": "split"}
EXPORT_CHOICES = {"xpt_text": ENCODINGS, "xpt_long_text": ("split", "error")}


def load_labels() -> tuple[dict[str, str], dict[str, str]]:
    """(dataset labels, variable labels) from ``variable_labels.csv``."""
    rows = load_table("variable_labels.csv")
    pick = {k: {r["name"]: r["label"] for r in rows if r["kind"] == k} for k in ("dataset", "variable")}
    return pick["dataset"], pick["variable"]


def load_xpt_names() -> dict[str, str]:
    """Frame column → SAS name (≤ 8 characters) for the columns whose names are longer."""
    return {r["name"]: r["xpt_name"] for r in load_table("variable_labels.csv") if r["xpt_name"]}


def export_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The export options with defaults filled in; unknown keys or values → :class:`InputError`."""
    return check_options("export options", EXPORT_OPTIONS, EXPORT_CHOICES, options)


def select_datasets(fmt: str, datasets: Iterable[str] | None) -> tuple[str, ...]:
    """Validated upper-case dataset names; default: every dataset (the ADaM ones for ``xpt``)."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}",
                         problems=[Problem("--format", fmt, f"use one of {FORMATS}")])
    names = [d.upper() for d in datasets or ()] or list(ADAM_DATASETS if fmt == "xpt" else ALL_DATASETS)
    unknown = [Problem("--dataset", d, f"use one of {', '.join(ALL_DATASETS)}") for d in names
               if d not in ALL_DATASETS]
    if unknown:
        raise InputError.from_problems("--dataset", unknown)
    return tuple(dict.fromkeys(names))


def check_out(out: Path, force: bool) -> None:
    """Refuse a file, or a non-empty folder without ``force``, before any work is done."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {str(out)!r} is a file; give a folder",
                         problems=[Problem("--out", str(out), "give a new or empty folder")])
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(f"--out {str(out)!r} is not empty; choose a new folder or add --force to write into "
                         "it (files of the same names are replaced)",
                         problems=[Problem("--out", str(out), "add --force or choose an empty folder")])


def compute_ascii(frame: pl.DataFrame) -> pl.DataFrame:
    """String columns with the characters of ``xpt_ascii.csv`` replaced by their ASCII spelling."""
    table = load_table("xpt_ascii.csv")
    old, new = [r["text"] for r in table], [r["ascii"] for r in table]
    return frame.with_columns(pl.col(pl.Utf8).str.replace_many(old, new))


def compute_split_long_text(frame: pl.DataFrame, labels: Mapping[str, str]) -> tuple[pl.DataFrame, dict]:
    """Split text over 200 characters into NAME, NAME1, NAME2, …; returns (frame, labels of the parts)."""
    labels = dict(labels)
    columns = []
    for s in frame.get_columns():
        longest = s.str.len_chars().max() if s.dtype == pl.Utf8 else None
        if longest is None or longest <= MAX_CHAR:
            columns.append(s)
            continue
        for part in range(-(-longest // MAX_CHAR)):
            name = s.name if part == 0 else f"{s.name[: 8 - len(str(part))]}{part}"
            chunk = s.str.slice(part * MAX_CHAR, MAX_CHAR)
            columns.append(pl.when(chunk != "").then(chunk).alias(name) if part else chunk.alias(name))
            if part:
                suffix = f" (part {part + 1})"
                labels[name] = labels.get(s.name, s.name)[: 40 - len(suffix)] + suffix
    return frame.select(columns), labels


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compute_xpt_frame(name: str, frame: pl.DataFrame, opts: Mapping[str, Any]) -> tuple[pl.DataFrame, dict]:
    """The frame as it goes into XPT: SAS names (``xpt_name``), ASCII text, long text split; its labels."""
    _, labels = load_labels()
    renames = {c: n for c, n in load_xpt_names().items() if c in frame.columns}
    labels |= {new: labels[old] for old, new in renames.items() if old in labels}
    frame = frame.rename(renames)
    if opts["xpt_text"] == "ascii":
        frame = compute_ascii(frame)
    if opts["xpt_long_text"] == "split":
        frame, labels = compute_split_long_text(frame, labels)
    return frame, labels


def _write(name: str, frame: pl.DataFrame, folder: Path, fmt: str, opts: dict, created: datetime):
    """(path written, its columns)."""
    path = folder / f"{name.lower()}.{fmt}"
    if fmt == "parquet":
        frame.write_parquet(path)
    elif fmt == "csv":
        frame.write_csv(path)
    else:
        frame, labels = compute_xpt_frame(name, frame, opts)
        write_xpt(path, name, frame, labels, label=load_labels()[0].get(name, ""),
                  encoding=opts["xpt_text"], created=created)  # fmt: skip
    return path, frame.columns


def _move_into_place(tmp: Path, out: Path) -> None:
    """A new ``out`` is one rename; into an existing folder (--force) each file is replaced atomically,
    ``provenance.json`` last, and files of other names are left alone (never delete a user's folder)."""
    if not out.exists():
        tmp.rename(out)
        return
    for path in sorted(tmp.iterdir(), key=lambda p: p.name == "provenance.json"):
        path.replace(out / path.name)
    tmp.rmdir()


def export_datasets(
    derived: Any,
    out: str | Path,
    fmt: str = "parquet",
    datasets: Iterable[str] | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write ``derived`` (a :class:`~lupustrial.derive.DerivedStudy`) into ``out``; return the provenance."""
    out = Path(out)
    names, opts = select_datasets(fmt, datasets), export_options(options)
    check_out(out, force)
    frames = {**derived.frames, "OUTCOMES": derived.outcomes}
    created = datetime.fromisoformat(derived.provenance.get("created_utc") or datetime.now(UTC).isoformat())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()  # a sibling, so the final rename stays on one file system; mode follows the umask
    try:
        entries = {}
        for name in names:
            if progress:
                progress(name)
            path, written = _write(name, frames[name], tmp, fmt, opts, created)
            frame_prov = derived.provenance["frames"].get(name if name != "OUTCOMES" else "outcomes", {})
            entries[name] = {"file": path.name, "rows": frames[name].height, "columns": frames[name].columns,
                             "frame_hash": frame_prov.get("hash"), "derived_by": frame_prov.get("derived_by"),
                             "sha256": _sha256(path)}  # fmt: skip
            if written != frames[name].columns:  # XPT: SAS names and split long text
                entries[name]["file_columns"] = written
        prov = {k: v for k, v in derived.provenance.items() if k != "frames"}
        prov |= {"format": fmt, "export_options": opts, "datasets": entries}
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n", encoding="utf-8")
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return prov
