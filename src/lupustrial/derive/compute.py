"""The outcomes frame: every protocol outcome × time-frame day × group, one row each (plus ``ITEM`` rows
for outcomes with several parameters), computed by the function :data:`outcome_map.OUTCOME_MAP` names.

A computation that fails is not silently dropped: its rows carry ``REASON`` with the error, and the
error is listed in the reasons frame.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from lupustrial.derive import outcomes, outcomes_bcell, outcomes_pk, outcomes_serology
from lupustrial.derive._stats import SCHEMA, no_value
from lupustrial.derive.outcome_map import OUTCOME_MAP, endpoint_options

COLUMNS = [
    "OUTCOME_ID",
    "OUTCOME",
    "OUTCOME_TYPE",
    "TIMEFRAME",
    "TIMEFRAME_DAYS",
    "COMPUTED_BY",
    "ITEM",
    "GROUP",
    "N",
    "STATISTIC",
    "ESTIMATE",
    "LOWER",
    "UPPER",
    "CI_METHOD",
    "UNIT",
    "VALUE_TEXT",
    "DEFINITION",
    "OPTIONS",
    "REASON",
]


def resolve(name: str):
    """The function computing ``computed_by`` = ``name``."""
    fn = OUTCOME_MAP[name].function
    for module in (outcomes, outcomes_pk, outcomes_bcell, outcomes_serology):
        if hasattr(module, fn):
            return getattr(module, fn)
    raise KeyError(fn)


def _one(ctx: outcomes.Context, o: Any, day: int) -> tuple[pl.DataFrame, str | None]:
    try:
        rows = resolve(o.computed_by)(ctx, o, day)
        return rows, None
    except Exception as exc:
        why = f"computation failed: {type(exc).__name__}: {exc}"
        return no_value(ctx.groups, why), why


def compute_outcomes(ctx: outcomes.Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(outcomes frame, reasons for failed computations)."""
    parts, failures = [], []
    for o in ctx.protocol.outcomes:
        m = OUTCOME_MAP[o.computed_by]
        days = o.time_frame.days if o.time_frame.kind == "at" else (o.time_frame.end_day,)
        opts = json.dumps(
            {
                "parameters": o.parameters,
                "endpoint_options": endpoint_options(o),
                **{k: ctx.options[k] for k in sorted(ctx.options)},
            },
            sort_keys=True,
            default=str,
        )
        for day in days:
            rows, why = _one(ctx, o, day)
            if why:
                failures.append(
                    {"USUBJID": None, "DOMAIN": "OUTCOMES", "WHAT": f"{o.id} day {day}", "WHY": why}
                )
            for c, t in {"ITEM": pl.Utf8, "UNIT": pl.Utf8}.items():
                if c not in rows.columns:
                    rows = rows.with_columns(pl.lit(None, dtype=t).alias(c))
            parts.append(
                rows.with_columns(
                    pl.lit(o.id).alias("OUTCOME_ID"),
                    pl.lit(o.registration_text or o.title).alias("OUTCOME"),
                    pl.lit(o.type).alias("OUTCOME_TYPE"),
                    pl.lit(o.time_frame.text).alias("TIMEFRAME"),
                    pl.lit(day, dtype=pl.Int64).alias("TIMEFRAME_DAYS"),
                    pl.lit(o.computed_by).alias("COMPUTED_BY"),
                    pl.lit(m.statistic).alias("STATISTIC"),
                    pl.lit(m.definition).alias("DEFINITION"),
                    pl.lit(opts).alias("OPTIONS"),
                )
                .cast({k: v for k, v in SCHEMA.items()})
                .select(COLUMNS)
            )
    reasons = pl.DataFrame(
        failures, schema={"USUBJID": pl.Utf8, "DOMAIN": pl.Utf8, "WHAT": pl.Utf8, "WHY": pl.Utf8}
    )
    return pl.concat(parts), reasons
