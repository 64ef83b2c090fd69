"""Check an import frame against its template, all rows at once, and type it.

Every problem is collected (never the first only) as a :class:`~lupustrial.errors.Problem` naming the
file, the row (0-based data row: row 0 is line 2 of a CSV), the column, the value and the fix.
Column names may carry the SDTM domain prefix (``VSTESTCD``, ``DSDECOD``, ``MHSTDTC``, ``IEORRES``):
SDTMIG v3.4 names a domain's variables prefix + root, and the templates use the roots, so
``VSTESTCD`` is read as ``TESTCD`` when the file has no ``TESTCD``.
Checks, in order: column names; text without control characters and within the column's length;
required cells; types (float, int, ISO 8601 date/dtc, code lists); units (declared for the analyte,
see :mod:`lupustrial.units`); the tests of findings templates (``testcodes.csv``); duplicate natural
keys within the file.
"""

from __future__ import annotations

import polars as pl

from lupustrial.errors import Problem
from lupustrial.ingest.spec import TemplateSpec
from lupustrial.store import schema as S

__all__ = ["check_cells", "check_columns", "checked", "unprefixed"]

ROW = "_row"
_DTC = (
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?)?)?)?$"
)
_FIX = {
    "float": "write a number such as 1.5",
    "int": "write a whole number such as 3",
    "date": "write a date YYYY-MM-DD",
    "dtc": "write ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]",
}
_STORE_NAME = {"WEIGHT": "weight_kg"}


def problems_where(frame: pl.DataFrame, mask: pl.Expr, column: str, fix: str, source: str) -> list[Problem]:
    """One Problem per row where ``mask`` holds (columnar filter; only failing rows are visited)."""
    bad = frame.filter(mask.fill_null(False)).select(
        ROW, pl.col(column).alias("_v") if column in frame.columns else pl.lit(None).alias("_v")
    )
    return [Problem(column, v, fix, row=r, source=source) for r, v in bad.iter_rows()]


def check_columns(frame: pl.DataFrame, spec: TemplateSpec, source: str) -> list[Problem]:
    """Unknown columns and missing required columns."""
    known = spec.names
    out = [
        Problem(
            c, None, f"not a column of the {spec.name} template; known: {', '.join(known)}", source=source
        )
        for c in frame.columns
        if c not in known
    ]
    out += [
        Problem(c.name, None, f"required column missing from the {spec.name} template", source=source)
        for c in spec.columns
        if c.required and c.name not in frame.columns
    ]
    return out


def _length(spec: TemplateSpec, name: str) -> int | None:
    table = S.DOMAIN_TABLES[spec.table]
    col = table.c.get(_STORE_NAME.get(name, name.lower()))
    return getattr(col.type, "length", None) if col is not None else None


def check_cells(frame: pl.DataFrame, spec: TemplateSpec, source: str) -> list[Problem]:
    """Control characters, lengths, required cells, types and code lists, column by column."""
    out: list[Problem] = []
    for col in spec.columns:
        c = pl.col(col.name)
        out += problems_where(
            frame,
            c.str.contains(r"[\x00-\x1f\x7f]"),
            col.name,
            "remove control characters (tabs, line breaks)",
            source,
        )
        if (n := _length(spec, col.name)) is not None:
            out += problems_where(frame, c.str.len_chars() > n, col.name, f"at most {n} characters", source)
        if col.required:
            out += problems_where(frame, c.is_null(), col.name, "required: give a value", source)
        out += problems_where(
            frame,
            c.is_not_null() & ~_valid(col.type, col.codes, c),
            col.name,
            _FIX.get(col.type, f"use one of {', '.join(col.codes)}"),
            source,
        )
    return out


def _valid(kind: str, codes: tuple[str, ...], c: pl.Expr) -> pl.Expr:
    if kind == "float":
        return c.cast(pl.Float64, strict=False).is_finite()
    if kind == "int":
        return c.cast(pl.Int64, strict=False).is_not_null()
    if kind == "date":
        return (
            c.str.contains(r"^\d{4}-\d{2}-\d{2}$")
            & c.str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_not_null()
        )
    if kind == "dtc":
        day = c.str.slice(0, 10)
        real_day = (day.str.len_chars() < 10) | day.str.strptime(
            pl.Date, "%Y-%m-%d", strict=False
        ).is_not_null()
        return c.str.contains(_DTC) & real_day
    if kind == "code":
        return c.is_in(list(codes))
    return pl.lit(True)


def unprefixed(frame: pl.DataFrame, spec: TemplateSpec) -> pl.DataFrame:
    """Rename SDTM-prefixed columns (``DSDECOD``) to the template's root names (``DECOD``)."""
    prefix, known = spec.sdtm or "", set(spec.names)
    roots = {c: c[len(prefix) :] for c in frame.columns if prefix and c.startswith(prefix)}
    rename = {c: r for c, r in roots.items() if r in known and r not in frame.columns}
    return frame.rename(rename)


def checked(frame: pl.DataFrame, spec: TemplateSpec, source: str) -> tuple[pl.DataFrame, list[Problem]]:
    """(frame with every template column typed, problems). Problems found here mean: write nothing."""
    frame = unprefixed(frame, spec)
    problems = check_columns(frame, spec, source)
    missing = [c.name for c in spec.columns if c.name not in frame.columns]
    frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias(m) for m in missing)
    frame = frame.select(*spec.names).with_row_index(ROW)
    problems += check_cells(frame, spec, source)
    typed = frame.with_columns(_typed(c) for c in spec.columns)
    return typed, problems


def _typed(col) -> pl.Expr:
    c = pl.col(col.name)
    if col.type == "float":
        return c.cast(pl.Float64, strict=False)
    if col.type == "int":
        return c.cast(pl.Int64, strict=False)
    return c
