"""ADAE term coding end to end (issue 9): a simulated study's ADAE has every record coded to a SOC; a term
outside both tables keeps AEBODSYS null with AEBODSYS_REASON and a row in the reasons frame."""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.protocol import load_protocol


@pytest.fixture(scope="module")
def raw(make_study):
    from lupustrial.derive.study import DOMAINS
    from lupustrial.store import open_study

    study = open_study(make_study("ptoc1", n=8, seed=11))
    return {d: study.frame(d) for d in DOMAINS}, study.study_id


def _adae(raw, events=None, **kw):
    from lupustrial.derive.adae import derive_adae
    from lupustrial.derive.adsl import derive_adsl

    frames, study_id = raw
    proto = load_protocol("ptoc1")
    adsl, _ = derive_adsl(frames["subjects"], frames["visits"], frames["interventions"], proto, study_id)
    ev = frames["events"] if events is None else events
    return derive_adae(ev, adsl, frames["interventions"], proto, **kw)


def test_simulated_study_fully_coded(raw):
    adae, _, reasons = _adae(raw)
    assert adae.height > 0
    assert adae["AEBODSYS"].null_count() == 0
    assert adae["AEBODSYS_REASON"].null_count() == adae.height
    assert not reasons["WHAT"].str.ends_with("AEBODSYS").any()


def test_verbatim_only_coded_through_synonyms(raw):
    """Without the reported term (DECOD null) the verbatims still code: "Neutropenia" →
    "Neutrophil count decreased" (Investigations, CTCAE v5.0) through the synonym table."""
    ev = raw[0]["events"].with_columns(pl.lit(None, dtype=pl.Utf8).alias("DECOD"))
    adae, _, _ = _adae(raw, ev)
    assert adae["AEBODSYS"].null_count() == 0
    neut = adae.filter(pl.col("AETERM") == "Neutropenia")
    assert neut.height > 0
    assert set(neut.select("AEDECOD", "AEBODSYS").rows()) == {
        ("Neutrophil count decreased", "Investigations")
    }


def _with_terms(raw, pairs):
    """The events frame with its first AE records' TERM/DECOD replaced by ``pairs``."""
    ev = raw[0]["events"]
    ae_rows = ev.with_row_index("_i").filter(pl.col("DOMAIN") == "AE")["_i"].to_list()[: len(pairs)]
    assert len(ae_rows) == len(pairs)
    term = dict(zip(ae_rows, [p[0] for p in pairs], strict=True))
    decod = dict(zip(ae_rows, [p[1] for p in pairs], strict=True))
    idx = pl.int_range(pl.len())
    return ev.with_columns(
        pl.when(idx.is_in(ae_rows)).then(idx.replace_strict(term, default=None)).otherwise(pl.col("TERM"))
        .alias("TERM"),
        pl.when(idx.is_in(ae_rows)).then(idx.replace_strict(decod, default=None)).otherwise(pl.col("DECOD"))
        .alias("DECOD"),
    )


def test_unknown_term_gets_reason(raw):
    ev = _with_terms(raw, [("B-cell aplasia", None), ("tumour LYSIS syndrome", None), ("CRS ", None)])
    adae, _, reasons = _adae(raw, ev)
    got = {r[0]: r[1:] for r in adae.select("AETERM", "AEDECOD", "AEBODSYS").rows()}
    assert got["B-cell aplasia"] == ("B-cell aplasia", None)
    assert got["tumour LYSIS syndrome"] == ("Tumor lysis syndrome", "Metabolism and nutrition disorders")
    assert got["CRS "] == ("Cytokine release syndrome", "Immune system disorders")
    row = adae.filter(pl.col("AETERM") == "B-cell aplasia")
    assert "not coded: 'B-cell aplasia'" in row["AEBODSYS_REASON"].item()
    why = reasons.filter(pl.col("WHAT") == f"AE {row['AESEQ'].item()} AEBODSYS")["WHY"]
    assert why.to_list() == row["AEBODSYS_REASON"].to_list()


def test_exact_matching_option(raw):
    ev = _with_terms(raw, [("tumour LYSIS syndrome", None)])
    adae, _, _ = _adae(raw, ev, term_match="exact")
    row = adae.filter(pl.col("AETERM") == "tumour LYSIS syndrome")
    assert row["AEBODSYS"].item() is None and row["AEBODSYS_REASON"].item().startswith("not coded")


def test_derive_study_records_the_option(make_study):
    from lupustrial.derive.study import derive_study
    from lupustrial.errors import InputError

    path = make_study("ptoc1", n=4, seed=5)
    out = derive_study(path, options={"ae_term_match": "exact"})
    assert out.provenance["options"]["ae_term_match"] == "exact"
    with pytest.raises(InputError) as err:
        derive_study(path, options={"ae_term_match": "fuzzy"})
    assert err.value.problems[0].field == "ae_term_match"
