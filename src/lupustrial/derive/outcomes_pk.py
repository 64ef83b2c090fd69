"""Outcome computations of kinetics, pharmacodynamics and time to event (see outcomes.py for the shape).

NCA is recomputed per outcome on the samples up to the end of its time frame (``compute_nca``, default
options); B-cell depletion and cytokine peaks use lupustrial.pk.pd on ADLB; OS uses ADTTE with the
Kaplan–Meier estimator of lupustrial.stats.survival (log–log CI).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lupustrial.derive._stats import SCHEMA, median_iqr, no_value
from lupustrial.derive.outcomes import LAB_CODES, MATRICES, Context, _values_at


def _rows(ctx: Context, parts: list[tuple[str, str | None, pl.DataFrame]]) -> pl.DataFrame:
    return pl.concat(
        [
            p.with_columns(pl.lit(item).alias("ITEM"), pl.lit(unit, dtype=pl.Utf8).alias("UNIT"))
            for item, unit, p in parts
        ]
    )


def nca(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    from lupustrial.derive.adpc import derive_adpp

    matrices = o.parameters.get("matrices") or [o.parameters.get("matrix", "blood")]
    pp = derive_adpp(ctx.frames["ADPC"].filter(pl.col("ADY") <= day))
    pop = ctx.population("SAFFL")
    parts = []
    for m in matrices:
        for p in o.parameters.get("parameters", ["cmax"]):
            rows = (
                pp.filter(
                    (pl.col("MATRIX") == MATRICES.get(m, m.upper()))
                    & pl.col("NCAPARM").is_in([f"nca_{p}", f"nca_{p}d"])
                    & pl.col("PARCAT1").is_null()
                )
                if pp.height
                else pp
            )
            if rows.height == 0:
                parts.append(
                    (f"{p} ({m})", None, no_value(ctx.groups, f"no {m} concentration samples in the data"))
                )
                continue
            per = pop.join(rows.select("USUBJID", pl.col("AVAL").alias("value")), on="USUBJID")
            parts.append((f"{p} ({m})", rows["AVALU"][0], median_iqr(per, ctx.groups, digits=3)))
    if "bone_marrow" in matrices:
        from lupustrial.derive.outcomes_marrow import marrow_parts

        parts += marrow_parts(ctx, day)
    return _rows(ctx, parts)


def bcell_depletion(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    from lupustrial.derive._stats import proportion
    from lupustrial.pk.pd import compute_bcell_depletion

    cd19 = ctx.frames["ADLB"].filter((pl.col("PARAMCD") == "CD19") & (pl.col("ADY") <= day))
    if cd19.height == 0:
        return no_value(ctx.groups, "no CD19+ B-cell counts in the data")
    thr = float(o.parameters.get("threshold", 1.0))
    dep = compute_bcell_depletion(
        cd19.select(
            "USUBJID", pl.col("ADY").cast(pl.Float64).alias("time_days"), pl.col("AVAL").alias("cd19_per_ul")
        ),
        threshold=thr,
    )
    per = ctx.population("SAFFL").join(dep, on="USUBJID")
    out = proportion(per.with_columns(pl.col("depletion_day").is_not_null().alias("flag")), ctx.groups)
    nadir = median_iqr(per.with_columns(pl.col("nadir").alias("value")), ctx.groups).select(
        "GROUP", pl.col("VALUE_TEXT").alias("_n")
    )
    return (
        out.join(nadir, on="GROUP")
        .with_columns(pl.format("{}; nadir median (IQR) {} cells/µL", "VALUE_TEXT", "_n").alias("VALUE_TEXT"))
        .drop("_n")
    )


def cytokine_peak(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    from lupustrial.pk.pd import compute_peak

    code = LAB_CODES.get(o.parameters.get("analyte", ""), str(o.parameters.get("analyte", "")).upper())
    lb = ctx.frames["ADLB"].filter(pl.col("PARAMCD") == code)
    if lb.height == 0:
        return no_value(ctx.groups, f"no {code} results in the data")
    peak = compute_peak(
        lb.select("USUBJID", "PARAMCD", pl.col("ADY").cast(pl.Float64).alias("time_days"), "AVAL"),
        start=0.0,
        end=float(day),
    )
    per = ctx.population("SAFFL").join(peak.select("USUBJID", pl.col("peak").alias("value")), on="USUBJID")
    return _rows(ctx, [(f"{code} peak", lb["AVALU"][0], median_iqr(per, ctx.groups, digits=3))])


def lab_change(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    parts = []
    for a in o.parameters.get("analytes", []):
        code = LAB_CODES.get(a, a.upper())
        lb = ctx.frames["ADLB"]
        unit = lb.filter(pl.col("PARAMCD") == code)["AVALU"].drop_nulls().first() if lb.height else None
        parts.append(
            (
                f"{a} CHG",
                unit,
                _values_at(
                    ctx, lb, code, "CHG", day, f"no numeric {code} results after baseline in the data"
                ),
            )
        )
    return _rows(ctx, parts) if parts else no_value(ctx.groups, "the outcome names no analytes")


def os(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return _km_at(ctx, day, "OS", "deaths")


def pfs(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return _km_at(ctx, day, "PFS", "progressions or deaths")


def dor(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return _km_at(ctx, day, "DOR", "losses of remission or deaths")


def _km_at(ctx: Context, day: int, paramcd: str, events: str) -> pl.DataFrame:
    """Kaplan–Meier estimate of ADTTE ``paramcd`` at ``day`` per group, with the median."""
    from lupustrial.stats.survival import compute_km

    tte = ctx.frames["ADTTE"].filter(pl.col("PARAMCD") == paramcd)
    if tte.height == 0:
        return no_value(ctx.groups, f"no {paramcd} records in ADTTE (needs the assessments that define it)")
    per = ctx.population("SAFFL").join(tte.select("USUBJID", "AVAL", "CNSR"), on="USUBJID")
    rows = []
    for g in ctx.groups:
        sub = per.filter(pl.col("GROUP") == g)
        if sub.height == 0:
            rows.append(no_value([g], "no subjects in this group"))
            continue
        km = compute_km(sub)
        at = km.table.filter(pl.col("time") <= day).tail(1).row(0, named=True)
        lower, upper, method = _km_interval(at, ctx.option("km_ci_no_events"))
        rows.append(
            pl.DataFrame(
                [
                    {
                        "GROUP": g,
                        "N": sub.height,
                        "ESTIMATE": at["survival"],
                        "LOWER": lower,
                        "UPPER": upper,
                        "CI_METHOD": method,
                        "REASON": None,
                        "VALUE_TEXT": f"{at['survival']:.3f} at day {day}; {events} {km.events}/{km.n}; "
                        "median "
                        f"{'not reached' if km.median is None else km.median}",
                    }
                ],
                schema=SCHEMA,
            )
        )
    return pl.concat(rows)


def _km_interval(at: dict[str, Any], no_events: str) -> tuple[float | None, float | None, str]:
    """The 95 % CI of a KM estimate at a time point: log-log (Greenwood), or — when no event has
    happened yet (S = 1, where the log-log interval is undefined) — by option ``km_ci_no_events``:

    * ``exact_binomial`` (default): Clopper–Pearson for n of n event-free, n = the number still at risk
      at that time: lower = 0.025^(1/n), upper = 1 (e.g. n = 9 → 0.025^(1/9) = 0.664); conservative
      when subjects were censored earlier, as they are not counted;
    * ``not_estimable``: no interval (SAS PROC LIFETEST and lifelines print none either).
    """
    from lupustrial.stats.proportions import clopper_pearson

    if at["lower"] is not None or at["survival"] < 1.0:
        return at["lower"], at["upper"], "Kaplan-Meier, log-log 95%"
    n = int(at["n_risk"])
    if no_events == "exact_binomial" and n > 0:
        lower, upper = clopper_pearson(n, n)  # n of n event-free: (0.025^(1/n), 1)
        method = f"no events: exact binomial (Clopper-Pearson) 95% on {n} at risk"
        return float(lower), float(upper), method
    return None, None, "no events: 95% CI not estimable (log-log undefined at S = 1)"


def needs_definition(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return no_value(
        ctx.groups,
        f"{o.computed_by}: the registration does not define progression/disease control "
        "for SLE; not computed until the protocol gives a definition",
    )


def not_in_data(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return no_value(ctx.groups, f"{o.computed_by} summaries are not derived from the event data yet")
