"""Benchmark: SAS transport v5 writing (lupustrial.derive.xpt) of an ADLB-sized table.

Run: ``.venv/bin/python benchmarks/bench_xpt.py [--rows 1000000] [--repeats 3] [--sample 20000]``.

Measures, as medians over ``--repeats`` runs on a seeded synthetic BDS frame (USUBJID, PARAMCD, AVISIT,
AVALU text; AVAL, ADY, BASE numbers with 5 % missing; ADT dates):

* ``compute_ibm_double`` on ``--rows`` doubles (vectorised numpy), against the obvious slow way in the
  same run: a per-value Python conversion (``math.frexp`` + ``struct``) on ``--sample`` values,
  extrapolated;
* ``write_xpt`` of the whole frame (checks, encoding, file), and pandas.read_sas reading it back.
"""

from __future__ import annotations

import argparse
import math
import struct
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from _timing import median_seconds

from lupustrial.derive.xpt import compute_ibm_double, write_xpt


def _slow_ibm(x: float) -> bytes:
    """One value at a time: the loop the vectorised version replaces."""
    if math.isnan(x):
        return b"\x2e" + b"\0" * 7
    if x == 0:
        return b"\0" * 8
    mant, exp = math.frexp(abs(x))  # |x| = mant × 2^exp, 0.5 ≤ mant < 1
    k = -(-exp // 4)
    fraction = int(mant * 2.0 ** (56 - (4 * k - exp)))
    return struct.pack(">Q", ((x < 0) << 63) | ((k + 64) << 56) | fraction)


def _frame(rows: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    aval = rng.lognormal(2, 1, rows)
    aval[rng.random(rows) < 0.05] = np.nan
    return pl.DataFrame({
        "USUBJID": [f"PTOC1-01-{i:04d}" for i in rng.integers(0, 5000, rows)],
        "PARAMCD": rng.choice(["CREAT", "CD19", "IGG", "C3", "C4", "DSDNA"], rows),
        "AVISIT": rng.choice(["SCREENING", "DAY 0", "DAY 28", "MONTH 3", "MONTH 6"], rows),
        "AVALU": rng.choice(["umol/L", "cells/uL", "g/L", "IU/mL"], rows),
        "AVAL": aval,
        "BASE": rng.lognormal(2, 1, rows),
        "ADY": rng.integers(-28, 365, rows),
        "ADT": pl.Series(rng.integers(19723, 19723 + 900, rows)).cast(pl.Date),  # from 2024-01-01
    }).with_columns(pl.col("AVAL").fill_nan(None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    x = np.random.default_rng(2).normal(0, 1e3, args.rows)
    fast = median_seconds(lambda: compute_ibm_double(x), args.repeats)
    sample = x[: args.sample].tolist()
    slow = median_seconds(lambda: [_slow_ibm(v) for v in sample], 1) * args.rows / args.sample
    assert b"".join(_slow_ibm(v) for v in sample[:1000]) == compute_ibm_double(x[:1000]).tobytes()
    print(f"compute_ibm_double, {args.rows:,} values: {fast:.3f} s; per-value loop (extrapolated) "
          f"{slow:.1f} s; ratio {slow / fast:,.0f}x")
    frame = _frame(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "adlb.xpt"
        write = median_seconds(lambda: write_xpt(path, "ADLB", frame), args.repeats)
        cpu = time.process_time()
        write_xpt(path, "ADLB", frame)
        cpu = time.process_time() - cpu
        import pandas as pd

        start = time.perf_counter()
        back = pd.read_sas(path, format="xport", encoding="ascii")
        read = time.perf_counter() - start
        assert len(back) == frame.height
        print(f"write_xpt, {frame.height:,} rows x {frame.width} columns: {write:.3f} s (cpu {cpu:.2f} s) "
              f"({path.stat().st_size / 1e6:.0f} MB); pandas.read_sas back: {read:.1f} s")


if __name__ == "__main__":
    main()
