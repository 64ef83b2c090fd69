"""Import on both engines: templates, units, every error at once, nothing written, idempotence.

Unit arithmetic (units.csv): creatinine 1 mg/dL = 88.4 µmol/L, so 0.9 mg/dL → 79.56 µmol/L and the
range 0.5–1.1 mg/dL → 44.2–97.24 µmol/L; cells 1 ×10⁹/L = 1000 cells/µL, so 0.032 ×10⁹/L → 32 cells/µL;
weight 1 lb = 0.45359237 kg, so 150 lb → 68.0388555 kg. Vital signs: °C = (°F − 32) × 5/9, so 98.6 °F →
37.0 °C and 101.3 °F → 38.5 °C; 1 in = 2.54 cm, so 65 in → 165.1 cm; SpO₂ as a fraction × 100, so 0.95 →
95 %; SYSBP stays in mmHg (fixed unit).
"""

from __future__ import annotations

import pytest

from lupustrial.errors import InputError
from lupustrial.ingest import TEMPLATES
from lupustrial.ingest.templates import write_template

SUBJECTS = "USUBJID,SITEID,SEX,WEIGHT,WEIGHTU\nS-001,01,F,150,lb\nS-002,02,F,60,kg\n"


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def with_subjects(study, tmp_path):
    study.import_file(_write(tmp_path, "subjects.csv", SUBJECTS), "subjects", reason="entry")
    return study


def _counts(study) -> tuple[int, int]:
    return study.frame("findings").height, study.verify_audit().rows


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("domain", TEMPLATES)
def test_every_template_imports_and_reimports_unchanged(study, tmp_path, domain, fmt):
    for needed in ("subjects", domain):
        path = tmp_path / f"{needed}.{fmt}"
        write_template(needed, path)
        first = study.import_file(path, needed, reason="entry")
    assert first.inserted == first.rows >= 2 or domain == "subjects"
    before = study.verify_audit().rows
    again = study.import_file(path, domain, reason="again")
    assert (again.inserted, again.unchanged) == (0, again.rows)
    assert study.verify_audit().rows == before


def test_units_are_converted_to_canonical(with_subjects, tmp_path):
    text = (
        "USUBJID,TESTCD,ORRES,ORRESU,LLN,ULN,DTC\nS-001,CREAT,0.9,mg/dL,0.5,1.1,2025-01-14\n"
        "S-001,PLAT,152,10^9/L,,,2025-01-14\n"
    )
    with_subjects.import_file(_write(tmp_path, "labs.csv", text), "labs", reason="entry")
    flow = "USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,CARCELLS,0.032,10^9/L,2025-02-10\n"
    with_subjects.import_file(_write(tmp_path, "flow.csv", flow), "flow_cytometry", reason="entry")
    f = with_subjects.frame("findings").sort("ID")
    assert f["STRESU"].to_list() == ["µmol/L", "×10⁹/L", "cells/µL"]
    assert f["STRESN"].to_list() == pytest.approx([79.56, 152.0, 32.0])
    assert (f["LLN"][0], f["ULN"][0]) == pytest.approx((44.2, 97.24))
    assert f["ORRES"].to_list() == ["0.9", "152", "0.032"] and f["ORRESU"][0] == "mg/dL"
    assert f["DOMAIN"].to_list() == ["LB", "LB", "CP"]
    assert f["TEST"][0] == "Creatinine" and f["SPEC"][0] == "SERUM"


VITALS = (
    "USUBJID,TESTCD,ORRES,ORRESU,DTC,DY\n"
    "S-001,TEMP,98.6,F,2025-02-04T08:00,1\n"
    "S-001,TEMP,101.3,°F,2025-02-04T20:00,1\n"
    "S-001,HEIGHT,65,in,2025-01-14,-20\n"
    "S-001,OXYSAT,0.95,fraction,2025-01-14,-20\n"
    "S-001,SYSBP,120,mmHg,2025-01-14,-20\n"
    "S-001,WEIGHT,150,lb,2025-01-14,-20\n"
)


