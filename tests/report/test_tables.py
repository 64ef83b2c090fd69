"""Report tables: counts checked by hand against the fixture study (tests/report/conftest.py)."""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.report.outcomes import table_by_visit, table_outcomes
from lupustrial.report.tables import fmt, table_ae, table_crs_icans, table_disposition


def test_ae_any_and_grade3_per_group(derived):
    table = table_ae(derived.frames["ADAE"], derived.frames["ADSL"])
    rows = {r[1]: r[2:] for r in table.rows}
    # CRS: DL1 grade 1, DL2 grade 2, DL3 grade 3 -> any/>=3 = 1/0, 1/0, 1/1
    assert rows["Cytokine release syndrome"] == ("1 / 0", "1 / 0", "1 / 1")
    assert rows["Neutropenia"] == ("1 / 1", "0 / 0", "0 / 0")


def test_ae_without_soc_column_is_uncoded(derived):
    table = table_ae(derived.frames["ADAE"].drop("AEBODSYS"), derived.frames["ADSL"])
    assert {r[0] for r in table.rows} == {"Uncoded"}
    assert any("no AEBODSYS" in f for f in table.footnotes)


def test_uncoded_terms_listed_last_with_footnote(derived):
    """Issue 9: a term without a SOC is counted under "Uncoded" (not dropped), after every SOC, and the
    footnote names it. Fixture: the ICANS record of PTOC1-01-007 (DL3, grade 1) loses its SOC."""
    adae = derived.frames["ADAE"].with_columns(
        AEBODSYS=pl.when(pl.col("ICANSFL") == "Y").then(None).otherwise(pl.col("AEBODSYS")),
        AEBODSYS_REASON=pl.when(pl.col("ICANSFL") == "Y").then(pl.lit("not coded: test")).otherwise(None),
    )
    table = table_ae(adae, derived.frames["ADSL"])
    assert table.rows[-1][:2] == ("Uncoded", "Immune effector cell-associated neurotoxicity syndrome")
    # 1 patient (DL3) with grade 1: any / >=3 = 1 / 0 in DL3, 0 / 0 elsewhere
    assert table.rows[-1][2:] == ("0 / 0", "0 / 0", "1 / 0")
    note = next(f for f in table.footnotes if f.startswith("Uncoded"))
    assert "1 term(s)" in note and "Immune effector cell-associated neurotoxicity syndrome" in note
    assert "AEBODSYS_REASON" in note


def test_fully_coded_table_has_no_uncoded_note(derived):
    table = table_ae(derived.frames["ADAE"], derived.frames["ADSL"])
    assert "Uncoded" not in {r[0] for r in table.rows}
    assert not any(f.startswith("Uncoded") for f in table.footnotes)


def test_crs_duration_is_end_minus_onset_plus_one(derived):
    rows = table_crs_icans(derived.frames["ADAE"]).rows
    # PTOC1-01-007 CRS: onset day 1, end day 8 -> 8 days; ICANS: day 5..7 -> 3 days
    assert ("PTOC1-01-007", "DL3 1x10^6/kg", "CRS", "3", "1", "8", "tocilizumab, dexamethasone") in rows
    assert ("PTOC1-01-007", "DL3 1x10^6/kg", "ICANS", "1", "5", "3", "none") in rows


def test_disposition_counts(derived):
    flow = table_disposition(derived.frames["ADSL"])[0]
    assert [r[:2] for r in flow.rows] == [
        ("Screened", "11"),
        ("Screen failures", "2"),
        ("Enrolled", "9"),
        ("Infused (safety population)", "9"),
        ("DLT-evaluable", "8"),
    ]


def test_outcome_without_value_shows_reason(derived):
    tables = {t.title.split(":")[0]: t for t in table_outcomes(derived.outcomes)}
    row = tables["bcell_subset_corr"].rows[0]
    assert row[3] == "no value" and row[-1].startswith("no B-cell subset")


def test_responders_by_visit_exact_ci(derived):
    doris = next(t for t in table_by_visit(derived.frames["ADRS"], 9) if t.title.startswith("DORIS"))
    # day 90, DL1: patients i = 0, 1, 2 -> responder when i % 3 != 0 -> 2/3; Clopper-Pearson [0.094, 0.992]
    row = next(r for r in doris.rows if r[0] == "DL1 1.5x10^5/kg" and r[1] == "Day 90")
    assert row[2] == "2/3 (66.7%)" and row[3] == "0.094 to 0.992"


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (0.5, "0.5"), (3, "3"), (12345.0, "1.23e+04")],
    ids=["none", "float", "int", "large"],
)
def test_fmt(value, text):
    assert fmt(value) == text
