"""Frame snapshots (store/snapshots.py) give exactly what SQL gives, on both engines.

The thresholds are lowered (MIN_ROWS 5, REFRESH_ROWS 3) so small tables exercise every path: the
importer's snapshot, patching after edits and deletes, the full reload when too much changed, the
reader's refresh, a snapshot whose audit stamp no longer matches, and ``verify`` catching a snapshot
that was tampered with.
"""

from __future__ import annotations

import io

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from lupustrial.store import schema as S
from lupustrial.store import snapshots
from lupustrial.store.frames import load_table

SUBJECTS = ["S-001", "S-002", "S-003"]


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch):
    monkeypatch.setattr(snapshots, "MIN_ROWS", 5)
    monkeypatch.setattr(snapshots, "REFRESH_ROWS", 3)


@pytest.fixture
def loaded(study, tmp_path):
    path = tmp_path / "subjects.csv"
    pl.DataFrame({"USUBJID": SUBJECTS, "SITEID": ["01", "02", "01"]}).write_csv(path)
    study.import_file(path, "subjects", reason="entry")
    return study


def _import_labs(study, tmp_path, visit: int, n: int, *, name: str = "labs") -> None:
    path = tmp_path / f"{name}-{visit}.csv"
    pl.DataFrame(
        {
            "USUBJID": [SUBJECTS[i % 3] for i in range(n)],
            "TESTCD": ["CREAT"] * n,
            "ORRES": [f"{0.5 + i / 7:.6f}" for i in range(n)],
            "ORRESU": ["mg/dL"] * n,
            "VISITNUM": [visit] * n,
            "DTC": [f"2025-01-{1 + i % 28:02d}T{i % 24:02d}:00" for i in range(n)],
        }
    ).write_csv(path)
    study.import_file(path, "labs", reason="entry")


def _both(study) -> tuple[pl.DataFrame, pl.DataFrame]:
    with study.engine.connect() as conn:
        fast = load_table(conn, S.findings, study.study_pk, refresh=False)
        exact = load_table(conn, S.findings, study.study_pk, use_snapshot=False)
    return fast, exact


def _snapshot_row(study):
    with study.engine.connect() as conn:
        return conn.execute(
            text("SELECT seq, nrows FROM frame_snapshots WHERE table_name = 'findings'")
        ).first()


def _head(study) -> int:
    with study.engine.connect() as conn:
        return snapshots.head(conn)[0]


def test_import_stores_a_snapshot_at_its_own_head(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 10)
    seq, nrows = _snapshot_row(loaded)
    assert (seq, nrows) == (_head(loaded), 10)
    fast, exact = _both(loaded)
    assert fast.equals(exact) and fast.height == 10


def test_below_min_rows_no_snapshot(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 4)  # 4 < MIN_ROWS = 5
    assert _snapshot_row(loaded) is None
    fast, exact = _both(loaded)
    assert fast.equals(exact)


def test_edit_and_delete_are_patched_in(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 10)
    frame = loaded.frame("findings")
    first, last = frame.row(0, named=True), frame.row(-1, named=True)
    loaded.update("findings", first["ID"], {"orres": "9.9"}, expected_version=1, reason="typo")
    loaded.delete("findings", last["ID"], expected_version=1, reason="duplicate")
    with loaded.engine.connect() as conn:
        loads = []
        frame, read = snapshots.patched(
            conn, S.findings, loaded.study_pk, lambda ids: loads.append(ids.to_list()) or
            load_table(conn, S.findings, loaded.study_pk, use_snapshot=False).filter(
                pl.col("id").is_in(ids.implode())), lambda: pytest.fail("full load not expected")
        )
    # two changed ids read with SQL (the edited row, and the deleted one which is gone)
    assert read == 2 and sorted(loads[0]) == sorted([first["ID"], last["ID"]])
    assert frame.height == 9 and frame.filter(pl.col("id") == first["ID"])["orres"].item() == "9.9"
    fast, exact = _both(loaded)
    assert fast.equals(exact)


