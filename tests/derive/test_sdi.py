"""SDI in the derivation (derive/sdi.py): scored from the recorded items by the ``sdi`` instrument, the
recorded total only as a fallback; ADRS says which (AVALSRC)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import lupustrial
from lupustrial.derive import derive_study
from lupustrial.derive._common import load_table
from lupustrial.derive.sdi import SOURCE_ITEMS, SOURCE_TOTAL, derive_sdi
from lupustrial.instruments.sdi import ITEM_CODES
from lupustrial.simulate.damage import SDI_TESTCDS
from lupustrial.store import open_study

CODE = {code: cd for code, cd in SDI_TESTCDS.items()}
ADSL = pl.DataFrame({"USUBJID": ["S1"], "SAFFL": ["Y"], "TRTSDT": [dt.date(2025, 2, 1)]})


def _rs(values: dict[str, str], date: str = "2025-01-10") -> pl.DataFrame:
    """RS findings of subject S1 on ``date``: ``values`` by SDI item code (or ``SDI`` for the total)."""
    return pl.DataFrame({
        "USUBJID": "S1", "DOMAIN": "RS", "DTC": date,
        "TESTCD": [CODE.get(k, k) for k in values], "STRESC": list(values.values()),
    })


ZERO = {c: "0" for c in ITEM_CODES}


def test_01_rs_item_codes_match_the_simulator():
    rows = {r["testcd"]: r["column"] for r in load_table("rs_items.csv") if r["kind"] == "sdi_item"}
    assert rows == {cd: f"sdi_{code}" for code, cd in SDI_TESTCDS.items()}


def test_02_items_scored_by_the_instrument():
    # Gladman 1996: cataract 1 + CVA twice 2 + ESRD 3 (replaces proteinuria) = 6
    out = derive_sdi(_rs(ZERO | {"cataract": "1", "cva": "2", "esrd": "1", "proteinuria_3_5_g": "1"}), ADSL)
    assert out.select("sdi", "sdi_source", "sdi_reason", "ADY", "baseline").row(0) == (
        6.0, SOURCE_ITEMS, None, -22, True)


def test_03_items_win_over_a_recorded_total():
    out = derive_sdi(_rs(ZERO | {"diabetes": "1", "SDI": "4"}), ADSL)
    assert out.select("sdi", "sdi_source").row(0) == (1.0, SOURCE_ITEMS)


def test_04_recorded_total_only_without_items():
    out = derive_sdi(_rs({"SDI": "3"}), ADSL)
    assert out.select("sdi", "sdi_source", "sdi_reason").row(0) == (3.0, SOURCE_TOTAL, None)


def test_05_missing_item_not_evaluable_with_reason():
    out = derive_sdi(_rs({k: v for k, v in ZERO.items() if k != "diabetes"}), ADSL)
    sdi, reason = out.select("sdi", "sdi_reason").row(0)
    assert sdi is None and "missing_policy=not_evaluable" in reason


@pytest.mark.parametrize("bad", ["2", "Y", "0.5", "-1"], ids=["above-max", "text", "fraction", "negative"])
def test_06_invalid_item_not_scored_and_named(bad):
    out = derive_sdi(_rs(ZERO | {"cataract": bad}), ADSL)
    sdi, reason = out.select("sdi", "sdi_reason").row(0)
    assert sdi is None and f"SDI item cataract = {bad} is not a whole number in 0..1" in reason


@pytest.fixture(scope="module")
def cht101(make_study):
    path = make_study("cht101", n=8, seed=5)
    return derive_study(path), open_study(path).frame("findings")


def test_07_adrs_sdi_equals_instrument_score_of_stored_items(cht101):
    derived, findings = cht101
    items = (findings.filter(pl.col("TESTCD").is_in(list(SDI_TESTCDS.values())))
             .pivot("TESTCD", index=["USUBJID", "DTC"], values="STRESC")
             .rename({cd: code for code, cd in SDI_TESTCDS.items()})
             .with_columns(pl.col(ITEM_CODES).cast(pl.Float64).cast(pl.Int64)))
    expected = lupustrial.evaluate_table("sdi", items.select("USUBJID", "DTC", *ITEM_CODES), keep=("DTC",))
    adrs = derived.frames["ADRS"].filter(pl.col("PARAMCD") == "SDI")
    adsl = derived.frames["ADSL"].select("USUBJID", "TRTSDT")
    got = expected.join(adsl, on="USUBJID").with_columns(
        (pl.col("DTC").str.to_date() - pl.col("TRTSDT")).dt.total_days().alias("ADY"))
    both = got.join(adrs, on=["USUBJID", "ADY"], how="inner")
    assert both.height == adrs.height > 0
    assert (both["AVAL"] == both["value"].cast(pl.Float64)).all()
    assert set(adrs["AVALSRC"]) == {SOURCE_ITEMS}


def test_08_adrs_sdi_never_decreases(cht101):
    adrs = cht101[0].frames["ADRS"].filter(pl.col("PARAMCD") == "SDI")
    steps = adrs.sort("USUBJID", "ADY").group_by("USUBJID").agg(pl.col("AVAL").diff().drop_nulls().min())
    assert (steps["AVAL"].fill_null(0) >= 0).all()
    assert (adrs.filter(pl.col("ABLFL") == "Y")["ADY"] <= 0).all()
