"""Outcome coverage for every shipped protocol on a small simulated study."""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.derive import derive_study
from lupustrial.protocol import load_protocol

#: protocol → minimum number of its outcomes with a value overall on simulated data
MIN_WITH_VALUE = {"cd19_bcma": 5, "cd19_car_nk": 10, "cht101": 5, "ic19": 1}
#: (protocol, outcome) → items that must have a value overall (not only a reason) at every time-frame day;
#: None = the outcome's single row. Issue 9: quantitative ANA/anti-Sm, bone-marrow CAR-T, CHT101 SDI.
MUST_HAVE_VALUE = {
    ("cd19_bcma", "autoantibodies"): ["ana log2 titre change", "ana still positive", "anti_sm % change",
                                      "anti_dsdna CHG"],
    ("cd19_bcma", "car_t_concentration"): ["cmax (bone_marrow)", "bone_marrow concentration (D28)",
                                           "bone_marrow concentration (M3)", "marrow:blood ratio (D28)"],
    ("cd19_car_nk", "ana_change"): ["ana log2 titre change", "ana still positive"],
    ("cht101", "sdi"): [None],
}


@pytest.fixture(scope="module")
def derived(make_study):
    return {p: derive_study(make_study(p, n=5, seed=2)) for p in MIN_WITH_VALUE}


@pytest.mark.parametrize("protocol", sorted(MIN_WITH_VALUE))
def test_each_outcome_has_rows_with_value_or_reason(derived, protocol):
    out = derived[protocol].outcomes
    ids = {o.id for o in load_protocol(protocol).outcomes}
    assert set(out["OUTCOME_ID"]) == ids
    assert out.filter(pl.col("ESTIMATE").is_null() & pl.col("REASON").is_null()).height == 0


@pytest.mark.parametrize("protocol", sorted(MIN_WITH_VALUE))
def test_most_outcomes_have_values(derived, protocol):
    overall = derived[protocol].outcomes.filter((pl.col("GROUP") == "Overall") & pl.col("REASON").is_null())
    assert overall["OUTCOME_ID"].n_unique() >= MIN_WITH_VALUE[protocol]


@pytest.mark.parametrize("protocol", sorted(MIN_WITH_VALUE))
def test_no_failed_computation(derived, protocol):
    assert derived[protocol].reasons.filter(pl.col("DOMAIN") == "OUTCOMES").height == 0


@pytest.mark.parametrize("protocol", sorted(MIN_WITH_VALUE))
def test_at_time_frames_give_one_row_per_day(derived, protocol):
    out = derived[protocol].outcomes.filter(pl.col("GROUP") == "Overall")
    for o in load_protocol(protocol).outcomes:
        days = set(out.filter(pl.col("OUTCOME_ID") == o.id)["TIMEFRAME_DAYS"])
        expected = set(o.time_frame.days) if o.time_frame.kind == "at" else {o.time_frame.end_day}
        assert days == expected, o.id


def test_dlt_rows_use_dlt_population(derived):
    d = derived["ic19"]
    row = d.outcomes.filter((pl.col("OUTCOME_ID") == "dlt") & (pl.col("GROUP") == "Overall")).row(
        0, named=True
    )
    assert row["N"] == d.frames["ADSL"].filter(pl.col("DLTEVLFL") == "Y").height


MUST = [(p, o, item) for (p, o), items in sorted(MUST_HAVE_VALUE.items()) for item in items]


@pytest.mark.parametrize(("protocol", "outcome", "item"), MUST, ids=[f"{p}:{o}:{i}" for p, o, i in MUST])
def test_issue9_outcomes_have_a_value_not_only_a_reason(derived, protocol, outcome, item):
    out = derived[protocol].outcomes.filter(
        (pl.col("OUTCOME_ID") == outcome) & (pl.col("GROUP") == "Overall")
    )
    rows = out.filter(pl.col("ITEM").is_null() if item is None else pl.col("ITEM") == item)
    assert set(rows["TIMEFRAME_DAYS"]) == set(out["TIMEFRAME_DAYS"])
    assert rows["ESTIMATE"].is_not_null().all() and rows["REASON"].is_null().all(), rows
