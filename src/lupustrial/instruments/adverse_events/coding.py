"""Coding AE terms: verbatim / reported term → CTCAE term (AEDECOD) → system organ class (AEBODSYS).

Decision order for each record (columnar: two joins against one lookup table, no per-row Python)::

    reported term (decod, if given)  ──► a term of the term table?       yes → that term
            │ no                     ──► a verbatim of the synonym table? yes → its term
            ▼
    verbatim term                    ──► a term of the term table?       yes → that term
            │ no                     ──► a verbatim of the synonym table? yes → its term
            ▼
    uncoded: term = the reported (else verbatim) text as given, soc = null, reason says why

A term of the table always wins over a synonym. ``soc`` is the term table's SOC of the coded term
(CTCAE v5.0 groups terms by MedDRA primary SOC). ``match`` (option, default ``"normalised"``):
``"normalised"`` compares case-folded text with surrounding spaces removed and inner runs of white space
collapsed (:func:`~lupustrial.instruments.adverse_events.synonyms.normalise_term`); ``"exact"`` compares
the text as stored. Hyphens and punctuation are never ignored ("Infusion-related reaction" is a row of
the synonym table, not a normalisation).

>>> f = pl.DataFrame({"verbatim": ["Neutropaenia", " cytokine release SYNDROME", "B-cell aplasia"]})
>>> out = compute_ae_coding(f)
>>> out.select("ae_term", "ae_soc", "ae_coded_by").rows()[:2]
[('Neutrophil count decreased', 'Investigations', 'synonym'), ('Cytokine release syndrome', \
'Immune system disorders', 'term table')]
>>> out["ae_reason"][2]
"not coded: 'B-cell aplasia' is not a term of the AE term table (CTCAE v5.0) nor a verbatim of the \
synonym table: add a synonym row (ae_term_synonyms.csv) or load a full term list"
"""

from __future__ import annotations

import polars as pl

from lupustrial.errors import InputError, Problem
from lupustrial.instruments.adverse_events.synonyms import load_synonyms, normalise_term
from lupustrial.instruments.adverse_events.terms import load_terms

__all__ = ["OUTPUT_COLUMNS", "TERM_MATCH", "compute_ae_coding"]

TERM_MATCH = ("normalised", "exact")
OUTPUT_COLUMNS = ("ae_term", "ae_soc", "ae_coded_by", "ae_reason")
NO_TERM = "not coded: no AE term recorded (verbatim and reported term empty): enter the term"


def _key(expr: pl.Expr, match: str) -> pl.Expr:
    return normalise_term(expr) if match == "normalised" else expr


def _lookup(terms: pl.DataFrame, synonyms: pl.DataFrame, match: str) -> pl.DataFrame:
    """key → (term, how): term-table rows first, so a term wins over a synonym of the same key."""
    return (
        pl.concat(
            [
                terms.select(
                    _key(pl.col("term"), match).alias("_key"), "term", pl.lit("term table").alias("_by")
                ),
                synonyms.select(
                    _key(pl.col("verbatim"), match).alias("_key"), "term", pl.lit("synonym").alias("_by")
                ),
            ]
        )
        .filter(pl.col("_key").is_not_null())
        .unique("_key", keep="first", maintain_order=True)
    )


def _check(frame: pl.DataFrame, verbatim: str, decod: str | None, match: str) -> None:
    problems = [
        Problem(c, "(column)", "add this column or name another")
        for c in (verbatim, decod)
        if c is not None and c not in frame.columns
    ]
    if match not in TERM_MATCH:
        problems.append(Problem("match", match, f"use one of {TERM_MATCH}"))
    if problems:
        raise InputError.from_problems("AE term coding", problems)


def compute_ae_coding(
    frame: pl.DataFrame,
    *,
    verbatim: str = "verbatim",
    decod: str | None = None,
    match: str = "normalised",
    terms: pl.DataFrame | None = None,
    synonyms: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``frame`` (row order kept) with ``ae_term`` (coded term, or the text as given when uncoded),
    ``ae_soc`` (null when uncoded), ``ae_coded_by`` (``term table``/``synonym``/null) and ``ae_reason``
    (null when coded). ``decod``: an optional reported-term column tried before ``verbatim``."""
    _check(frame, verbatim, decod, match)
    table = load_terms() if terms is None else terms
    syn = load_synonyms(terms=terms) if synonyms is None else synonyms
    lookup = _lookup(table, syn, match)
    socs = table.select("term", pl.col("soc").alias("ae_soc")).unique("term", keep="first")
    cands = [c for c in (decod, verbatim) if c is not None]
    data = frame.with_columns(
        [_key(pl.col(c).cast(pl.Utf8), match).alias(f"_k{i}") for i, c in enumerate(cands)]
    )
    for i in range(len(cands)):
        data = data.join(
            lookup.rename({"_key": f"_k{i}", "term": f"_t{i}", "_by": f"_b{i}"}),
            on=f"_k{i}",
            how="left",
            maintain_order="left",
        )
    given = pl.coalesce([pl.col(c).cast(pl.Utf8).str.strip_chars().replace("", None) for c in cands])
    coded = pl.coalesce([pl.col(f"_t{i}") for i in range(len(cands))])
    data = data.with_columns(
        pl.coalesce(coded, given).alias("ae_term"),
        pl.coalesce([pl.col(f"_b{i}") for i in range(len(cands))]).alias("ae_coded_by"),
    ).join(socs, left_on="ae_term", right_on="term", how="left", maintain_order="left")
    reason = (
        pl.when(pl.col("ae_soc").is_not_null())
        .then(None)
        .when(pl.col("ae_term").is_null())
        .then(pl.lit(NO_TERM))
        .otherwise(
            pl.format(
                "not coded: '{}' is not a term of the AE term table (CTCAE v5.0) nor a verbatim of the "
                "synonym table: add a synonym row (ae_term_synonyms.csv) or load a full term list",
                pl.col("ae_term"),
            )
        )
    )
    helper = [f"_{p}{i}" for i in range(len(cands)) for p in ("k", "t", "b")]
    return data.with_columns(reason.alias("ae_reason")).drop(helper)