def test_vital_signs_are_stored_in_standard_units(with_subjects, tmp_path):
    with_subjects.import_file(_write(tmp_path, "vs.csv", VITALS), "vital_signs", reason="entry")
    f = with_subjects.frame("findings").sort("ID")
    assert f["STRESN"].to_list() == pytest.approx([37.0, 38.5, 165.1, 95.0, 120.0, 68.0388555])
    assert f["STRESU"].to_list() == ["°C", "°C", "cm", "%", "mmHg", "kg"]
    assert set(f["DOMAIN"]) == {"VS"} and f["TEST"][4] == "Systolic Blood Pressure"


def test_screening_reads_imported_vital_signs(with_subjects, tmp_path):
    """VS WEIGHT and OXYSAT before the infusion are the screening variables weight_kg and spo2."""
    from lupustrial.protocol.screening import build_screening_frame, screening_findings

    with_subjects.import_file(_write(tmp_path, "vs.csv", VITALS), "vital_signs", reason="entry")
    findings = screening_findings(with_subjects.frame("findings"))
    row = build_screening_frame(findings, with_subjects.frame("subjects")).row(0, named=True)
    assert (row["weight_kg"], row["spo2"]) == pytest.approx((68.0388555, 95.0))


def test_sdtm_prefixed_names_import_like_the_roots(with_subjects, tmp_path):
    text = "USUBJID,DSTERM,DSDECOD,DSCAT,DSSTDTC\nS-001,Died of sepsis,DEATH,DISPOSITION EVENT,2025-05-01\n"
    with_subjects.import_file(_write(tmp_path, "ds.csv", text), "disposition", reason="entry")
    row = with_subjects.frame("events").row(0, named=True)
    got = (row["DOMAIN"], row["TERM"], row["DECOD"], row["STDTC"])
    assert got == ("DS", "Died of sepsis", "DEATH", "2025-05-01")


def test_root_and_prefixed_name_together_is_an_error(with_subjects, tmp_path):
    text = "USUBJID,TESTCD,VSTESTCD,ORRES,ORRESU,DTC\nS-001,TEMP,TEMP,37,C,2025-02-04\n"
    with pytest.raises(InputError) as info:
        with_subjects.import_file(_write(tmp_path, "vs.csv", text), "vital_signs", reason="entry")
    assert info.value.fields == ("VSTESTCD",)


def test_weight_in_pounds_is_stored_in_kg(with_subjects):
    assert with_subjects.frame("subjects")["WEIGHT_KG"].to_list() == pytest.approx([68.0388555, 60.0])


def test_non_numeric_result_keeps_text(with_subjects, tmp_path):
    text = "USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,CARTRANS,<50,copies/µg gDNA,2025-02-10\n"
    with_subjects.import_file(_write(tmp_path, "pk.csv", text), "pk", reason="entry")
    row = with_subjects.frame("findings").row(0, named=True)
    assert (row["STRESN"], row["STRESC"], row["DOMAIN"]) == (None, "<50", "PC")


