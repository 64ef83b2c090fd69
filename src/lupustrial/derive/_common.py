"""Shared helpers of the derivations: dates, study days, dose groups, reasons, the rule tables.

Study day convention (protocol/outcomes.py): days count from the (first) CAR infusion, day 0 =
``TRTSDT``; so ``ADY = date - TRTSDT`` in days (no ADaM "no day 0" shift, because every protocol time
frame is written in days after infusion, day 0 = infusion).

>>> import polars as pl
>>> f = pl.DataFrame({"D": ["2025-01-10"], "T": ["2025-01-01"]})
>>> f.select(ady(to_date(pl.col("D")), to_date(pl.col("T")))).item()
9
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from lupustrial.errors import InputError, Problem

HERE = Path(__file__).parent
OVERALL = "Overall"
REASON_COLUMNS = {"USUBJID": pl.Utf8, "DOMAIN": pl.Utf8, "WHAT": pl.Utf8, "WHY": pl.Utf8}


@cache
def load_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a rule table (CSV beside this module) as dicts; comment lines start with ``#``."""
    with (HERE / name).open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(line for line in fh if not line.startswith("#")))


def check_options(
    what: str, defaults: Mapping[str, Any], choices: Mapping[str, tuple], given: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``defaults`` updated by ``given``; every unknown name and every value outside ``choices`` is
    reported together in one :class:`~lupustrial.errors.InputError` (each problem names the option, the
    value and the allowed names or values)."""
    opts = {**defaults, **(given or {})}
    problems = [Problem(k, v, f"use one of {', '.join(sorted(defaults))}") for k, v in opts.items()
                if k not in defaults]
    problems += [Problem(k, v, f"use one of {', '.join(map(str, choices[k]))}") for k, v in opts.items()
                 if k in choices and v not in choices[k]]
    if problems:
        raise InputError.from_problems(what, problems)
    return opts


def to_date(expr: pl.Expr) -> pl.Expr:
    """ISO 8601 text (date part) → ``pl.Date``; unparseable or partial dates → null."""
    return expr.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def ady(date: pl.Expr, start: pl.Expr) -> pl.Expr:
    """Days from the first infusion (day 0)."""
    return (date - start).dt.total_days().cast(pl.Int64)


def reasons_frame(rows: list[dict[str, str | None]] | None = None) -> pl.DataFrame:
    """The ``reasons`` frame (USUBJID, DOMAIN, WHAT, WHY) from dict rows."""
    return pl.DataFrame(rows or [], schema=REASON_COLUMNS)


def groups_of(protocol) -> list[str]:
    """Every protocol dose level in protocol order (a level without subjects gets rows with a reason), then
    ``Overall``."""
    return [*dict.fromkeys(lv.id for arm in protocol.arms for lv in arm.dose_levels), OVERALL]


def with_overall(frame: pl.DataFrame, group: str = "TRT01A") -> pl.DataFrame:
    """``frame`` stacked with a copy labelled ``Overall`` (column ``GROUP``), for per-group statistics."""
    by_group = frame.with_columns(pl.col(group).alias("GROUP"))
    return pl.concat([by_group, by_group.with_columns(pl.lit(OVERALL).alias("GROUP"))])
