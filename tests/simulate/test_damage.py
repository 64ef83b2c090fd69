"""SDI at follow-up (simulate/damage.py): rare accrual, never decreasing, at the SDI outcome's visits."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.protocol import load_protocol
from lupustrial.simulate.damage import sdi_at, sdi_days
from lupustrial.simulate.study import simulate_records


def test_01_cht101_sdi_days_are_the_outcome_time_frame():
    # cht101.yaml outcome sdi: "At 1 month, 2 month, 3 month, 6 month, 9 month, 12month"
    assert sdi_days(load_protocol("cht101")) == (30, 60, 90, 180, 270, 360)


def test_02_no_sdi_outcome_no_days():
    assert sdi_days(load_protocol("cd19_bcma")) == ()


def test_03_zero_rate_keeps_baseline():
    out = sdi_at(np.array([0, 0, 1]), np.array([2.0, 0.0]), np.array([0, 0, 1]), np.array([30, 60, 30]), 0.0,
                 np.random.default_rng(0))
    assert out.tolist() == [2.0, 2.0, 0.0]


def test_04_mean_accrual_matches_rate():
    # 5 000 subjects × one visit at 365.25 days, rate 0.1/year → mean increase 0.1 (Poisson SD/√n = 0.0045)
    n = 5000
    out = sdi_at(np.arange(n), np.zeros(n), np.arange(n), np.full(n, 365), 0.1, np.random.default_rng(2))
    assert out.mean() == pytest.approx(0.1 * 365 / 365.25, abs=0.02)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 720), min_size=1, max_size=8, unique=True), st.floats(0.0, 5.0),
       st.integers(0, 2**31))
def test_05_sdi_never_decreases_and_row_order_does_not_matter(days, rate, seed):
    d = np.array(days)
    subj = np.zeros(d.size, int)
    out = sdi_at(subj, np.array([1.0]), subj, d, rate, np.random.default_rng(seed))
    order = np.argsort(d)
    assert (np.diff(out[order]) >= 0).all() and (out >= 1.0).all()


def test_06_cht101_records_have_sdi_at_the_outcome_visits():
    rec = simulate_records("cht101", 5, random_state=4)
    sdi = rec["instrument_items"].filter(pl.col("TESTCD") == "SDI")
    follow = sdi.filter(pl.col("VISIT") != "SCREENING")
    assert set(follow["VISIT"]) == {"M1", "M2", "M3", "M6", "M9", "M12"}
    per = follow.with_columns(pl.col("ORRES").cast(pl.Float64), pl.col("DY").cast(pl.Int64))
    steps = per.sort("USUBJID", "DY").group_by("USUBJID").agg(pl.col("ORRES").diff().drop_nulls().min())
    assert (steps["ORRES"].fill_null(0) >= 0).all()
