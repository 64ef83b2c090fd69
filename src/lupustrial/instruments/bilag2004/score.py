"""The registered ``bilag2004`` instrument: nine system grades A–E and the numeric score (0–108).

Numeric score = Σ over the nine systems of A = 12, B = 8, C = 1, D = E = 0 (Yee CS et al. Rheumatology
2010;49:1665 — verified against the abstract, PMC2919194). The score is not evaluable when any system is
not evaluable, unless ``total_when_system_missing="sum_evaluable"``.

>>> import lupustrial
>>> r = lupustrial.evaluate("bilag2004", EXAMPLE)
>>> r.value, r.details["grade_mucocutaneous"], r.details["grade_musculoskeletal"]
(9, 'B', 'C')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from lupustrial.instruments.bilag2004.catalogue import ITEMS, SYSTEMS, build_fields
from lupustrial.instruments.bilag2004.grading import (
    RANK_GRADES,
    RANK_POINTS,
    all_systems,
    effective_columns,
    flagged_columns,
    lookup,
)
from lupustrial.registry import Instrument, Option, register

__all__ = ["BILAG2004", "EXAMPLE", "OPTIONS", "score_bilag2004"]

CITATION = (
    "Isenberg DA, Rahman A, Allen E, et al. BILAG 2004. Development and initial validation of an updated "
    "version of the British Isles Lupus Assessment Group's disease activity index for patients with "
    "systemic lupus erythematosus. Rheumatology 2005;44:902-906; Yee CS et al. Numerical scoring for the "
    "BILAG-2004 index. Rheumatology 2010;49:1665-1669."
)

OPTIONS: tuple[Option, ...] = (
    Option("renal_scheme", "revised", "renal grading scheme: revised 2009/2010 (needs previous_* values "
           "for change criteria) or the original 2004 rules", choices=("revised", "original_2004"),
           source="OPT-I11"),
    Option("renal_no_previous", "current_only", "change-based renal criteria without a previous value: "
           "decided on the current value alone (a blood-pressure or dipstick rise never counts), or not met",
           choices=("current_only", "not_met"), source="OPT-I11 / OPT-I08"),
    Option("renal_improvement_boundary", "fall_25_is_improvement", "'not improved by >= 25%': a fall of "
           "exactly 25% is an improvement (criterion not met) or is not",
           choices=("fall_25_is_improvement", "fall_25_not_improvement"), source="OPT-I11"),
    Option("haem_interval_reading", "half_open", "haematological ranges: half-open intervals on the value "
           "as given, or round the value to the published resolution first",
           choices=("half_open", "round_to_published"), source="OPT-I10"),
    Option("nd_handling", "not_evaluable", "ND/missing item: its system is not evaluable; or only when "
           "the missing items could change the grade (decisive); or the item counts as not present",
           choices=("not_evaluable", "decisive", "as_absent"), source="OPT-I08"),
    Option("total_when_system_missing", "not_evaluable", "numeric score when a system is not evaluable: "
           "no score, or the sum over the evaluable systems",
           choices=("not_evaluable", "sum_evaluable"), source="OPT-I08"),
)


def missing_lists(flags: pl.DataFrame, names: tuple[str, ...], rows_with_missing: pl.Series) -> pl.Series:
    """``List[str]`` per row of the columns of ``flags`` (Boolean) that are true, named by ``names``;
    empty where ``rows_with_missing`` is false.

    Vectorised over the true cells only (missing data are rare): each column's true rows in one parallel
    ``arg_true``, a stable sort by row (so names keep column order), Arrow list offsets from the counts.
    Building the lists with ``concat_list`` of 97 when/then columns costs ~40 µs per row in polars 2.1.
    """
    import numpy as np
    import pyarrow as pa

    n = flags.height
    lists = flags.select(pl.col(c).arg_true().implode() for c in flags.columns).get_columns()
    hits = [s[0].to_numpy().astype(np.int64) for s in lists]
    r = np.concatenate(hits) if hits else np.empty(0, np.int64)
    c = np.repeat(np.arange(len(hits)), [len(h) for h in hits])
    keep = rows_with_missing.to_numpy()[r] if r.size else np.empty(0, bool)
    r, c = r[keep], c[keep]
    order = np.argsort(r, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=n))]).astype(np.int64)
    values = pl.Series(names, dtype=pl.Utf8).gather(c[order]).to_arrow()
    return pl.Series("missing", pa.LargeListArray.from_arrays(pa.array(offsets), values))


@dataclass(frozen=True)
class _Plan:
    """Every expression of one scoring run; built once per (options, set attribution flags)."""

    stages: tuple[tuple[pl.Expr, ...], ...]
    final: tuple[pl.Expr, ...]
    rows_with_missing: pl.Expr


@lru_cache(maxsize=32)
def _plan(option_items: tuple[tuple[str, Any], ...], flagged: frozenset[str]) -> _Plan:
    options = dict(option_items)
    values, missing = effective_columns(options, flagged)
    systems = all_systems(options)
    # one decision chain per system gives the reason index; grade, points and "not evaluable" (index 0)
    # are lookups on it
    index = {g.system: pl.col(f"_ri_{g.system}") for g in systems}
    reasons = [g.reason_index.alias(f"_ri_{g.system}") for g in systems]
    total = pl.sum_horizontal([lookup(tuple(RANK_POINTS[r] if r is not None else 0 for r in g.ranks),
                                      pl.Int64, index[g.system]) for g in systems])
    not_evaluable = [index[g.system] == 0 for g in systems]
    # the set of not-evaluable systems as a 9-bit mask, looked up in the 512 possible reason texts
    mask = pl.sum_horizontal([ne.cast(pl.UInt16) * (1 << i) for i, ne in enumerate(not_evaluable)])
    names = [g.system for g in systems]
    texts = ["not evaluable: system(s) with ND/missing items: "
             + ", ".join(s for i, s in enumerate(names) if m >> i & 1) for m in range(1 << len(names))]
    no_total = options["total_when_system_missing"] == "not_evaluable"
    no_value = pl.any_horizontal(not_evaluable) & pl.lit(no_total)
    value = pl.when(no_value).then(pl.lit(None, pl.Int64)).otherwise(total)
    reason = pl.when(no_value).then(lookup(tuple(texts), pl.Utf8, mask))
    details = [lookup(tuple(None if r is None else RANK_GRADES[r] for r in g.ranks), pl.Utf8, index[g.system])
               .alias(f"grade_{g.system}") for g in systems]
    details += [lookup(g.reasons, pl.Utf8, index[g.system]).alias(f"reason_{g.system}") for g in systems]
    # without "decisive", a missing item always makes its system not evaluable
    any_missing = ([pl.col(f"_m_{it.code}") for it in ITEMS] if options["nd_handling"] == "decisive"
                   else not_evaluable)
    rules = tuple(rule for g in systems for rule in g.rules)
    return _Plan((tuple(values), tuple(missing), rules, tuple(reasons)),
                 (value.alias("value"), reason.alias("reason"), *details), pl.any_horizontal(any_missing))


def score_bilag2004(frame: pl.DataFrame, options: Mapping[str, Any]) -> pl.DataFrame:
    """Grade all nine systems and sum the numeric score, for every row of ``frame`` (validated by
    :func:`lupustrial.evaluation.validate_table`) at once.

    One lazy query, run by polars' streaming engine: it works through the stages in row batches that
    stay in cache and on every core (~15% less CPU than materialising each helper column in full).
    """
    plan = _plan(tuple(sorted(options.items())), flagged_columns(frame))
    codes = tuple(it.code for it in ITEMS)
    lazy = frame.lazy()
    for stage in plan.stages:
        lazy = lazy.with_columns(stage)
    staged = lazy.select(*plan.final, plan.rows_with_missing.alias("_rows"),
                         *[pl.col(f"_m_{c}") for c in codes]).collect(engine="streaming")
    out = staged.select(staged.columns[:len(plan.final)])
    flags = staged.select(f"_m_{c}" for c in codes)
    return out.insert_column(1, missing_lists(flags, codes, staged["_rows"]))


EXAMPLE: dict[str, Any] = {
    **{it.code: "0" for it in ITEMS if it.kind == "ordinal"},
    **{it.code: False for it in ITEMS if it.kind == "yes_no"},
    "mucocutaneous_mild_skin_eruption": "3",
    "musculoskeletal_mild_arthritis_arthralgia_myalgia": "2",
    "renal_systolic_bp": 120, "renal_diastolic_bp": 75, "renal_upcr": 10.0, "renal_creatinine": 70,
    "renal_gfr": 100,
    "haematological_haemoglobin": 13.1, "haematological_wbc": 6.2, "haematological_neutrophils": 4.0,
    "haematological_lymphocytes": 1.5, "haematological_platelets": 250,
    **{f"history_{s}": s in ("mucocutaneous", "musculoskeletal", "renal") for s in SYSTEMS},
}


def _synthetic(n: int, rng: Any) -> pl.DataFrame:
    from lupustrial.instruments.bilag2004.synthetic import synthetic_visits

    return synthetic_visits(n, rng)


BILAG2004 = register(
    Instrument(
        name="bilag2004",
        version="2004-rev1-2009",
        title="BILAG-2004 index: nine system grades A-E and numeric score (0-108)",
        citation=CITATION,
        fields=build_fields(),
        score=score_bilag2004,
        example=EXAMPLE,
        options=OPTIONS,
        value_kind="integer",
        value_range=(0, 108),
        extra={"synthetic": _synthetic, "systems": SYSTEMS},
    )
)
