"""Titres on import (ingest/standardise.py): ``1:320`` → STRESN 320; ``<1:80`` stays text (negative).

Source: HEp-2 IIF results are reciprocal end-point dilutions (EULAR/ACR 2019 entry criterion 1:80).
"""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.ingest.importer import prepare
from lupustrial.ingest.spec import template_spec


@pytest.fixture(scope="module")
def rows():
    frame = pl.DataFrame(
        {
            "USUBJID": ["S-01-001"] * 4,
            "TESTCD": ["ANA", "ANA", "ANA", "SMAB"],
            "ORRES": ["1:320", " 1 : 80 ", "<1:80", "35.5"],
            "ORRESU": [None, None, None, "U/mL"],
            "DTC": ["2025-01-01", "2025-02-01", "2025-03-01", "2025-01-01"],
        }
    )
    out, problems = prepare(frame, template_spec("labs"), "labs.csv")
    assert problems == []
    return out


@pytest.mark.parametrize(("i", "stresn"), [(0, 320.0), (1, 80.0), (2, None), (3, 35.5)],
                         ids=["1:320", "spaced-1:80", "negative", "anti-Sm"])
def test_titre_stresn(rows, i, stresn):
    assert rows["stresn"][i] == stresn


def test_negative_titre_keeps_text(rows):
    assert rows["stresc"][2] == "<1:80" and rows["orres"][0] == "1:320"


def test_anti_sm_unit_is_fixed(rows):
    assert rows["stresu"][3] == "U/mL" and rows["domain"][3] == "LB"


def _prepare(orres: list[str]):
    frame = pl.DataFrame(
        {
            "USUBJID": ["S-01-001"] * len(orres),
            "TESTCD": ["ANA"] * len(orres),
            "ORRES": orres,
            "ORRESU": [None] * len(orres),
            "DTC": [f"2025-01-{i + 1:02d}" for i in range(len(orres))],
        },
        schema_overrides={"ORRESU": pl.Utf8},
    )
    return prepare(frame, template_spec("labs"), "labs.csv")


def test_negative_word_is_not_a_number():
    # lupustrial.titres policy "null": "negative" keeps STRESN null and STRESC = ORRES, like "<1:80"
    out, problems = _prepare(["negative", "1 : 160"])
    assert problems == []
    assert out["stresn"].to_list() == [None, 160.0] and out["stresc"][0] == "negative"


@pytest.mark.parametrize("bad", ["1:0", "<1:0", "1:abc", "1:0.5"])
def test_titre_without_valid_dilution_is_a_problem(bad):
    # written as a titre but no reciprocal dilution >= 1: a problem on ORRES naming the row and the fix
    _, problems = _prepare(["1:80", bad])
    assert [(p.field, p.row, p.value) for p in problems] == [("ORRES", 1, bad)]
    assert "1:N" in problems[0].fix
