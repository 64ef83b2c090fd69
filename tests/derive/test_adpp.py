"""ADPP PARAMCD: ≤ 8 characters (ADaMIG v1.3 §3.3, SAS V5 transport) and one row per key.

Hand cases: CMAX stays CMAX; AUC from day 28 to 90 (PPTESTCD AUCINT) → AUC28_90 (8 characters);
half-life in the persistence window → LAMZHL + P = LAMZHLP; the λz point count in the contraction
window → LAMZNPT + C = LAMZNPTC (8).
"""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.derive.adpc import adpp_paramcd, derive_adpp
from lupustrial.pk.options import DEFAULT_WINDOWS
from lupustrial.pk.parameters import PARAMETERS


@pytest.mark.parametrize(("name", "code", "phase", "expected"), [
    ("nca_cmax", "CMAX", None, "CMAX"),
    ("nca_auc_28_90d", "AUCINT", None, "AUC28_90"),
    ("nca_half_life", "LAMZHL", "persistence", "LAMZHLP"),
    ("nca_lambda_z_npts", "LAMZNPT", "contraction", "LAMZNPTC"),
])
def test_hand_cases(name, code, phase, expected):
    assert adpp_paramcd(name, code, phase) == expected


def test_every_default_parameter_has_a_short_unique_code():
    codes = []
    for p in PARAMETERS:
        if p.name == "nca_aucint":  # only for intervals beyond the defaults
            continue
        phases = [w[0] for w in DEFAULT_WINDOWS] if p.scope == "window" else [None]
        codes += [adpp_paramcd(p.name, p.pptestcd, ph) for ph in phases]
    assert all(len(c) <= 8 for c in codes), codes
    assert len(codes) == len(set(codes))


def test_too_long_a_code_is_refused():
    with pytest.raises(ValueError, match="longer than 8"):
        adpp_paramcd("nca_auc_100_1000d", "AUCINT")


def test_one_row_per_subject_matrix_paramcd():
    days = [0.0, 7, 14, 28, 60, 90, 120, 180]
    conc = [0.0, 100, 1000, 500, 200, 100, 50, 10]
    adpc = pl.DataFrame({
        "STUDYID": "S", "USUBJID": ["A"] * 8 + ["B"] * 8, "TRT01A": "DL1", "TRT01AN": 1,
        "MATRIX": "BLOOD", "ADY": days * 2, "AVAL": conc + [c / 2 for c in conc],
        "AVALU": "copies/ug", "LLOQ": None,
    }, schema_overrides={"LLOQ": pl.Float64})
    pp = derive_adpp(adpc)
    assert pp.select("USUBJID", "MATRIX", "PARAMCD").is_duplicated().sum() == 0
    assert pp["PARAMCD"].str.len_chars().max() <= 8
    # the persistence-window half-life of A: λz fitted from day 28 on (5 points), finite and positive
    hl = pp.filter((pl.col("USUBJID") == "A") & (pl.col("PARAMCD") == "LAMZHLP"))
    assert hl["PARCAT1"].item() == "PERSISTENCE" and hl["AVAL"].item() > 0
