"""Time-to-event table and the swimmer flare marker (report.tte, report.figure_blocks), by hand.

The fake ADTTE (conftest): TTFLARE for 9 patients, AVAL = 60, 80, ..., 220 days, events (CNSR 0) at the
odd positions (80, 120, 160, 200); three per dose group in that order.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from lupustrial.report.figure_blocks import _marks
from lupustrial.report.tte import table_time_to_event


def _rows(derived) -> dict[str, tuple[str, ...]]:
    table = table_time_to_event(derived.frames["ADTTE"])
    return {r[1]: r for r in table.rows}


def test_events_per_group_and_overall(derived):
    rows = _rows(derived)
    # DL1: 60c 80e 100c -> 1; DL2: 120e 140c 160e -> 2; DL3: 180c 200e 220c -> 1; overall 4
    assert [rows[g][3] for g in sorted(rows)] == ["1", "2", "1", "4"]
    assert all(r[2] == "3" for g, r in rows.items() if g != "Overall") and rows["Overall"][2] == "9"


def test_km_median_by_hand(derived):
    rows = _rows(derived)
    # DL1: at 80, 2 at risk, 1 event -> S = 1/2 <= 0.5 -> median 80
    assert rows["DL1 1.5x10^5/kg"][4].startswith("80 (")
    # overall: S(80) = 7/8, S(120) = 7/8*5/6 = 0.729, S(160) = 0.729*3/4 = 0.547, S(200) = 0.547/2 = 0.273
    assert rows["Overall"][4].startswith("200 (")


def test_parameter_label_and_footnote_name_the_flare_definition(derived):
    table = table_time_to_event(derived.frames["ADTTE"])
    assert table.rows[0][0].startswith("TTFLARE: Time to first flare")
    assert any("SELENA Flare Index" in f for f in table.footnotes)


def test_no_adtte_gives_no_table():
    assert table_time_to_event(None) is None
    assert table_time_to_event(pl.DataFrame({"PARAMCD": [], "AVAL": [], "CNSR": [], "TRT01A": []})) is None


def test_swimmer_flare_on_the_study_day_axis():
    # TTFLARE counts from the response (STARTDT = day 28): AVAL 62 -> ADT = day 90 after infusion
    adtte = pl.DataFrame({"USUBJID": ["X"], "PARAMCD": ["TTFLARE"], "AVAL": [62.0], "CNSR": [0],
                          "TRTSDT": [date(2025, 1, 1)], "STARTDT": [date(2025, 1, 29)],
                          "ADT": [date(2025, 4, 1)]})
    marks = _marks({"ADTTE": adtte})
    assert marks.filter(pl.col("EVENT") == "flare")["DY"].to_list() == [90.0]
