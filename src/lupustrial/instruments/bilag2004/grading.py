"""Per-system BILAG-2004 grades as polars expressions over a whole table (no per-row Python).

Decision tree per system (instruments.md §4.3; renal §4.6, haematological §4.5)::

    any item ND/missing (per items.csv missing_rule)?  -> grade null, "not evaluable"  [nd_handling]
    A rule fires (renal: >= a_min criteria, one of them a key criterion)  -> A
    B rule fires (renal: also any single A criterion)                       -> B
    C rule fires                                                           -> C
    otherwise history_<system> true -> D, false -> E, null -> grade null (D or E undetermined)

Inputs are first turned into *effective* columns: ordinal codes as Int8 (ND -> null), numeric values
as integer thousandths (exact comparisons), yes/no as booleans; an item flagged
``<item>_not_due_to_sle`` becomes "not present" (0 / false / no value) and is never missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from lupustrial.instruments.bilag2004.catalogue import ITEMS, PREVIOUS_ITEMS, SYSTEMS, Item, items_of
from lupustrial.instruments.bilag2004.rules import SCALE, renal_scheme, target_exprs

__all__ = ["POINTS", "RANK_GRADES", "RANK_POINTS", "SystemGrade", "all_systems", "effective_columns",
           "flagged_columns", "grade_system", "lookup"]

#: Numeric BILAG-2004 score per grade (Yee CS et al. Rheumatology 2010;49:1665, verified: abstract).
POINTS: dict[str, int] = {"A": 12, "B": 8, "C": 1, "D": 0, "E": 0}


#: Grade letter and points by rank (index): E, D, C, B, A, inactive with unknown history.
RANK_GRADES: tuple[str | None, ...] = ("E", "D", "C", "B", "A", None)
RANK_POINTS: tuple[int, ...] = (POINTS["E"], POINTS["D"], POINTS["C"], POINTS["B"], POINTS["A"], 0)


@dataclass(frozen=True)
class SystemGrade:
    """One system's expressions: ``reason_index`` into ``reasons``; ``ranks[i]`` is the rank (see
    :func:`grade_system`) that reason ``i`` gives, so the rank is a lookup, not a second decision chain."""

    system: str
    reason_index: pl.Expr
    reasons: tuple[str, ...]
    ranks: tuple[int | None, ...]
    evaluable: pl.Expr
    #: every rule of the system, each computed once into a ``_rule_<system>_<i>`` column that
    #: ``reason_index`` reads (one parallel stage; the decision chain then only picks among columns)
    rules: tuple[pl.Expr, ...] = ()

    @property
    def rank(self) -> pl.Expr:
        return lookup(self.ranks, pl.Int8, self.reason_index)


def lookup(table: tuple[Any, ...], dtype: Any, index: pl.Expr) -> pl.Expr:
    """``table[index]`` for every row (index null -> null): a gather from a small literal Series."""
    return pl.lit(pl.Series(table, dtype=dtype)).gather(index)


def _v(code: str) -> pl.Expr:
    return pl.col(f"_v_{code}")


def _p(code: str) -> pl.Expr:
    return pl.col(f"_p_{code}")


def _m(code: str) -> pl.Expr:
    return pl.col(f"_m_{code}")


def _flag(it: Item, flagged: frozenset[str] | None = None) -> pl.Expr | None:
    """The item's "not due to SLE" flag, or None when no row sets it (then there is nothing to mask)."""
    name = f"{it.code}_not_due_to_sle"
    if flagged is not None and name not in flagged:
        return None
    return pl.col(name).fill_null(False)


