"""AE records: validation against the term table, summaries, maximum grade per subject."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from lupustrial.errors import DataIntegrityError, InputError
from lupustrial.instruments.adverse_events.records import validate_ae_records
from lupustrial.instruments.adverse_events.summary import max_grade_per_subject, summarise_ae
from lupustrial.instruments.adverse_events.terms import load_terms


def _aes(**overrides):
    base = {
        "subject_id": ["01", "01", "02", "03"],
        "term": [
            "Cytokine release syndrome",
            "Cytokine release syndrome",
            "Cytokine release syndrome",
            "Febrile neutropenia",
        ],
        "grade": [1, 3, 2, 3],
        "serious": ["N", "yes", "Y", "no"],
        "relatedness": ["probable", "definite", "possible", "unlikely"],
        "onset_date": ["2026-01-02", "2026-01-05", "2026-01-03", "2026-01-10"],
        "resolution_date": ["2026-01-04", None, "2026-01-03", "2026-01-20"],
    }
    base.update(overrides)
    return pl.DataFrame(base)


def test_validated_frame_has_soc_and_derived_columns():
    out = validate_ae_records(_aes())
    assert out["soc"].to_list()[:3] == ["Immune system disorders"] * 3
    assert out["serious"].to_list() == [False, True, True, False]
    assert out["related"].to_list() == [True, True, True, False]
    assert out["duration_days"].to_list() == [3, None, 1, 11]
    assert out["ongoing"].to_list() == [False, True, False, False]
    assert out.schema["onset_date"] == pl.Date


@pytest.mark.parametrize(
    ("overrides", "field", "row"),
    [
        ({"grade": [1, 3, 2, 2]}, "grade", 3),  # Febrile neutropenia has no grade 2
        ({"grade": [0, 3, 2, 3]}, "grade", 0),
        (
            {
                "term": [
                    "Feeling odd",  # neither a term nor a synonym ("CRS" is a synonym row)
                    "Cytokine release syndrome",
                    "Cytokine release syndrome",
                    "Febrile neutropenia",
                ]
            },
            "term",
            0,
        ),
        ({"relatedness": ["maybe", "definite", "possible", "unlikely"]}, "relatedness", 0),
        ({"serious": ["Y", "Y", "perhaps", "N"]}, "serious", 2),
        ({"onset_date": ["2026-01-02", "soon", "2026-01-03", "2026-01-10"]}, "onset_date", 1),
        ({"resolution_date": ["2026-01-01", None, "2026-01-03", "2026-01-20"]}, "resolution_date", 0),
    ],
    ids=[
        "grade-not-defined-for-term",
        "grade-0",
        "unknown-term",
        "relatedness",
        "serious",
        "onset",
        "resolution",
    ],
)
def test_bad_records_name_field_and_row(overrides, field, row):
    with pytest.raises(InputError) as info:
        validate_ae_records(_aes(**overrides))
    assert field in info.value.fields and row in info.value.rows


def test_synonyms_and_case_variants_are_coded():
    # ae_term_synonyms.csv: Neutropenia -> Neutrophil count decreased (Investigations, grades 1-4); CRS ->
    # Cytokine release syndrome; "  febrile NEUTROPENIA" reads as the term under the default normalised match
    terms = ["Neutropenia", "CRS", "Cytokine release syndrome", "  febrile NEUTROPENIA"]
    out = validate_ae_records(_aes(term=terms))
    assert out["term"].to_list() == [
        "Neutrophil count decreased",
        "Cytokine release syndrome",
        "Cytokine release syndrome",
        "Febrile neutropenia",
    ]
    assert out["term_verbatim"].to_list() == terms
    assert out["soc"].to_list()[0] == "Investigations"


def test_exact_match_refuses_case_variant():
    with pytest.raises(InputError) as info:
        validate_ae_records(_aes(term=["crs", "CRS", "Cytokine release syndrome", "Febrile neutropenia"]),
                            term_match="exact")
    assert info.value.fields == ("term",) and info.value.rows == (0,)


def test_missing_column_is_named():
    with pytest.raises(InputError) as info:
        validate_ae_records(_aes().drop("grade"))
    assert info.value.fields == ("grade",)


def test_summary_counts_subjects_at_max_grade_and_all_events():
    out = summarise_ae(validate_ae_records(_aes()))
    crs = out.filter(pl.col("term") == "Cytokine release syndrome").row(0, named=True)
    # subject 01: grades 1 and 3 -> counted once at 3; subject 02 at 2
    assert (crs["subjects_any"], crs["events_any"]) == (2, 3)
    assert (crs["subjects_grade_1"], crs["subjects_grade_2"], crs["subjects_grade_3"]) == (0, 1, 1)
    assert (crs["events_grade_1"], crs["events_grade_3"], crs["subjects_grade_3plus"]) == (1, 1, 1)


def test_summary_by_soc():
    out = summarise_ae(validate_ae_records(_aes()), by=["soc"])
    assert dict(zip(out["soc"], out["subjects_any"], strict=True)) == {
        "Immune system disorders": 2,
        "Blood and lymphatic system disorders": 1,
    }


def test_max_grade_per_subject_any_ae():
    out = max_grade_per_subject(validate_ae_records(_aes()), by=())
    assert out.rows() == [("01", 3, 2), ("02", 2, 1), ("03", 3, 1)]


def test_user_term_list(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text(
        "term,soc,grades\nPruritus,Skin and subcutaneous tissue disorders,1;2;3\n", encoding="utf-8"
    )
    terms = load_terms(path)
    aes = pl.DataFrame(
        {
            "subject_id": ["01"],
            "term": ["Pruritus"],
            "grade": [2],
            "serious": [False],
            "relatedness": ["unlikely"],
            "onset_date": [dt.date(2026, 1, 1)],
        }
    )
    assert validate_ae_records(aes, terms=terms)["soc"].to_list() == [
        "Skin and subcutaneous tissue disorders"
    ]


def test_bad_term_list_rejected(tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("term,soc,grades\nPruritus,Skin,1;2;7\n", encoding="utf-8")
    with pytest.raises(DataIntegrityError):
        load_terms(path)


def test_shipped_terms_have_sources():
    terms = load_terms()
    assert terms["source"].null_count() == 0 and terms["verified"].null_count() == 0
    assert terms["term"].is_unique().all()
