"""SDI items at screening and follow-up (simulate/damage.py): rare accrual, items never decrease, repeat
episodes scored by the SDI rules (Gladman 1996; docs/instruments.md ``sdi``), valid ``sdi`` input."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lupustrial
from lupustrial.errors import InputError
from lupustrial.instruments.sdi import ITEM_CODES, load_items
from lupustrial.protocol import load_protocol
from lupustrial.simulate.damage import (
    REPEAT_GAP_DAYS,
    SDI_TESTCDS,
    compute_item_scores,
    compute_onsets,
    damage_onsets,
    item_weights,
    sdi_days,
)
from lupustrial.simulate.parameters import Param, load_parameters
from lupustrial.simulate.study import simulate_records

PARAMS = load_parameters()
W_F, W_M = item_weights(PARAMS, True), item_weights(PARAMS, False)
IDX = {c: i for i, c in enumerate(ITEM_CODES)}
MAXIMA = np.array([i.input_max for i in load_items()])


def _only(code: str) -> np.ndarray:
    w = np.zeros(len(ITEM_CODES))
    w[IDX[code]] = 1.0
    return w


def test_01_cht101_sdi_days_are_the_outcome_time_frame():
    # cht101.yaml outcome sdi: "At 1 month, 2 month, 3 month, 6 month, 9 month, 12month"
    assert sdi_days(load_protocol("cht101")) == (30, 60, 90, 180, 270, 360)


def test_02_no_sdi_outcome_no_days():
    assert sdi_days(load_protocol("cd19_bcma")) == ()


# 3. Repeat-episode rule (Gladman 1996: repeat episodes >= 6 months apart score 2; the same lesion is not
#    scored twice). Avascular necrosis (max 2) episodes on days 10 and 100: 90 d apart < 182.6 d -> 1;
#    days 10 and 200: 190 d >= 182.6 d -> 2 from day 200; cataract (max 1) twice -> 1.
@pytest.mark.parametrize(
    ("code", "days", "at", "expected"),
    [
        ("avascular_necrosis", [10, 100], 360, 1),
        ("avascular_necrosis", [10, 200], 199, 1),
        ("avascular_necrosis", [10, 200], 200, 2),
        ("avascular_necrosis", [10, 100, 200], 360, 2),
        ("cataract", [10, 300], 360, 1),
        ("cataract", [10], 9, 0),
    ],
    ids=["avn-90d-apart", "avn-before-2nd", "avn-190d-apart", "avn-third-counts", "cataract-max-1", "before"],
)
def test_03_repeat_episodes(code, days, at, expected):
    d = np.array(days, float)
    first, second = compute_onsets(np.zeros(d.size, int), np.full(d.size, IDX[code]), d, 1)
    assert compute_item_scores(first, second, np.array([0]), np.array([at]))[0, IDX[code]] == expected


def test_04_repeat_gap_is_six_months():
    assert pytest.approx(182.625) == REPEAT_GAP_DAYS  # 365.25 / 2


# 5. Baseline episodes lie a year apart before infusion: two AVN episodes -> 2 at screening; two cataract
#    episodes -> 1 (max 1); zero rate adds nothing afterwards.
@pytest.mark.parametrize(("code", "expected"), [("avascular_necrosis", 2), ("cataract", 1)],
                         ids=["avn", "cataract"])
def test_05_zero_rate_keeps_baseline(code, expected):
    w = _only(code)
    first, second = damage_onsets(np.array([2]), np.array([360.0]), np.array([True]), 0.0, w, w,
                                  np.random.default_rng(0))
    scores = compute_item_scores(first, second, np.array([0, 0]), np.array([-20, 360]))
    assert scores[:, IDX[code]].tolist() == [expected, expected] and scores.sum() == 2 * expected


def test_06_mean_accrual_matches_rate():
    # 5 000 women, no baseline damage, one year (365.25 d) at 0.1 episodes/year -> mean 0.1 items; an episode
    # is lost only when the same item recurs (P ~ 0.1 * 0.11 / 2 per patient, negligible).
    # Poisson SD/sqrt(n) = sqrt(0.1 / 5000) = 0.0045; tolerance 0.02 (> 4 SD).
    n = 5000
    first, second = damage_onsets(np.zeros(n, int), np.full(n, 365.25), np.ones(n, bool), 0.1, W_F, W_M,
                                  np.random.default_rng(2))
    total = compute_item_scores(first, second, np.arange(n), np.full(n, 365.25)).sum(axis=1)
    assert total.mean() == pytest.approx(0.1, abs=0.02)


def test_07_baseline_median_one():
    # phenotype: baseline episodes ~ Poisson(0.8) (P(0) = e^-0.8 = 0.449 < 0.5) -> median SDI 1 at screening
    rng = np.random.default_rng(5)
    n = 4000
    first, second = damage_onsets(rng.poisson(0.8, n), np.zeros(n), np.ones(n, bool), 0.1, W_F, W_M, rng)
    total = compute_item_scores(first, second, np.arange(n), np.full(n, -20)).sum(axis=1)
    assert np.median(total) == 1


def test_08_no_gonadal_failure_for_men_and_no_excluded_items():
    assert W_M[IDX["premature_gonadal_failure"]] == 0 and W_F[IDX["premature_gonadal_failure"]] > 0
    assert W_F[IDX["esrd"]] == 0 and W_F[IDX["malignancy"]] == 0  # trial exclusions (parameters.yaml)
    assert W_F.sum() == pytest.approx(1.0) and W_M.sum() == pytest.approx(1.0)


def test_09_unknown_mix_item_is_an_error():
    bad = dataclasses.replace(PARAMS, params={**PARAMS.params, "sdi_mix.cataracts": Param(
        "sdi_mix.cataracts", 1.0, 0.0, "relative weight", "assumed", "test")})
    with pytest.raises(InputError, match=r"sdi_mix\.cataracts"):
        item_weights(bad, True)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 720), min_size=1, max_size=8, unique=True), st.floats(0.0, 5.0),
       st.integers(0, 5), st.integers(0, 2**31))
def test_10_items_never_decrease_and_stay_in_range(days, rate, k0, seed):
    d = np.array(sorted(days))
    first, second = damage_onsets(np.array([k0]), np.array([float(d.max())]), np.array([True]), rate,
                                  W_F, W_M, np.random.default_rng(seed))
    scores = compute_item_scores(first, second, np.zeros(d.size, int), d)
    assert (np.diff(scores, axis=0) >= 0).all()
    assert (scores >= 0).all() and (scores <= MAXIMA).all()


@pytest.fixture(scope="module")
def cht101_items():
    rec = simulate_records("cht101", 12, random_state=4)
    sdi = rec["instrument_items"].filter(pl.col("CAT") == "SDI")
    wide = sdi.with_columns(pl.col("DY").cast(pl.Int64), pl.col("ORRES").cast(pl.Int64)).pivot(
        "TESTCD", index=["USUBJID", "VISIT", "DY"], values="ORRES")
    return wide.rename({cd: code for code, cd in SDI_TESTCDS.items()})


def test_11_cht101_items_at_screening_and_the_outcome_visits(cht101_items):
    assert set(cht101_items["VISIT"]) == {"SCREENING", "M1", "M2", "M3", "M6", "M9", "M12"}
    assert cht101_items.select(ITEM_CODES).null_count().sum_horizontal().item() == 0  # all 41 recorded


def test_12_simulated_items_are_valid_sdi_input(cht101_items):
    out = lupustrial.evaluate_table("sdi", cht101_items.select(ITEM_CODES))  # raises on invalid input
    assert out["value"].null_count() == 0


def test_13_total_never_decreases_per_patient(cht101_items):
    scored = lupustrial.evaluate_table("sdi", cht101_items.select("USUBJID", "DY", *ITEM_CODES),
                                       keep=("DY",))
    steps = scored.sort("USUBJID", "DY").group_by("USUBJID").agg(pl.col("value").diff().drop_nulls().min())
    assert (steps["value"].fill_null(0) >= 0).all()


def test_14_no_total_written():
    rec = simulate_records("cd19_bcma", 3, random_state=1)
    ii = rec["instrument_items"]
    assert ii.filter(pl.col("TESTCD") == "SDI").height == 0
    assert set(ii.filter(pl.col("CAT") == "SDI")["VISIT"]) == {"SCREENING"}  # no sdi outcome: screening only
