"""Validated AE records: one frame, every problem reported at once (row, field, value, fix).

An AE record has ``subject_id``, ``term`` (CTCAE v5.0 term or a verbatim of the synonym table, coded by
:func:`~lupustrial.instruments.adverse_events.coding.compute_ae_coding` with ``term_match``, default
``normalised``; the output's ``term`` is the coded term, ``term_verbatim`` the text as given),
``grade`` (1–5, and one the term defines: Febrile neutropenia has no grade 1 or 2), ``serious`` (bool),
``relatedness`` (one of :data:`RELATEDNESS`), ``onset_date`` and ``resolution_date`` (null = ongoing; not
before onset). An
optional ``soc`` column must match the term table. The result adds ``soc``, ``related`` (relatedness in
``related_levels``), ``ongoing`` and ``duration_days`` (resolution − onset + 1: an AE that starts and
resolves on the same day lasts one day).

>>> import polars as pl
>>> aes = pl.DataFrame({"subject_id": ["01"], "term": ["Cytokine release syndrome"], "grade": [2],
...     "serious": [True], "relatedness": ["probable"], "onset_date": ["2026-01-03"],
...     "resolution_date": ["2026-01-06"]})
>>> validate_ae_records(aes).select("soc", "related", "duration_days").row(0)
('Immune system disorders', True, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lupustrial.errors import InputError, Problem
from lupustrial.instruments.adverse_events.coding import compute_ae_coding
from lupustrial.instruments.adverse_events.terms import load_terms

__all__ = ["RELATEDNESS", "REQUIRED", "validate_ae_records"]

RELATEDNESS = ("not related", "unlikely", "possible", "probable", "definite")
REQUIRED = ("term", "grade", "serious", "relatedness", "onset_date")


def _dates(frame: pl.DataFrame, name: str) -> pl.Expr:
    dtype = frame.schema.get(name)
    if dtype is None or dtype == pl.Null:
        return pl.lit(None, dtype=pl.Date).alias(name)
    if dtype == pl.Date:
        return pl.col(name)
    if dtype == pl.Datetime:
        return pl.col(name).dt.date()
    return pl.col(name).cast(pl.Utf8).str.to_date(strict=False).alias(name)


def _bool(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Booleans as given; text Y/N, yes/no, true/false, 1/0 read as booleans; anything else null."""
    if frame.schema.get(name) == pl.Utf8:
        words = {
            "y": True,
            "yes": True,
            "true": True,
            "1": True,
            "n": False,
            "no": False,
            "false": False,
            "0": False,
        }
        return pl.col(name).str.to_lowercase().replace_strict(words, default=None, return_dtype=pl.Boolean)
    return pl.col(name).cast(pl.Boolean, strict=False)


def _problems(frame: pl.DataFrame, checks: list[tuple[str, pl.Expr, str]]) -> list[Problem]:
    problems = []
    for name, bad, fix in checks:
        rows = frame.with_row_index("__i").filter(bad.fill_null(False))
        for row, value in rows.select("__i", name).iter_rows():
            problems.append(Problem(name, value, fix, row=row))
    return problems


def validate_ae_records(
    frame: pl.DataFrame,
    *,
    terms: pl.DataFrame | None = None,
    subject: str = "subject_id",
    related_levels: Sequence[str] = ("possible", "probable", "definite"),
    term_match: str = "normalised",
    synonyms: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Check and type an AE frame; raise :class:`InputError` naming every bad row and field.

    ``synonyms``: the synonym table (default: the shipped one with the shipped terms; none with a user
    ``terms`` list, whose terms the shipped synonyms may not target)."""
    table = load_terms() if terms is None else terms
    if synonyms is None and terms is not None:
        synonyms = pl.DataFrame(schema={"verbatim": pl.Utf8, "term": pl.Utf8})
    absent = [c for c in (subject, *REQUIRED) if c not in frame.columns]
    if absent:
        raise InputError.from_problems(
            "AE records", [Problem(c, "(column)", "add this column") for c in absent]
        )
    if "resolution_date" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("resolution_date"))
    data = frame.with_columns(
        _dates(frame, "onset_date").alias("__onset"),
        _dates(frame, "resolution_date").alias("__resolved"),
        _bool(frame, "serious").alias("__serious"),
    )
    coded = compute_ae_coding(data, verbatim="term", match=term_match, terms=terms, synonyms=synonyms)
    data = coded.with_columns(
        pl.when(pl.col("ae_soc").is_not_null()).then(pl.col("ae_term")).alias("__term")
    ).drop("ae_term", "ae_soc", "ae_coded_by", "ae_reason")
    data = data.join(
        table.select(pl.col("term").alias("__term"), pl.col("soc").alias("__soc"), "grades"),
        on="__term",
        how="left",
        maintain_order="left",
    )
    grade = pl.col("grade").cast(pl.Int64, strict=False)
    checks = [
        (subject, pl.col(subject).is_null(), "every AE needs its subject"),
        (
            "term",
            pl.col("__soc").is_null(),
            "not in the AE term table nor the synonym table: use the CTCAE v5.0 spelling, add a "
            "synonym row (ae_term_synonyms.csv) or load a full term list (adverse_events.load_terms(path))",
        ),
        ("grade", grade.is_null() | ~grade.is_between(1, 5), "a CTCAE grade 1-5"),
        (
            "grade",
            pl.col("__soc").is_not_null() & grade.is_between(1, 5) & ~pl.col("grades").list.contains(grade),
            "a grade that CTCAE defines for this term",
        ),
        ("serious", pl.col("__serious").is_null(), "true or false"),
        (
            "relatedness",
            ~pl.col("relatedness").is_in(list(RELATEDNESS)).fill_null(False),
            "one of " + ", ".join(RELATEDNESS),
        ),
        ("onset_date", pl.col("__onset").is_null(), "an ISO date (YYYY-MM-DD)"),
        (
            "resolution_date",
            pl.col("resolution_date").is_not_null() & pl.col("__resolved").is_null(),
            "an ISO date or null (ongoing)",
        ),
        ("resolution_date", pl.col("__resolved") < pl.col("__onset"), "not before onset_date"),
    ]
    if "soc" in frame.columns:
        checks.append(
            (
                "soc",
                pl.col("soc").is_not_null() & (pl.col("soc") != pl.col("__soc")),
                "the SOC of the term in the term table",
            )
        )
    problems = _problems(data, checks)
    if problems:
        raise InputError.from_problems("AE records", problems)
    return data.select(
        pl.exclude(
            "term",
            "__term",
            "__onset",
            "__resolved",
            "__soc",
            "__serious",
            "grades",
            "soc",
            "onset_date",
            "resolution_date",
            "serious",
        ),
        pl.col("__term").alias("term"),
        pl.col("term").alias("term_verbatim"),
        pl.col("__serious").alias("serious"),
        pl.col("__soc").alias("soc"),
        pl.col("__onset").alias("onset_date"),
        pl.col("__resolved").alias("resolution_date"),
    ).with_columns(
        grade.alias("grade"),
        pl.col("relatedness").is_in(list(related_levels)).alias("related"),
        pl.col("resolution_date").is_null().alias("ongoing"),
        ((pl.col("resolution_date") - pl.col("onset_date")).dt.total_days() + 1).alias("duration_days"),
    )
