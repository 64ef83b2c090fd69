"""Verify the audit trail: recompute the hash chain and check the tables against it.

See :mod:`lupustrial.store.audit` for how the chain is written and docs/store.md for the threat model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Table

from lupustrial.store.audit import FIELDS, GENESIS, chain_hash, row_json

__all__ = ["AuditReport", "verify"]


@dataclass
class AuditReport:
    """What :func:`verify` found: ``ok`` is true only when ``problems`` is empty."""

    rows: int
    head: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn, tables: Sequence[Table], *, anchor: str | None = None, batch: int = 50_000) -> AuditReport:
    """Recompute the hash chain, find gaps in ``seq``, and check the tables against their audit.

    Detects: an edited audit row (its hash, or the next row's ``prev_hash``, no longer matches), a
    deleted or inserted row (gap in ``seq`` or broken link), a truncated tail (live rows ≠ audited
    inserts − deletes, or a row whose values are not those its last audit entry recorded), and data
    changed with the triggers dropped (same two checks), and a frame snapshot that does not give
    exactly the table's rows (see :mod:`lupustrial.store.snapshots`). ``anchor`` ("SEQ:HASH", a head printed
    earlier and kept elsewhere) also catches a tail cut together with a matching data rollback.
    """
    from sqlalchemy import text

    problems: list[str] = []
    prev, expected, n = GENESIS, 1, 0
    cols = ", ".join((*FIELDS, "hash"))
    last = 0
    while True:
        rows = conn.execute(
            text(f"SELECT {cols} FROM audit_log WHERE seq > :last ORDER BY seq LIMIT {batch}"), {"last": last}
        ).all()
        if not rows:
            break
        for row in rows:
            seq = row[0]
            if seq != expected:
                problems.append(f"seq {expected}..{seq - 1}: missing audit rows (gap before seq {seq})")
            if row[10] != prev:
                problems.append(f"seq {seq}: prev_hash does not match the previous row's hash")
            if chain_hash(row[:11]) != row[11]:
                problems.append(f"seq {seq}: content does not match its hash (row edited)")
            prev, expected, n = row[11], seq + 1, n + 1
        last = rows[-1][0]
        if len(problems) > 100:
            break
    problems += _count_check(conn, tables) + _content_check(conn, tables) + _snapshot_check(conn)
    if anchor:
        problems += _anchor_check(conn, anchor)
    return AuditReport(rows=n, head=f"{expected - 1}:{prev}", problems=problems)


def _content_check(conn, tables: Sequence[Table]) -> list[str]:
    """Rows whose values are not the ``new_values`` of their last audit entry (one pass per table)."""
    from sqlalchemy import text

    sqlite = conn.dialect.name == "sqlite"
    differs = "IS NOT" if sqlite else "IS DISTINCT FROM"
    rid = "CAST(x.id AS TEXT)" if sqlite else "x.id::text"
    out = []
    for t in tables:
        now = row_json(t, "x") if sqlite else "row_to_json(x)::text"
        bad = conn.execute(text(
            f"WITH last AS (SELECT record_id, max(seq) AS seq FROM audit_log WHERE table_name = '{t.name}' "
            f"GROUP BY record_id) SELECT count(*) FROM {t.name} x LEFT JOIN last l ON l.record_id = {rid} "
            f"LEFT JOIN audit_log a ON a.seq = l.seq WHERE {now} {differs} a.new_values"
        )).scalar_one()
        if bad:
            out.append(f"table {t.name}: {bad} live rows differ from the values their last audit entry "
                       "recorded")
    return out


def _snapshot_check(conn) -> list[str]:
    """Every frame snapshot, patched to now, must equal its table read with SQL."""
    from sqlalchemy import text

    from lupustrial.store import schema as S
    from lupustrial.store.frames import load_table

    out = []
    stored = conn.execute(text("SELECT table_name, study_pk, seq FROM frame_snapshots")).all()
    for name, study_pk, seq in stored:
        table = S.DOMAIN_TABLES.get(name)
        if table is None:
            out.append(f"frame snapshot of {name!r} (study {study_pk}): not a snapshot table")
            continue
        fast = load_table(conn, table, study_pk, refresh=False)
        exact = load_table(conn, table, study_pk, use_snapshot=False)
        if not fast.equals(exact):
            out.append(
                f"frame snapshot of {name} (study {study_pk}, seq {seq}) does not match the table: "
                "delete the frame_snapshots row (the next load rebuilds it) and find who wrote it"
            )
    return out


def _anchor_check(conn, anchor: str) -> list[str]:
    from sqlalchemy import text

    seq, _, digest = anchor.partition(":")
    stored = conn.execute(
        text("SELECT hash FROM audit_log WHERE seq = :s"), {"s": int(seq) if seq.isdigit() else -1}
    ).scalar()
    return [] if stored == digest else [f"anchor {anchor}: the log no longer holds that row with that hash"]


def _count_check(conn, tables: Sequence[Table]) -> list[str]:
    from sqlalchemy import text

    counts = dict(
        conn.execute(
            text(
                "SELECT table_name, sum(CASE action WHEN 'INSERT' THEN 1 WHEN 'DELETE' THEN -1 ELSE 0 END) "
                "FROM audit_log GROUP BY table_name"
            )
        ).all()
    )
    out = []
    for t in tables:
        live = conn.execute(text(f"SELECT count(*) FROM {t.name}")).scalar_one()
        audited = int(counts.get(t.name) or 0)
        if live != audited:
            out.append(f"table {t.name}: {live} live rows but the audit log accounts for {audited}")
    return out
