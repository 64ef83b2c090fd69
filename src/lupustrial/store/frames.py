"""Load store tables into polars frames fast, without a Python object per value.

Two ways, combined by :func:`load_table`:

* **snapshots** (:mod:`lupustrial.store.snapshots`): the big domain tables are kept inside the
  database as a compressed Arrow copy stamped with the audit head, and patched on load with the rows
  the audit log says changed since — ≥ 5M rows/s (benchmarks/README.md);
* **SQL**, for small tables, for the changed rows, and when there is no usable snapshot. The slow way
  (a DBAPI cursor, one tuple per row) builds ~20 Python objects per row. Instead the database
  serialises the rows and polars' native CSV reader parses them:

  - SQLite: ``group_concat`` over id ranges joins each row's fields with U+001F and rows with U+001E
    (the importer and :meth:`Study.update` refuse control characters in text); floats are printed
    with ``printf('%!.17g')`` so every double round-trips exactly; empty text is null (the store never
    holds empty strings);
  - PostgreSQL: ``COPY (SELECT ...) TO STDOUT (FORMAT csv)``; PostgreSQL ≥ 12 prints the shortest
    exact float text.
"""

from __future__ import annotations

import io
import json

import polars as pl
from sqlalchemy import Connection, Float, Integer, Table

from lupustrial.store import snapshots
from lupustrial.store.engine import is_sqlite

__all__ = ["load_table", "polars_schema"]

_CHUNK = 250_000
_FS, _RS = "\x1f", "\x1e"
#: tables that may have a snapshot (the others are small: SQL reads them in milliseconds)
SNAPSHOT_TABLES = frozenset({"subjects", "visits", "interventions", "events", "findings"})


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    """Column name → polars dtype for a store table."""

    def dtype(col):
        if isinstance(col.type, Integer):
            return pl.Int64
        if isinstance(col.type, Float):
            return pl.Float64
        return pl.Utf8

    return {c.name: dtype(c) for c in table.columns}


def load_table(
    conn: Connection,
    table: Table,
    study_pk: int,
    *,
    columns: list[str] | None = None,
    use_snapshot: bool = True,
    refresh: bool = True,
) -> pl.DataFrame:
    """Every row of ``table`` that belongs to study ``study_pk``, in id order (lower-case store names).

    ``use_snapshot``: start from the table's snapshot when there is one (exactly the same result).
    ``refresh``: when many rows had to be read with SQL, store a new snapshot in a short transaction
    of its own (writers inside a transaction pass False and store it themselves).
    """
    schema = polars_schema(table)
    if use_snapshot and table.name in SNAPSHOT_TABLES:
        at = snapshots.head(conn)
        frame, read = snapshots.patched(
            conn,
            table,
            study_pk,
            lambda ids: _load(conn, table, study_pk, schema, ids=ids),
            lambda: _load(conn, table, study_pk, schema),
        )
        if refresh and read >= snapshots.REFRESH_ROWS:
            snapshots.refresh(conn.engine, table, study_pk, frame, at)
    else:
        frame = _load(conn, table, study_pk, schema)
    return frame.select(columns) if columns is not None else frame


def _load(conn, table, study_pk, schema, ids: pl.Series | None = None) -> pl.DataFrame:
    """SQL read of the study's rows (only ``ids``, if given)."""
    where = "id = :study" if table.name == "studies" else "study_pk = :study"
    if is_sqlite(conn):
        parts = _sqlite_chunks(conn, table, where, study_pk, schema, ids)
    else:
        parts = [_postgres_copy(conn, table, where, study_pk, schema, ids)]
    parts = [p for p in parts if p.height]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def _sqlite_field(name: str, dtype) -> str:
    if dtype == pl.Float64:
        return f"iif({name} IS NULL, NULL, printf('%!.17g', {name}))"  # printf('%g', NULL) is '0.0'
    return name  # printf('%s', NULL) is ''


def _sqlite_chunks(conn, table, where, study_pk, schema, ids=None) -> list[pl.DataFrame]:
    from sqlalchemy import text

    fmt = _FS.join("%s" for _ in schema)
    line = f"printf('{fmt}', {', '.join(_sqlite_field(n, t) for n, t in schema.items())})"
    # "+" keeps SQLite on the rowid range (already in id order) instead of the study index + a sort
    plain = where.replace("study_pk =", "+study_pk =").replace("id =", "+id =").replace(":study", "?")
    raw = conn.connection.driver_connection
    if ids is not None:
        sql = (
            f"SELECT group_concat(line, '{_RS}') FROM (SELECT {line} AS line FROM {table.name} "
            f"WHERE id IN (SELECT value FROM json_each(?)) AND {plain} ORDER BY id)"
        )
        blob = raw.execute(sql, (json.dumps(ids.to_list()), study_pk)).fetchone()[0]
        return [_parse(blob.encode("utf-8"), schema, _FS, _RS, quote=None)] if blob else []
    lo, hi = conn.execute(
        text(f"SELECT min(id), max(id) FROM {table.name} WHERE {where}"), {"study": study_pk}
    ).one()
    if lo is None:
        return []
    sql = (
        f"SELECT group_concat(line, '{_RS}') FROM (SELECT {line} AS line FROM {table.name} "
        f"WHERE id BETWEEN ? AND ? AND {plain})"
    )
    out = []
    for start in range(lo, hi + 1, _CHUNK):
        blob = raw.execute(sql, (start, start + _CHUNK - 1, study_pk)).fetchone()[0]
        if blob:
            out.append(_parse(blob.encode("utf-8"), schema, _FS, _RS, quote=None))
    return out


def _postgres_copy(conn, table, where, study_pk, schema, ids=None) -> pl.DataFrame:
    cols = ", ".join(schema)
    raw = conn.connection.driver_connection
    cond = where.replace(":study", "%s")
    params: tuple = (study_pk,)
    if ids is not None:
        cond += " AND id = ANY(%s)"
        params = (study_pk, ids.to_list())
    sql = f"COPY (SELECT {cols} FROM {table.name} WHERE {cond} ORDER BY id) TO STDOUT (FORMAT csv)"
    buf = io.BytesIO()
    with raw.cursor() as cur, cur.copy(sql, params) as copy:
        for chunk in copy:
            buf.write(chunk)
    return _parse(buf.getvalue(), schema, ",", "\n", quote='"')


def _parse(data: bytes, schema, sep: str, eol: str, *, quote) -> pl.DataFrame:
    if not data:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        schema=schema,
        separator=sep,
        eol_char=eol,
        quote_char=quote,
        null_values=[""],
    )
