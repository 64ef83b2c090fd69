"""Store tables → polars frames shaped like SDTM domains (upper-case variable names).

``frame("findings")`` has USUBJID, SITEID, DOMAIN, TESTCD, TEST, CAT, ORRES, ORRESU, STRESN, STRESC,
STRESU, LLN, ULN, SPEC, VISIT, VISITNUM, DY, DTC, TPT, plus ID and VERSION (what :meth:`Study.update`
needs). Other domains likewise; subjects carry SITEID, child tables USUBJID and SITEID.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Connection

from lupustrial.errors import InputError, Problem
from lupustrial.store import schema as S
from lupustrial.store.frames import load_table

__all__ = ["DOMAINS", "domain_frame"]

DOMAINS = tuple(S.DOMAIN_TABLES)
_DROP = {"study_pk", "site_pk", "subject_pk", "nkey"}


def domain_frame(conn: Connection, domain: str, study_pk: int) -> pl.DataFrame:
    """One study's rows of ``domain`` ("subjects", "visits", "interventions", "events", "findings").
    """
    if domain not in S.DOMAIN_TABLES:
        raise InputError(
            f"domain {domain!r}: unknown; use one of {', '.join(DOMAINS)}",
            problems=[Problem("domain", domain, f"use one of {', '.join(DOMAINS)}")],
        )
    table = S.DOMAIN_TABLES[domain]
    frame = load_table(
        conn,
        table,
        study_pk,
        columns=[c.name for c in table.columns if c.name not in ("study_pk", "nkey")],
    )
    sites = load_table(conn, S.sites, study_pk).select(
        site_pk=pl.col("id"), SITEID=pl.col("siteid")
    )
    if "subject_pk" in frame.columns:
        subjects = load_table(conn, S.subjects, study_pk).select(
            subject_pk=pl.col("id"), USUBJID=pl.col("usubjid")
        )
        frame = frame.join(subjects, on="subject_pk", how="left", maintain_order="left")
    frame = frame.join(sites, on="site_pk", how="left", maintain_order="left")
    frame = frame.select(pl.col(c).alias(c.upper()) for c in frame.columns if c not in _DROP)
    lead = ["USUBJID", "SITEID"]
    return frame.select(*lead, *[c for c in frame.columns if c not in lead])
