"""The registered entry ``ae_record``: one AE record coded, checked against the term table and described.

The ``term`` as reported is coded by the same function as ADAE,
:func:`~lupustrial.instruments.adverse_events.coding.compute_ae_coding`: a term of the AE term table
(CTCAE v5.0), else a verbatim of the synonym table ("Neutropenia" → "Neutrophil count decreased",
"CRS", British spellings). Option ``ae_term_match`` (``normalised``, default: case and white space
ignored; ``exact``), the same option as ``derive_study``'s.

``value`` is the record's CTCAE grade once it is known to exist for the coded term (a grade the term
does not define, e.g. grade 1 Febrile neutropenia, is an :class:`~lupustrial.errors.InputError` naming
``grade``). Details: ``coded_term``, ``coded_by`` (``term table``/``synonym``), ``soc``, ``related``,
``ongoing``, ``duration_days``. No term or grade → no value, with a reason; a term found in neither
table → no value (its grade cannot be checked) and the coding's reason ("not coded: ...").

>>> import lupustrial
>>> r = lupustrial.evaluate("ae_record", {"term": "Febrile neutropenia", "grade": 3, "serious": True,
...     "relatedness": "possible", "onset_date": "2026-02-01", "resolution_date": "2026-02-04"})
>>> r.value, r.details["soc"], r.details["duration_days"]
(3, 'Blood and lymphatic system disorders', 4)
>>> r = lupustrial.evaluate("ae_record", {"term": " neutropenia", "grade": 4})
>>> r.value, r.details["coded_term"], r.details["coded_by"]
(4, 'Neutrophil count decreased', 'synonym')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from lupustrial.errors import InputError, Problem
from lupustrial.instruments.adverse_events.coding import TERM_MATCH, compute_ae_coding
from lupustrial.instruments.adverse_events.records import RELATEDNESS
from lupustrial.instruments.adverse_events.synonyms import load_synonyms
from lupustrial.instruments.adverse_events.terms import load_terms
from lupustrial.registry import Field, Instrument, Option, register

CITATION = (
    "National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) v5.0, "
    "27 Nov 2017 (terms, SOCs and defined grades; CAR-T subset per safety.md §1.6 and §9)."
)
NOT_EVALUABLE = "not evaluable: AE term or grade not recorded"


def _check_grades(data: pl.DataFrame) -> None:
    """The grade must be one the coded term defines; resolution not before onset."""
    allowed = (
        data.select("coded_term", "grade", "onset_date", "resolution_date")
        .with_row_index("row")
        .join(
            load_terms().select(pl.col("term").alias("coded_term"), "grades"),
            on="coded_term",
            how="left",
            maintain_order="left",
        )
    )
    bad = allowed.filter(
        pl.col("grade").is_not_null()
        & pl.col("grades").is_not_null()
        & ~pl.col("grades").list.contains(pl.col("grade"))
    )
    problems = [
        Problem("grade", g, f"{t} has grades {', '.join(map(str, gs))} in CTCAE v5.0", row=r)
        for r, t, g, gs in bad.select("row", "coded_term", "grade", "grades").iter_rows()
    ]
    early = allowed.filter(pl.col("resolution_date") < pl.col("onset_date"))
    problems += [
        Problem("resolution_date", d, "not before onset_date", row=r)
        for r, d in early.select("row", "resolution_date").iter_rows()
    ]
    if problems:
        raise InputError.from_problems("ae_record", problems)


def score_ae_record(frame: pl.DataFrame, options: Mapping[str, Any]) -> pl.DataFrame:
    """Value = grade (checked against the coded term); SOC; relatedness collapsed by ``related_from``."""
    from lupustrial.columnar import missing_items

    data = compute_ae_coding(frame, verbatim="term", match=options["ae_term_match"]).rename(
        {"ae_term": "coded_term", "ae_soc": "soc", "ae_coded_by": "coded_by"}
    )
    coded = pl.col("soc").is_not_null()
    data = data.with_columns(pl.when(coded).then(pl.col("coded_term")).alias("coded_term"))
    _check_grades(data)
    levels = list(RELATEDNESS[RELATEDNESS.index(options["related_from"]) :])
    unrecorded = pl.col("grade").is_null() | pl.col("term").is_null()
    return data.select(
        pl.when(unrecorded | pl.col("soc").is_null()).then(None).otherwise(pl.col("grade")).alias("value"),
        missing_items(["term", "grade"]).alias("missing"),
        pl.when(unrecorded).then(pl.lit(NOT_EVALUABLE)).otherwise(pl.col("ae_reason")).alias("reason"),
        pl.col("coded_term"),
        pl.col("coded_by"),
        pl.col("soc"),
        pl.when(pl.col("relatedness").is_null())
        .then(None)
        .otherwise(pl.col("relatedness").is_in(levels))
        .alias("related"),
        pl.when(pl.col("onset_date").is_null())
        .then(None)
        .otherwise(pl.col("resolution_date").is_null())
        .alias("ongoing"),
        ((pl.col("resolution_date") - pl.col("onset_date")).dt.total_days() + 1).alias("duration_days"),
    )


def _synthetic(n: int, rng) -> pl.DataFrame:
    import datetime as dt

    import numpy as np

    # what a site writes: CTCAE terms and synonym verbatims (grades of the term they code to), a quarter
    # of them in lower case; the coding path is then exercised by the contract suite
    terms = load_terms()
    syn = load_synonyms().join(terms.select("term", "grades"), on="term").select(
        pl.col("verbatim").alias("term"), "grades"
    )
    written = pl.concat([terms.select("term", "grades"), syn])
    pick = rng.integers(0, written.height, n)
    grades = [int(rng.choice(g)) for g in written["grades"].gather(pick).to_list()]
    text = written["term"].gather(pick)
    text = pl.Series(np.where(rng.random(n) < 0.25, text.str.to_lowercase(), text), dtype=pl.Utf8)
    onset = [dt.date(2026, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 60, n)]
    length = rng.integers(-1, 20, n)
    return pl.DataFrame(
        {
            "term": text,
            "grade": grades,
            "serious": rng.random(n) < 0.3,
            "relatedness": np.array(RELATEDNESS)[rng.integers(0, len(RELATEDNESS), n)],
            "onset_date": onset,
            "resolution_date": [
                None if k < 0 else o + dt.timedelta(days=int(k)) for o, k in zip(onset, length, strict=True)
            ],
        },
        schema={
            "term": pl.Utf8,
            "grade": pl.Int64,
            "serious": pl.Boolean,
            "relatedness": pl.Utf8,
            "onset_date": pl.Date,
            "resolution_date": pl.Date,
        },
    )


AE_RECORD = register(
    Instrument(
        name="ae_record",
        version="CTCAE-5.0-subset-2026.11b",
        title="Adverse-event record (CTCAE v5.0 term, grade 1-5)",
        citation=CITATION,
        fields=(
            Field(
                "term",
                "string",
                "AE term as reported: a CTCAE v5.0 term (the shipped CAR-T subset) or a verbatim of the "
                "synonym table (ae_term_synonyms.csv)",
            ),
            Field("grade", "integer", "CTCAE grade", min=1, max=5, typical=(1, 5)),
            Field("serious", "bool", "serious adverse event (ICH E2A)"),
            Field("relatedness", "code", "relationship to the cell product", codes=RELATEDNESS),
            Field("onset_date", "date", "onset date"),
            Field("resolution_date", "date", "resolution date (null = ongoing)"),
        ),
        options=(
            Option(
                "related_from",
                "possible",
                "lowest relatedness level counted as related",
                choices=RELATEDNESS[1:],
                source="safety.md §8 (attribution is an input)",
            ),
            Option(
                "ae_term_match",
                "normalised",
                "term lookup in the AE term and synonym tables: normalised (case and white space "
                "ignored) or exact (as written)",
                choices=TERM_MATCH,
                source="docs/safety.md 'AE term coding' (same option as derive_study ae_term_match)",
            ),
        ),
        score=score_ae_record,
        example={
            "term": "Cytokine release syndrome",
            "grade": 2,
            "serious": True,
            "relatedness": "probable",
            "onset_date": "2026-01-03",
            "resolution_date": "2026-01-06",
        },
        value_kind="integer",
        value_range=(1, 5),
        docs="docs/safety.md",
        extra={"synthetic": _synthetic},
    )
)
