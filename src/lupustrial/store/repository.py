"""The public face of the study store: :func:`init_study`, :func:`open_study` and :class:`Study`.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "study.db"
>>> study = init_study(path, "DEMO-1", "ptoc1", sites=("01", "02"), user="ana")
>>> study.protocol_name, study.frame("subjects").height
('ptoc1', 0)
>>> open_study(path, user="ben").verify_audit().ok
True
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, insert, select, text

from lupustrial.errors import ConflictError, InputError, Problem, StoreError
from lupustrial.store import schema as S
from lupustrial.store.engine import make_engine, write_transaction

__all__ = ["Study", "init_study", "migrate", "open_study"]

_TABLES = {t.name: t for t in S.AUDITED}
_FIXED = {"id", "version", "study_pk"}


_MIGRATING = threading.Lock()  # Alembic's context is module-global: one migration at a time per process


def _config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


@functools.cache
def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def migrate(engine: Engine) -> None:
    """Bring the database to the newest Alembic revision (the first run creates everything)."""
    from alembic import command
    from sqlalchemy import inspect

    with engine.connect() as conn:
        if (
            inspect(conn).has_table("alembic_version")
            and conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        ):
            return
    with _MIGRATING, engine.begin() as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _protocol_identity(protocol: Any) -> tuple[str, str | None]:
    """(name, sha256 of the protocol file) for a protocol name, a YAML path or a protocol object."""
    if isinstance(protocol, (str, Path)) and Path(protocol).is_file():
        return Path(protocol).stem, hashlib.sha256(Path(protocol).read_bytes()).hexdigest()
    if isinstance(protocol, str):
        from importlib import resources

        packaged = resources.files("lupustrial") / "protocols" / f"{protocol}.yaml"
        digest = hashlib.sha256(packaged.read_bytes()).hexdigest() if packaged.is_file() else None
        return protocol, digest
    name = getattr(protocol, "name", None) or getattr(protocol, "id", None)
    if not name:
        raise InputError(
            f"protocol {protocol!r}: give a protocol name, a YAML file or a protocol object",
            problems=[Problem("protocol", repr(protocol), "give a name such as 'ptoc1'")],
        )
    return str(name), getattr(protocol, "hash", None) or getattr(protocol, "protocol_hash", None)


def init_study(
    target: str | Path, study_id: str, protocol: Any, *, sites=("01",), user: str = "system"
) -> Study:
    """Create (migrating first) a study with its sites; ``user`` becomes its first member."""
    engine = make_engine(target)
    migrate(engine)
    name, digest = _protocol_identity(protocol)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with write_transaction(engine, actor=user, reason=f"study {study_id} created") as conn:
        if conn.execute(select(S.studies.c.id).where(S.studies.c.study_id == study_id)).first():
            raise StoreError(
                f"study {study_id!r} already exists in {target}; open it with open_study",
                problems=[Problem("study_id", study_id, "choose another id or open it")],
            )
        study_pk = conn.execute(
            insert(S.studies).values(
                study_id=study_id, protocol_name=name, protocol_hash=digest, created_at=now
            )
        ).inserted_primary_key[0]
        user_pk = _ensure_user(conn, user)
        for siteid in sites:
            site_pk = conn.execute(
                insert(S.sites).values(study_pk=study_pk, siteid=str(siteid))
            ).inserted_primary_key[0]
            conn.execute(
                insert(S.memberships).values(
                    study_pk=study_pk, site_pk=site_pk, user_pk=user_pk, role="admin"
                )
            )
    return Study(engine, study_pk, user)


def _ensure_user(conn, username: str) -> int:
    found = conn.execute(select(S.users.c.id).where(S.users.c.username == username)).scalar()
    if found is not None:
        return found
    return conn.execute(insert(S.users).values(username=username, role="admin")).inserted_primary_key[0]


def open_study(target: str | Path, *, user: str = "system", study_id: str | None = None) -> Study:
    """Open an existing study; ``study_id`` is needed only when the database holds several."""
    if "://" not in str(target) and not Path(target).is_file():
        raise StoreError(
            f"{target}: no such study database; create it with `lupustrial study init`",
            problems=[Problem("--study", str(target), "give an existing study file")],
        )
    engine = make_engine(target)
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(S.studies.c.id, S.studies.c.study_id)).all()
    chosen = [r for r in rows if study_id in (None, r.study_id)]
    if len(chosen) != 1:
        known = ", ".join(r.study_id for r in rows) or "none"
        raise StoreError(
            f"{target}: cannot choose a study (asked {study_id!r}; stored: {known})",
            problems=[Problem("study_id", study_id, f"name one of: {known}")],
        )
    return Study(engine, chosen[0].id, user)


class Study:
    """One study in a store. Reads return polars frames; every write is audited and versioned."""

    def __init__(self, engine: Engine, study_pk: int, user: str) -> None:
        self.engine, self.study_pk, self.user = engine, study_pk, user
        with engine.connect() as conn:
            row = conn.execute(select(S.studies).where(S.studies.c.id == study_pk)).one()
        self.study_id, self.protocol_name, self.protocol_hash = (
            row.study_id,
            row.protocol_name,
            row.protocol_hash,
        )

    def __repr__(self) -> str:
        return f"Study({self.study_id!r}, protocol={self.protocol_name!r}, url={self.engine.url!r})"

    def frame(self, domain: str):
        """A polars frame of one domain table with SDTM-like upper-case names (USUBJID, SITEID, ...)."""
        from lupustrial.store.sdtm import domain_frame

        with self.engine.connect() as conn:
            return domain_frame(conn, domain, self.study_pk)

    def import_file(self, path: str | Path, domain: str, *, reason: str = "data import"):
        """Validate and import one CSV/JSON template file (see docs/import.md); all or nothing."""
        from lupustrial.ingest.importer import import_file

        return import_file(self, Path(path), domain, reason=reason)

    def write(self, reason: str):
        """A write transaction attributed to this study's user and ``reason`` (a context manager)."""
        return write_transaction(self.engine, actor=self.user, reason=reason)

    def update(
        self, table: str, id: int, changes: dict[str, Any], *, expected_version: int, reason: str
    ) -> int:
        """Change one row if it still has ``expected_version``; returns the new version.

        Raises :class:`ConflictError` when someone else changed it first (re-read and re-apply).
        """
        t = self._table(table)
        bad = [
            Problem(k, v, f"give columns of {table} other than {sorted(_FIXED)}")
            for k, v in changes.items()
            if k not in t.c or k in _FIXED
        ]
        bad += [
            Problem(k, v, "text may not be empty or hold control characters")
            for k, v in changes.items()
            if isinstance(v, str) and (not v or any(ord(ch) < 32 for ch in v))
        ]
        if bad or not changes:
            raise InputError.from_problems(
                f"update of {table} {id}", bad or [Problem("changes", changes, "name a column")]
            )
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        with self.write(reason) as conn:
            done = conn.execute(
                text(
                    f"UPDATE {table} SET {sets}, version = version + 1 WHERE id = :id_ "
                    f"AND version = :v_ AND {self._owner(t)}"
                ),
                {**changes, "id_": id, "v_": expected_version, "s_": self.study_pk},
            )
            if done.rowcount != 1:
                self._conflict(conn, t, id, expected_version)
        return expected_version + 1

    def delete(self, table: str, id: int, *, expected_version: int, reason: str) -> None:
        """Delete one row if it still has ``expected_version`` (the audit log keeps its last values)."""
        t = self._table(table)
        with self.write(reason) as conn:
            done = conn.execute(
                text(f"DELETE FROM {table} WHERE id = :id_ AND version = :v_ AND {self._owner(t)}"),
                {"id_": id, "v_": expected_version, "s_": self.study_pk},
            )
            if done.rowcount != 1:
                self._conflict(conn, t, id, expected_version)

    def history(self, table: str, id: int):
        """Every audit entry of one record, oldest first (polars frame)."""
        import polars as pl

        self._table(table)
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT seq, ts, actor, action, reason, old_values, new_values "
                    "FROM audit_log WHERE table_name = :t AND record_id = :r ORDER BY seq"
                ),
                {"t": table, "r": str(id)},
            ).all()
        cols = ["seq", "ts", "actor", "action", "reason", "old_values", "new_values"]
        return pl.DataFrame([tuple(r) for r in rows], schema=cols, orient="row")

    def verify_audit(self, *, anchor: str | None = None):
        """Recompute the audit hash chain and check the tables against it (see audit.verify)."""
        from lupustrial.store.verify import verify

        with self.engine.connect() as conn:
            return verify(conn, S.AUDITED, anchor=anchor)

    def _table(self, name: str) -> Table:
        if name not in _TABLES or name == "studies":
            raise InputError(
                f"table {name!r}: not a changeable store table",
                problems=[Problem("table", name, f"use one of {sorted(set(_TABLES) - {'studies'})}")],
            )
        return _TABLES[name]

    @staticmethod
    def _owner(t: Table) -> str:
        return "study_pk = :s_" if "study_pk" in t.c else "1 = 1"  # users belong to no single study

    def _conflict(self, conn, t: Table, id: int, expected: int):
        current = conn.execute(text(f"SELECT version FROM {t.name} WHERE id = :id"), {"id": id}).scalar()
        if current is None:
            raise StoreError(
                f"{t.name} {id}: no such record in study {self.study_id}",
                problems=[Problem("id", id, "give the id of a stored record")],
            )
        raise ConflictError(
            f"{t.name} {id}: version {expected} is stale (now {current}); someone changed it — "
            "re-read the record and apply the change again",
            problems=[Problem("expected_version", expected, f"re-read; current is {current}")],
        )
