"""The declarative grading rules (``grading_rules.csv``, ``renal_schemes.csv``) and their small interpreter.

One row of ``grading_rules.csv`` is one *clause*: ``items`` (``;``-separated input codes) compared by
``op`` with ``value``, true when at least ``min_count`` of the items satisfy it. Clauses sharing a
``rule_id`` are ANDed into a rule; the rules of one ``target`` (grade ``A``/``B``/``C`` or renal
``criterion_<n>``) are ORed. Operators (a closed set — no code strings are evaluated):

==========================  =================================================================
``code_in``                 ordinal code in the ``;`` list (e.g. ``2;3;4``)
``lt`` ``le`` ``gt`` ``ge``  numeric value vs a constant (exact: both as integer thousandths)
``is_true``                 yes/no item answered yes
``all_missing``             none of the items recorded (e.g. no quantitative proteinuria)
``rise_ge``                 current − previous ≥ value
``ratio_ge`` ``ratio_gt``   current / previous vs value, compared as integers (no float ratios)
``ratio_le`` ``ratio_lt``
``not_improved_by``         current > (1 − value) × previous; ``≥`` under option
                            ``renal_improvement_boundary="fall_25_not_improvement"``
``previous_lt``             previous < value (false when there is no previous value)
``previous_gt_or_missing``  previous > value, or no previous value
``previous_missing``        no previous value
==========================  =================================================================

``if_no_previous`` says what a change operator gives without a previous value: ``false``, or
``option`` (the ``renal_no_previous`` option: ``current_only`` → the change part counts as met, so the
criterion is decided on the current value alone; ``not_met`` → false).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

__all__ = ["Clause", "RenalScheme", "clauses", "renal_scheme", "target_exprs"]

HERE = Path(__file__).parent
SCALE = 1000  # numeric values are compared as integer thousandths
CHANGE_OPS = {"rise_ge", "ratio_ge", "ratio_gt", "ratio_le", "ratio_lt", "not_improved_by"}


@dataclass(frozen=True)
class Clause:
    """One row of ``grading_rules.csv``."""

    scheme: str
    system: str
    target: str
    rule_id: str
    items: tuple[str, ...]
    op: str
    value: str
    min_count: int
    if_no_previous: str
    label: str
    citation: str
    verification: str


@dataclass(frozen=True)
class RenalScheme:
    """One row of ``renal_schemes.csv``: how the renal criteria combine into grade A (and B)."""

    scheme: str
    a_min_criteria: int
    a_key_criteria: tuple[int, ...]
    b_if_any_criterion: bool
    citation: str


@lru_cache(maxsize=1)
def clauses() -> tuple[Clause, ...]:
    with (HERE / "grading_rules.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(
            Clause(r["scheme"], r["system"], r["target"], r["rule_id"], tuple(r["items"].split(";")),
                   r["op"], r["value"], int(r["min_count"] or 1), r["if_no_previous"], r["label"],
                   r["citation"], r["verification"])
            for r in csv.DictReader(fh)
        )


@lru_cache(maxsize=4)
def renal_scheme(name: str) -> RenalScheme:
    with (HERE / "renal_schemes.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["scheme"] == name:
                keys = tuple(int(k) for k in r["a_key_criteria"].split(";") if k)
                return RenalScheme(name, int(r["a_min_criteria"]), keys, r["b_if_any_criterion"] == "true",
                                   r["citation"])
    raise KeyError(name)


def scaled(value: str) -> int:
    """A decimal constant as exact integer thousandths: ``scaled("0.5") == 500``."""
    return int(Decimal(value) * SCALE)


#: ``(current, previous) -> expr`` for the ratio operators, exact on integers: cur·den OP prev·num.
_RATIO: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "ratio_ge": lambda a, b: a >= b, "ratio_gt": lambda a, b: a > b,
    "ratio_le": lambda a, b: a <= b, "ratio_lt": lambda a, b: a < b,
}
_CMP: dict[str, Callable[[pl.Expr, int], pl.Expr]] = {
    "lt": lambda x, v: x < v, "le": lambda x, v: x <= v, "gt": lambda x, v: x > v, "ge": lambda x, v: x >= v,
}


def _codes_expr(x: pl.Expr, codes: list[int]) -> pl.Expr:
    lo, hi = min(codes), max(codes)
    if codes == list(range(lo, hi + 1)):
        return (x >= lo) & (x <= hi) if lo != hi else x == lo
    return x.is_in(codes)


def _change(c: Clause, cur: pl.Expr, prev: pl.Expr, options: Mapping[str, Any]) -> pl.Expr:
    if c.op == "rise_ge":
        met = (cur - prev) >= scaled(c.value)
    elif c.op == "not_improved_by":
        frac = 1 - Fraction(c.value)
        a, b = cur * frac.denominator, prev * frac.numerator
        inclusive = options["renal_improvement_boundary"] == "fall_25_not_improvement"
        met = (a >= b) if inclusive else (a > b)
    else:
        frac = Fraction(c.value)
        met = _RATIO[c.op](cur * frac.denominator, prev * frac.numerator)
    no_prev = c.if_no_previous == "option" and options["renal_no_previous"] == "current_only"
    return pl.when(prev.is_null()).then(pl.lit(no_prev)).otherwise(met)


def clause_expr(c: Clause, value: Callable[[str], pl.Expr], previous: Callable[[str], pl.Expr],
                options: Mapping[str, Any]) -> pl.Expr:
    """The boolean expression of one clause (null never counts as met)."""
    if c.op == "all_missing":
        return pl.all_horizontal([value(i).is_null() for i in c.items])
    if c.op in CHANGE_OPS:
        parts = [_change(c, value(i), previous(i), options) for i in c.items]
    elif c.op == "code_in":
        codes = [int(v) for v in c.value.split(";")]
        parts = [_codes_expr(value(i), codes) for i in c.items]
    elif c.op in _CMP:
        parts = [_CMP[c.op](value(i), scaled(c.value)) for i in c.items]
    elif c.op == "is_true":
        parts = [value(i) for i in c.items]
    elif c.op == "previous_lt":
        parts = [previous(i) < scaled(c.value) for i in c.items]
    elif c.op == "previous_gt_or_missing":
        parts = [previous(i).is_null() | (previous(i) > scaled(c.value)) for i in c.items]
    elif c.op == "previous_missing":
        parts = [previous(i).is_null() for i in c.items]
    else:
        raise ValueError(f"grading_rules.csv: unknown op {c.op!r} in rule {c.rule_id}")
    if c.min_count <= 1:  # Kleene OR: true if any part is true, else null -> false
        return pl.any_horizontal(parts).fill_null(False)
    return pl.sum_horizontal([p.fill_null(False).cast(pl.Int8) for p in parts]) >= c.min_count


def target_exprs(system: str, scheme: str, value: Callable[[str], pl.Expr],
                 previous: Callable[[str], pl.Expr], options: Mapping[str, Any]
                 ) -> dict[str, list[tuple[str, pl.Expr]]]:
    """``target -> [(rule label, rule expr), ...]`` for one system (rules ORed, in file order)."""
    rules: dict[str, dict[str, list[Clause]]] = {}
    for c in clauses():
        if c.system == system and c.scheme in ("all", scheme):
            rules.setdefault(c.target, {}).setdefault(c.rule_id, []).append(c)
    out: dict[str, list[tuple[str, pl.Expr]]] = {}
    for target, by_id in rules.items():
        out[target] = [
            (group[0].label, pl.all_horizontal([clause_expr(c, value, previous, options) for c in group]))
            for group in by_id.values()
        ]
    return out
