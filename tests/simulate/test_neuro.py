"""ICANS seizure / motor / raised-ICP findings (simulate.neuro): bands by hand, grading, population rate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lupustrial
from lupustrial.simulate.calibration import add_neuro_findings, icans_frame, max_grades
from lupustrial.simulate.neuro import ICP, MOTOR, SEIZURE, finding_labels, neuro_findings
from lupustrial.simulate.parameters import load_parameters
from lupustrial.simulate.population import simulate_population

ICANS = lupustrial.get("icans_astct")
KEYS = ("seizure_p_ice_3_6", "seizure_p_ice_7_9", "seizure_prolonged_share", "focal_oedema_p_ice_3_6",
        "diffuse_oedema_p_ice_3_6", "motor_weakness_p_ice_3_6")


def _params(**values: float):
    """Every neuro probability 0 unless given (``seizure_p_ice_3_6=1.0``)."""
    return load_parameters().with_values(**{f"neuro__{k}": values.get(k, 0.0) for k in KEYS})


# 1. Bands (module docstring): worst ICE 3-6 -> grade-2 band, 7-9 -> grade-1 band, 10 -> no finding.
@pytest.mark.parametrize(("worst", "seizure"), [(3, "resolves_rapidly"), (6, "resolves_rapidly"),
                                                (7, "none"), (9, "none"), (10, "none")],
                         ids=["ice3", "ice6", "ice7", "ice9", "ice10"])
def test_seizure_only_in_the_grade2_band_when_only_that_probability_is_one(worst, seizure):
    p = _params(seizure_p_ice_3_6=1.0)
    out = neuro_findings(np.array([[10, worst, 10]]), p, np.random.default_rng(1))
    assert SEIZURE[out["seizure_code"][0, 1]] == seizure


@pytest.mark.parametrize(("worst", "seizure"), [(6, "none"), (7, "prolonged_or_repetitive"),
                                                (9, "prolonged_or_repetitive"), (10, "none")],
                         ids=["ice6", "ice7", "ice9", "ice10"])
def test_seizure_in_the_grade1_band(worst, seizure):
    p = _params(seizure_p_ice_7_9=1.0, seizure_prolonged_share=1.0)
    out = neuro_findings(np.array([[worst, 10]]), p, np.random.default_rng(1))
    assert SEIZURE[out["seizure_code"][0, 0]] == seizure


def test_finding_recorded_on_the_first_day_of_the_worst_ice_only():
    # ICE 10, 8, 5, 5, 9: worst 5 first reached on day 2
    p = _params(diffuse_oedema_p_ice_3_6=1.0, motor_weakness_p_ice_3_6=1.0)
    out = neuro_findings(np.array([[10, 8, 5, 5, 9]]), p, np.random.default_rng(1))
    assert [ICP[c] for c in out["icp_code"][0]] == ["none", "none", "diffuse_oedema", "none", "none"]
    assert [MOTOR[c] for c in out["motor_code"][0]] == ["none", "none", "deep_focal_weakness", "none", "none"]


# 2. ASTCT grade of the findings (Lee 2019: seizure resolving rapidly 3, prolonged 4, focal oedema 3,
#    diffuse oedema 4, deep focal weakness 4); ICE 5 alone is grade 2.
@pytest.mark.parametrize(("values", "grade"), [
    ({}, 2),
    ({"seizure_p_ice_3_6": 1.0}, 3),
    ({"seizure_p_ice_3_6": 1.0, "seizure_prolonged_share": 1.0}, 4),
    ({"focal_oedema_p_ice_3_6": 1.0}, 3),
    ({"diffuse_oedema_p_ice_3_6": 1.0}, 4),
    ({"motor_weakness_p_ice_3_6": 1.0}, 4),
], ids=["ice5-only", "seizure", "prolonged-seizure", "focal-oedema", "diffuse-oedema", "motor"])
def test_findings_raise_the_astct_grade(values, grade):
    ice = np.array([[10, 5, 10]])
    items = ("writing", "attention", "orientation", "naming", "commands")
    ic = {"ice_score": ice, "loc_code": np.zeros_like(ice), **{item: np.zeros_like(ice) for item in items}}
    ic |= neuro_findings(ice, _params(**values), np.random.default_rng(0))
    frame = icans_frame({"icans": ic, "age_years": np.array([40.0])}, last_day=2)
    fields = [f.name for f in ICANS.fields if f.name in frame.columns]
    graded = lupustrial.evaluate_table("icans_astct", frame.select(fields))
    assert graded["value"].max() == grade


def test_population_without_findings_grades_them_as_none():
    assert finding_labels({"ice_score": np.full((2, 3), 10)}, "icp").tolist() == [["none"] * 3] * 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(4, 10), min_size=4, max_size=4), min_size=1, max_size=8),
       st.integers(0, 2**16))
def test_no_finding_without_ice_deficit_and_at_most_one_day(rows, seed):
    ice = np.array(rows)
    out = neuro_findings(ice, _params(**dict.fromkeys(KEYS, 1.0)), np.random.default_rng(seed))
    for key in ("seizure_code", "motor_code", "icp_code"):
        assert (out[key][ice.min(axis=1) == 10] == 0).all()
        assert ((out[key] > 0).sum(axis=1) <= 1).all()


# 3. Population: grade >= 3 ICANS occurs but is very rare. Expected ~0.2 % (parameters.yaml neuro.*:
#    0.052 x 0.02 + 0.0064 x 0.15); n = 20000 gives ~40 events, binomial SD ~6, so (10, 120) events
#    = (0.0005, 0.006) is > 4 SD either side.
@pytest.fixture(scope="module")
def grades():
    out = simulate_population("autologous_cd19_cart", 20000, days=30, dose=1e6, random_state=9)
    return max_grades(add_neuro_findings(out, 9))[1]


def test_grade3plus_icans_nonzero_but_very_rare(grades):
    rate = float(np.mean(grades >= 3))
    assert 0.0005 < rate < 0.006


def test_grade3plus_is_a_small_share_of_icans(grades):
    assert np.mean(grades >= 3) < 0.1 * np.mean(grades >= 1)


# 4. The trial simulator's course grades the same findings: with every probability 1 and a low ICANS
#    threshold (ICE deficits in most patients), a patient whose worst ICE is <= 6 has a prolonged seizure
#    (grade 4) and one with worst ICE 7-9 a seizure too (grade 4 with prolonged share 1).
def test_course_grades_the_findings():
    from lupustrial.protocol import load_protocol
    from lupustrial.simulate.course import simulate_course
    from lupustrial.simulate.patients import draw_patients

    proto = load_protocol("ptoc1")
    pts = draw_patients(proto, 6, random_state=2)
    scenario = {f"neuro.{k}": 1.0 for k in KEYS} | {"crs.icans_log_il6": 0.5}
    level = proto.arms[0].dose_levels[-1]
    course = simulate_course(proto, pts, level, 30, np.random.default_rng(2), scenario)
    ice_worst = course["sim"]["icans"]["ice_score"][:, :29].min(axis=1)
    worst_grade = course["icans_grade"].max(axis=1)
    assert (worst_grade[ice_worst <= 9] == 4).all() and (ice_worst <= 9).any()
    assert (course["sim"]["icans"]["dexamethasone"].any(axis=1)[ice_worst <= 9]).all()
