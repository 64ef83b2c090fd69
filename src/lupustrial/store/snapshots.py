"""Frame snapshots: columnar copies of big store tables, kept in the database, patched from the audit log.

SQLite prints rows as text slower than analysis wants them (~0.35M rows/s for ``findings``, see
benchmarks/README.md). A snapshot is the whole of one study's rows of one table as a zstd-compressed
Arrow IPC blob, stamped with the audit log's head ``(seq, hash)`` at the moment it was exact. To load:

1. read the snapshot and check that the audit row ``seq`` still has that ``hash`` (a log rebuilt or
   replaced since cannot pass the check, the snapshot is then ignored);
2. list the ids of ``table`` that audit rows after ``seq`` inserted, updated or deleted (a range scan
   of the log's primary key, short when little changed);
3. drop those ids from the snapshot, read their current rows with SQL, and concatenate in id order.

Every audited write moves the head, and every change of the table is in the log after the snapshot's
``seq``, so the result is exactly the stored rows — the audit triggers make it so (docs/store.md;
``tests/store/test_snapshots.py`` checks it against the SQL load after random imports, edits and
deletes on both engines, and :func:`lupustrial.store.verify.verify` re-checks every snapshot).

Who writes snapshots: the importer, inside its own transaction (old rows + the rows it inserted, whose
ids it assigned), so the first load after an import is as fast as any other; and a load that had to
read many rows with SQL (no snapshot yet, or at least :data:`REFRESH_ROWS` changed ids), best effort in
a short transaction of its own (skipped if the database is busy or read-only). Tables of a study with
fewer than :data:`MIN_ROWS` rows are never snapshotted: SQL reads them in milliseconds.

The table is not audited (it holds nothing that the audited tables do not) and lives in its own
``MetaData``: created by migration 0002.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

import polars as pl
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, text

__all__ = ["MIN_ROWS", "REBUILD_FRACTION", "REFRESH_ROWS", "frame_snapshots", "patched", "store"]

log = logging.getLogger(__name__)

#: a study's table with fewer rows is never snapshotted
MIN_ROWS = 20_000
#: after a patch that read at least this many changed rows with SQL, the snapshot is rewritten
REFRESH_ROWS = 2_000
#: if more than this fraction of the snapshot's rows changed, read the whole table with SQL instead
REBUILD_FRACTION = 0.25

snapshot_metadata = MetaData()
frame_snapshots = Table(
    "frame_snapshots",
    snapshot_metadata,
    Column("table_name", String(32), primary_key=True),
    Column("study_pk", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("nrows", Integer, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
)


def head(conn) -> tuple[int, str]:
    """The audit log's last ``(seq, hash)`` as this transaction sees it (``(0, "")`` when empty)."""
    row = conn.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).first()
    return (row[0], row[1]) if row else (0, "")


def _read(conn, table: Table, study_pk: int) -> tuple[pl.DataFrame, int] | None:
    """The stored snapshot and its ``seq``, if it still matches the audit log."""
    row = conn.execute(
        text(
            "SELECT s.seq, s.data FROM frame_snapshots s "
            "JOIN audit_log a ON a.seq = s.seq AND a.hash = s.hash "
            "WHERE s.table_name = :t AND s.study_pk = :s"
        ),
        {"t": table.name, "s": study_pk},
    ).first()
    if row is None:
        return None
    return pl.read_ipc(io.BytesIO(bytes(row[1]))), row[0]


def _changed_ids(conn, table: Table, seq: int) -> pl.Series:
    rows = conn.execute(
        text("SELECT DISTINCT record_id FROM audit_log WHERE seq > :q AND table_name = :t"),
        {"q": seq, "t": table.name},
    ).scalars().all()
    return pl.Series("id", rows, dtype=pl.Utf8).cast(pl.Int64)


def patched(conn, table: Table, study_pk: int, load_ids, load_all) -> tuple[pl.DataFrame, int]:
    """``(frame, rows read with SQL)``: the snapshot patched to this transaction's view, or a full load.

    ``load_ids(ids)`` reads the current rows of those ids (of this study), ``load_all()`` every row.
    """
    found = _read(conn, table, study_pk)
    if found is not None:
        snap, seq = found
        changed = _changed_ids(conn, table, seq)
        if changed.len() <= max(REFRESH_ROWS, REBUILD_FRACTION * snap.height):
            if changed.is_empty():
                return snap, 0
            fresh = load_ids(changed)
            keep = snap.filter(~pl.col("id").is_in(changed.implode()))
            return pl.concat([keep, fresh.select(snap.columns)]).sort("id"), changed.len()
    frame = load_all()
    return frame, frame.height


def store(conn, table: Table, study_pk: int, frame: pl.DataFrame, at: tuple[int, str] | None = None) -> bool:
    """Keep ``frame`` as the snapshot of ``table``, exact at audit head ``at`` (default: this transaction's).

    The caller guarantees that ``frame`` is exactly the study's rows of ``table`` as of ``at`` (the
    importer, at its own head; a loader, at the head its read transaction saw). A stored snapshot that
    is newer than ``at`` is kept. Returns whether ``frame`` was stored (too small: never).
    """
    seq, digest = at or head(conn)
    keys = {"t": table.name, "s": study_pk, "q": seq}
    conn.execute(
        text("DELETE FROM frame_snapshots WHERE table_name = :t AND study_pk = :s AND seq <= :q"), keys
    )
    if frame.height < MIN_ROWS:
        return False
    newer = conn.execute(
        text("SELECT 1 FROM frame_snapshots WHERE table_name = :t AND study_pk = :s"), keys
    ).first()
    if newer:
        return False
    buf = io.BytesIO()
    frame.write_ipc(buf, compression="zstd")
    conn.execute(
        frame_snapshots.insert().values(
            table_name=table.name,
            study_pk=study_pk,
            seq=seq,
            hash=digest,
            nrows=frame.height,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            data=buf.getvalue(),
        )
    )
    return True


def refresh(engine, table: Table, study_pk: int, frame: pl.DataFrame, at: tuple[int, str]) -> None:
    """Best effort, from a reader: store ``frame`` (exact at audit head ``at``) in a transaction of its own.

    Waits at most ~0.2 s for the write lock; any failure (busy, read-only file, no permission, a
    concurrent refresher) only costs the next reader a slower load.
    """
    from sqlalchemy.exc import DBAPIError

    if frame.height < MIN_ROWS:
        return
    try:
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            sqlite = conn.dialect.name == "sqlite"
            raw = conn.connection.driver_connection  # pragmas outside SQLAlchemy's transaction
            if sqlite:
                raw.execute("PRAGMA busy_timeout = 200")
            try:
                with conn.begin():
                    if not sqlite:
                        conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
                    store(conn, table, study_pk, frame, at)
            finally:
                if sqlite:
                    raw.execute("PRAGMA busy_timeout = 60000")
    except DBAPIError as exc:  # busy, read-only: correct without a snapshot
        log.debug("frame snapshot of %s not stored: %s", table.name, exc)
