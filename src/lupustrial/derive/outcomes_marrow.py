"""Bone-marrow CAR-T kinetics: concentration by visit and the marrow:blood ratio at the same visit.

Added to an ``nca`` outcome whose ``matrices`` include ``bone_marrow`` (cd19_bcma: "in peripheral blood
and bone marrow"), beside the NCA parameters, because marrow is sampled at few visits (the protocol's
``marrow_visits``). Samples: ADPC with ``MATRIX`` = ``BONE MARROW`` (CDISC PCSPEC), days 0..end of the
time frame, grouped by protocol visit (``AVISIT``, the visit whose window contains the day).

* concentration (copies/µg gDNA) per visit: median (IQR) over the safety population; a result below the
  LLOQ counts as 0 (option ``blq_summary = zero``, default; as lupustrial.pk NCA treats BLQ) or is left
  out (``exclude``); VALUE_TEXT gives the number of BLQ samples;
* ratio = marrow AVAL / blood AVAL of the same subject and visit, only when both are quantifiable (a
  ratio with a BLQ side is undefined) — median (IQR).

>>> import polars as pl
>>> m = pl.DataFrame({"USUBJID": ["a", "b"], "AVISIT": ["D28", "D28"], "AVAL": [50.0, None]})
>>> b = pl.DataFrame({"USUBJID": ["a", "b"], "AVISIT": ["D28", "D28"], "AVAL": [100.0, 80.0]})
>>> compute_marrow_ratio(m, b)["ratio"].to_list()
[0.5]
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lupustrial.derive._stats import median_iqr, no_value
from lupustrial.derive.outcomes import MATRICES, Context

__all__ = ["compute_marrow_ratio", "marrow_parts"]

MARROW, BLOOD = MATRICES["bone_marrow"], MATRICES["blood"]


def compute_marrow_ratio(marrow: pl.DataFrame, blood: pl.DataFrame) -> pl.DataFrame:
    """Per subject and visit: ``ratio`` = marrow / blood AVAL, both quantifiable (non-null, > 0)."""
    ok = pl.col("AVAL").is_not_null() & (pl.col("AVAL") > 0)
    m = marrow.filter(ok).select("USUBJID", "AVISIT", pl.col("AVAL").alias("_m"))
    b = blood.filter(ok).group_by("USUBJID", "AVISIT").agg(pl.col("AVAL").first().alias("_b"))
    ratio = (pl.col("_m") / pl.col("_b")).alias("ratio")
    return m.join(b, on=["USUBJID", "AVISIT"]).select("USUBJID", "AVISIT", ratio)


def _visits(frame: pl.DataFrame, protocol: Any) -> pl.DataFrame:
    from lupustrial.derive.adrs import compute_avisit

    avisit, avisitn = compute_avisit(pl.col("ADY"), protocol)
    return frame.with_columns(avisit.alias("AVISIT"), avisitn.alias("AVISITN"))


def marrow_parts(ctx: Context, day: int) -> list[tuple[str, str | None, pl.DataFrame]]:
    """(ITEM, UNIT, rows) of marrow concentration and marrow:blood ratio per marrow visit up to ``day``."""
    pc = ctx.frames["ADPC"]
    pc = _visits(pc.filter(pl.col("ADY").is_between(0, day)), ctx.protocol) if pc.height else pc
    marrow = pc.filter(pl.col("MATRIX") == MARROW) if pc.height else pc
    if marrow.height == 0:
        return [("bone_marrow by visit", None, no_value(ctx.groups, "no bone_marrow concentration samples"))]
    unit = marrow["AVALU"].drop_nulls().first()
    blq = pl.col("BLQFL") == "Y"
    conc = pl.when(blq).then(0.0 if ctx.option("blq_summary") == "zero" else None)
    marrow = marrow.with_columns(conc.otherwise(pl.col("AVAL")).alias("value"))
    ratio = compute_marrow_ratio(marrow, pc.filter(pl.col("MATRIX") == BLOOD))
    pop, parts = ctx.population("SAFFL"), []
    for visit, _ in marrow.select("AVISIT", "AVISITN").unique().sort("AVISITN").iter_rows():
        at = marrow.filter(pl.col("AVISIT") == visit)
        per = pop.join(at.select("USUBJID", "value", "BLQFL"), on="USUBJID")
        n_blq = per.group_by("GROUP").agg((pl.col("BLQFL") == "Y").sum().alias("_blq"))
        rows = (
            median_iqr(per, ctx.groups, digits=3, why=f"no quantifiable marrow sample at {visit}")
            .join(n_blq, on="GROUP", how="left")
            .with_columns(
                pl.format("{}; BLQ {}", "VALUE_TEXT", pl.col("_blq").fill_null(0)).alias("VALUE_TEXT")
            )
            .drop("_blq")
        )
        parts.append((f"bone_marrow concentration ({visit})", unit, rows))
        at_r = ratio.filter(pl.col("AVISIT") == visit).select("USUBJID", pl.col("ratio").alias("value"))
        r = pop.join(at_r, on="USUBJID")
        why = f"no visit {visit} with both marrow and blood quantifiable"
        parts.append((f"marrow:blood ratio ({visit})", "ratio", median_iqr(r, ctx.groups, digits=3, why=why)))
    return parts