BAD_LABS = (
    "USUBJID,TESTCD,ORRES,ORRESU,DTC,DY\n"
    "S-001,CREAT,0.9,furlongs,2025-01-14,1\n"  # row 0: unknown unit
    "S-001,NOPE,1,mg/dL,2025-01-14,1\n"  # row 1: undeclared test
    "S-001,PLAT,150,10^9/L,2025-13-01,x\n"  # row 2: bad month, bad DY
    "S-009,PLAT,150,10^9/L,2025-01-14,1\n"
)  # row 3: unknown subject (found at write time)
# SDTM-prefixed column names (VSTESTCD, DSDECOD, ...) are read as the template's roots (validate.py).
BAD_FILES = {
    "labs": (BAD_LABS, {(0, "ORRESU"), (1, "TESTCD"), (2, "DTC"), (2, "DY")}),
    "vital_signs": (
        "USUBJID,VSTESTCD,VSORRES,VSORRESU,VSDTC,VSDY\n"
        "S-001,TEMP,38.2,furlongs,2025-02-04,1\n"  # row 0: not a temperature unit
        "S-001,SYSBP,12,kPa,2025-02-04,1\n"  # row 1: SYSBP is recorded in mmHg
        "S-001,BP,120,mmHg,2025-02-04,1\n"  # row 2: undeclared test
        "S-001,PULSE,80,beats/min,2025-02-31,x\n",  # row 3: no 31 February, DY not a number
        {(0, "ORRESU"), (1, "ORRESU"), (2, "TESTCD"), (3, "DTC"), (3, "DY")},
    ),
    "disposition": (
        "USUBJID,DSTERM,DSDECOD,DSCAT,DSSTDTC\n"
        "S-001,Died,DECEASED,DISPOSITION EVENT,2025-05-01\n"  # row 0: not an NCOMPLT/PROTMLST term
        "S-001,Consent,INFORMED CONSENT OBTAINED,MILESTONE,2025-01-06\n"  # row 1: not a DSCAT term
        "S-002,,COMPLETED,DISPOSITION EVENT,\n",  # row 2: DSTERM and DSSTDTC required
        {(0, "DECOD"), (1, "CAT"), (2, "TERM"), (2, "STDTC")},
    ),
    "medical_history": (
        "USUBJID,MHTERM,MHCAT,MHSTDTC,MHONGO\n"  # MHONGO: no store column (docs/import.md)
        "S-001,,SLE DIAGNOSIS,2016-05,N\n"  # row 0: MHTERM required
        "S-001,Hypertension,COMORBIDITY,2021-13,Y\n",  # row 1: month 13
        {(None, "MHONGO"), (0, "TERM"), (1, "STDTC")},
    ),
    "procedures": (
        "USUBJID,PRTRT,PRCAT,PRSTDTC\n"
        "S-001,,BIOPSY,2025-01-14\n"  # row 0: PRTRT required
        "S-001,LEUKAPHERESIS,CELL COLLECTION,20250120\n",  # row 1: not ISO 8601 extended
        {(0, "TRT"), (1, "STDTC")},
    ),
    "biopsy_findings": (
        "USUBJID,MITESTCD,MIORRES,MIDTC\n"
        "S-001,ISNCLASS,IV,2025-01-14\n"  # row 0: undeclared test (LNCLASS is declared)
        "S-001,LNCLASS,,2025-01-14\n",  # row 1: result required
        {(0, "TESTCD"), (1, "ORRES")},
    ),
    "eligibility": (
        "USUBJID,IETESTCD,IETEST,IECAT,IEORRES,IEDTC\n"
        "S-002,INCL04,SLEDAI-2K >= 8,INCL,N,2025-01-14\n"  # row 0: IECAT is INCLUSION or EXCLUSION
        "S-002,EXCL02,,EXCLUSION,MAYBE,2025-01-14\n",  # row 1: IETEST required; IEORRES Y or N
        {(0, "CAT"), (1, "TEST"), (1, "ORRES")},
    ),
}


def _stored(study) -> tuple[int, ...]:
    heights = (study.frame(t).height for t in ("interventions", "events", "findings"))
    return (*heights, study.verify_audit().rows)


@pytest.mark.parametrize("domain", list(BAD_FILES))
def test_every_file_error_is_reported_at_once_and_nothing_written(with_subjects, tmp_path, domain):
    text, expected = BAD_FILES[domain]
    before = _stored(with_subjects)
    with pytest.raises(InputError) as info:
        with_subjects.import_file(_write(tmp_path, "bad.csv", text), domain, reason="entry")
    assert {(p.row, p.field) for p in info.value.problems} == expected
    assert all(p.source.endswith("bad.csv") and p.fix for p in info.value.problems)
    assert _stored(with_subjects) == before


