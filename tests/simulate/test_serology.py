"""Follow-up serology (simulate/serology.py): plasma-cell mechanism, IIF dilution steps, written records.

Sources: the anti-dsDNA mechanism of bcells.py/disease.py (KD §2.6); ANA falls but stays positive after
CD19 CAR-T (Mackensen 2022, Müller 2024); anti-Sm persists unless BCMA is targeted (Wang W 2024).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.simulate.parameters import load_parameters
from lupustrial.simulate.serology import dilution_steps, llpc_fraction, relative_levels, titre_text
from lupustrial.simulate.study import simulate_records

CD19 = load_parameters("autologous_cd19_cart")
BCMA = load_parameters("cd19_bcma_cart")


def test_01_llpc_fraction_hand_case():
    # saturating C (f = C/(C+EC50) ≈ 1): L(t) = exp(-k t); k = 0.1/d → day 2: exp(-0.2) = 0.81873
    out = llpc_fraction(np.full((1, 3), 1e12), 0.1, 20.0)
    assert out[0].tolist() == pytest.approx([1.0, np.exp(-0.1), np.exp(-0.2)])


def test_02_cd19_products_spare_long_lived_plasma_cells():
    assert (llpc_fraction(np.full((2, 5), 1e4), CD19.value("bcells.k_llpc_kill"), 20.0) == 1.0).all()


def test_03_relative_levels_hand_case_with_llpc_spared():
    # L ≡ 1 so S[L] ≡ 1; rel_dsDNA = 0.55 → S[P] = (0.55 − (1 − 0.9)) / 0.9 = 0.5
    # ANA (φ 0.6): 0.4 + 0.6·0.5 = 0.70; anti-Sm (φ 0.3): 0.7 + 0.3·0.5 = 0.85
    ds = np.array([[1.0, 0.55]])
    rel = relative_levels(ds, np.ones((1, 2)), CD19, {"ana": 0.6, "anti_sm": 0.3})
    assert rel["ana"][0].tolist() == pytest.approx([1.0, 0.70])
    assert rel["anti_sm"][0].tolist() == pytest.approx([1.0, 0.85])


def test_04_bcma_lowers_anti_sm_more_than_cd19():
    days = 91
    conc = np.full((1, days), 1e4)
    ds = np.linspace(1.0, 0.1, days)[None, :]
    cd19 = relative_levels(ds, llpc_fraction(conc, 0.0, 20.0), CD19, {"anti_sm": 0.3})["anti_sm"]
    bcma = relative_levels(ds, llpc_fraction(conc, 0.1, 20.0), BCMA, {"anti_sm": 0.3})["anti_sm"]
    assert cd19[0, -1] > 0.6  # persists (≥ 1 − φ_Sm minus nothing: L spared)
    assert bcma[0, -1] < 0.5 * cd19[0, -1]


@pytest.mark.parametrize(
    ("titre", "expected"),
    [
        (80.0, 80.0),  # on the series
        (57.0, 80.0),  # log2(57/80) = −0.489 → rounds to 0 steps
        (56.0, np.nan),  # log2(56/80) = −0.515 → −1 step: below 1:80 → negative
        (113.0, 80.0),  # log2(113/80) = 0.498 → 0
        (114.0, 160.0),  # log2(114/80) = 0.511 → 1
        (2600.0, 2560.0),
    ],
    ids=["exact", "just-above-half-step-down", "below-lowest", "below-half-step-up", "half-step-up", "2560"],
)
def test_05_dilution_steps_boundaries(titre, expected):
    out = dilution_steps(np.array([titre]), 80.0, np.zeros(1))[0]
    assert (np.isnan(out) and np.isnan(expected)) or out == expected


def test_06_titre_text():
    assert titre_text(np.array([320.0, np.nan]), 80.0) == ["1:320", "<1:80"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1.0, 1e5), min_size=1, max_size=20), st.floats(-1.0, 1.0))
def test_07_titres_are_on_the_doubling_series(values, err):
    out = dilution_steps(np.array(values), 80.0, np.full(len(values), err))
    ok = out[np.isfinite(out)]
    assert (ok >= 80).all()
    assert np.allclose(np.log2(ok / 80), np.round(np.log2(ok / 80)))


@pytest.fixture(scope="module")
def bcma_labs():
    rec = simulate_records("cd19_bcma", 6, random_state=3)
    return rec["labs"].filter(pl.col("TESTCD").is_in(["ANA", "SMAB"]))


def test_08_ana_written_as_titre_text(bcma_labs):
    ana = bcma_labs.filter(pl.col("TESTCD") == "ANA")["ORRES"]
    assert ana.len() > 0 and ana.str.contains(r"^(1:\d+|<1:80)$").all()


def test_09_serology_at_day0_and_from_day28(bcma_labs):
    days = set(bcma_labs["DY"].cast(pl.Int64).to_list())
    assert 0 in days and all(d == 0 or d >= 28 for d in days)


def test_10_anti_sm_in_u_per_ml_with_cutoff(bcma_labs):
    sm = bcma_labs.filter(pl.col("TESTCD") == "SMAB")
    assert (sm["ORRESU"] == "U/mL").all() and (sm["ULN"].cast(pl.Float64) == 20.0).all()
    assert (sm["ORRES"].cast(pl.Float64) > 0).all()


def test_11_scenario_overrides_reach_the_serology_records():
    # the follow-up findings use the parameters the courses were simulated with: a scenario that sets the
    # screening dilution to 1:160 and the anti-Sm cut-off to 35 U/mL shows in the written records
    scenario = {"records.ana_lowest_dilution": 160.0, "records.anti_sm_uln": 35.0}
    labs = simulate_records("cd19_bcma", 4, random_state=3, scenario=scenario)["labs"]
    ana = labs.filter(pl.col("TESTCD") == "ANA")["ORRES"]
    assert ana.len() > 0 and ana.str.contains(r"^(1:\d+|<1:160)$").all() and not (ana == "1:80").any()
    sm = labs.filter(pl.col("TESTCD") == "SMAB")
    assert sm.height > 0 and (sm["ULN"].cast(pl.Float64) == 35.0).all()
