"""The verbatim → CTCAE term table: common verbatim spellings of AE terms and the term they code to.

``ae_term_synonyms.csv`` (one row per verbatim: ``verbatim, term, reason, source``) holds British
spellings ("Anaemia" → "Anemia"), abbreviations ("CRS", "ICANS", "UTI"), clinical words for CTCAE
laboratory terms ("Neutropenia" → "Neutrophil count decreased", CTCAE v5.0 Investigations) and events
with no CTCAE v5.0 term, coded to the SOC's "Other, specify" term ("Hypogammaglobulinemia", "COVID-19").
Each row says why (``reason``) and on what authority (``source``).

Checks when the table is loaded (:class:`~lupustrial.errors.DataIntegrityError`, every bad row named):
every target ``term`` is in the term table; no verbatim is itself a term of the table (a term codes to
itself); two verbatims that read the same after normalisation (case, spaces) code to the same term.

>>> s = load_synonyms()
>>> s.filter(pl.col("verbatim") == "Neutropenia")["term"].item()
'Neutrophil count decreased'
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from lupustrial.errors import DataIntegrityError, Problem
from lupustrial.instruments.adverse_events.terms import load_terms

__all__ = ["DEFAULT_SYNONYMS", "load_synonyms", "normalise_term"]

DEFAULT_SYNONYMS = "ae_term_synonyms.csv"
COLUMNS = ("verbatim", "term", "reason")


def normalise_term(expr: pl.Expr) -> pl.Expr:
    """Lower case, no leading/trailing space, inner runs of white space as one space.

    >>> pl.select(normalise_term(pl.lit("  Cytokine   RELEASE syndrome "))).item()
    'cytokine release syndrome'
    """
    return expr.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def _problems(bad: pl.DataFrame, field: str, fix: str, source: str) -> list[Problem]:
    return [Problem(field, v, fix, row=r, source=source) for r, v in bad.select("row", field).iter_rows()]


def _parse(frame: pl.DataFrame, terms: pl.DataFrame, source: str) -> pl.DataFrame:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataIntegrityError(
            f"{source}: synonym table needs columns {', '.join(COLUMNS)}",
            problems=[Problem(c, None, "add this column", source=source) for c in missing],
        )
    rows = frame.with_row_index("row").with_columns(normalise_term(pl.col("verbatim")).alias("_key"))
    known = terms["term"].implode()
    term_keys = normalise_term(terms["term"]).implode()
    problems = _problems(
        rows.filter(~pl.col("term").is_in(known) | pl.col("term").is_null()),
        "term",
        "a term of the AE term table (exact CTCAE spelling)",
        source,
    )
    problems += _problems(
        rows.filter(pl.col("_key").is_in(term_keys)),
        "verbatim",
        "already a term of the AE term table: remove the row (a term codes to itself)",
        source,
    )
    clash = rows.filter(pl.col("term").n_unique().over("_key") > 1)
    fix = "the same verbatim (case and spaces aside) codes to two terms: keep one"
    problems += _problems(clash, "verbatim", fix, source)
    if problems:
        raise DataIntegrityError(f"{source}: {len(problems)} bad synonym rows", problems=problems)
    return frame


def _shipped() -> pl.DataFrame:
    text = resources.files(__package__).joinpath(DEFAULT_SYNONYMS).read_text(encoding="utf-8")
    return pl.read_csv(text.encode(), infer_schema_length=0)


@cache
def _default() -> pl.DataFrame:
    return _parse(_shipped(), load_terms(), DEFAULT_SYNONYMS)


def load_synonyms(path: str | Path | None = None, *, terms: pl.DataFrame | None = None) -> pl.DataFrame:
    """The synonym table: the shipped ``ae_term_synonyms.csv``, or a CSV at ``path`` (columns verbatim,
    term, reason; optional source) checked against ``terms`` (default: the shipped term table)."""
    if path is None and terms is None:
        return _default()
    table = load_terms() if terms is None else terms
    if path is None:
        return _parse(_shipped(), table, DEFAULT_SYNONYMS)
    return _parse(pl.read_csv(path, infer_schema_length=0), table, str(path))
