"""CTCAE lab grading: not-gradable rules, units, options, versions, bad input, monotonicity."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lupustrial
from lupustrial.errors import InputError, UnitError
from lupustrial.instruments.ctcae.criteria import criteria

# safety.md §1.5, rows 1-40, written out by hand
V5_TERMS = [
    "Anemia",
    "Leukocytosis",
    "Activated partial thromboplastin time prolonged",
    "Alanine aminotransferase increased",
    "Alkaline phosphatase increased",
    "Aspartate aminotransferase increased",
    "Blood bilirubin increased",
    "Blood lactate dehydrogenase increased",
    "CD4 lymphocytes decreased",
    "Cholesterol high",
    "CPK increased",
    "Creatinine increased",
    "Fibrinogen decreased",
    "GGT increased",
    "Haptoglobin decreased",
    "Hemoglobin increased",
    "INR increased",
    "Lipase increased",
    "Lymphocyte count decreased",
    "Lymphocyte count increased",
    "Neutrophil count decreased",
    "Platelet count decreased",
    "Serum amylase increased",
    "White blood cell decreased",
    "Acidosis",
    "Alkalosis",
    "Hypercalcemia",
    "Hypercalcemia (Ionized)",
    "Hyperkalemia",
    "Hypermagnesemia",
    "Hypernatremia",
    "Hypertriglyceridemia",
    "Hyperuricemia",
    "Hypoalbuminemia",
    "Hypocalcemia",
    "Hypocalcemia (Ionized)",
    "Hypoglycemia",
    "Hypokalemia",
    "Hypomagnesemia",
    "Hyponatremia",
]


def grade(inputs, **options):
    return lupustrial.evaluate("ctcae", inputs, **options)


def test_v5_table_covers_every_term_of_the_reference_note():
    assert sorted(criteria("5.0").terms) == sorted(V5_TERMS)


@pytest.mark.parametrize("version", ["5.0", "6.0"])
def test_every_rule_cites_its_source_and_verification(version):
    for term in criteria(version).terms.values():
        for rule in term.rules:
            assert rule.source and rule.verified.split(":")[0] in ("verified", "unverified"), rule


@pytest.mark.parametrize(
    ("inputs", "missing"),
    [
        ({"term": "ALT", "value": 50.0, "unit": "U/L", "baseline_abnormal": False}, "uln"),
        ({"term": "LDH", "value": 300.0}, "uln"),
        ({"term": "HGB", "value": 110.0, "unit": "g/L", "uln": 160.0}, "lln"),
        ({"term": "ALT", "value": 100.0, "unit": "U/L", "uln": 40.0, "baseline": 80.0}, "baseline_abnormal"),
        ({"term": "PLAT", "value": 100.0, "lln": 150.0}, "unit"),
    ],
    ids=["alt-no-uln", "ldh-no-uln", "hgb-no-lln", "alt-no-baseline-status", "plat-no-unit"],
)
def test_not_gradable_names_the_missing_input(inputs, missing):
    result = grade(inputs)
    assert result.value is None
    assert missing in result.reason and missing in result.missing


def test_baseline_status_not_needed_when_both_readings_agree():
    # ULN 40, baseline 80: normal reading 35 <= ULN -> 0; abnormal reading 35 < 1.5 x 80 -> 0
    result = grade({"term": "ALT", "value": 35.0, "unit": "U/L", "uln": 40.0, "baseline": 80.0})
    assert result.value == 0


@pytest.mark.parametrize(("inputs", "expected"), [
    ({"term": "LDH", "value": 300.0, "uln": 250.0}, 1),
    ({"term": "INR", "value": 1.6, "on_anticoagulation": False}, 2),
    ({"term": "PH", "value": 7.25, "lln": 7.35, "uln": 7.45}, 3),
], ids=["ldh-ratio-of-uln", "inr-dimensionless", "ph-dimensionless"])
def test_terms_without_units_need_no_unit(inputs, expected):
    assert grade(inputs).value == expected


def test_offset_above_uln_needs_a_unit():
    # Hemoglobin increased: 'Increase in >2 - 4 g/dL' (read above ULN) cannot be read without knowing the unit
    result = grade({"term": "Hemoglobin increased", "value": 185.0, "uln": 160.0})
    assert result.value is None and "unit" in result.missing


@pytest.mark.parametrize(
    ("si", "conventional"),
    [
        (
            {"term": "HGB", "value": 95.0, "unit": "g/L", "lln": 120.0, "uln": 160.0},
            {"term": "HGB", "value": 9.5, "unit": "g/dL", "lln": 12.0, "uln": 16.0},
        ),
        (
            {"term": "NEUT", "value": 0.45, "unit": "10^9/L", "lln": 1.8},
            {"term": "NEUT", "value": 450.0, "unit": "/mm3", "lln": 1800.0},
        ),
        (
            {"term": "CA", "value": 1.7, "unit": "mmol/L", "lln": 2.15, "uln": 2.55},
            {
                "term": "CA",
                "value": 1.7 / 0.2495,
                "unit": "mg/dL",
                "lln": 2.15 / 0.2495,
                "uln": 2.55 / 0.2495,
            },
        ),
        (
            {"term": "BILI", "value": 70.0, "unit": "umol/L", "uln": 20.0, "baseline_abnormal": False},
            {
                "term": "BILI",
                "value": 70.0 / 17.1,
                "unit": "mg/dL",
                "uln": 20.0 / 17.1,
                "baseline_abnormal": False,
            },
        ),
    ],
    ids=["hgb", "neut", "calcium", "bilirubin"],
)
def test_si_and_conventional_units_grade_alike(si, conventional):
    assert grade(si).value == grade(conventional).value is not None


def test_unit_that_does_not_convert_is_a_unit_error_naming_unit():
    with pytest.raises(UnitError) as info:
        grade({"term": "HGB", "value": 9.5, "unit": "mmol/h", "lln": 12.0})
    assert "unit" in info.value.fields
    assert "Anemia" in str(info.value) or "HGB" in str(info.value)


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"term": "Hepatitis-ish", "value": 1.0}, "term"),
        ({"term": "PLAT", "value": -1.0, "unit": "10^9/L"}, "value"),
        ({"term": "PLAT", "value": 10.0, "unit": "10^9/L", "lln": -150.0}, "lln"),
        ({"term": "ALT", "value": 10.0, "uln": 40.0, "baseline": -2.0}, "baseline"),
    ],
    ids=["unknown-term", "negative-value", "negative-lln", "negative-baseline"],
)
def test_bad_input_is_a_typed_error_naming_the_field(inputs, field):
    with pytest.raises(InputError) as info:
        grade(inputs)
    assert field in info.value.fields


def test_bad_rows_of_a_table_are_all_reported():
    frame = pl.DataFrame(
        {"term": ["PLAT", "nonsense", "K"], "value": [-1.0, 2.0, 3.0], "unit": ["10^9/L"] * 3}
    )
    with pytest.raises(InputError) as info:
        lupustrial.evaluate_table("ctcae", frame)
    assert info.value.rows == (0, 1)


def test_glucose_high_side_has_no_v5_criteria():
    result = grade({"term": "GLUC", "value": 2.5, "unit": "mmol/L", "lln": 3.9, "uln": 6.1})
    assert (result.value, result.details["term_high"], result.details["grade_high"]) == (2, None, None)


def test_glucose_high_side_is_graded_in_v6():
    result = grade({"term": "GLUC", "value": 15.0, "unit": "mmol/L", "lln": 3.9, "uln": 6.1}, version="6.0")
    assert (result.value, result.details["term_high"], result.details["grade_high"]) == (
        3,
        "Hyperglycemia",
        3,
    )


def test_version_is_recorded():
    result = grade({"term": "NEUT", "value": 1.2, "unit": "10^9/L", "lln": 1.8}, version="6.0")
    assert result.options["version"] == "6.0" and result.details["ctcae_version"] == "6.0"


def test_baseline_abnormal_from_range_option():
    inputs = {"term": "ALT", "value": 130.0, "unit": "U/L", "uln": 40.0, "baseline": 80.0}
    # baseline 80 > ULN 40 -> abnormal: 130 >= 1.5 x 80 = 120 -> grade 1 (normal reading would give 2)
    assert grade(inputs, baseline_abnormal_rule="baseline_vs_range").value == 1


@pytest.mark.parametrize(("option", "expected"), [("against_range", 2), ("against_baseline", 0)])
def test_baseline_record_grading(option, expected):
    # baseline record ALT 130 with ULN 40 and its own abnormal baseline 130: OPT-S06
    inputs = {
        "term": "ALT",
        "value": 130.0,
        "unit": "U/L",
        "uln": 40.0,
        "baseline": 130.0,
        "baseline_abnormal": True,
        "baseline_record": True,
    }
    assert grade(inputs, baseline_record_grading=option).value == expected


@pytest.mark.parametrize(("option", "expected"), [("assume_on", 1), ("assume_off", 2)])
def test_inr_anticoagulation_unknown(option, expected):
    # INR 1.8, baseline 1.5: anticoagulated 1.8 > 1.0 x 1.5 -> 1; absolute 1.8 > 1.5 -> 2
    inputs = {"term": "INR", "value": 1.8, "unit": "ratio", "baseline": 1.5}
    assert grade(inputs, anticoagulation_unknown=option).value == expected


def _directions():
    for version in ("5.0", "6.0"):
        for name, tr in sorted(criteria(version).terms.items()):
            yield pytest.param(version, name, tr.direction, tr.unit or None, id=f"v{version}-{name}")


PAIRS = st.lists(st.tuples(st.floats(0.0, 500.0), st.floats(0.0, 500.0)), min_size=1, max_size=12)


@pytest.mark.parametrize(("version", "term", "direction", "unit"), list(_directions()))
@settings(max_examples=5, derandomize=True, deadline=None)
@given(
    pairs=PAIRS,
    lln=st.floats(0.1, 200.0),
    width=st.floats(0.1, 200.0),
    base=st.floats(0.1, 500.0),
    abnormal=st.booleans(),
)
def test_worse_value_never_lower_grade(version, term, direction, unit, pairs, lln, width, base, abnormal):
    ordered = [sorted(p) for p in pairs]
    worse = [lo if direction == "low" else hi for lo, hi in ordered]
    better = [hi if direction == "low" else lo for lo, hi in ordered]
    n = len(pairs)
    frame = pl.DataFrame(
        {
            "term": [term] * 2 * n,
            "value": worse + better,
            "unit": [unit] * 2 * n,
            "lln": [lln] * 2 * n,
            "uln": [lln + width] * 2 * n,
            "baseline": [base] * 2 * n,
            "baseline_abnormal": [abnormal] * 2 * n,
        }
    )
    got = lupustrial.evaluate_table("ctcae", frame, version=version)["value"].to_list()
    for i in range(n):
        if got[i] is not None and got[n + i] is not None:
            assert got[i] >= got[n + i], (worse[i], better[i], got[i], got[n + i])
