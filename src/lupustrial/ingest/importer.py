"""Import one template file into a study: validate everything, then write everything or nothing.

Steps: read (reader.py) → type and check every cell (validate.py) → standardise units
(standardise.py) → natural keys, duplicates within the file → *one write transaction*: resolve
sites/subjects, compare with the stored rows (same key + same values → unchanged; same key +
different values → a problem: stored data are corrected with :meth:`Study.update` and a reason,
never by re-import) → insert the new rows. The audit triggers write one entry per inserted row with
the reason ``import <template> <file> sha256:<first 12 hex>: <reason>``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lupustrial.errors import InputError, Problem
from lupustrial.ingest.reader import read_input
from lupustrial.ingest.spec import TemplateSpec, template_spec
from lupustrial.ingest.standardise import standardise_findings, standardise_weight
from lupustrial.ingest.validate import ROW, checked, problems_where
from lupustrial.store import schema as S
from lupustrial.store import snapshots
from lupustrial.store.engine import is_sqlite
from lupustrial.store.frames import load_table, polars_schema

__all__ = ["ImportReport", "import_file", "prepare"]

_PKS = ("id", "version", "study_pk", "site_pk", "subject_pk")


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows in the file, rows inserted, rows already stored unchanged."""

    file: str
    domain: str
    sha256: str
    rows: int
    inserted: int
    unchanged: int


def _identity(spec: TemplateSpec) -> list[str]:
    return {"subjects": ["usubjid"], "visits": ["subject_pk", "visitnum"]}.get(
        spec.table, ["subject_pk", "nkey"]
    )


def prepare(frame: pl.DataFrame, spec: TemplateSpec, source: str) -> tuple[pl.DataFrame, list[Problem]]:
    """Typed, standardised store rows (+ USUBJID/SITEID, _row) and every problem found in the file."""
    typed, problems = checked(frame, spec, source)
    if spec.is_findings:
        typed, more = standardise_findings(typed, spec, source)
        problems += more
    elif spec.table == "subjects":
        typed, more = standardise_weight(typed, source)
        problems += more
    elif spec.sdtm:
        typed = typed.with_columns(DOMAIN=pl.lit(spec.sdtm))
    table = S.DOMAIN_TABLES[spec.table]
    schema = {k: v for k, v in polars_schema(table).items() if k not in _PKS and k != "nkey"}
    if "nkey" in table.c:
        keys = [pl.col(k).cast(pl.Utf8).fill_null("") for k in ("DOMAIN", *spec.key) if k != "USUBJID"]
        typed = typed.with_columns(nkey=pl.concat_str(keys, separator="|"))
        schema["nkey"] = pl.Utf8
    store = typed.select(
        ROW,
        *[c for c in ("USUBJID", "SITEID") if c in typed.columns],
        *[_store_col(typed, name, dtype) for name, dtype in schema.items()],
    )
    ident = [c if c != "subject_pk" else "USUBJID" for c in _identity(spec)]
    dup = ~pl.struct(*ident).is_first_distinct()
    problems += problems_where(
        store,
        dup,
        spec.key[-1],
        f"duplicate of an earlier row with the same key ({', '.join(spec.key)})",
        source,
    )
    return store, problems


def _store_col(typed: pl.DataFrame, name: str, dtype) -> pl.Expr:
    source = name if name == "nkey" else name.upper() if name.upper() in typed.columns else None
    expr = pl.col(source) if source else pl.lit(None)
    return expr.cast(dtype, strict=False).alias(name)


