"""SDI per subject and assessment date, scored from the recorded items with the registered ``sdi`` instrument.

Sites record the 41 SLICC/ACR Damage Index items (RS test codes ``SDI01``–``SDI41`` in form order,
``rs_items.csv`` kind ``sdi_item``; Gladman 1996, ``instruments/sdi_items.csv``). Per subject and date:

* **items recorded** (any ``SDInn`` record): ``sdi`` = the ``sdi`` instrument's value
  (``lupustrial.evaluate_table("sdi", ...)``, registered defaults: ``missing_policy=not_evaluable``, so
  an item not recorded leaves the total null with the instrument's reason); ``sdi_source = "items"``.
  An item result that is not a whole number in 0..its maximum is not scored (null, so the total is not
  evaluable) and ``sdi_reason`` names the test code, the value and the allowed range.
* **no item recorded**: the directly recorded total (test code ``SDI``) as a fallback,
  ``sdi_source = "recorded total"``.

``baseline`` = the last SDI assessment on or before day 0 (as ADaM ABLFL).
"""

from __future__ import annotations

import polars as pl

from lupustrial.derive._common import ady, load_table, to_date
from lupustrial.instruments.sdi import load_items

__all__ = ["SOURCE_ITEMS", "SOURCE_TOTAL", "derive_sdi"]

SOURCE_ITEMS, SOURCE_TOTAL = "items", "recorded total"
_SCHEMA = {"USUBJID": pl.Utf8, "ADT": pl.Date, "ADY": pl.Int64, "baseline": pl.Boolean, "sdi": pl.Float64,
           "sdi_source": pl.Utf8, "sdi_reason": pl.Utf8}


def _codes() -> dict[str, str]:
    """RS test code → SDI item code (``SDI01`` → ``cataract``) and ``SDI`` → ``total``."""
    rows = [r for r in load_table("rs_items.csv") if r["kind"] == "sdi_item" or r["testcd"] == "SDI"]
    return {r["testcd"]: "total" if r["testcd"] == "SDI" else r["column"].removeprefix("sdi_") for r in rows}


def _checked(code: str, maximum: int) -> tuple[pl.Expr, pl.Expr]:
    """(item as Int64 with invalid results null, why it was invalid or null)."""
    raw = pl.col(code)
    num = raw.str.strip_chars().cast(pl.Float64, strict=False)
    ok = num.is_not_null() & (num == num.round(0)) & (num >= 0) & (num <= maximum)
    bad = raw.is_not_null() & ~ok.fill_null(False)
    why = pl.when(bad).then(pl.format(f"SDI item {code} = {{}} is not a whole number in 0..{maximum}; "
                                      "not scored", raw))
    return pl.when(ok).then(num).cast(pl.Int64).alias(code), why


def derive_sdi(findings: pl.DataFrame, adsl: pl.DataFrame) -> pl.DataFrame:
    """``USUBJID ADT ADY baseline sdi sdi_source sdi_reason`` for the SAFFL subjects' SDI assessments."""
    from lupustrial.evaluation import evaluate_table

    codes = _codes()
    rs = (
        findings.filter((pl.col("DOMAIN") == "RS") & pl.col("TESTCD").is_in(list(codes)))
        .join(adsl.filter(pl.col("SAFFL") == "Y").select("USUBJID", "TRTSDT"), on="USUBJID")
        .with_columns(to_date(pl.col("DTC")).alias("ADT"), pl.col("TESTCD").replace_strict(codes).alias("_c"))
        .filter(pl.col("ADT").is_not_null())
    )
    if rs.height == 0:
        return pl.DataFrame(schema=_SCHEMA)
    wide = rs.pivot("_c", index=["USUBJID", "ADT", "TRTSDT"], values="STRESC", aggregate_function="first")
    items = load_items()
    absent = [c for c in (*(i.code for i in items), "total") if c not in wide.columns]
    wide = wide.with_columns(pl.lit(None, dtype=pl.Utf8).alias(c) for c in absent)
    has_items = pl.any_horizontal(pl.col(i.code).is_not_null() for i in items)
    checked = [_checked(i.code, i.input_max) for i in items]
    bad = pl.concat_str([w for _, w in checked], separator="; ", ignore_nulls=True).replace("", None)
    wide = wide.with_columns(has_items.alias("_items"), *(c for c, _ in checked), bad.alias("_bad"))
    scored = evaluate_table("sdi", wide.select(i.code for i in items))
    wide = wide.with_columns(scored["value"].cast(pl.Float64).alias("_value"), scored["reason"].alias("_why"))
    total = pl.col("total").str.strip_chars().cast(pl.Float64, strict=False)
    out = wide.select(
        "USUBJID", "ADT", ady(pl.col("ADT"), pl.col("TRTSDT")).alias("ADY"),
        pl.when(pl.col("_items")).then(pl.col("_value")).otherwise(total).alias("sdi"),
        pl.when(pl.col("_items")).then(pl.lit(SOURCE_ITEMS)).otherwise(pl.lit(SOURCE_TOTAL)).alias("sdi_source"),
        pl.when(pl.col("_items"))
        .then(pl.concat_str([pl.col("_bad"), pl.col("_why")], separator="; ", ignore_nulls=True))
        .str.strip_chars("; ").replace("", None).alias("sdi_reason"),
    )
    last = pl.col("ADY").filter(pl.col("ADY") <= 0).max().over("USUBJID")
    return out.with_columns((pl.col("ADY") == last).fill_null(False).alias("baseline")).select(
        list(_SCHEMA)).sort("USUBJID", "ADT")