def _thousandths(expr: pl.Expr, resolution: int | None = None) -> pl.Expr:
    x = (expr * SCALE).round(0).cast(pl.Int64)
    if resolution is None:
        return x
    step = 10 ** (3 - resolution)  # round half up to the published resolution (OPT-I10 alternative)
    return ((x + step // 2) // step) * step


def _effective(it: Item, options: Mapping[str, Any], flagged: frozenset[str] | None) -> pl.Expr:
    col, flag = pl.col(it.code), _flag(it, flagged)
    if it.kind == "ordinal":
        value, absent = col.cast(pl.Int8, strict=False), pl.lit(0, pl.Int8)
    elif it.kind == "yes_no":
        value, absent = col, pl.lit(False)
    else:
        rounding = it.system == "haematological" and options["haem_interval_reading"] == "round_to_published"
        value, absent = _thousandths(col, it.resolution if rounding else None), pl.lit(None, pl.Int64)
    return value if flag is None else pl.when(flag).then(absent).otherwise(value)


def _not_recorded(it: Item, flagged: frozenset[str] | None) -> pl.Expr:
    flag = _flag(it, flagged)
    return _v(it.code).is_null() if flag is None else _v(it.code).is_null() & ~flag


def _missing(it: Item, options: Mapping[str, Any], flagged: frozenset[str] | None) -> pl.Expr:
    if options["nd_handling"] == "as_absent" or it.missing_rule == "optional":
        return pl.lit(False)
    if it.missing_rule.startswith("one_of:"):
        group = [o for o in ITEMS if o.missing_rule == it.missing_rule]
        return pl.all_horizontal([_not_recorded(o, flagged) for o in group])
    return _not_recorded(it, flagged)


def flagged_columns(frame: pl.DataFrame) -> frozenset[str]:
    """The ``*_not_due_to_sle`` columns that are set in at least one row (null counts are metadata)."""
    return frozenset(c for c in frame.columns
                     if c.endswith("_not_due_to_sle") and frame[c].null_count() < frame.height)


def effective_columns(options: Mapping[str, Any], flagged: frozenset[str] | None = None
                      ) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Two stages of helper columns: effective values/previous values, then per-item missing flags.

    ``flagged`` limits the attribution masks to the flag columns that are set somewhere (speed only;
    None = mask with every flag column).
    """
    values = [_effective(it, options, flagged).alias(f"_v_{it.code}") for it in ITEMS]
    values += [_thousandths(pl.col(f"previous_{c}")).alias(f"_p_{c}") for c in PREVIOUS_ITEMS]
    missing = [_missing(it, options, flagged).alias(f"_m_{it.code}") for it in ITEMS]
    return values, missing


def _any(labelled: list[tuple[str, pl.Expr]]) -> pl.Expr:
    return pl.any_horizontal([e for _, e in labelled]) if labelled else pl.lit(False)


def _renal_targets(targets: dict[str, list[tuple[str, pl.Expr]]], scheme: str
                   ) -> dict[str, list[tuple[str, pl.Expr]]]:
    rs = renal_scheme(scheme)
    crit = {int(t.split("_")[1]): _any(rules) for t, rules in targets.items() if t.startswith("criterion_")}
    count = pl.sum_horizontal([c.cast(pl.Int8) for c in crit.values()])
    a = count >= rs.a_min_criteria
    key_text = ""
    if rs.a_key_criteria:
        a = a & pl.any_horizontal([crit[k] for k in rs.a_key_criteria])
        key_text = ", one of them criterion " + "/".join(map(str, rs.a_key_criteria))
    out = {"A": [(f">= {rs.a_min_criteria} renal criteria met{key_text} ({scheme})", a)]}
    out["B"] = [(f"one renal A criterion met ({scheme}): criterion {t.split('_')[1]}, {label}", expr)
                for t, rules in targets.items() if t.startswith("criterion_") and rs.b_if_any_criterion
                for label, expr in rules]
    out["B"] += targets.get("B", [])
    out["C"] = targets.get("C", [])
    return out


def _active(targets: dict[str, list[tuple[str, pl.Expr]]]) -> pl.Expr:
    rank: Any = pl.when(pl.lit(False)).then(0)
    for letter, value in (("A", 4), ("B", 3), ("C", 2)):
        if targets.get(letter):
            rank = rank.when(_any(targets[letter])).then(value)
    return rank.otherwise(0)


def _worst(it: Item) -> pl.Expr:
    """The most active value an ND/missing item could have had (ordinal 4 new, yes, a count of 0)."""
    lit = {"ordinal": pl.lit(4, pl.Int8), "yes_no": pl.lit(True)}.get(it.kind, pl.lit(0, pl.Int64))
    return pl.when(_m(it.code)).then(lit).otherwise(_v(it.code))


def _decided(system: str, scheme: str, targets: dict[str, list[tuple[str, pl.Expr]]],
             options: Mapping[str, Any]) -> pl.Expr:
    """OPT-I08 "decisive" reading: the ND/missing items cannot change the grade.

    Clinical and haematological grades are monotone in each item, so the grade with every missing item
    at its worst value is the highest it could be: decided when that equals the grade from the recorded
    items. Renal criteria mix directions and previous values, so there only A (the top) is decided.
    """
    lower = _active(targets)
    if system == "renal":
        return lower == 4
    worst = {it.code: _worst(it) for it in items_of(system)}
    upper = _active(target_exprs(system, scheme, lambda c: worst[c], _p, options))
    return lower == upper


def grade_system(system: str, options: Mapping[str, Any]) -> SystemGrade:
    """Rank and reason-index expressions of one system, read from the rule tables. The reason index
    reads the ``rules`` columns, which must be computed first.

    ``rank``: 4 A, 3 B, 2 C, 1 D, 0 E, 5 inactive with unknown history, null not evaluable.
    ``reason_index`` points into ``reasons`` (0 = not evaluable, then one entry per rule, then D/E).
    """
    scheme = options["renal_scheme"]
    rules: list[pl.Expr] = []

    def column(expr: pl.Expr) -> pl.Expr:
        rules.append(expr.alias(f"_rule_{system}_{len(rules)}"))
        return pl.col(f"_rule_{system}_{len(rules) - 1}")

    targets = {target: [(label, column(expr)) for label, expr in labelled]
               for target, labelled in target_exprs(system, scheme, _v, _p, options).items()}
    if system == "renal":
        targets = _renal_targets(targets, scheme)
    evaluable = ~pl.any_horizontal([_m(it.code) for it in items_of(system)])
    if options["nd_handling"] == "decisive":
        evaluable = evaluable | _decided(system, scheme, targets, options)
    history = pl.col(f"history_{system}")
    # the first rule that fires names the reason; A rules come before B before C, so the reason's
    # letter is the grade (the rank is looked up from the reason index)
    reason: Any = pl.when(~evaluable).then(0)
    reasons = ["not evaluable: item(s) ND or missing (see missing)"]
    ranks: list[int | None] = [None]
    for letter, value in (("A", 4), ("B", 3), ("C", 2)):
        for label, expr in targets.get(letter, []):
            reason = reason.when(expr).then(len(reasons))
            reasons.append(f"{letter}: {label}")
            ranks.append(value)
    reason = reason.when(history).then(len(reasons)).when(~history).then(len(reasons) + 1)
    reason = reason.otherwise(len(reasons) + 2).cast(pl.UInt16)
    reasons += ["D: no current activity, system previously involved",
                "E: no current activity, system never involved",
                f"D or E undetermined: history_{system} not given (0 points either way)"]
    ranks += [1, 0, 5]
    return SystemGrade(system, reason, tuple(reasons), tuple(ranks), evaluable, tuple(rules))


def all_systems(options: Mapping[str, Any]) -> list[SystemGrade]:
    return [grade_system(s, options) for s in SYSTEMS]
