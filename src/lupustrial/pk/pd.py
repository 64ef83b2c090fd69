"""Pharmacodynamics of CAR-T / CAR-NK therapy in SLE: pure functions over long polars frames.

Definitions (docs/pk.md §Pharmacodynamics; reference note kinetics_and_design.md §2.4–2.5, OPT-K17):

* **baseline** — the last non-null value at or before infusion (time ≤ 0), as ADaM's ABLFL.
* **nadir** — the minimum value after infusion (time > 0); ``nadir_day`` its first occurrence.
* **depletion day** — the first time > 0 with a value strictly below ``threshold``
  (default 1 CD19⁺ cell/µL; a protocol may set another).
* **reconstitution day** (OPT-K17) — the first time after the depletion day with a value
  ≥ ``fraction`` × baseline (default 5 %), or ≥ ``absolute`` cells/µL when given.
* **aplasia days** — reconstitution day − depletion day; without reconstitution, last sample day −
  depletion day with ``aplasia_censored = True`` (right-censored, for Kaplan–Meier).
* **subset proportion** — 100 × subset count / total B-cell count at the same visit; undefined
  (null + reason) when the total is 0 or missing (aplasia).
* **peak / time to peak** — maximum in [start, end] days and its first time; fold change = peak/baseline.
* **titre** — "1:320" is coded log2(320); change from baseline of a titre is then in dilution steps.
  "negative" (or "<1:d") is one dilution below the screening dilution (OPT: ``screening``, default 40),
  whatever d is. Parsed by :func:`lupustrial.titres.titre_value` (policy ``half_screening``); text that
  is not a valid titre ("1:0", "POSITIVE") gives null.
* **change from baseline** — CHG = AVAL − BASE; PCHG = 100·CHG/BASE (null with a reason if BASE = 0).
  24-h proteinuria (g/day) and UPCR (mg/mg) are separate parameters, never converted into each other.

>>> import polars as pl
>>> f = pl.DataFrame({"USUBJID": ["A"] * 5, "time_days": [-3.0, 7, 14, 90, 120],
...                   "cd19_per_ul": [150.0, 0.5, 0.0, 4.0, 9.0]})
>>> r = compute_bcell_depletion(f).row(0, named=True)
>>> r["depletion_day"], r["reconstitution_day"], r["aplasia_days"]
(7.0, 120.0, 113.0)
>>> titre_log2(pl.Series(["1:320", "1:80", "negative"])).round(3).to_list()
[8.322, 6.322, 4.322]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from lupustrial.titres import titre_value

__all__ = ["compute_bcell_depletion", "compute_change_from_baseline", "compute_peak",
           "compute_subset_proportions", "titre_log2"]


def compute_bcell_depletion(frame: pl.DataFrame, *, subject: str = "USUBJID", time: str = "time_days",
                            value: str = "cd19_per_ul", threshold: float = 1.0, fraction: float = 0.05,
                            absolute: float | None = None) -> pl.DataFrame:
    """One row per subject: baseline, nadir, nadir_day, depletion_day, reconstitution_day,
    aplasia_days, aplasia_censored, reason (definitions in the module docstring)."""
    t, v = pl.col(time), pl.col(value)
    post = (t > 0) & v.is_not_null()
    base = v.filter((t <= 0) & v.is_not_null()).last()
    dep = t.filter(post & (v < threshold)).first()
    level = pl.lit(absolute, dtype=pl.Float64) if absolute is not None else base * fraction
    rule = f">= {absolute:g} cells/uL" if absolute is not None else f">= {fraction:g} x baseline"
    out = (frame.sort(subject, time, maintain_order=True).group_by(subject, maintain_order=True).agg(
        base.alias("baseline"),
        v.filter(post).min().alias("nadir"),
        t.filter(post & (v == v.filter(post).min())).first().alias("nadir_day"),
        dep.alias("depletion_day"),
        t.filter(post & (t > dep) & (v >= level)).first().alias("reconstitution_day"),
        t.filter(post).last().alias("last_day"),
    ))
    recon, depl = pl.col("reconstitution_day"), pl.col("depletion_day")
    return out.with_columns(
        pl.coalesce(recon, pl.col("last_day")).sub(depl).alias("aplasia_days"),
        (depl.is_not_null() & recon.is_null()).alias("aplasia_censored"),
        pl.when(depl.is_null()).then(pl.lit(f"never below {threshold:g} cells/uL after infusion"))
        .when(recon.is_null() & pl.col("baseline").is_null() & pl.lit(absolute is None))
        .then(pl.lit("no baseline: reconstitution relative to baseline not evaluable"))
        .when(recon.is_null()).then(pl.lit(f"not reconstituted ({rule}) by the last sample: censored"))
        .otherwise(pl.lit(None, dtype=pl.Utf8)).alias("reason"),
    ).drop("last_day")


def compute_subset_proportions(frame: pl.DataFrame, *, subject: str = "USUBJID", visit: str = "AVISIT",
                               subset: str = "subset", count: str = "count", total: str = "CD19",
                               subsets: Sequence[str] = ("naive", "memory", "transitional", "plasmablast"),
                               ) -> pl.DataFrame:
    """Percent of total B cells per subject × visit × subset (long frame in: one row per subset count,
    the total B-cell count as the row whose ``subset`` is ``total``)."""
    totals = frame.filter(pl.col(subset) == total).select(subject, visit, pl.col(count).alias("__total"))
    parts = frame.filter(pl.col(subset).is_in(list(subsets)))
    pct = 100 * pl.col(count) / pl.col("__total")
    return (parts.join(totals, on=[subject, visit], how="left", maintain_order="left")
            .with_columns(pl.when(pl.col("__total") > 0).then(pct).alias("percent"),
                          pl.when(pl.col("__total").is_null()).then(pl.lit(f"no {total} count at this visit"))
                          .when(pl.col("__total") <= 0)
                          .then(pl.lit(f"{total} count is 0: proportion undefined"))
                          .when(pl.col(count).is_null()).then(pl.lit("subset count missing"))
                          .otherwise(pl.lit(None, dtype=pl.Utf8)).alias("reason"))
            .rename({"__total": "total"}))


def compute_peak(frame: pl.DataFrame, *, subject: str = "USUBJID", analyte: str = "PARAMCD",
                 time: str = "time_days", value: str = "AVAL", start: float = 0.0,
                 end: float = math.inf) -> pl.DataFrame:
    """Per subject × analyte (IL-6, CRP, ferritin, ...): baseline, peak in [start, end], time to peak
    (first occurrence, days from infusion), fold change (null + reason without a positive baseline)."""
    t, v = pl.col(time), pl.col(value)
    win = (t >= start) & (t <= end) & v.is_not_null()
    out = frame.sort(subject, analyte, time, maintain_order=True).group_by(
        [subject, analyte], maintain_order=True).agg(
        v.filter((t <= 0) & v.is_not_null()).last().alias("baseline"),
        v.filter(win).max().alias("peak"),
        t.filter(win & (v == v.filter(win).max())).first().alias("time_to_peak"))
    return out.with_columns(
        pl.when(pl.col("baseline") > 0).then(pl.col("peak") / pl.col("baseline")).alias("fold_change"),
        pl.when(pl.col("peak").is_null()).then(pl.lit(f"no value in [{start:g}, {end:g}] days"))
        .when(~(pl.col("baseline") > 0).fill_null(False)).then(pl.lit("no positive baseline: no fold change"))
        .otherwise(pl.lit(None, dtype=pl.Utf8)).alias("reason"))


def titre_log2(titres: pl.Series | pl.Expr, *, screening: int = 40) -> pl.Series | pl.Expr:
    """log2 of the titre's dilution ("1:320" → log2 320); negative or "<1:d" → log2(screening/2);
    null for text that is not a valid titre."""
    expr = titres if isinstance(titres, pl.Expr) else pl.lit(titres)
    out = titre_value(expr, negative="half_screening", screening=screening).log(2)
    if isinstance(titres, pl.Expr):
        return out
    return pl.select(out.alias(titres.name)).to_series()


def compute_change_from_baseline(frame: pl.DataFrame, *, subject: str = "USUBJID", param: str = "PARAMCD",
                                 time: str = "time_days", value: str = "AVAL") -> pl.DataFrame:
    """Adds BASE (last non-null value at time ≤ 0 per subject × parameter), CHG, PCHG and reason.
    For titres convert first with :func:`titre_log2` (CHG then counts dilution steps)."""
    t, v = pl.col(time), pl.col(value)
    base = v.filter((t <= 0) & v.is_not_null()).last().over([subject, param], order_by=time)
    out = frame.with_columns(base.alias("BASE")).with_columns((v - pl.col("BASE")).alias("CHG"))
    return out.with_columns(
        pl.when(pl.col("BASE") != 0).then(100 * pl.col("CHG") / pl.col("BASE")).alias("PCHG"),
        pl.when(pl.col("BASE").is_null()).then(pl.lit("no baseline (no value at or before infusion)"))
        .when(v.is_null()).then(pl.lit("value missing"))
        .when(pl.col("BASE") == 0).then(pl.lit("baseline is 0: no percent change"))
        .otherwise(pl.lit(None, dtype=pl.Utf8)).alias("reason"))
