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

    One row per subject × matrix × ``PARAMCD``; ``PARAMCD`` is at most 8 characters (ADaMIG v1.3 §3.3,
    for SAS V5 transport), built by :func:`adpp_paramcd` from the CDISC PK code ``PPTESTCD`` (SDTM PP:
    ``CMAX``, ``AUCINT``, ``LAMZHL``, ...): partial AUCs carry their days (``AUC0_28``), and the λz family,
    fitted once per declared window (OPT-K07: contraction, persistence), carries the window's initial
    (``LAMZHLP`` = half-life in the persistence window), which ``PARCAT1`` names in full. ``PARAM`` is the
    registry label with the window and its days; ``NCAPARM`` the NCA registry name (``nca_cmax``).
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
    window = pl.format(" ({} phase, day {} to {})", pl.col("phase"), pl.col("start_day").cast(pl.Int64),
                       pl.col("end_day").cast(pl.Int64).cast(pl.Utf8).fill_null("last"))
    kinds = nca.select("PARAM", "PPTESTCD", "phase").unique()  # ≤ 22 parameters: one code each
    kinds = kinds.with_columns(PARAMCD=pl.Series(
        [adpp_paramcd(n, c, ph) for n, c, ph in kinds.iter_rows()], dtype=pl.Utf8))
    nca = nca.join(kinds, on=["PARAM", "PPTESTCD", "phase"], how="left", nulls_equal=True)
    return nca.join(labels, on="PARAM", how="left").join(keys, on="USUBJID", how="left").select(
        "STUDYID",
        "USUBJID",
        "TRT01A",
        "TRT01AN",
        "MATRIX",
        "PARAMCD",
        pl.when(pl.col("phase").is_null()).then(pl.col("_label"))
        .otherwise(pl.concat_str(pl.col("_label"), window)).alias("PARAM"),
        pl.col("PPTESTCD"),
        pl.col("phase").str.to_uppercase().alias("PARCAT1"),
        pl.col("PPORRES").alias("AVAL"),
        pl.col("PPORRESU").alias("AVALU"),
        pl.col("reason").alias("REASON"),
        pl.col("options").alias("OPTIONS"),
        pl.col("PARAM").alias("NCAPARM"),
    )


def adpp_paramcd(name: str, pptestcd: str, phase: str | None = None) -> str:
    """The ADPP ``PARAMCD`` (≤ 8 characters) of NCA parameter ``name`` (registry, e.g. ``nca_auc_0_28d``).

    >>> adpp_paramcd("nca_cmax", "CMAX"), adpp_paramcd("nca_auc_28_90d", "AUCINT")
    ('CMAX', 'AUC28_90')
    >>> adpp_paramcd("nca_half_life", "LAMZHL", "persistence")
    'LAMZHLP'
    >>> adpp_paramcd("nca_r2adj", "R2ADJ", "contraction")
    'R2ADJC'
    """
    import re

    code = pptestcd
    days = re.fullmatch(r"nca_auc_(\d+)_(\d+)d", name)
    if pptestcd == "AUCINT" and days:
        code = f"AUC{days[1]}_{days[2]}"
    if phase:
        code += phase[0].upper()
    if len(code) > 8:
        raise ValueError(f"ADPP PARAMCD {code!r} for {name} ({phase}) is longer than 8 characters")
    return code
