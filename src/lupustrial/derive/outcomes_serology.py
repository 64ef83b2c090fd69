"""Autoantibody outcomes: change from baseline at the time frame per analyte (shape as in outcomes.py).

The statistic of each analyte is a row of ``autoantibody_change.csv`` (analyte → PARAMCD, statistic,
source): ANA as the change in doubling-dilution steps, log2(titre / baseline titre); anti-Sm as percent
change, PCHG = 100·(AVAL − BASE)/BASE; anti-dsDNA as CHG = AVAL − BASE. Baseline = the last value on or
before day 0 (ADaM ABLFL, :func:`lupustrial.derive.adlb.compute_baseline`); the value at the day is the
assessment nearest the day within the visit window (``outcomes._at_day``); population EFFFL.

Options (recorded in ``OPTIONS``): ``titre_below_lowest`` — a negative titre written ``<1:80`` counts as
one doubling step below the lowest dilution (``one_step_below``, 1:40; default) or is left out
(``exclude``); ``autoantibody_population`` — ``all`` subjects of EFFFL with a baseline (default; ADaM
change over the analysis population) or only those positive at baseline (``baseline_positive``: ANA
titre ≥ the lowest dilution, others above the ULN; the changes of seronegative subjects are assay noise
around the background, so with few seropositive subjects ``all`` shows a median near 0).
With ``all``, anti-Sm and anti-dsDNA also get the seropositive-at-baseline subset as a second item.
ANA also gets the share of subjects with a result at the day whose titre is still positive (not
``<1:N`` nor ``negative``), with a Clopper–Pearson CI. Titre text is read by :mod:`lupustrial.titres`
(policy ``half_stated`` for ``one_step_below``: ``<1:80`` → 40, a bare ``negative`` → half the lowest
dilution of the analyte; policy ``null`` for ``exclude``).

>>> import polars as pl
>>> f = pl.DataFrame({"AVAL": [None, 320.0], "AVALC": ["<1:80", "1:320"]})
>>> f.select(impute_titre("one_step_below")).to_series().to_list()
[40.0, 320.0]
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lupustrial.derive._common import load_table
from lupustrial.derive._stats import median_iqr, no_value, proportion
from lupustrial.derive.outcomes import LAB_CODES, Context, _at_day
from lupustrial.titres import compute_titre, titre_value

__all__ = ["autoantibody_change", "change_values", "impute_titre"]


def _below() -> pl.Expr:
    """AVALC is a negative titre (``<1:N`` or ``negative``)."""
    return compute_titre(pl.col("AVALC")).struct.field("below").fill_null(False)


def impute_titre(rule: str, screening: float | None = None) -> pl.Expr:
    """AVAL with a negative titre ``<1:N`` as N/2 (``one_step_below``) or null (``exclude``); a bare
    ``negative`` as ``screening``/2 (``one_step_below`` with the lowest dilution given) else null."""
    negative = "half_stated" if rule == "one_step_below" else "null"
    return pl.coalesce(pl.col("AVAL"), titre_value(pl.col("AVALC"), negative=negative, screening=screening))


def _rules() -> dict[str, dict[str, str]]:
    return {r["analyte"]: r for r in load_table("autoantibody_change.csv")}


def change_values(adlb: pl.DataFrame, rule: dict[str, str], options: dict[str, Any]) -> pl.DataFrame:
    """Per subject and assessment: ``ADY``, ``AVAL``, ``BASE``, ``value`` (the rule's statistic) and
    ``positive_base`` (baseline above the positivity cut-off)."""
    from lupustrial.derive.adlb import compute_baseline

    rows = adlb.filter(pl.col("PARAMCD") == rule["paramcd"]) if adlb.height else adlb
    if rows.height == 0:
        return rows
    lowest = None
    if rule["statistic"] == "log2_titre":
        parts = compute_titre(pl.col("AVALC"))
        stated = pl.when(parts.struct.field("below")).then(parts.struct.field("dilution"))
        lowest = rows.select(stated.min()).item() or rows["AVAL"].min()
        rule_below = options.get("titre_below_lowest", "one_step_below")
        screening = lowest if lowest is not None and lowest >= 1 else None  # a dilution is >= 1
        rows = rows.with_columns(impute_titre(rule_below, screening).alias("AVAL"))
    keep = [c for c in rows.columns if c not in ("ABLFL", "BASE", "CHG", "PCHG")]
    rows = compute_baseline(rows.select(keep))
    base, aval = pl.col("BASE"), pl.col("AVAL")
    stat = {
        "log2_titre": (aval / base).log(2),
        "pchg": pl.when(base != 0).then(100 * (aval - base) / base),
        "chg": aval - base,
    }[rule["statistic"]]
    cutoff = pl.lit(lowest) if lowest is not None else pl.col("ANRHI")
    positive = base >= cutoff if lowest is not None else base > cutoff
    return rows.with_columns(stat.alias("value"), positive.fill_null(False).alias("positive_base"))


def _one(ctx: Context, analyte: str, day: int) -> list[tuple[str, str | None, pl.DataFrame]]:
    rule = _rules().get(analyte)
    if rule is None:  # not in the table: plain CHG, as the other lab-change outcomes
        rule = {"paramcd": LAB_CODES.get(analyte, analyte.upper()), "statistic": "chg", "unit": ""}
    name = {"log2_titre": "log2 titre change", "pchg": "% change", "chg": "CHG"}[rule["statistic"]]
    item, unit = f"{analyte} {name}", rule["unit"] or None
    vals = change_values(ctx.frames["ADLB"], rule, ctx.options)
    if vals.height == 0 or vals.filter(pl.col("ADY") > 0).height == 0:
        why = f"no {rule['paramcd']} results after baseline in the data"
        return [(item, unit, no_value(ctx.groups, why))]
    at = _at_day(vals, day, ctx.protocol, ctx.option("visit_window_days"))
    population = ctx.option("autoantibody_population")
    if population == "baseline_positive":
        at = at.filter(pl.col("positive_base"))
    per = ctx.population("EFFFL").join(at.select("USUBJID", "value", "AVALC"), on="USUBJID")
    why = f"no {analyte} value near day {day} (population: {population})"
    out = [(item, unit, median_iqr(per, ctx.groups, why=why))]
    if rule["statistic"] != "log2_titre" and population == "all":
        sub = per.join(at.filter(pl.col("positive_base")).select("USUBJID"), on="USUBJID")
        why = f"no subject positive at baseline with a {analyte} value near day {day}"
        out.append((f"{item}, positive at baseline", unit, median_iqr(sub, ctx.groups, why=why)))
    if rule["statistic"] == "log2_titre":
        pos = per.filter(pl.col("AVALC").is_not_null()).with_columns(
            (~_below()).alias("flag")
        )
        out.append((f"{analyte} still positive", None, proportion(pos, ctx.groups)))
    return out


def autoantibody_change(ctx: Context, o: Any, day: int) -> pl.DataFrame:
    analytes = o.parameters.get("analytes", [])
    if not analytes:
        return no_value(ctx.groups, "the outcome names no analytes")
    parts = [p for a in analytes for p in _one(ctx, a, day)]
    return pl.concat(
        [
            p.with_columns(pl.lit(item).alias("ITEM"), pl.lit(unit, dtype=pl.Utf8).alias("UNIT"))
            for item, unit, p in parts
        ]
    )
