"""ADTTE ``_deaths``: a death is an AE of grade 5 / outcome FATAL, or a DS record with DECOD DEATH.

Hand cases (dates in 2025):
* A: grade-5 AE ending 10 Mar and a DS DEATH on 12 Mar → the earlier, 10 Mar;
* B: DS DEATH only, on 1 Apr (DECOD written in lower case) → 1 Apr;
* C: DS DEATH with a partial date "2025-05" → no date, not counted (no imputation);
* D: an AE (not DS) whose DECOD is "DEATH" but grade 2 → not a death; E: DS COMPLETED → not a death.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from lupustrial.derive.adtte import _deaths

ADAE = pl.DataFrame({"USUBJID": ["A", "D"], "ATOXGR": [5, 2], "AEOUT": ["FATAL", "RECOVERED/RESOLVED"],
                     "ASTDT": [date(2025, 3, 1), date(2025, 3, 1)], "AENDT": [date(2025, 3, 10), None]})
EVENTS = pl.DataFrame({
    "USUBJID": ["A", "B", "C", "D", "E"],
    "DOMAIN": ["DS", "DS", "DS", "AE", "DS"],
    "DECOD": ["DEATH", "death", "DEATH", "DEATH", "COMPLETED"],
    "STDTC": ["2025-03-12", "2025-04-01T09:00", "2025-05", "2025-03-01", "2025-06-30"],
})


def test_deaths_from_ae_or_ds():
    out = _deaths(ADAE, EVENTS).sort("USUBJID")
    assert out.rows() == [("A", date(2025, 3, 10)), ("B", date(2025, 4, 1))]


def test_without_events_only_ae_deaths_count():
    assert _deaths(ADAE).rows() == [("A", date(2025, 3, 10))]


def test_ds_only_with_no_ae_rows():
    empty = ADAE.clear()
    assert _deaths(empty, EVENTS.filter(pl.col("USUBJID") == "B")).rows() == [("B", date(2025, 4, 1))]


def test_ds_death_is_an_os_event_and_ends_pfs():
    """derive_adtte passes the stored events to _deaths: subject B (DS DEATH 1 Apr, infused 1 Mar) has
    OS event at day 31 (1 Mar → 1 Apr = 31 days); subject F (no death) is censored at its last visit
    (15 Apr = day 45). PFS for B ends in DEATH at day 31 (no SLEDAI-2K rise of ≥ 4)."""
    from lupustrial.derive.adtte import derive_adtte

    adsl = pl.DataFrame({
        "STUDYID": "S", "USUBJID": ["B", "F"], "TRT01A": "DL1", "TRT01AN": 1, "SAFFL": "Y",
        "TRTSDT": [date(2025, 3, 1)] * 2, "LSTVSTDT": [date(2025, 3, 20), date(2025, 4, 15)],
    })
    adrs = pl.DataFrame({"USUBJID": ["B", "B", "F", "F"], "PARAMCD": "SLEDAI2K",
                         "AVAL": [12.0, 10.0, 12.0, 4.0], "ADY": [-5, 14, -5, 45], "AVALC": None},
                        schema_overrides={"AVALC": pl.Utf8})
    out = derive_adtte(adsl, ADAE.clear(), adrs, events=EVENTS)
    os_ = out.filter(pl.col("PARAMCD") == "OS").sort("USUBJID")
    assert os_.select("USUBJID", "CNSR", "AVAL", "EVNTDESC").rows() == [
        ("B", 0, 31.0, "DEATH"), ("F", 1, 45.0, "LAST VISIT")]
    pfs = out.filter((pl.col("PARAMCD") == "PFS") & (pl.col("USUBJID") == "B"))
    assert pfs.select("CNSR", "AVAL", "EVNTDESC").row(0) == (0, 31.0, "DEATH")