def test_unknown_unit_message_lists_the_known_units(with_subjects, tmp_path):
    with pytest.raises(InputError) as info:
        with_subjects.import_file(_write(tmp_path, "bad.csv", BAD_LABS), "labs", reason="entry")
    assert "furlongs" in str(info.value) and "µmol/L" in str(info.value)


def test_unknown_subject_rejects_the_whole_file(with_subjects, tmp_path):
    text = (
        "USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,PLAT,150,10^9/L,2025-01-14\n"
        "S-009,PLAT,150,10^9/L,2025-01-14\n"
    )
    before = _counts(with_subjects)
    with pytest.raises(InputError) as info:
        with_subjects.import_file(_write(tmp_path, "labs.csv", text), "labs", reason="entry")
    assert [(p.row, p.field, p.value) for p in info.value.problems] == [(1, "USUBJID", "S-009")]
    assert _counts(with_subjects) == before


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("USUBJID,TESTCD,ORRES,DTC,COLOUR\nS-001,PLAT,1,2025-01-14,red\n", "COLOUR"),
        ("USUBJID,ORRES,DTC\nS-001,1,2025-01-14\n", "TESTCD"),
        ("USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,IFNG,12,ng/mL,2025-01-14\n", "ORRESU"),
        ("USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,PLAT,150,,2025-01-14\n", "ORRESU"),
        ("USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,PLAT,1\u0007,10^9/L,2025-01-14\n", "ORRES"),
        ("USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,PLAT,150,10^9/L,\n", "DTC"),
        (
            "USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,PLAT,150,10^9/L,2025-01-14\nS-001,PLAT,151,10^9/L,2025-01-14\n",
            "SPEC",
        ),
    ],
    ids=[
        "unknown-column",
        "missing-required-column",
        "fixed-unit-mismatch",
        "missing-unit",
        "control-char",
        "missing-required-value",
        "duplicate-key",
    ],
)
def test_typed_error_names_the_field(with_subjects, tmp_path, text, field):
    domain = "cytokines" if "IFNG" in text else "labs"
    with pytest.raises(InputError) as info:
        with_subjects.import_file(_write(tmp_path, "x.csv", text), domain, reason="entry")
    assert field in info.value.fields
    assert with_subjects.frame("findings").height == 0


def test_changed_value_on_reimport_is_refused(with_subjects, tmp_path):
    text = "USUBJID,TESTCD,ORRES,ORRESU,DTC\nS-001,PLAT,150,10^9/L,2025-01-14\n"
    with_subjects.import_file(_write(tmp_path, "a.csv", text), "labs", reason="entry")
    before = _counts(with_subjects)
    with pytest.raises(InputError, match=r"Study\.update") as info:
        with_subjects.import_file(
            _write(tmp_path, "b.csv", text.replace("150", "160")), "labs", reason="entry"
        )
    assert "ORRES" in info.value.fields
    assert _counts(with_subjects) == before


def test_subject_at_unknown_site_is_refused(study, tmp_path):
    with pytest.raises(InputError) as info:
        study.import_file(_write(tmp_path, "s.csv", "USUBJID,SITEID\nS-1,07\n"), "subjects", reason="entry")
    assert info.value.fields == ("SITEID",)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.txt", "a"),
        ("x.csv", ""),
        ("x.json", "{"),
        ("x.json", "[1]"),
        ("x.json", '[{"USUBJID": {"a": 1}}]'),
    ],
    ids=["suffix", "empty-csv", "bad-json", "not-objects", "nested"],
)
def test_unreadable_files_are_input_errors(study, tmp_path, name, text):
    with pytest.raises(InputError) as info:
        study.import_file(_write(tmp_path, name, text), "labs", reason="entry")
    assert info.value.fields == ("FILE",)


def test_import_entries_carry_the_file_and_reason(with_subjects):
    reason = with_subjects.history("subjects", 1)["reason"][0]
    assert reason.startswith("import subjects subjects.csv sha256:") and reason.endswith(": entry")
