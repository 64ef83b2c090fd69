"""A screening log → rows of the ``eligibility`` import template (SDTM IE): the criteria not met.

SDTM IE holds only the criteria a subject did not meet (SDTMIG v3.4 IE; cdisc_and_ecosystem.md §1):
an inclusion criterion not met has IEORRES ``N``, an exclusion criterion met has ``Y``. Here:

* ``TESTCD`` numbers the protocol's criteria per kind in protocol order: ``INCL01`` is the first
  inclusion criterion, ``EXCL01`` the first exclusion criterion (IETESTCD allows 8 characters, the
  protocol ids are longer); :func:`criteria_codes` lists the mapping;
* ``TEST`` is the criterion's text, cut to the store's 100 characters (``…`` marks a cut);
* ``CAT`` is ``INCLUSION`` or ``EXCLUSION``;
* criteria that are *missing* (an input was not recorded) are not written: IE records facts, and the
  screening log (:func:`lupustrial.protocol.eligibility.screening_log`) lists the gaps.

>>> import polars as pl
>>> from lupustrial.protocol import load_protocol
>>> proto = load_protocol("ptoc1")
>>> log = pl.DataFrame({"USUBJID": ["S1", "S2"], "failed": [["inc_age"], []]})
>>> ie_records(proto, log, "2025-01-14").select("USUBJID", "TESTCD", "CAT", "ORRES").row(0)
('S1', 'INCL02', 'INCLUSION', 'N')
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lupustrial.ingest.spec import template_spec
from lupustrial.ingest.validate import _length

__all__ = ["criteria_codes", "ie_records"]


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def criteria_codes(protocol: Any) -> pl.DataFrame:
    """One row per criterion of ``protocol``: ``id, TESTCD, TEST, CAT, ORRES`` (ORRES when not met)."""
    rows, seen = [], {"inclusion": 0, "exclusion": 0}
    limit = _length(template_spec("eligibility"), "TEST")  # the store column's width (findings.test)
    for c in protocol.eligibility:
        seen[c.kind] += 1
        inclusion = c.kind == "inclusion"
        rows.append(
            {
                "id": c.id,
                "TESTCD": f"{'INCL' if inclusion else 'EXCL'}{seen[c.kind]:02d}",
                "TEST": _cut(c.text, limit),
                "CAT": c.kind.upper(),
                "ORRES": "N" if inclusion else "Y",
            }
        )
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in ("id", "TESTCD", "TEST", "CAT", "ORRES")})


def ie_records(protocol: Any, log: pl.DataFrame, dtc: str | pl.DataFrame) -> pl.DataFrame:
    """The ``eligibility`` template rows for the criteria each subject of ``log`` failed.

    ``log``: a screening log (``USUBJID``, ``failed``: list of criterion ids). ``dtc``: the date of the
    eligibility assessment, one ISO 8601 text for everyone or a frame ``USUBJID, DTC``. The result has
    exactly the template's columns (text), ``VISIT`` = ``SCREENING``; write it with
    ``write_csv(path, null_value="")`` and import it as ``eligibility``.
    """
    dates = dtc if isinstance(dtc, pl.DataFrame) else log.select("USUBJID", DTC=pl.lit(dtc, pl.Utf8))
    failed = log.select("USUBJID", id=pl.col("failed")).explode("id").drop_nulls("id")
    rows = (
        failed.join(criteria_codes(protocol), on="id", how="inner", maintain_order="left")
        .join(dates.select("USUBJID", pl.col("DTC").cast(pl.Utf8)), on="USUBJID", how="left")
        .with_columns(VISIT=pl.lit("SCREENING"))
    )
    names = template_spec("eligibility").names
    return rows.select(
        (pl.col(c) if c in rows.columns else pl.lit(None, pl.Utf8)).cast(pl.Utf8).alias(c) for c in names
    )
