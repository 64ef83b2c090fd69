"""Autoantibody change outcome (derive/outcomes_serology.py) on hand-derived cases.

Definitions: autoantibody_change.csv — ANA log2(titre/baseline titre) (doubling-dilution steps of HEp-2
IIF), anti-Sm PCHG = 100·(AVAL − BASE)/BASE (ADaM BDS); baseline = last value on or before day 0.
"""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.derive._common import groups_of
from lupustrial.derive.outcomes import Context
from lupustrial.derive.outcomes_serology import autoantibody_change
from lupustrial.protocol import load_protocol

PROTOCOL = load_protocol("cd19_bcma")
OUTCOME = next(o for o in PROTOCOL.outcomes if o.id == "autoantibodies")

# subject: (ANA day 0, ANA day 90, anti-Sm day 0, anti-Sm day 90)
CASES = {
    "A": ("1:640", "1:160", 100.0, 25.0),
    "B": ("1:320", "<1:80", 4.0, 5.0),
    "C": ("1:80", "1:80", 200.0, 100.0),
}


def _titre(text: str) -> float | None:
    return None if text.startswith("<") else float(text.split(":")[1])


def _context(**options) -> Context:
    rows = []
    for s, (a0, a90, s0, s90) in CASES.items():
        for ady, ana, sm in ((0, a0, s0), (90, a90, s90)):
            rows.append({"USUBJID": s, "PARAMCD": "ANA", "ADY": ady, "AVAL": _titre(ana), "AVALC": ana,
                         "ANRHI": None, "AVALU": None})
            rows.append({"USUBJID": s, "PARAMCD": "SMAB", "ADY": ady, "AVAL": sm, "AVALC": str(sm),
                         "ANRHI": 20.0, "AVALU": "U/mL"})
    adlb = pl.DataFrame(rows, schema_overrides={"ANRHI": pl.Float64, "AVALU": pl.Utf8})
    adsl = pl.DataFrame({"USUBJID": list(CASES), "TRT01A": "DL1", "EFFFL": "Y", "SAFFL": "Y"})
    return Context(frames={"ADSL": adsl, "ADLB": adlb}, dlt=pl.DataFrame(), visits=pl.DataFrame(),
                   protocol=PROTOCOL, groups=groups_of(PROTOCOL), options=options)


def _overall(ctx: Context, item: str) -> dict:
    outcome = OUTCOME.model_copy(update={"parameters": {"analytes": ["ana", "anti_sm"]}})
    out = autoantibody_change(ctx, outcome, 90)
    return out.filter((pl.col("GROUP") == "Overall") & (pl.col("ITEM") == item)).row(0, named=True)


def test_01_ana_log2_change_one_step_below():
    # A log2(160/640) = −2; B <1:80 → 40: log2(40/320) = −3; C log2(80/80) = 0 → median −2, Q1 −2.5, Q3 −1
    row = _overall(_context(), "ana log2 titre change")
    assert (row["N"], row["ESTIMATE"], row["LOWER"], row["UPPER"]) == (3, -2.0, -2.5, -1.0)


def test_02_ana_negative_excluded():
    # B left out: {−2, 0} → median −1
    row = _overall(_context(titre_below_lowest="exclude"), "ana log2 titre change")
    assert (row["N"], row["ESTIMATE"]) == (2, -1.0)


def test_03_ana_still_positive():
    # A 1:160 and C 1:80 positive, B <1:80 negative → 2/3
    row = _overall(_context(), "ana still positive")
    assert row["VALUE_TEXT"] == "2/3 (66.7%)"


def test_04_anti_sm_percent_change_all():
    # A 100·(25 − 100)/100 = −75; B 100·(5 − 4)/4 = +25; C 100·(100 − 200)/200 = −50 → median −50
    row = _overall(_context(), "anti_sm % change")
    assert (row["N"], row["ESTIMATE"]) == (3, pytest.approx(-50.0))


def test_05_anti_sm_positive_at_baseline_item():
    # baseline > ULN 20: A (100) and C (200) → {−75, −50} → median −62.5
    row = _overall(_context(), "anti_sm % change, positive at baseline")
    assert (row["N"], row["ESTIMATE"]) == (2, pytest.approx(-62.5))


def test_06_population_option_baseline_positive():
    row = _overall(_context(autoantibody_population="baseline_positive"), "anti_sm % change")
    assert (row["N"], row["ESTIMATE"]) == (2, pytest.approx(-62.5))


def test_07_no_data_gives_reason():
    ctx = _context()
    ctx.frames["ADLB"] = ctx.frames["ADLB"].filter(pl.col("PARAMCD") != "SMAB")
    row = _overall(ctx, "anti_sm % change")
    assert row["ESTIMATE"] is None and "no SMAB results" in row["REASON"]


def test_docstring_examples_run():
    import doctest

    from lupustrial.derive import outcomes_serology

    result = doctest.testmod(outcomes_serology)
    assert result.failed == 0 and result.attempted > 0
