"""AE term coding: verbatim → CTCAE v5.0 term → system organ class (issue 9).

Expected terms and SOCs are written out by hand from the CTCAE v5.0 term list (NCI CTEP, 27 Nov 2017;
terms grouped by MedDRA primary SOC) as reproduced in the PCDC-2.0 AdverseEventEnum SOC blocks
(docs/safety.md, "AE term coding"), not read from the package's tables.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.errors import DataIntegrityError, InputError
from lupustrial.instruments.adverse_events.coding import NO_TERM, compute_ae_coding
from lupustrial.instruments.adverse_events.synonyms import load_synonyms
from lupustrial.instruments.adverse_events.terms import load_terms

BL = "Blood and lymphatic system disorders"
GE = "General disorders and administration site conditions"
GI = "Gastrointestinal disorders"
IM = "Immune system disorders"
IN = "Infections and infestations"
IJ = "Injury, poisoning and procedural complications"
IV = "Investigations"
ME = "Metabolism and nutrition disorders"
NS = "Nervous system disorders"
PS = "Psychiatric disorders"
RE = "Renal and urinary disorders"
RS = "Respiratory, thoracic and mediastinal disorders"
SK = "Skin and subcutaneous tissue disorders"
VA = "Vascular disorders"
ICANS = "Immune effector cell-associated neurotoxicity syndrome"

# MedDRA v20.1 system organ classes (CTCAE v5.0 is coded to MedDRA 20.1; 26 SOCs)
MEDDRA_SOCS = {
    BL, "Cardiac disorders", "Congenital, familial and genetic disorders", "Ear and labyrinth disorders",
    "Endocrine disorders", "Eye disorders", GI, GE, "Hepatobiliary disorders", IM, IN, IJ, IV, ME,
    "Musculoskeletal and connective tissue disorders",
    "Neoplasms benign, malignant and unspecified (incl cysts and polyps)", NS,
    "Pregnancy, puerperium and perinatal conditions", PS, RE, "Reproductive system and breast disorders", RS,
    SK, "Social circumstances", "Surgical and medical procedures", VA,
}  # fmt: skip

# verbatim as a site might write it → (CTCAE v5.0 term, SOC); the list of common CAR-T/SLE AEs
COMMON = [
    ("Cytokine release syndrome", "Cytokine release syndrome", IM),
    ("CRS", "Cytokine release syndrome", IM),
    ("ICANS", ICANS, NS),
    ("Neutropenia", "Neutrophil count decreased", IV),
    ("Neutropaenia", "Neutrophil count decreased", IV),
    ("Thrombocytopenia", "Platelet count decreased", IV),
    ("Lymphopenia", "Lymphocyte count decreased", IV),
    ("Leucopenia", "White blood cell decreased", IV),
    ("Anaemia", "Anemia", BL),
    ("Febrile neutropenia", "Febrile neutropenia", BL),
    ("Hypogammaglobulinaemia", "Immune system disorders - Other, specify", IM),
    ("Infusion related reaction", "Infusion related reaction", IJ),
    ("Infusion-related reaction", "Infusion related reaction", IJ),
    ("Tumour lysis syndrome", "Tumor lysis syndrome", ME),
    ("GVHD", "Graft versus host disease", IM),
    ("Herpes zoster", "Shingles", IN),
    ("COVID-19", "Infections and infestations - Other, specify", IN),
    ("Pneumonia", "Lung infection", IN),
    ("UTI", "Urinary tract infection", IN),
    ("Sepsis", "Sepsis", IN),
    ("CMV reactivation", "Cytomegalovirus infection reactivation", IN),
    ("Upper respiratory tract infection", "Upper respiratory infection", IN),
    ("Fatigue", "Fatigue", GE),
    ("Pyrexia", "Fever", GE),
    ("Nausea", "Nausea", GI),
    ("Vomiting", "Vomiting", GI),
    ("Diarrhoea", "Diarrhea", GI),
    ("Headache", "Headache", NS),
    ("Encephalopathy", "Encephalopathy", NS),
    ("Seizure", "Seizure", NS),
    ("Tremor", "Tremor", NS),
    ("Cerebral oedema", "Edema cerebral", NS),
    ("Confusional state", "Confusion", PS),
    ("Rash", "Rash maculo-papular", SK),
    ("Hypotension", "Hypotension", VA),
    ("Hypoxia", "Hypoxia", RS),
    ("AKI", "Acute kidney injury", RE),
    ("ALT increased", "Alanine aminotransferase increased", IV),
    ("Transaminases increased", "Investigations - Other, specify", IV),
]


def _code(verbatim, decod=None, **kw):
    data = {"verbatim": verbatim} if decod is None else {"verbatim": verbatim, "decod": decod}
    frame = pl.DataFrame(data, schema={c: pl.Utf8 for c in data})
    return compute_ae_coding(frame, decod="decod" if decod is not None else None, **kw)


# --- 1. the common terms of CAR-T / lupus trials are coded ---------------------------------------------


@pytest.mark.parametrize(("verbatim", "term", "soc"), COMMON, ids=[c[0] for c in COMMON])
def test_common_term_coded(verbatim, term, soc):
    row = _code([verbatim]).row(0, named=True)
    assert (row["ae_term"], row["ae_soc"], row["ae_reason"]) == (term, soc, None)


# --- 2. every term the simulator writes is coded ------------------------------------------------------


def _simulator_terms() -> list[tuple[str, str]]:
    """(TERM, DECOD) of every AE the simulator can write: its ``adverse_events`` with every event firing
    (one patient, 3 days: CRS 1-2, ICANS 1, ANC 0.3/0.8, platelets 20/40, GVHD, one infection)."""
    from lupustrial.simulate.records_events import adverse_events

    pts = pl.DataFrame({"USUBJID": ["S-1"], "course_row": [0], "infusion_date": [dt.date(2026, 1, 1)]})
    arrays = {
        "crs_grade": np.array([[1, 2, 0]]),
        "icans_grade": np.array([[1, 0, 0]]),
        "anc": np.array([[0.3, 0.8, 2.0]]),
        "platelets": np.array([[20.0, 40.0, 150.0]]),
        "gvhd": np.array([[1, 1, 0]]),
        "infection": np.array([[0, 1, 0]], dtype=bool),
    }
    ae = adverse_events(pts, arrays)
    return sorted(set(ae.select("TERM", "DECOD").iter_rows()))


SIMULATED = _simulator_terms()


def test_simulator_enumeration_found_its_terms():
    # guards the enumeration itself: every AE category of the simulator fired
    assert len(SIMULATED) >= 5


@pytest.mark.parametrize(("term", "decod"), SIMULATED, ids=[t for t, _ in SIMULATED])
@pytest.mark.parametrize("use_decod", [True, False], ids=["with_DECOD", "verbatim_only"])
def test_every_simulator_term_coded(term, decod, use_decod):
    row = _code([term], [decod] if use_decod else None).row(0, named=True)
    assert row["ae_soc"] in MEDDRA_SOCS and row["ae_reason"] is None


# --- 3. decision order, unknown terms and their reasons ----------------------------------------------


def test_reported_term_tried_before_verbatim():
    # the simulator's GVHD record: verbatim organ-specific, reported term the CTCAE term
    row = _code(["Skin graft versus host disease"], ["Graft versus host disease"]).row(0, named=True)
    assert (row["ae_term"], row["ae_coded_by"]) == ("Graft versus host disease", "term table")


def test_unknown_reported_term_falls_back_to_verbatim():
    row = _code(["Neutropenia"], ["Neutropenie"]).row(0, named=True)
    assert (row["ae_term"], row["ae_soc"]) == ("Neutrophil count decreased", IV)
    assert row["ae_coded_by"] == "synonym"


def test_unknown_term_keeps_text_and_gets_reason():
    row = _code(["B-cell aplasia"]).row(0, named=True)
    assert row["ae_term"] == "B-cell aplasia" and row["ae_soc"] is None and row["ae_coded_by"] is None
    assert "'B-cell aplasia' is not a term of the AE term table" in row["ae_reason"]
    assert "ae_term_synonyms.csv" in row["ae_reason"]  # names the fix


@pytest.mark.parametrize("empty", [None, "", "   "], ids=["null", "empty", "blank"])
def test_no_term_recorded(empty):
    row = _code([empty], [None]).row(0, named=True)
    assert row["ae_soc"] is None and row["ae_reason"] == NO_TERM


# --- 4. option match: normalised (default) vs exact -----------------------------------------------------

MATCH_CASES = [
    ("  cytokine   RELEASE syndrome ", "normalised", "Cytokine release syndrome"),
    ("  cytokine   RELEASE syndrome ", "exact", None),
    ("crs", "normalised", "Cytokine release syndrome"),
    ("crs", "exact", None),
    ("CRS", "exact", "Cytokine release syndrome"),
    ("Cytokine release syndrome", "exact", "Cytokine release syndrome"),
    ("Cytokine-release syndrome", "normalised", None),  # punctuation is never ignored
]


@pytest.mark.parametrize(
    ("text", "match", "term"), MATCH_CASES, ids=[f"{m}:{t!r}" for t, m, _ in MATCH_CASES]
)
def test_match_option(text, match, term):
    row = _code([text], match=match).row(0, named=True)
    assert (row["ae_term"] if row["ae_soc"] else None) == term


def test_default_match_is_normalised():
    assert _code(["fever"])["ae_term"].item() == "Fever"


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_normalised_ignores_case_and_white_space(data):
    terms = load_terms()
    term = data.draw(st.sampled_from(terms["term"].to_list()))
    flips = data.draw(st.lists(st.booleans(), min_size=len(term), max_size=len(term)))
    text = "".join(c.upper() if f else c.lower() for c, f in zip(term, flips, strict=True))
    pad = data.draw(st.sampled_from(["", " ", "\t", "  "]))
    text = pad + text.replace(" ", data.draw(st.sampled_from([" ", "  ", " \t"]))) + pad
    row = _code([text]).row(0, named=True)
    assert row["ae_term"] == term
    assert row["ae_soc"] == terms.filter(pl.col("term") == term)["soc"].item()


@given(st.permutations(list(range(len(COMMON)))))
@settings(max_examples=25, deadline=None)
def test_row_order_invariant(order):
    verbatims = [c[0] for c in COMMON] + ["B-cell aplasia", None]
    base = _code(verbatims).with_columns(pl.Series("v", verbatims))
    idx = [*order, len(COMMON), len(COMMON) + 1]
    shuffled = _code([verbatims[i] for i in idx])
    assert shuffled.drop("verbatim").rows() == base[idx].drop("verbatim", "v").rows()


def test_bad_match_option_names_it():
    with pytest.raises(InputError) as err:
        _code(["Fever"], match="fuzzy")
    assert [p.field for p in err.value.problems] == ["match"] and "exact" in str(err.value)


def test_missing_column_named():
    with pytest.raises(InputError) as err:
        compute_ae_coding(pl.DataFrame({"term": ["Fever"]}), verbatim="AETERM")
    assert err.value.problems[0].field == "AETERM"


# --- 5. the tables themselves ------------------------------------------------------------------------


def test_term_table_rows_have_soc_dictionary_source_and_check():
    terms = load_terms()
    assert terms["term"].is_unique().all()
    assert set(terms["soc"]) <= MEDDRA_SOCS
    for col in ("dictionary", "source", "verified"):
        assert terms[col].null_count() == 0, col
    assert terms["verified"].str.contains(r"^(verified|unverified)").all()


def test_non_ctcae_term_is_marked():
    # ICANS is an ASTCT 2019 term; CTCAE v5.0 has none (safety.md §3)
    terms = load_terms()
    assert terms.filter(pl.col("term") == ICANS)["dictionary"].item().startswith("ASTCT 2019")
    assert (terms.filter(pl.col("term") != ICANS)["dictionary"] == "CTCAE v5.0").all()


def test_every_soc_has_its_other_specify_term():
    # the "Other, specify" term of each SOC in the table lets any event of that SOC be coded
    terms = load_terms()
    others = set(terms.filter(pl.col("term").str.ends_with("Other, specify"))["soc"])
    assert others == set(terms["soc"])


def test_synonyms_have_reasons_and_known_targets():
    syn, terms = load_synonyms(), load_terms()
    assert syn["reason"].null_count() == 0 and syn["source"].null_count() == 0
    assert syn["term"].is_in(terms["term"].implode()).all()


def _write(tmp_path, text):
    path = tmp_path / "syn.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("verbatim,term,reason\nFoo,Not a term,x\n", "term"),
        ("verbatim,term,reason\nfever,Fever,x\n", "verbatim"),
        ("verbatim,term,reason\nFoo,Fever,x\nFOO ,Nausea,y\n", "verbatim"),
        ("verbatim,reason\nFoo,x\n", "term"),
    ],
    ids=["unknown_target", "is_a_term", "clash", "no_term_column"],
)
def test_bad_synonym_table_rejected(tmp_path, text, field):
    with pytest.raises(DataIntegrityError) as err:
        load_synonyms(_write(tmp_path, text))
    assert field in {p.field for p in err.value.problems}


def test_user_synonyms_and_terms(tmp_path):
    terms = pl.DataFrame({"term": ["Pruritus"], "soc": [SK], "grades": [[1, 2, 3]]})
    syn = load_synonyms(_write(tmp_path, "verbatim,term,reason\nItch,Pruritus,lay word\n"), terms=terms)
    out = compute_ae_coding(pl.DataFrame({"verbatim": ["itch", "Fever"]}), terms=terms, synonyms=syn)
    assert out.select("ae_term", "ae_soc").rows() == [("Pruritus", SK), ("Fever", None)]


def test_large_frame_is_columnar():
    # 200 000 records code in one pass (two joins); a per-row loop would take tens of seconds
    rng = random.Random(7)
    pool = [c[0] for c in COMMON] + ["B-cell aplasia"]
    out = _code([rng.choice(pool) for _ in range(200_000)])
    assert out.height == 200_000 and out["ae_reason"].null_count() < 200_000
