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
  ``NAME2``, … of ≤ 200 bytes, never inside a UTF-8 character (the SDTMIG §4.5.3 convention for long
  text); ``error`` refuses them.
* ``define_date_type`` (``integer``): the Define-XML ``DataType`` of dates in XPT files, which hold SAS day
  numbers: ``integer`` with ``DisplayFormat`` ``DATE9.`` (the SAS convention; ODM ``date`` means ISO 8601
  text) or ``date``. See :mod:`lupustrial.derive.define_xml`.

``define.xml`` (Define-XML 2.0) is written beside the XPT files, and beside Parquet/CSV files with
``define=True``; its SHA-256 is recorded in ``provenance.json`` under ``define``.
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

import numpy as np
import polars as pl

from lupustrial.derive._common import check_options, load_table
from lupustrial.derive.define_xml import DATE_TYPES, DefineDataset, compute_define_variables, write_define_xml
from lupustrial.derive.xpt import ENCODINGS, MAX_CHAR, MAX_LABEL, arrow_bytes, write_xpt
from lupustrial.errors import InputError, Problem

FORMATS = ("parquet", "csv", "xpt")
ADAM_DATASETS = ("ADSL", "ADAE", "ADLB", "ADRS", "ADPC", "ADPP", "ADTTE")
ALL_DATASETS = (*ADAM_DATASETS, "OUTCOMES")
EXPORT_OPTIONS: dict[str, Any] = {"xpt_text": "ascii", "xpt_long_text": "split",
                                  "define_date_type": "integer"}  # fmt: skip
EXPORT_CHOICES = {"xpt_text": ENCODINGS, "xpt_long_text": ("split", "error"), "define_date_type": DATE_TYPES}
DEFINE_FILE = "define.xml"


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