def import_file(study, path: Path, domain: str, *, reason: str) -> ImportReport:
    """Validate ``path`` as template ``domain`` and store its new rows in one transaction."""
    spec = template_spec(domain)
    source = str(path)
    frame = read_input(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    store, problems = prepare(frame, spec, source)
    if problems:
        raise InputError.from_problems(f"{path}: nothing imported", _by_row(problems))
    note = f"import {domain} {path.name} sha256:{digest[:12]}: {reason}"
    with study.write(note) as conn:
        store, problems = _resolve(conn, study.study_pk, spec, store, source)
        table = S.DOMAIN_TABLES[spec.table]
        current = load_table(conn, table, study.study_pk, refresh=False)
        new, unchanged, more = _compare(current, spec, store, source)
        if problems or more:
            raise InputError.from_problems(f"{path}: nothing imported", _by_row(problems + more))
        if new.height:
            added = _insert(conn, table, new.with_columns(study_pk=pl.lit(study.study_pk)))
            # the stored rows are now exactly current + added: keep them as the table's snapshot
            snapshots.store(conn, table, study.study_pk, pl.concat([current, added]))
    return ImportReport(source, domain, digest, store.height, new.height, unchanged)


def _by_row(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: -1 if p.row is None else p.row)


def _resolve(conn, study_pk, spec, store, source):
    if spec.table == "subjects":
        sites = load_table(conn, S.sites, study_pk).select(SITEID=pl.col("siteid"), site_pk=pl.col("id"))
        out = store.join(sites, on="SITEID", how="left", maintain_order="left")
        return out, problems_where(
            out,
            pl.col("site_pk").is_null(),
            "SITEID",
            f"not a site of this study ({', '.join(sites['SITEID'])}); add it first",
            source,
        )
    subjects = load_table(conn, S.subjects, study_pk).select(
        USUBJID=pl.col("usubjid"), subject_pk=pl.col("id"), site_pk=pl.col("site_pk")
    )
    out = store.join(subjects, on="USUBJID", how="left", maintain_order="left")
    return out, problems_where(
        out,
        pl.col("subject_pk").is_null(),
        "USUBJID",
        "no such subject in this study; import subjects first",
        source,
    )


def _compare(current: pl.DataFrame, spec, store, source):
    table = S.DOMAIN_TABLES[spec.table]
    ident = _identity(spec)
    data = [c for c in polars_schema(table) if c not in _PKS and c not in ident]
    old = current.select(*ident, *[pl.col(c).alias(f"{c}__old") for c in data], _id=pl.col("id"))
    both = store.join(old, on=ident, how="left", maintain_order="left")
    differs = [c for c in data if c in store.columns]
    matched = pl.col("_id").is_not_null()
    problems: list[Problem] = []
    for c in (c for c in data if c in store.columns):
        differs = matched & ~pl.col(c).eq_missing(pl.col(f"{c}__old"))
        problems += problems_where(
            both.with_columns(pl.col(c).alias(c.upper())),
            differs,
            c.upper(),
            "a row with this key is already stored with another value: correct stored "
            "data with Study.update and a reason, not by re-import",
            source,
        )
    changed = len({p.row for p in problems})
    new = both.filter(pl.col("_id").is_null()).select(store.columns)
    unchanged = both.height - new.height - changed
    return new, unchanged, problems


def _insert(conn, table, new: pl.DataFrame) -> pl.DataFrame:
    """Insert ``new`` with ids assigned here; returns the rows exactly as a load would read them back.

    The write transaction holds the write lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL: the audit-log
    lock every write takes), so the ids ``max(id) + 1 ...`` (SQLite) or drawn from the sequence
    (PostgreSQL) are ours.
    """
    schema = polars_schema(table)
    cols = [c for c in schema if c not in ("id", "version")]
    n = new.height
    if is_sqlite(conn):
        first = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) + 1 FROM {table.name}").scalar_one()
        ids = pl.int_range(first, first + n, eager=True, dtype=pl.Int64)
    else:
        drawn = conn.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, {n})"
        ).scalars().all()
        ids = pl.Series(sorted(drawn), dtype=pl.Int64)
    rows = new.select(cols).with_columns(
        # what a load reads back: the store never holds empty text (frames.py reads '' as null)
        pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in cols if schema[c] == pl.Utf8
    ).with_columns(id=ids)
    raw = conn.connection.driver_connection
    names = ["id", *cols]
    if is_sqlite(conn):
        marks = ", ".join("?" for _ in names)
        raw.executemany(
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", rows.select(names).iter_rows()
        )
    else:
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows.select(names).iter_rows():
                copy.write_row(row)
    return rows.with_columns(version=pl.lit(1, pl.Int64)).select(
        pl.col(c).cast(t) for c, t in schema.items()
    )
