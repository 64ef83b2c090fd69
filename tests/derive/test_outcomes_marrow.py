"""Bone-marrow CAR-T concentration by visit and marrow:blood ratio (derive/outcomes_marrow.py)."""

from __future__ import annotations

import polars as pl
import pytest

from lupustrial.derive._common import groups_of
from lupustrial.derive.outcomes import Context
from lupustrial.derive.outcomes_marrow import marrow_parts
from lupustrial.protocol import load_protocol

PROTOCOL = load_protocol("cd19_bcma")
# subject: (marrow D28, blood D28); None = below the LLOQ
CASES = {"A": (50.0, 100.0), "B": (None, 80.0), "C": (300.0, 200.0)}


def _context(**options) -> Context:
    rows = [
        {"USUBJID": s, "MATRIX": m, "ADY": 28, "AVAL": v, "BLQFL": "Y" if v is None else "N",
         "AVALU": "copies/µg gDNA"}
        for s, (mar, blo) in CASES.items()
        for m, v in (("BONE MARROW", mar), ("BLOOD", blo))
    ]
    adpc = pl.DataFrame(rows, schema_overrides={"AVAL": pl.Float64})
    adsl = pl.DataFrame({"USUBJID": list(CASES), "TRT01A": "DL1", "SAFFL": "Y", "EFFFL": "Y"})
    return Context(frames={"ADSL": adsl, "ADPC": adpc}, dlt=pl.DataFrame(), visits=pl.DataFrame(),
                   protocol=PROTOCOL, groups=groups_of(PROTOCOL), options=options)


def _overall(ctx: Context, item: str) -> dict:
    parts = {name: rows for name, _, rows in marrow_parts(ctx, 730)}
    return parts[item].filter(pl.col("GROUP") == "Overall").row(0, named=True)


def test_01_concentration_blq_as_zero():
    # {50, 0 (BLQ), 300} → median 50
    row = _overall(_context(), "bone_marrow concentration (D28)")
    assert (row["N"], row["ESTIMATE"]) == (3, 50.0)
    assert row["VALUE_TEXT"].endswith("BLQ 1")


def test_02_concentration_blq_excluded():
    # {50, 300} → median 175
    row = _overall(_context(blq_summary="exclude"), "bone_marrow concentration (D28)")
    assert (row["N"], row["ESTIMATE"]) == (2, 175.0)


def test_03_ratio_needs_both_quantifiable():
    # A 50/100 = 0.5; B undefined (marrow BLQ); C 300/200 = 1.5 → median 1.0
    row = _overall(_context(), "marrow:blood ratio (D28)")
    assert (row["N"], row["ESTIMATE"]) == (2, pytest.approx(1.0))


def test_04_no_marrow_samples_gives_reason():
    ctx = _context()
    ctx.frames["ADPC"] = ctx.frames["ADPC"].filter(pl.col("MATRIX") == "BLOOD")
    ((_, _, rows),) = marrow_parts(ctx, 730)
    assert rows["REASON"].str.contains("no bone_marrow").all()


def test_docstring_examples_run():
    import doctest

    from lupustrial.derive import outcomes_marrow

    result = doctest.testmod(outcomes_marrow)
    assert result.failed == 0 and result.attempted > 0
