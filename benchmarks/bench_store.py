"""Benchmark the study store: import 1,000,000 findings rows into SQLite, load them into polars.

Targets (issue 4): import ≤ 30 s (with one audit row per inserted finding, written by the SQLite
triggers inside the same transaction), load ≥ 1,000,000 rows/s. Loads are timed in each situation a user
meets: right after the import, after a write elsewhere, after one edit, and with no frame snapshot
(store/snapshots.py). Slow ways measured in the same run: row-by-row ORM-style insert (one Core INSERT
statement per row, each in the audited transaction) on a sample, extrapolated per row; row-by-row fetch
(a DBAPI cursor, one tuple per row, then a frame).

Run: .venv/bin/python benchmarks/bench_store.py [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import polars as pl
from _timing import seconds as timed
from sqlalchemy import insert

from lupustrial.store import init_study
from lupustrial.store import schema as S

TESTS = [
    ("CREAT", "µmol/L", 60, 110),
    ("PLAT", "10^9/L", 150, 400),
    ("HGB", "g/dL", 10, 16),
    ("ALT", "U/L", 5, 40),
    ("CRP", "mg/L", 0.1, 10),
    ("NEUT", "10^9/L", 1, 7),
]


def make_files(folder: Path, n_rows: int, n_subjects: int = 1000, seed: int = 1) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    ids = [f"B-01-{i:05d}" for i in range(n_subjects)]
    subjects = folder / "subjects.csv"
    pl.DataFrame({"USUBJID": ids, "SITEID": "01", "SEX": "F", "WEIGHT": 60.0, "WEIGHTU": "kg"}).write_csv(
        subjects
    )
    i = np.arange(n_rows)
    test = i % len(TESTS)
    visit = (i // len(TESTS)) % (n_rows // (len(TESTS) * n_subjects) + 1)
    subj = i // (len(TESTS) * (n_rows // (len(TESTS) * n_subjects) + 1))
    lo = np.array([t[2] for t in TESTS])[test]
    hi = np.array([t[3] for t in TESTS])[test]
    labs = pl.DataFrame(
        {
            "USUBJID": np.array(ids)[np.minimum(subj, n_subjects - 1)],
            "TESTCD": np.array([t[0] for t in TESTS])[test],
            "ORRES": np.round(rng.uniform(lo, hi), 2).astype(str),
            "ORRESU": np.array([t[1] for t in TESTS])[test],
            "VISITNUM": visit + 1,
            "DTC": "2025-03-01",
            "VISIT": pl.Series((visit + 1).astype(str)).str.replace(r"^", "V"),
        }
    )
    path = folder / "labs.csv"
    labs.write_csv(path)
    return subjects, path


def bench_import(target, subjects: Path, labs: Path):
    study = init_study(target, "BENCH", "ptoc1", user="bench")
    study.import_file(subjects, "subjects", reason="bench")
    t0 = time.perf_counter()
    report = study.import_file(labs, "labs", reason="bench")
    return time.perf_counter() - t0, report, study


def bench_slow_insert(study, sample: int) -> float:
    """Seconds per row for one INSERT statement per row (the ORM-style way), audited, one transaction."""
    frame = study.frame("findings").head(sample)
    rows = [
        dict(
            study_pk=study.study_pk,
            site_pk=1,
            subject_pk=1,
            domain="LB",
            nkey=f"slow|{k}",
            testcd=r["TESTCD"],
            orres=r["ORRES"],
            orresu=r["ORRESU"],
            stresn=r["STRESN"],
            stresu=r["STRESU"],
            visitnum=r["VISITNUM"],
            dtc=r["DTC"],
        )
        for k, r in enumerate(frame.iter_rows(named=True))
    ]
    t0 = time.perf_counter()
    with study.write("bench slow insert") as conn:
        for row in rows:
            conn.execute(insert(S.findings).values(**row))
    return (time.perf_counter() - t0) / sample


def bench_load(study, repeats: int) -> dict[str, float]:
    """Median seconds to load the findings frame in each situation a user meets (see docs/store.md).

    * ``after_import``: the first load after the import (the importer stored the snapshot);
    * ``after_other_write``: after an audited write to another table (the snapshot is still exact);
    * ``after_edit``: after one audited edit of a findings row (snapshot + that row read with SQL);
    * ``no_snapshot``: the frame_snapshots row deleted (everything read with SQL, then re-stored);
    * ``row_by_row``: the slow way, a DBAPI cursor and one tuple per row.
    """
    names = ("after_other_write", "after_edit", "no_snapshot", "row_by_row")
    out: dict[str, list[float]] = {k: [] for k in names}
    for k in range(repeats):
        with study.write("bench: move the audit head") as conn:
            conn.exec_driver_sql(f"UPDATE sites SET name = 'bench {k}' WHERE id = 1")
        out["after_other_write"].append(timed(lambda: study.frame("findings")))
        row = study.frame("findings").row(k, named=True)
        study.update(
            "findings", row["ID"], {"orres": f"{k}.25"}, expected_version=row["VERSION"], reason="bench"
        )
        out["after_edit"].append(timed(lambda: study.frame("findings")))
        with study.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM frame_snapshots")
        out["no_snapshot"].append(timed(lambda: study.frame("findings")))
    cols = [c.name for c in S.findings.columns]

    def slow():
        with study.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT {', '.join(cols)} FROM findings WHERE study_pk = {int(study.study_pk)}"
            ).fetchall()
            pl.DataFrame([tuple(r) for r in rows], schema=cols, orient="row", infer_schema_length=None)

    out["row_by_row"] = [timed(slow) for _ in range(max(1, repeats // 2))]
    return {k: statistics.median(v) for k, v in out.items()}


@contextlib.contextmanager
def _targets(url: str | None, folder: Path, repeats: int):
    """SQLite files in ``folder``, or fresh PostgreSQL schemas (dropped at the end) on ``url``."""
    if not url:
        yield [folder / f"b{k}.db" for k in range(repeats)]
        return
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    names = [f"bench_store_{os.getpid()}_{k}" for k in range(repeats)]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in url else "?"
    try:
        yield [f"{url}{sep}options={quote(f'-csearch_path={name}')}" for name in names]
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            for name in names:
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--slow-sample", type=int, default=5_000)
    parser.add_argument("--url", help="a PostgreSQL URL (postgresql+psycopg://...): benchmark it instead of "
                        "SQLite, each repeat in a fresh schema dropped afterwards")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _targets(args.url, Path(tmp), args.repeats) as targets:
        folder = Path(tmp)
        subjects, labs = make_files(folder, args.rows)
        times, first, study = [], [], None
        for target in targets:
            seconds, report, study = bench_import(target, subjects, labs)
            times.append(seconds)
            assert report.inserted == args.rows, report
            first.append(timed(lambda s=study: s.frame("findings")))
        t_import = statistics.median(times)
        t0 = time.perf_counter()
        again = study.import_file(labs, "labs", reason="bench re-import")
        t_reimport = time.perf_counter() - t0
        assert again.inserted == 0
        t0 = time.perf_counter()
        audit = study.verify_audit()
        t_verify = time.perf_counter() - t0
        assert audit.ok, audit.problems[:3]
        per_row_slow = bench_slow_insert(study, args.slow_sample)
        rows = study.frame("findings").height
        loads = {"after_import": statistics.median(first), **bench_load(study, args.repeats)}
        study.engine.dispose()
    print(f"engine: {'PostgreSQL ' + args.url.split('@')[-1] if args.url else 'SQLite file'}")
    print(
        f"import {args.rows:,} findings rows (+ {args.rows:,} audit rows by trigger), "
        f"median of {args.repeats}: "
        f"{t_import:.1f} s ({args.rows / t_import:,.0f} rows/s)"
    )
    print(
        f"  slow way (one INSERT per row, sample {args.slow_sample:,}): {per_row_slow * 1e6:.1f} µs/row → "
        f"{per_row_slow * args.rows:.1f} s for {args.rows:,}; "
        f"ratio {per_row_slow * args.rows / t_import:.1f}×"
    )
    print(f"re-import of the same file (idempotent, 0 inserted): {t_reimport:.1f} s")
    print(f"audit verify ({audit.rows:,} rows): {t_verify:.1f} s")
    print(f"load findings into polars ({rows:,} rows, 19 columns as Study.frame gives them), medians:")
    slow = loads.pop("row_by_row")
    for name, seconds in loads.items():
        print(
            f"  {name:<18} {seconds:6.3f} s = {rows / seconds:>12,.0f} rows/s; "
            f"row-by-row is {slow / seconds:5.1f}× slower"
        )
    print(f"  {'row_by_row':<18} {slow:6.3f} s = {rows / slow:>12,.0f} rows/s (the slow way)")


if __name__ == "__main__":
    main()