def _utf8_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def compute_byte_parts(s: pl.Series, limit: int = MAX_CHAR) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split points of a string column into parts of ≤ ``limit`` UTF-8 bytes, never inside a character:
    per part, (byte offset, byte count) of every row (count 0 once a row is used up).

    Greedy per row: a part ends at the last character boundary at or before ``start + limit`` bytes. In
    UTF-8 a byte ``10xxxxxx`` continues a character and a character has at most three of them (RFC 3629
    §3), so stepping back over at most three continuation bytes finds the boundary. Vectorised over rows
    with numpy on the Arrow buffers (one byte looked up per row and step); one pass per part.
    """
    offsets, data = arrow_bytes(s.fill_null(""))
    begin, nbytes = offsets[:-1], np.diff(offsets)
    last = max(int(offsets[-1]) - 1, 0)
    parts, start = [], np.zeros(len(s), dtype=np.int64)
    while (start < nbytes).any():
        end = np.minimum(start + limit, nbytes)
        for _ in range(3):
            continues = (data[np.minimum(begin + end, last)] & 0xC0) == 0x80
            end = np.where((end < nbytes) & continues, end - 1, end)
        parts.append((start, end - start))
        start = end
    return parts


def compute_split_long_text(frame: pl.DataFrame, labels: Mapping[str, str]) -> tuple[pl.DataFrame, dict]:
    """Split text over 200 UTF-8 bytes into NAME, NAME1, NAME2, … of ≤ 200 bytes each (XPT v5 counts bytes;
    a character is never cut, :func:`compute_byte_parts`); returns (frame, labels of the parts)."""
    labels = dict(labels)
    columns = []
    for s in frame.get_columns():
        longest = s.str.len_bytes().max() if s.dtype == pl.Utf8 else None
        if longest is None or longest <= MAX_CHAR:
            columns.append(s)
            continue
        raw = s.cast(pl.Binary)  # slice bytes; the cut points are character boundaries, so UTF-8 stays valid
        for part, (offset, count) in enumerate(compute_byte_parts(s, MAX_CHAR)):
            name = s.name if part == 0 else f"{s.name[: 8 - len(str(part))]}{part}"
            chunk = raw.bin.slice(pl.Series(offset), pl.Series(count)).cast(pl.Utf8).alias(name)
            if part:  # a row already used up has no further part (null, not "")
                chunk = chunk.scatter(np.flatnonzero(count == 0), None)
                suffix = f" (part {part + 1})"
                labels[name] = _utf8_cut(labels.get(s.name, s.name), MAX_LABEL - len(suffix)) + suffix
            columns.append(chunk)
    return pl.DataFrame(columns), labels


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
    """(path written, the dataset as written for define.xml)."""
    path = folder / f"{name.lower()}.{fmt}"
    ds_label = load_labels()[0].get(name, "")
    if fmt == "parquet":
        frame.write_parquet(path)
    elif fmt == "csv":
        frame.write_csv(path)
    if fmt != "xpt":
        sas = {c: n for c, n in load_xpt_names().items() if c in frame.columns}
        variables = compute_define_variables(frame, load_labels()[1], fmt, sas_names=sas)
        return path, DefineDataset(name, ds_label, path.name, variables)
    written, labels = compute_xpt_frame(name, frame, opts)
    write_xpt(path, name, written, labels, label=ds_label, encoding=opts["xpt_text"], created=created)
    names = {new: old for old, new in load_xpt_names().items() if old in frame.columns}
    variables = compute_define_variables(written, labels, fmt, names=names,
                                         date_type=opts["define_date_type"])  # fmt: skip
    return path, DefineDataset(name, ds_label, path.name, variables)


def _with_comment(ds: DefineDataset, entry: Mapping[str, Any]) -> DefineDataset:
    """``ds`` with its def:CommentDef text: the deriving function and the frame's content hash."""
    by, content = entry.get("derived_by") or "lupustrial", entry.get("frame_hash")
    comment = f"Derived by {by}; frame content hash {content}."
    return DefineDataset(ds.name, ds.label, ds.href, ds.variables, comment)


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
    define: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write ``derived`` (a :class:`~lupustrial.derive.DerivedStudy`) into ``out``; return the provenance.

    ``define``: also write ``define.xml`` (Define-XML 2.0, :mod:`lupustrial.derive.define_xml`); default
    only for ``xpt``."""
    out = Path(out)
    names, opts = select_datasets(fmt, datasets), export_options(options)
    check_out(out, force)
    frames = {**derived.frames, "OUTCOMES": derived.outcomes}
    created = datetime.fromisoformat(derived.provenance.get("created_utc") or datetime.now(UTC).isoformat())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()  # a sibling, so the final rename stays on one file system; mode follows the umask
    try:
        entries, described = {}, []
        for name in names:
            if progress:
                progress(name)
            path, ds = _write(name, frames[name], tmp, fmt, opts, created)
            written = [v.sas_name if fmt == "xpt" else v.name for v in ds.variables]
            frame_prov = derived.provenance["frames"].get(name if name != "OUTCOMES" else "outcomes", {})
            entries[name] = {"file": path.name, "rows": frames[name].height, "columns": frames[name].columns,
                             "frame_hash": frame_prov.get("hash"), "derived_by": frame_prov.get("derived_by"),
                             "sha256": _sha256(path)}  # fmt: skip
            if written != frames[name].columns:  # XPT: SAS names and split long text
                entries[name]["file_columns"] = written
            described.append(_with_comment(ds, entries[name]))
        prov = {k: v for k, v in derived.provenance.items() if k != "frames"}
        prov |= {"format": fmt, "export_options": opts, "datasets": entries}
        if fmt == "xpt" if define is None else define:
            write_define_xml(tmp / DEFINE_FILE, described, prov)
            prov["define"] = {"file": DEFINE_FILE, "version": "2.0.0", "sha256": _sha256(tmp / DEFINE_FILE)}
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n", encoding="utf-8")
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return prov
