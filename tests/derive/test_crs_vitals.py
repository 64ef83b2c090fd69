"""Imported vital signs → ASTCT 2019 CRS inputs (``temp_c``, ``sbp_mmhg`` per day), then graded.

Hand case: day 1 temperatures 37.9 and 38.6 °C → temp_c 38.6 (the day's highest); SBP 95 and 84 mmHg →
sbp_mmhg 84 (the lowest). A row without DY dated 2025-02-06 for a subject infused 2025-02-03 → day 3.
End to end: the vital_signs template (101.3 °F = (101.3 − 32) × 5/9 = 38.5 °C, SBP 88 mmHg) imported
into a study; with no vasopressor and room air, fever + SBP 88 < 90 (hypotension_sbp_mmhg, OPT-S07) →
hypotension without vasopressors → grade 2 (Lee 2019 CRS table, rule CRS-HYP-2).
"""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.derive.crs_vitals import compute_crs_vitals
from lupustrial.ingest.templates import write_template
from lupustrial.instruments.astct.events import grade_crs_series

FINDINGS = pl.DataFrame({
    "USUBJID": ["P1"] * 5 + ["P2"],
    "DOMAIN": ["VS"] * 4 + ["LB", "VS"],
    "TESTCD": ["TEMP", "TEMP", "SYSBP", "SYSBP", "TEMP", "TEMP"],
    "STRESN": [37.9, 38.6, 95.0, 84.0, 99.0, 38.1],
    "DY": [1, 1, 1, 1, 1, None],
    "DTC": ["2025-02-04"] * 5 + ["2025-02-06T10:00"],
}, schema_overrides={"DY": pl.Int64})
SUBJECTS = pl.DataFrame({"USUBJID": ["P1", "P2"], "RFSTDTC": ["2025-02-03", "2025-02-03T09:00"]})


def test_worst_reading_of_the_day():
    assert compute_crs_vitals(FINDINGS).rows() == [("P1", 1, 38.6, 84.0)]  # P2 has no DY, no subjects


def test_day_from_the_infusion_date_when_dy_is_missing():
    out = compute_crs_vitals(FINDINGS, SUBJECTS)
    assert out.rows() == [("P1", 1, 38.6, 84.0), ("P2", 3, 38.1, None)]


def test_row_order_does_not_matter():
    assert compute_crs_vitals(FINDINGS.reverse(), SUBJECTS).equals(compute_crs_vitals(FINDINGS, SUBJECTS))


def test_imported_vital_signs_grade_crs(tmp_path):
    from lupustrial.store import init_study

    study = init_study(tmp_path / "s.db", "TEST-1", "ptoc1", sites=("01",), user="ana")
    for domain in ("subjects", "vital_signs"):
        write_template(domain, tmp_path / f"{domain}.csv")
        study.import_file(tmp_path / f"{domain}.csv", domain, reason="entry")
    days = compute_crs_vitals(study.frame("findings"), study.frame("subjects"))
    assert days.rows() == [("PTOC1-01-001", 1, pytest.approx(38.5), 88.0)]
    graded = grade_crs_series(days.with_columns(
        vasopressors_n=pl.lit(0), vasopressin=pl.lit(False), o2_device=pl.lit("room_air")))
    assert graded["value"].to_list() == [2]
    study.engine.dispose()
