"""Benchmark: columnar unit conversion and clinical helpers vs the obvious per-row Python loop.

Run: ``.venv/bin/python benchmarks/bench_units.py [--rows 1000000] [--repeats 5]``.

Prints the median of ``--repeats`` runs for
1. ``units.convert_expr`` over a table of creatinine values in mixed units (five spellings), against
   ``units.convert`` called once per row (measured on a sample, scaled);
2. ``evaluate_table("cockcroft_gault")`` over the same table, against ``lupustrial.evaluate`` per row.
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl
from _timing import median_seconds

import lupustrial
from lupustrial import units


def _table(n: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    unit = rng.choice(["mg/dL", "µmol/L", "umol/L", "mg/L", "mmol/L"], n)
    mg_dl = rng.uniform(0.4, 4.0, n)
    factor = {"mg/dL": 1.0, "µmol/L": 88.4, "umol/L": 88.4, "mg/L": 10.0, "mmol/L": 0.0884}
    value = mg_dl * np.vectorize(factor.get)(unit)
    return pl.DataFrame({
        "creatinine": value, "creatinine_unit": unit,
        "age_years": rng.uniform(18, 90, n).round(1), "sex": rng.choice(["female", "male"], n),
        "weight_kg": rng.uniform(40, 130, n).round(1),
    })


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args()
    frame = _table(args.rows)
    sample = frame.head(args.sample)

    expr = units.convert_expr(pl.col("creatinine"), pl.col("creatinine_unit"), "creatinine", "mg/dL")
    t_col = median_seconds(lambda: frame.select(expr), args.repeats)
    rows = list(sample.select("creatinine", "creatinine_unit").iter_rows())
    t_loop = median_seconds(lambda: [units.convert(v, "creatinine", u, "mg/dL") for v, u in rows], 3)
    t_loop_full = t_loop * args.rows / args.sample
    print(f"convert_expr, {args.rows:,} rows, mixed units: median {t_col:.3f} s; "
          f"per-row convert(): {t_loop_full:.2f} s (scaled from {args.sample:,}); "
          f"ratio {t_loop_full / t_col:,.0f}x")

    t_cg = median_seconds(lambda: lupustrial.evaluate_table("cockcroft_gault", frame), args.repeats)
    records = sample.head(200).to_dicts()
    t_one = median_seconds(lambda: [lupustrial.evaluate("cockcroft_gault", r) for r in records], 3)
    t_one_full = t_one * args.rows / len(records)
    print(f"evaluate_table cockcroft_gault, {args.rows:,} rows: median {t_cg:.3f} s; per-row evaluate(): "
          f"{t_one_full:.1f} s (scaled from {len(records)}); ratio {t_one_full / t_cg:,.0f}x")


if __name__ == "__main__":
    main()
