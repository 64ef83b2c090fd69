"""The registered ``ae_record`` codes its term through the same function as ADAE (issue: one coding path).

Expected terms and SOCs are written out by hand from the CTCAE v5.0 term list (NCI CTEP, 27 Nov 2017):
"Neutropenia" is not a CTCAE v5.0 term; neutrophil counts are graded under Investigations,
"Neutrophil count decreased" (grades 1-4); "CRS" abbreviates "Cytokine release syndrome" (ASTCT 2019),
Immune system disorders (grades 1-5). Synonym rows: ``ae_term_synonyms.csv``.
"""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lupustrial
from lupustrial.cli import main
from lupustrial.errors import InputError
from lupustrial.instruments.adverse_events.coding import compute_ae_coding
from lupustrial.instruments.adverse_events.synonyms import load_synonyms
from lupustrial.instruments.adverse_events.terms import load_terms

NEUTRO = "Neutrophil count decreased"
IV = "Investigations"


def _one(term, grade=3, **options):
    return lupustrial.evaluate("ae_record", {"term": term, "grade": grade}, **options)


# --- 1. a synonym is coded, its grade checked against the coded term ------------------------------------


def test_synonym_graded_alone_is_recognised():
    r = _one("Neutropenia", 4)
    assert (r.value, r.reason) == (4, None)
    assert (r.details["coded_term"], r.details["coded_by"], r.details["soc"]) == (NEUTRO, "synonym", IV)


def test_term_of_the_table_wins_and_says_so():
    r = _one("Febrile neutropenia", 3)
    assert (r.details["coded_term"], r.details["coded_by"]) == ("Febrile neutropenia", "term table")


def test_grade_is_checked_against_the_coded_term():
    # Neutrophil count decreased: grades 1-4 in CTCAE v5.0, so grade 5 "Neutropenia" is refused
    with pytest.raises(InputError) as err:
        _one("Neutropenia", 5)
    assert "grade" in err.value.fields and NEUTRO in str(err.value)


# --- 2. case / space variants under both option values -------------------------------------------------

VARIANTS = [
    # (text, option, coded term or None)
    ("neutropenia", "normalised", NEUTRO),
    ("  NEUTROPENIA  ", "normalised", NEUTRO),
    ("cytokine   release\tsyndrome", "normalised", "Cytokine release syndrome"),
    ("crs", "normalised", "Cytokine release syndrome"),
    ("neutropenia", "exact", None),
    ("  NEUTROPENIA  ", "exact", None),
    ("cytokine   release\tsyndrome", "exact", None),
    ("crs", "exact", None),
    ("Neutropenia", "exact", NEUTRO),  # the synonym row as written
    ("CRS", "exact", "Cytokine release syndrome"),
]


@pytest.mark.parametrize(("text", "match", "term"), VARIANTS, ids=[f"{m}:{t!r}" for t, m, _ in VARIANTS])
def test_case_and_space_variants(text, match, term):
    r = _one(text, 2, ae_term_match=match)
    assert r.details["coded_term"] == term
    if term is None:  # not coded: no value, the coding's reason naming the text and the fix
        assert r.value is None and r.reason.startswith("not coded:") and f"'{text.strip()}'" in r.reason
    else:
        assert r.value == 2 and r.reason is None


def test_option_is_declared_and_recorded():
    entry = lupustrial.registry.get("ae_record")
    assert entry.option("ae_term_match").choices == ("normalised", "exact")
    assert _one("Fever").options["ae_term_match"] == "normalised"
    r = _one("Fever", ae_term_match="exact")
    assert r.options["ae_term_match"] == "exact" and r.provenance.options["ae_term_match"] == "exact"


def test_bad_option_names_it():
    with pytest.raises(InputError) as err:
        _one("Fever", ae_term_match="fuzzy")
    assert err.value.problems[0].field == "ae_term_match" and "exact" in str(err.value)


# --- 3. an unknown term is a reason, not a crash ---------------------------------------------------------


def test_unknown_term_gives_reason():
    r = _one("B-cell aplasia", 2)
    assert r.value is None and r.missing == ()
    assert "'B-cell aplasia' is not a term of the AE term table" in r.reason
    assert "ae_term_synonyms.csv" in r.reason  # names the fix
    assert r.details["soc"] is None and r.details["coded_term"] is None


def test_missing_term_or_grade_is_not_evaluable():
    r = lupustrial.evaluate("ae_record", {"grade": 2})
    assert r.value is None and r.missing == ("term",) and r.reason.startswith("not evaluable")


def test_table_mixes_coded_and_uncoded_rows():
    frame = pl.DataFrame({"term": ["Neutropenia", "Feeling odd", "Fever", None], "grade": [3, 1, 2, 1]})
    out = lupustrial.evaluate_table("ae_record", frame)
    assert out["value"].to_list() == [3, None, 2, None]
    assert out["soc"].to_list() == [IV, None, "General disorders and administration site conditions", None]
    assert out["reason"][0] is None and out["reason"][1].startswith("not coded: 'Feeling odd'")
    assert out["reason"][3].startswith("not evaluable")


# --- 4. one coding path: ae_record agrees with ADAE's compute_ae_coding --------------------------------

WRITTEN = [*sorted(set(load_terms()["term"]) | set(load_synonyms()["verbatim"])), "Feeling odd"]


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_same_coding_as_adae(data):
    texts = data.draw(st.lists(st.sampled_from(WRITTEN), min_size=1, max_size=8))
    texts = [t.lower() if data.draw(st.booleans()) else t for t in texts]
    match = data.draw(st.sampled_from(["normalised", "exact"]))
    coded = compute_ae_coding(pl.DataFrame({"verbatim": texts}), match=match)
    terms = load_terms().select("term", "grades")
    grade = coded.join(terms, left_on="ae_term", right_on="term", how="left", maintain_order="left")
    grades = [g[0] if g is not None else 1 for g in grade["grades"].to_list()]
    out = lupustrial.evaluate_table(
        "ae_record", pl.DataFrame({"term": texts, "grade": grades}), ae_term_match=match
    )
    assert out["soc"].to_list() == coded["ae_soc"].to_list()
    expected = [t if s is not None else None for t, s in coded.select("ae_term", "ae_soc").iter_rows()]
    assert out["coded_term"].to_list() == expected


# --- 5. end to end through the command line --------------------------------------------------------------


@pytest.mark.parametrize(("match", "value"), [("normalised", 3), ("exact", None)])
def test_cli_evaluates_lower_case_synonym(match, value, tmp_path, capsys):
    path = tmp_path / "ae.json"
    path.write_text(json.dumps({"term": "neutropenia", "grade": 3}), encoding="utf-8")
    assert main(["evaluate", "ae_record", str(path), "--format", "json",
                 "--option", f"ae_term_match={match}"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["value"] == value and result["options"]["ae_term_match"] == match
