"""ADPC (CAR transgene / CAR cell concentrations) and ADPP (non-compartmental parameters).

ADPC: the ``PC`` findings of the safety population; ``AVAL`` = ``STRESN``; a result written ``<x`` is
below the limit of quantification: ``BLQFL`` = Y, ``AVAL`` null, ``LLOQ`` = x (CDISC PC BLQ convention,
cdisc_and_ecosystem.md §1). ``ATPTN`` = ``ADY`` (days from infusion). ADPP: one row per subject ×
matrix × NCA parameter from :func:`lupustrial.pk.nca.compute_nca` over the post-infusion samples
(ADY ≥ 0) with its default options (recorded in ``OPTIONS``); ``PARAMCD`` = the NCA parameter name.
"""

from __future__ import annotations

import polars as pl

from lupustrial.derive._common import ady, to_date


def derive_adpc(findings: pl.DataFrame, adsl: pl.DataFrame) -> pl.DataFrame:
    """ADPC from the PC findings."""
    blq = pl.col("STRESC").str.starts_with("<")
    return (
        findings.filter(pl.col("DOMAIN") == "PC")
        .join(
            adsl.filter(pl.col("SAFFL") == "Y").select("STUDYID", "USUBJID", "TRT01A", "TRT01AN", "TRTSDT"),
            on="USUBJID",
        )
        .with_columns(to_date(pl.col("DTC")).alias("ADT"))
        .select(
            "STUDYID",
            "USUBJID",
            "TRT01A",
            "TRT01AN",
            pl.col("TESTCD").alias("PARAMCD"),
            pl.col("TEST").alias("PARAM"),
            pl.col("SPEC").alias("MATRIX"),
            "ADT",
            ady(pl.col("ADT"), pl.col("TRTSDT")).alias("ADY"),
            pl.when(blq).then(None).otherwise(pl.col("STRESN")).alias("AVAL"),
            pl.col("STRESC").alias("AVALC"),
            pl.col("STRESU").alias("AVALU"),
            pl.when(blq).then(pl.lit("Y")).otherwise(pl.lit("N")).alias("BLQFL"),
            pl.when(blq)
            .then(pl.col("STRESC").str.strip_chars("< ").cast(pl.Float64, strict=False))
            .alias("LLOQ"),
        )
        .with_columns(pl.col("ADY").alias("ATPTN"))
        .sort("USUBJID", "MATRIX", "ADY")
    )


def derive_adpp(adpc: pl.DataFrame) -> pl.DataFrame:
    """ADPP: NCA parameters per subject and matrix (empty frame when ADPC has no post-infusion sample).

    One row per subject × matrix × ``PARAMCD``. ``PARAMCD`` is the NCA registry name without ``nca_``
    (``cmax``, ``auc_0_28d``, ...); the λz family is fitted once per declared window (OPT-K07:
    contraction, persistence), so its codes carry the window (``half_life_persistence``) and
    ``PARCAT1`` names it. ``PARAM`` is the registry label (with the window and its days), ``PPTESTCD``
    the CDISC PK parameter code (SDTM PP, e.g. ``CMAX``, ``AUCINT``, ``LAMZHL``).
    """
    from lupustrial.pk.nca import compute_nca
    from lupustrial.pk.parameters import PARAMETERS

    post = adpc.filter(pl.col("ADY") >= 0).with_columns(
        pl.col("ADY").cast(pl.Float64).alias("time_days"),
        pl.col("AVAL").fill_null(0.0).alias("conc"),
        pl.coalesce("LLOQ", pl.col("LLOQ").max().over("MATRIX")).fill_null(0.0).alias("lloq"),
    )
    if post.height == 0:
        return pl.DataFrame(
            schema={"USUBJID": pl.Utf8, "MATRIX": pl.Utf8, "PARAMCD": pl.Utf8, "AVAL": pl.Float64}
        )
    unit = post["AVALU"].drop_nulls().first() or "copies/ug"
    nca = compute_nca(post, lloq="lloq", by=["MATRIX"], conc_unit=unit)
    keys = adpc.select("STUDYID", "USUBJID", "TRT01A", "TRT01AN").unique()
    labels = pl.DataFrame({"PARAM": [p.name for p in PARAMETERS], "_label": [p.label for p in PARAMETERS]})
    code = pl.col("PARAM").str.strip_prefix("nca_")
    window = pl.format(" ({} phase, day {} to {})", pl.col("phase"), pl.col("start_day").cast(pl.Int64),
                       pl.col("end_day").cast(pl.Int64).cast(pl.Utf8).fill_null("last"))
    return nca.join(labels, on="PARAM", how="left").join(keys, on="USUBJID", how="left").select(
        "STUDYID",
        "USUBJID",
        "TRT01A",
        "TRT01AN",
        "MATRIX",
        pl.when(pl.col("phase").is_null()).then(code).otherwise(pl.format("{}_{}", code, pl.col("phase")))
        .alias("PARAMCD"),
        pl.when(pl.col("phase").is_null()).then(pl.col("_label"))
        .otherwise(pl.concat_str(pl.col("_label"), window)).alias("PARAM"),
        pl.col("PPTESTCD"),
        pl.col("phase").str.to_uppercase().alias("PARCAT1"),
        pl.col("PPORRES").alias("AVAL"),
        pl.col("PPORRESU").alias("AVALU"),
        pl.col("reason").alias("REASON"),
        pl.col("options").alias("OPTIONS"),
    )
