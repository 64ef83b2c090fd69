"""Outcome computations: one function per entry of :data:`lupustrial.derive.outcome_map.OUTCOME_MAP`.

Each takes the derivation context, the protocol outcome and the day of the time frame, and returns one
row per group (``_stats.SCHEMA`` plus optional ``ITEM`` and ``UNIT``); an outcome that cannot be computed
returns rows with ``REASON``. Definitions are in ``outcome_map.py`` and docs/derive.md.
Populations: safety outcomes over SAFFL, efficacy over EFFFL, DLT over DLTEVLFL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from lupustrial.derive._common import with_overall
from lupustrial.derive._stats import SCHEMA, median_iqr, no_value, proportion

SCORE_PARAMS = {"sledai2k": "SLEDAI2K", "pga": "PGA", "bilag2004": "BILAGNS", "sdi": "SDI"}
LAB_CODES = {
    "ana": "ANA",
    "anti_dsdna": "DSDNAAB",
    "anti_sm": "SMAB",
    "c3": "C3",
    "c4": "C4",
    "upcr": "PROTCRT",
    "protein_24h": "PROT24H",
    "il6": "IL6",
    "crp": "CRP",
    "ferritin": "FERRITIN",
    "igg": "IGG",
}
MATRICES = {"blood": "BLOOD", "bone_marrow": "BONE MARROW"}


@dataclass
class Context:
    frames: dict[str, pl.DataFrame]
    dlt: pl.DataFrame
    visits: pl.DataFrame
    protocol: Any
    groups: list[str]
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Any:
        """The ``derive_study`` option ``name``: as given, else its declared default (``DEFAULT_OPTIONS``)."""
        from lupustrial.derive.study import DEFAULT_OPTIONS

        return self.options.get(name, DEFAULT_OPTIONS[name])

    def population(self, flag: str) -> pl.DataFrame:
        adsl = self.frames["ADSL"]
        return with_overall(adsl.filter(pl.col(flag) == "Y").select("USUBJID", "TRT01A")).select(
            "USUBJID", "GROUP"
        )


def _at_day(frame: pl.DataFrame, day: int, protocol: Any, window: int) -> pl.DataFrame:
    """Per subject (and PARAMCD), the row closest to ``day`` within the visit window (protocol visit at that
    day, else ± ``window`` days); ties → the earlier row."""
    w = next((v.window_days for v in protocol.visits if v.day == day), window)
    keys = ["USUBJID", *(["PARAMCD"] if "PARAMCD" in frame.columns else [])]
    near = frame.filter((pl.col("ADY") - day).abs() <= w).with_columns(
        (pl.col("ADY") - day).abs().alias("_d")
    )
    return near.sort(*keys, "_d", "ADY").unique(keys, keep="first", maintain_order=True).drop("_d")


def _flag_over(ctx: Context, flag_rows: pl.DataFrame, pop: str) -> pl.DataFrame:
    hits = flag_rows.select("USUBJID").unique().with_columns(pl.lit(True).alias("flag"))
    return proportion(ctx.population(pop).join(hits, on="USUBJID", how="left"), ctx.groups)


def teae(ctx: Context, o: Any, day: int, serious_only: bool = False) -> pl.DataFrame:
    ae = ctx.frames["ADAE"].filter(
        (pl.col("TRTEMFL") == "Y") & (pl.col("ASTDY").is_null() | (pl.col("ASTDY") <= day))
    )
    if serious_only:
        ae = ae.filter(pl.col("AESER") == "Y")
    out = _flag_over(ctx, ae, "SAFFL")
    pop = ctx.population("SAFFL")
    extra = (
        pop.join(ae, on="USUBJID")
        .group_by("GROUP")
        .agg(
            pl.len().alias("events"),
            pl.col("USUBJID").filter(pl.col("ATOXGR") >= 3).n_unique().alias("g3"),
            pl.col("USUBJID").filter(pl.col("AESER") == "Y").n_unique().alias("ser"),
        )
    )
    return (
        out.join(extra, on="GROUP", how="left")
        .with_columns(
            pl.format(
                "{}; events {}, subjects with grade ≥3 {}, serious {}",
                "VALUE_TEXT",
                pl.col("events").fill_null(0),
                pl.col("g3").fill_null(0),
                pl.col("ser").fill_null(0),
            ).alias("VALUE_TEXT")
        )
        .select(list(SCHEMA))
    )


def sae(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return teae(ctx, o, day, serious_only=True)


def _flagged(column: str):
    def run(ctx: Context, o: Any, day: int) -> pl.DataFrame:
        ae = ctx.frames["ADAE"].filter(
            (pl.col(column) == "Y") & (pl.col("TRTEMFL") == "Y") & (pl.col("ASTDY") <= day)
        )
        return _flag_over(ctx, ae, "SAFFL")

    return run


crs, icans = _flagged("CRSFL"), _flagged("ICANSFL")


def hypogamma(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    """Subjects with any post-infusion IgG ≤ threshold (default and boundary of the registered
    ``hypogammaglobulinemia`` instrument: ≤ 4.0 g/L, Hill 2019); ``parameters.threshold_g_l`` overrides."""
    from lupustrial.instruments.hypogammaglobulinemia import DEFAULT_THRESHOLD_G_L

    lb = ctx.frames["ADLB"].filter(pl.col("PARAMCD") == "IGG")
    if lb.height == 0:
        return no_value(ctx.groups, "no IgG results in the data")
    thr = float(o.parameters.get("threshold_g_l", DEFAULT_THRESHOLD_G_L))
    return _flag_over(ctx, lb.filter(pl.col("ADY").is_between(1, day) & (pl.col("AVAL") <= thr)), "SAFFL")


def dlt(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return _flag_over(ctx, ctx.dlt.filter(pl.col("DLT") == "Y"), "DLTEVLFL")


def _values_at(ctx: Context, frame: pl.DataFrame, code: str, column: str, day: int, why: str) -> pl.DataFrame:
    rows = frame.filter((pl.col("PARAMCD") == code) & pl.col(column).is_not_null()) if frame.height else frame
    if rows.height == 0:
        return no_value(ctx.groups, why)
    at = _at_day(rows, day, ctx.protocol, ctx.option("visit_window_days"))
    per = ctx.population("EFFFL").join(at.select("USUBJID", pl.col(column).alias("value")), on="USUBJID")
    return median_iqr(per, ctx.groups, why=f"no assessment near day {day}")


def change(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    name = o.parameters.get("parameter", "")
    code = SCORE_PARAMS.get(name)
    if code is None:
        return no_value(
            ctx.groups, f"change from baseline of {name!r} is not derived (known: {sorted(SCORE_PARAMS)})"
        )
    return _values_at(ctx, ctx.frames["ADRS"], code, "CHG", day, f"no {code} assessments in the data")


def score(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    code = SCORE_PARAMS.get(o.computed_by)
    if code is None:
        return no_value(ctx.groups, f"{o.computed_by} is not assessed after baseline in the data model (RS)")
    return _values_at(ctx, ctx.frames["ADRS"], code, "AVAL", day, f"no {code} assessments in the data")


def response(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    rs = ctx.frames["ADRS"]
    rows = rs.filter(pl.col("PARAMCD") == o.id.upper()) if rs.height else rs
    if rows.height == 0:
        return no_value(ctx.groups, "no disease-activity assessments (SLEDAI-2K/BILAG/PGA) in the data")
    at = _at_day(rows, day, ctx.protocol, ctx.option("visit_window_days"))
    per = ctx.population("EFFFL").join(
        at.select("USUBJID", (pl.col("AVALC") == "Y").alias("flag")), on="USUBJID", how="left"
    )
    if ctx.option("missing_response") == "exclude":
        per = per.filter(pl.col("flag").is_not_null())
    return proportion(per, ctx.groups)


def orr(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    from lupustrial.endpoints.responses import derive_responses

    names = [o.parameters.get("complete", "doris"), o.parameters.get("partial", "lldas")]
    if ctx.visits.height == 0:
        return no_value(ctx.groups, "no disease-activity assessments in the data")
    res = derive_responses(ctx.visits.drop("ADT", "TRTSDT"), names=names)
    both = (
        pl.concat([r.select("USUBJID", "ADY", "value") for r in res.values()])
        .group_by("USUBJID", "ADY")
        .agg(pl.col("value").fill_null(False).any())
    )
    at = _at_day(both, day, ctx.protocol, ctx.option("visit_window_days"))
    return _flag_over(ctx, at.filter(pl.col("value")), "EFFFL")


def dcr(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    """Disease control at ``day``: a response (DORIS or LLDAS, as ORR) or stable disease — SLEDAI-2K not
    increased by >= 4 points from baseline (CHG < 4); over the efficacy population."""
    from lupustrial.endpoints.responses import derive_responses

    if ctx.visits.height == 0:
        return no_value(ctx.groups, "no disease-activity assessments in the data")
    names = [o.parameters.get("complete", "doris"), o.parameters.get("partial", "lldas")]
    res = derive_responses(ctx.visits.drop("ADT", "TRTSDT"), names=names)
    responding = pl.concat([r.select("USUBJID", "ADY", "value") for r in res.values()])
    stable = ctx.frames["ADRS"].filter(pl.col("PARAMCD") == "SLEDAI2K").select(
        "USUBJID", "ADY", (pl.col("CHG") < 4).alias("value"))
    both = (pl.concat([responding, stable], how="vertical_relaxed").group_by("USUBJID", "ADY")
            .agg(pl.col("value").fill_null(False).any()))
    at = _at_day(both, day, ctx.protocol, ctx.option("visit_window_days"))
    return _flag_over(ctx, at.filter(pl.col("value")), "EFFFL")


def flare(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    return no_value(ctx.groups, "selena_flare outcome summaries are not derived yet (per-visit flags only)")