def test_unrelated_write_needs_no_sql(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 10)
    with loaded.write("rename site") as conn:
        conn.execute(text("UPDATE sites SET name = 'Erlangen' WHERE siteid = '01'"))
    with loaded.engine.connect() as conn:
        _, read = snapshots.patched(
            conn, S.findings, loaded.study_pk, lambda ids: pytest.fail("no findings changed"),
            lambda: pytest.fail("no full load"),
        )
    assert read == 0


def test_many_changes_mean_a_full_load_and_a_refresh(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 10)
    for row in loaded.frame("findings").head(4).iter_rows(named=True):  # 4 > max(3, 0.25 * 10)
        loaded.update("findings", row["ID"], {"orres": "1"}, expected_version=1, reason="fix")
    with loaded.engine.connect() as conn:
        _, read = snapshots.patched(
            conn, S.findings, loaded.study_pk, lambda ids: pytest.fail("patch not expected"),
            lambda: load_table(conn, S.findings, loaded.study_pk, use_snapshot=False),
        )
    assert read == 10
    loaded.frame("findings")  # a reader refreshes the snapshot at the head it saw
    assert _snapshot_row(loaded) == (_head(loaded), 10)


def test_a_stamp_that_no_longer_matches_the_log_is_ignored(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 10)
    with loaded.engine.begin() as conn:
        conn.execute(text("UPDATE frame_snapshots SET hash = 'forged'"))
    with loaded.engine.connect() as conn:
        _, read = snapshots.patched(
            conn, S.findings, loaded.study_pk, lambda ids: pytest.fail("stale stamp: no patch"),
            lambda: load_table(conn, S.findings, loaded.study_pk, use_snapshot=False),
        )
    assert read == 10


def test_verify_catches_a_tampered_snapshot(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 10)
    assert loaded.verify_audit().ok
    fast, _ = _both(loaded)
    forged = fast.with_columns(orres=pl.lit("0.1"))
    buf = io.BytesIO()
    forged.write_ipc(buf, compression="zstd")
    with loaded.engine.begin() as conn:
        conn.execute(text("UPDATE frame_snapshots SET data = :d"), {"d": buf.getvalue()})
    report = loaded.verify_audit()
    assert not report.ok and any("frame snapshot of findings" in p for p in report.problems)


def test_an_older_stamp_never_replaces_a_newer_snapshot(loaded, tmp_path):
    _import_labs(loaded, tmp_path, 1, 10)
    seq, _ = _snapshot_row(loaded)
    fast, _ = _both(loaded)
    with loaded.engine.begin() as conn:
        assert not snapshots.store(conn, S.findings, loaded.study_pk, fast, (seq - 1, "older"))
    assert _snapshot_row(loaded)[0] == seq


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("import"), st.integers(1, 12)),
        st.tuples(st.just("update"), st.integers(0, 50)),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("other"), st.integers(0, 1)),
        st.tuples(st.just("drop"), st.integers(0, 1)),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_sequence_of_writes_loads_exactly(loaded, tmp_path, ops):
    """Imports, edits, deletes, unrelated writes, a dropped snapshot: the load always equals SQL."""
    for op, k in ops:
        current = loaded.frame("findings")
        if op == "import":
            visit = _head(loaded) + 100  # a new VISITNUM: new natural keys
            _import_labs(loaded, tmp_path, visit, k, name=f"h{visit}")
        elif op in ("update", "delete") and current.height:
            row = current.row(k % current.height, named=True)
            if op == "update":
                loaded.update("findings", row["ID"], {"orres": f"{k}.5"}, expected_version=row["VERSION"],
                              reason="edit")
            else:
                loaded.delete("findings", row["ID"], expected_version=row["VERSION"], reason="remove")
        elif op == "other":
            with loaded.write("site rename") as conn:
                conn.execute(text(f"UPDATE sites SET name = 'site {k}' WHERE siteid = '02'"))
        elif op == "drop":
            with loaded.engine.begin() as conn:
                conn.execute(text("DELETE FROM frame_snapshots"))
        fast, exact = _both(loaded)
        assert fast.equals(exact), (op, k)
        assert loaded.frame("findings").height == exact.height
