"""Screening log → SDTM IE rows (template ``eligibility``): only the criteria not met, then imported.

ptoc1 lists its criteria as inc_sle, inc_age, inc_refractory, inc_sledai, inc_autoantibody,
inc_organ_function, inc_consent (INCL01–INCL07), exc_viral_infection, exc_pregnancy (EXCL01–EXCL02);
SDTMIG v3.4 IE: an inclusion criterion not met is IEORRES N, an exclusion criterion met is Y.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.ingest.ie import criteria_codes, ie_records
from lupustrial.ingest.spec import template_spec
from lupustrial.protocol import load_protocol
from lupustrial.protocol.eligibility import screening_log
from lupustrial.protocol.screening import empty_screening_frame

PTOC1 = load_protocol("ptoc1")
IDS = criteria_codes(PTOC1)["id"].to_list()


def _log(failed: dict[str, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"USUBJID": list(failed), "failed": list(failed.values())},
        schema={"USUBJID": pl.Utf8, "failed": pl.List(pl.Utf8)},
    )


def test_failed_criteria_become_ie_rows():
    out = ie_records(PTOC1, _log({"S-001": [], "S-002": ["inc_age", "exc_pregnancy"]}), "2025-01-14")
    assert out.columns == list(template_spec("eligibility").names)
    assert out.select("USUBJID", "TESTCD", "CAT", "ORRES", "VISIT", "DTC").rows() == [
        ("S-002", "INCL02", "INCLUSION", "N", "SCREENING", "2025-01-14"),
        ("S-002", "EXCL02", "EXCLUSION", "Y", "SCREENING", "2025-01-14"),
    ]
    assert out["TEST"][1].startswith("(not in the record) pregnant")


def test_dates_per_subject_and_missing_date_left_null():
    dates = pl.DataFrame({"USUBJID": ["S-1"], "DTC": ["2025-01-10"]})
    out = ie_records(PTOC1, _log({"S-1": ["inc_sle"], "S-2": ["inc_sle"]}), dates)
    assert out["DTC"].to_list() == ["2025-01-10", None]  # the import then names row 1, column DTC


def test_long_criterion_text_is_cut_to_the_store_column():
    proto = load_protocol("cd19_bcma")
    longest = max(proto.eligibility, key=lambda c: len(c.text))
    assert len(longest.text) > 100
    test = ie_records(proto, _log({"S-1": [longest.id]}), "2025-01-14")["TEST"][0]
    assert len(test) == 100 and test.endswith("…")


def test_screening_log_to_store_end_to_end(study, tmp_path):
    """Age 3 fails inc_age (≥ 5 years) whatever else is missing; missing criteria are not written."""
    frame = empty_screening_frame(1).with_columns(pl.lit(3.0).alias("age_years"))
    log = screening_log(PTOC1, frame)
    assert "inc_age" in log["failed"][0].to_list()
    subjects = tmp_path / "subjects.csv"
    subjects.write_text("USUBJID,SITEID\nS001,01\n", encoding="utf-8")
    study.import_file(subjects, "subjects", reason="entry")
    path = tmp_path / "ie.csv"
    ie_records(PTOC1, log, "2025-01-14").write_csv(path, null_value="")
    first = study.import_file(path, "eligibility", reason="screening")
    ie = study.frame("findings").filter(pl.col("DOMAIN") == "IE")
    assert first.inserted == ie.height == log["failed"][0].len()
    assert ie.filter(pl.col("TESTCD") == "INCL02")["STRESC"].to_list() == ["N"]
    again = study.import_file(path, "eligibility", reason="again")
    assert (again.inserted, again.unchanged) == (0, first.rows)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.lists(st.lists(st.sampled_from(IDS), unique=True, max_size=5), min_size=1, max_size=4))
def test_one_row_per_failed_criterion_whatever_the_order(failures):
    log = _log({f"S-{i}": f for i, f in enumerate(failures)})
    out = ie_records(PTOC1, log, "2025-01-14")
    assert out.height == sum(len(f) for f in failures)
    assert out.select("USUBJID", "TESTCD").is_unique().all()
    assert ((out["CAT"] == "INCLUSION") == (out["ORRES"] == "N")).all()
    backwards = ie_records(PTOC1, log.reverse(), "2025-01-14")
    assert sorted(backwards.rows()) == sorted(out.rows())


@pytest.mark.parametrize("name", ["ptoc1", "cd19_bcma", "cd19_car_nk", "cht101", "ic19"])
def test_codes_fit_ietestcd(name):
    codes = criteria_codes(load_protocol(name))
    assert codes["TESTCD"].str.len_chars().max() <= 8 and codes["TESTCD"].is_unique().all()
