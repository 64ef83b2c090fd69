"""The per-visit disease-activity table of the response endpoints, built from the study's RS and CM data.

One row per treated subject and assessment date: the 24 SLEDAI-2K descriptors (``Y`` → true), the nine
BILAG-2004 system grades, PGA (item codes in ``rs_items.csv``), ``ADY`` (days from infusion), ``baseline``
(the last assessment on or before day 0, as ADaM ABLFL), and the medication columns from concomitant
medications active on the assessment date (``STDTC ≤ date ≤ ENDTC``, open end = ongoing;
``cm_rules.csv``): the glucocorticoid with the largest dose gives ``gc_drug``/``gc_dose_mg`` (0 when none
is active), maintenance drugs are summed per column, biologics set the ``biologic`` flag.
BILAG-2004 item 96 (active haemolysis, read by LLDAS) is rarely recorded on its own: when it is absent
it is set false where the haematological system grade is D or E (no current haematological activity,
Isenberg 2005 grade definitions) and left unknown (null) for grades A–C. ``sdi`` (SLICC/ACR Damage
Index, scored from its items by the ``sdi`` instrument, the recorded total only when no item is recorded:
:func:`lupustrial.derive.sdi.derive_sdi`) is carried on assessment dates only.
"""

from __future__ import annotations

import polars as pl

from lupustrial.derive._common import ady, load_table, to_date


def _items() -> pl.DataFrame:
    """The RS items of the visit table (the SDI and its items are scored apart, ``derive/sdi.py``)."""
    items = pl.DataFrame(list(load_table("rs_items.csv"))).select("testcd", "column", "kind")
    return items.filter((pl.col("kind") != "sdi_item") & (pl.col("testcd") != "SDI"))


def _assessments(findings: pl.DataFrame, adsl: pl.DataFrame) -> pl.DataFrame:
    items = _items()
    rs = (
        findings.filter(pl.col("DOMAIN") == "RS")
        .join(items, left_on="TESTCD", right_on="testcd")
        .join(adsl.filter(pl.col("SAFFL") == "Y").select("USUBJID", "TRTSDT"), on="USUBJID")
        .with_columns(to_date(pl.col("DTC")).alias("ADT"))
        .filter(pl.col("ADT").is_not_null())
    )
    if rs.height == 0:
        return pl.DataFrame(schema={"USUBJID": pl.Utf8, "ADT": pl.Date, "TRTSDT": pl.Date})
    activity = pl.col("kind").is_in(["descriptor", "bilag_grade", "number"]).any().over("USUBJID", "ADT")
    wide = rs.filter(activity).pivot(
        "column", index=["USUBJID", "ADT", "TRTSDT"], values="STRESC", aggregate_function="first"
    )
    casts = []
    for kind, column in items.select("kind", "column").iter_rows():
        if column not in wide.columns:
            continue
        if kind == "descriptor":
            casts.append(
                pl.col(column)
                .str.to_uppercase()
                .replace_strict({"Y": True, "N": False}, default=None, return_dtype=pl.Boolean)
                .alias(column)
            )
        elif kind in ("number", "score"):
            casts.append(pl.col(column).cast(pl.Float64, strict=False).alias(column))
    return wide.with_columns(casts)


def _medications(visits: pl.DataFrame, interventions: pl.DataFrame) -> pl.DataFrame:
    rules = pl.DataFrame(list(load_table("cm_rules.csv"))).select("trt", "column")
    cm = (
        interventions.filter(pl.col("DOMAIN") == "CM")
        .with_columns(
            pl.col("TRT").str.to_uppercase().alias("trt"),
            to_date(pl.col("STDTC")).alias("_s"),
            to_date(pl.col("ENDTC")).alias("_e"),
        )
        .join(rules, on="trt")
    )
    on = (
        visits.select("USUBJID", "ADT")
        .join(cm, on="USUBJID")
        .filter((pl.col("_s") <= pl.col("ADT")) & (pl.col("_e").is_null() | (pl.col("ADT") <= pl.col("_e"))))
    )
    gc = (
        on.filter(pl.col("column") == "gc")
        .sort("DOSE", descending=True)
        .group_by("USUBJID", "ADT")
        .agg(
            pl.col("trt").first().str.to_lowercase().alias("gc_drug"),
            pl.col("DOSE").first().alias("gc_dose_mg"),
        )
    )
    other = (
        on.filter(~pl.col("column").is_in(["gc", "biologic"]))
        .group_by("USUBJID", "ADT", "column")
        .agg(pl.col("DOSE").sum())
    )
    out = visits.join(gc, on=["USUBJID", "ADT"], how="left").with_columns(
        pl.col("gc_drug").fill_null("prednisone"), pl.col("gc_dose_mg").fill_null(0.0)
    )
    if other.height:
        out = out.join(
            other.pivot("column", index=["USUBJID", "ADT"], values="DOSE"), on=["USUBJID", "ADT"], how="left"
        )
    bio = (
        on.filter(pl.col("column") == "biologic")
        .select("USUBJID", "ADT")
        .unique()
        .with_columns(pl.lit(True).alias("biologic"))
    )
    return out.join(bio, on=["USUBJID", "ADT"], how="left")


def build_visit_table(
    findings: pl.DataFrame, interventions: pl.DataFrame, adsl: pl.DataFrame
) -> pl.DataFrame:
    """The visit table (see module docstring); empty when there are no disease-activity assessments."""
    from lupustrial.derive.sdi import derive_sdi

    wide = _assessments(findings, adsl)
    if wide.height == 0:
        return wide
    sdi = derive_sdi(findings, adsl)
    if sdi.height:
        wide = wide.join(sdi.select("USUBJID", "ADT", "sdi"), on=["USUBJID", "ADT"], how="left")
    wide = wide.with_columns(ady(pl.col("ADT"), pl.col("TRTSDT")).alias("ADY")).sort("USUBJID", "ADY")
    wide = wide.with_columns(
        (pl.col("ADY") == pl.col("ADY").filter(pl.col("ADY") <= 0).max().over("USUBJID"))
        .fill_null(False)
        .alias("baseline"),
        pl.int_range(1, pl.len() + 1).over("USUBJID").alias("VISITNUM"),
    )
    if "bilag_active_haemolysis" not in wide.columns and "grade_haematological" in wide.columns:
        wide = wide.with_columns(
            pl.when(pl.col("grade_haematological").is_in(["D", "E"]))
            .then(False)
            .otherwise(None)
            .alias("bilag_active_haemolysis")
        )
    return _medications(wide, interventions).sort("USUBJID", "VISITNUM")
