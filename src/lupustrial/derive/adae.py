"""ADAE: one row per adverse-event record with analysis dates, grades and flags.

* ``ASTDY``/``AENDY`` — days from the first infusion (day 0);
* ``TRTEMFL`` = Y when the subject is in the safety population and onset is on or after the first CAR
  infusion (option ``teae_start="infusion"``, default) or on or after the first lymphodepletion dose
  (``"lymphodepletion"``) — ICH E9 / CDISC ADAE "treatment emergent" (onset on/after first dose);
  a record with no onset date is treatment emergent (conservative) and listed in ``reasons``;
* ``AEDECOD``/``AEBODSYS`` — the reported term (``DECOD``), else the verbatim (``TERM``), coded by
  :func:`lupustrial.instruments.adverse_events.coding.compute_ae_coding`: a term of the AE term table
  (CTCAE v5.0), else a verbatim of the synonym table (``ae_term_synonyms.csv``: "Neutropenia" →
  "Neutrophil count decreased", "CRS", British spellings); ``AEBODSYS`` = the term's system organ class.
  Option ``term_match`` (``normalised``, default: case and white space ignored; ``exact``). A term found
  in neither table keeps its text in ``AEDECOD``, ``AEBODSYS`` null and ``AEBODSYS_REASON`` says why (also
  in ``reasons``);
* ``CRSFL``/``ICANSFL`` — category CRS / ICANS; ``AESER`` copies ``SER``; ``AREL`` from ``ae_rules.csv``;
* ``DLTFL``/``DLTRULE`` — the record triggered the subject's DLT under the protocol's DLT rules
  (:func:`lupustrial.endpoints.dlt.adjudicate_dlt`, per-subject assessment day = last visit day).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lupustrial.derive._common import ady, load_table, to_date

NO_ONSET = "no onset date: counted as treatment emergent, left out of DLT adjudication"


def _map(kind: str) -> tuple[dict[str, str], str | None]:
    rows = [r for r in load_table("ae_rules.csv") if r["kind"] == kind]
    return {r["value"]: r["maps_to"] for r in rows if r["value"] != "*"}, next(
        (r["maps_to"] for r in rows if r["value"] == "*"), None
    )


def _code_terms(ae: pl.DataFrame, term_match: str = "normalised") -> pl.DataFrame:
    """``AEDECOD``, ``AEBODSYS``, ``AEBODSYS_REASON`` from ``DECOD`` (tried first) and ``TERM`` (verbatim)."""
    from lupustrial.instruments.adverse_events.coding import compute_ae_coding

    coded = compute_ae_coding(ae, verbatim="TERM", decod="DECOD", match=term_match)
    return coded.with_columns(
        pl.col("ae_term").alias("AEDECOD"),
        pl.col("ae_soc").alias("AEBODSYS"),
        pl.col("ae_reason").alias("AEBODSYS_REASON"),
    ).drop("ae_term", "ae_soc", "ae_coded_by", "ae_reason")


def compute_dlt(adae: pl.DataFrame, adsl: pl.DataFrame, protocol: Any) -> pl.DataFrame:
    """Per-subject DLT adjudication of the safety population (output of ``adjudicate_dlt``)."""
    from lupustrial.endpoints.dlt import adjudicate_dlt

    cats, other = _map("category")
    rel = {k: v == "true" for k, v in _map("related")[0].items()}
    subs = adsl.filter(pl.col("SAFFL") == "Y").select(
        "USUBJID",
        pl.col("TRT01A").alias("dose_level"),
        pl.col("LSTVSTDY").cast(pl.Float64).fill_null(0.0).alias("assessment_day"),
    )
    recs = adae.filter(
        pl.col("TRTEMFL").eq("Y")
        & pl.col("ASTDY").is_not_null()
        & pl.col("ATOXGR").is_not_null()
        & pl.col("USUBJID").is_in(subs["USUBJID"].implode())
    ).join(subs.select("USUBJID", "assessment_day"), on="USUBJID")
    recs = recs.filter(pl.col("ASTDY") <= pl.col("assessment_day")).select(
        "USUBJID",
        pl.col("AEDECOD").alias("term"),
        pl.col("AECAT").fill_null("").replace_strict(cats, default=other).alias("category"),
        pl.col("ATOXGR").cast(pl.Int64).alias("grade"),
        pl.col("ASTDY").cast(pl.Float64).alias("start_day"),
        pl.col("AENDY").cast(pl.Float64).alias("end_day"),
        pl.col("AEREL").replace_strict(rel, default=None, return_dtype=pl.Boolean).alias("related"),
        pl.col("AESEQ").cast(pl.Utf8).alias("record_id"),
    )
    return adjudicate_dlt(recs, subs, protocol.dlt.as_rule_set())


def derive_adae(
    events: pl.DataFrame,
    adsl: pl.DataFrame,
    interventions: pl.DataFrame,
    protocol: Any,
    teae_start: str = "infusion",
    term_match: str = "normalised",
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(ADAE, per-subject DLT frame, reasons)."""
    ld = (
        interventions.filter(pl.col("CAT").str.to_uppercase() == "LYMPHODEPLETION")
        .group_by("USUBJID")
        .agg(to_date(pl.col("STDTC")).min().alias("_ld"))
    )
    start = pl.col("TRTSDT") if teae_start == "infusion" else pl.coalesce("_ld", "TRTSDT")
    ae = (
        events.filter(pl.col("DOMAIN") == "AE")
        .join(
            adsl.select("STUDYID", "USUBJID", "TRT01A", "TRT01AN", "TRTSDT", "SAFFL"),
            on="USUBJID",
            how="left",
        )
        .join(ld, on="USUBJID", how="left")
        .with_columns(to_date(pl.col("STDTC")).alias("ASTDT"), to_date(pl.col("ENDTC")).alias("AENDT"))
        .with_columns(
            pl.col("ID").alias("AESEQ"),
            pl.col("TERM").alias("AETERM"),
            pl.col("CAT").alias("AECAT"),
            pl.col("TOXGR").alias("ATOXGR"),
            pl.col("GRADE_SCALE").alias("ATOXSCL"),
            pl.col("SER").alias("AESER"),
            pl.col("REL").str.to_uppercase().alias("AEREL"),
            pl.col("OUTCOME").alias("AEOUT"),
            ady(pl.col("ASTDT"), pl.col("TRTSDT")).alias("ASTDY"),
            ady(pl.col("AENDT"), pl.col("TRTSDT")).alias("AENDY"),
            pl.when(pl.col("SAFFL").eq("Y") & (pl.col("ASTDT").is_null() | (pl.col("ASTDT") >= start)))
            .then(pl.lit("Y"))
            .otherwise(pl.lit("N"))
            .alias("TRTEMFL"),
            pl.when(pl.col("CAT") == "CRS").then(pl.lit("Y")).otherwise(pl.lit("N")).alias("CRSFL"),
            pl.when(pl.col("CAT") == "ICANS").then(pl.lit("Y")).otherwise(pl.lit("N")).alias("ICANSFL"),
        )
    )
    ae = _code_terms(ae, term_match)
    reasons = pl.concat(
        [
            ae.filter(pl.col("ASTDT").is_null()).select(
                "USUBJID",
                pl.lit("ADAE").alias("DOMAIN"),
                pl.format("AE {}", pl.col("AESEQ")).alias("WHAT"),
                pl.lit(NO_ONSET).alias("WHY"),
            ),
            ae.filter(pl.col("AEBODSYS_REASON").is_not_null()).select(
                "USUBJID",
                pl.lit("ADAE").alias("DOMAIN"),
                pl.format("AE {} AEBODSYS", pl.col("AESEQ")).alias("WHAT"),
                pl.col("AEBODSYS_REASON").alias("WHY"),
            ),
        ]
    )
    dlt = compute_dlt(ae, adsl, protocol)
    trig = (
        dlt.filter(pl.col("DLT") == "Y")
        .select("USUBJID", "rule_id", "trigger_records")
        .explode("trigger_records")
        .select(
            "USUBJID",
            pl.col("trigger_records").cast(pl.Int64).alias("AESEQ"),
            pl.col("rule_id").alias("DLTRULE"),
        )
    )
    ae = ae.join(trig, on=["USUBJID", "AESEQ"], how="left").with_columns(
        pl.when(pl.col("DLTRULE").is_not_null()).then(pl.lit("Y")).otherwise(pl.lit("N")).alias("DLTFL")
    )
    cols = [
        "STUDYID",
        "USUBJID",
        "AESEQ",
        "TRT01A",
        "TRT01AN",
        "AETERM",
        "AEDECOD",
        "AEBODSYS",
        "AEBODSYS_REASON",
        "AECAT",
        "ATOXGR",
        "ATOXSCL",
        "AESER",
        "AEREL",
        "AEOUT",
        "ASTDT",
        "AENDT",
        "ASTDY",
        "AENDY",
        "TRTEMFL",
        "CRSFL",
        "ICANSFL",
        "DLTFL",
        "DLTRULE",
    ]
    return ae.select(cols).sort("USUBJID", "AESEQ"), dlt, reasons
