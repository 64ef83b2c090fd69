"""The AE term table: CTCAE term → SOC and the grades defined for it (one row per term, with source).

>>> t = load_terms()
>>> t.filter(pl.col("term") == "Febrile neutropenia")["grades"].to_list()
[[3, 4, 5]]
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from lupustrial.errors import DataIntegrityError, Problem

__all__ = ["DEFAULT_TERMS", "load_terms"]

DEFAULT_TERMS = "ae_terms_ctcae_v5.csv"
COLUMNS = ("term", "soc", "grades")


def _parse(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataIntegrityError(
            f"{source}: term table needs columns {', '.join(COLUMNS)}",
            problems=[Problem(c, None, "add this column", source=source) for c in missing],
        )
    out = frame.with_columns(pl.col("grades").cast(pl.Utf8).str.split(";").cast(pl.List(pl.Int64)))
    bad = out.with_row_index("row").filter(
        pl.col("grades").list.eval(~pl.element().is_between(1, 5)).list.any() | pl.col("term").is_duplicated()
    )
    if bad.height:
        raise DataIntegrityError(
            f"{source}: bad or duplicate term rows",
            problems=[
                Problem("grades", g, "grades 1-5 separated by ';', one row per term", row=r, source=source)
                for r, g in bad.select("row", "grades").iter_rows()
            ],
        )
    return out


@cache
def _default() -> pl.DataFrame:
    text = resources.files(__package__).joinpath(DEFAULT_TERMS).read_text(encoding="utf-8")
    return _parse(pl.read_csv(text.encode(), infer_schema_length=0), DEFAULT_TERMS)


def load_terms(path: str | Path | None = None) -> pl.DataFrame:
    """The term table: the shipped CAR-T subset, or a full list from ``path`` (CSV: term, soc, grades
    as ``1;2;3``, optional dictionary/why/source/verified columns).

    Shipped columns: ``dictionary`` (``CTCAE v5.0``, or the other grading system of a term CTCAE v5.0
    lacks, e.g. ICANS: ASTCT 2019), ``why`` (why it matters here), ``source`` and ``verified`` (what the
    term and SOC were checked against, or ``unverified: ...`` with the reason; docs/safety.md)."""
    if path is None:
        return _default()
    return _parse(pl.read_csv(path, infer_schema_length=0), str(path))
