"""ADRS: disease activity and responses per subject and assessment (BDS: PARAMCD, AVAL/AVALC, BASE, CHG).

Parameters: ``SLEDAI2K`` (SLEDAI-2K total from the 24 descriptors, Gladman 2002, via the response
endpoints' shared derivation), ``PGA`` (0–3), ``BILAGNS`` (BILAG-2004 numeric score: A 12, B 8, C 1,
D/E 0 summed over nine systems, ``bilag_points.csv``; null when a system grade is missing), ``SDI``
(scored from the recorded items by the ``sdi`` instrument, else the recorded total: ``derive/sdi.py``;
``AVALSRC`` says which, ``REASON`` why it is null), and one
response parameter per protocol outcome computed by ``sri``/``bicla``/``lldas``/``doris`` (``PARAMCD`` = the
outcome id in capitals, ``AVALC`` Y/N, ``AVAL`` 1/0, null with ``REASON`` when not evaluable), with the
endpoint options taken from the outcome's parameters (``outcome_map.endpoint_options``).
``ABLFL``/``BASE`` — the last assessment on or before day 0; ``CHG = AVAL − BASE``.
``AVISIT`` — the protocol visit whose window (day ± window_days) contains ``ADY``, else UNSCHEDULED.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lupustrial.derive._common import load_table

RESPONSES = ("sri", "bicla", "lldas", "doris")


def compute_avisit(day: pl.Expr, protocol: Any) -> tuple[pl.Expr, pl.Expr]:
    """(AVISIT, AVISITN = the visit's target day) of the protocol visit whose window contains ``day``."""
    name, num = pl.lit("UNSCHEDULED"), pl.lit(None, dtype=pl.Int64)
    for v in sorted(protocol.visits, key=lambda v: -v.day):
        hit = (day - v.day).abs() <= v.window_days
        name, num = (
            pl.when(hit).then(pl.lit(v.id)).otherwise(name),
            pl.when(hit).then(pl.lit(v.day)).otherwise(num),
        )
    return name, num


def compute_bilag_numeric(grades: list[str]) -> pl.Expr:
    """BILAG-2004 numeric score from system-grade columns (null if any grade is missing)."""
    points = {r["grade"]: int(r["points"]) for r in load_table("bilag_points.csv")}
    total = pl.sum_horizontal(
        pl.col(g).replace_strict(points, default=None, return_dtype=pl.Int64) for g in grades
    )
    missing = pl.any_horizontal(pl.col(g).is_null() for g in grades)
    return pl.when(missing).then(None).otherwise(total).cast(pl.Float64).alias("BILAGNS")


def _long(
    frame: pl.DataFrame,
    code: str,
    label: str,
    aval: pl.Expr,
    avalc: pl.Expr,
    reason: pl.Expr = pl.lit(None, dtype=pl.Utf8),
) -> pl.DataFrame:
    return frame.select(
        "USUBJID",
        "ADY",
        "baseline",
        pl.lit(code).alias("PARAMCD"),
        pl.lit(label).alias("PARAM"),
        aval.cast(pl.Float64).alias("AVAL"),
        avalc.cast(pl.Utf8).alias("AVALC"),
        reason.cast(pl.Utf8).alias("REASON"),
    )


def _sdi_rows(scores: pl.DataFrame, sdi: pl.DataFrame | None) -> list[pl.DataFrame]:
    """SDI parameter rows: from :func:`lupustrial.derive.sdi.derive_sdi` (every SDI assessment, with its
    source) when given, else from the visit table's ``sdi`` (source unknown)."""
    label = "SLICC/ACR Damage Index"
    if sdi is not None and sdi.height:
        rows = _long(sdi, "SDI", label, pl.col("sdi"), pl.col("sdi"), pl.col("sdi_reason"))
        return [rows.with_columns(sdi["sdi_source"].alias("AVALSRC"))]
    if "sdi" in scores.columns:
        return [_long(scores.filter(pl.col("sdi").is_not_null()), "SDI", label, pl.col("sdi"), pl.col("sdi"))]
    return []


def derive_adrs(
    visits: pl.DataFrame, adsl: pl.DataFrame, protocol: Any, sdi: pl.DataFrame | None = None
) -> pl.DataFrame:
    """ADRS from the visit table of :func:`lupustrial.derive.visits.build_visit_table` and the SDI
    assessments of :func:`lupustrial.derive.sdi.derive_sdi` (``sdi``; optional)."""
    from lupustrial.derive.outcome_map import endpoint_options
    from lupustrial.endpoints.responses import derive_responses, prepare_visits

    if visits.height == 0:
        return pl.DataFrame(schema={"USUBJID": pl.Utf8, "PARAMCD": pl.Utf8, "AVAL": pl.Float64})
    vt = visits.drop("ADT", "TRTSDT", *(["sdi"] if "sdi" in visits.columns else []))
    prepared = prepare_visits(vt)
    base = derive_responses(prepared, names=["bicla"])["bicla"].select("USUBJID", "ADY", "sledai_2k")
    scores = visits.join(base, on=["USUBJID", "ADY"], how="left")
    grades = [c for c in vt.columns if c.startswith("grade_")]
    parts = [
        _long(scores, "SLEDAI2K", "SLEDAI-2K total score", pl.col("sledai_2k"), pl.col("sledai_2k")),
        _long(scores, "PGA", "Physician Global Assessment (0-3)", pl.col("pga"), pl.col("pga")),
    ]
    parts += _sdi_rows(scores, sdi)
    if len(grades) == 9:
        parts.append(
            _long(
                scores.with_columns(compute_bilag_numeric(grades)),
                "BILAGNS",
                "BILAG-2004 numeric score",
                pl.col("BILAGNS"),
                pl.col("BILAGNS"),
            )
        )
    for o in protocol.outcomes:
        if o.computed_by not in RESPONSES:
            continue
        res = derive_responses(prepared, names=[o.computed_by], options={o.computed_by: endpoint_options(o)})[
            o.computed_by
        ]
        val = pl.col("value")
        parts.append(
            _long(
                res.join(vt.select("USUBJID", "ADY", "baseline"), on=["USUBJID", "ADY"]),
                o.id.upper(),
                o.title,
                val.cast(pl.Int8),
                pl.when(val).then(pl.lit("Y")).when(~val).then(pl.lit("N")),
                pl.col("reason"),
            )
        )
    long = pl.concat(parts, how="diagonal_relaxed")
    if "AVALSRC" not in long.columns:
        long = long.with_columns(pl.lit(None, dtype=pl.Utf8).alias("AVALSRC"))
    avisit, avisitn = compute_avisit(pl.col("ADY"), protocol)
    is_score = pl.col("PARAMCD").is_in(["SLEDAI2K", "PGA", "BILAGNS", "SDI"])
    out = (
        long.with_columns(
            avisit.alias("AVISIT"),
            avisitn.alias("AVISITN"),
            pl.when(pl.col("baseline")).then(pl.lit("Y")).alias("ABLFL"),
        )
        .with_columns(
            pl.when(is_score)
            .then(pl.col("AVAL").filter(pl.col("baseline")).first().over("USUBJID", "PARAMCD"))
            .alias("BASE")
        )
        .with_columns((pl.col("AVAL") - pl.col("BASE")).alias("CHG"))
        .join(adsl.select("STUDYID", "USUBJID", "TRT01A", "TRT01AN"), on="USUBJID", how="left")
    )
    cols = [
        "STUDYID",
        "USUBJID",
        "TRT01A",
        "TRT01AN",
        "PARAMCD",
        "PARAM",
        "AVISIT",
        "AVISITN",
        "ADY",
        "ABLFL",
        "AVAL",
        "AVALC",
        "BASE",
        "CHG",
        "REASON",
        "AVALSRC",
    ]
    return out.select(cols).sort("USUBJID", "PARAMCD", "ADY")
