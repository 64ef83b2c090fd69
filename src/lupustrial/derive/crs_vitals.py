"""CRS grading inputs from imported vital signs: ``temp_c`` and ``sbp_mmhg`` per subject and day.

The ASTCT 2019 CRS grader (``crs_astct``; :func:`lupustrial.instruments.astct.events.grade_crs_series`
for a daily series) reads one row per patient-day: ``USUBJID``, ``day`` (days since the CAR infusion),
``temp_c`` (highest temperature of the day, °C; fever is ≥ 38.0, Lee 2019) and ``sbp_mmhg`` (lowest
systolic pressure, below the option ``hypotension_sbp_mmhg`` = hypotension, OPT-S07), beside the
vasopressor and oxygen inputs, which vital signs do not hold. The ``vital_signs`` import stores TEMP in
°C (°F and K converted, units.csv) and SYSBP in mmHg (testcodes.csv), so :func:`compute_crs_vitals` only
picks and aggregates: the day's highest TEMP and lowest SYSBP. Join the vasopressor and oxygen inputs
before grading; without them a febrile day is graded by bounds and is not evaluable when they could
change the grade (``grade_min``/``grade_max``, crs.py).

Day = ``DY`` when recorded, else the date of ``DTC`` minus the date of the subject's ``RFSTDTC`` (day 0
= infusion, as the visit schedule and the simulator count); rows with neither are left out.

>>> import polars as pl
>>> vs = pl.DataFrame({"USUBJID": ["P1"] * 3, "DOMAIN": ["VS"] * 3, "TESTCD": ["TEMP", "TEMP", "SYSBP"],
...                    "STRESN": [37.9, 38.6, 84.0], "DY": [1, 1, 1], "DTC": ["2025-02-04"] * 3})
>>> compute_crs_vitals(vs).row(0)
('P1', 1, 38.6, 84.0)
"""

from __future__ import annotations

import polars as pl

from lupustrial.derive._common import ady, to_date

__all__ = ["CRS_VITALS", "compute_crs_vitals"]

#: VSTESTCD → (crs_astct field, daily aggregate): the worst reading of the day counts
CRS_VITALS = {"TEMP": ("temp_c", "max"), "SYSBP": ("sbp_mmhg", "min")}


def compute_crs_vitals(findings: pl.DataFrame, subjects: pl.DataFrame | None = None) -> pl.DataFrame:
    """``USUBJID, day, temp_c, sbp_mmhg`` from stored findings (VS rows; other domains are ignored).

    ``subjects`` (``USUBJID, RFSTDTC``) gives the day of rows without ``DY``.
    """
    vs = findings.filter(
        (pl.col("DOMAIN") == "VS") & pl.col("TESTCD").is_in(list(CRS_VITALS)) & pl.col("STRESN").is_not_null()
    )
    day = pl.col("DY").cast(pl.Int64)
    if subjects is not None:
        starts = subjects.select("USUBJID", to_date(pl.col("RFSTDTC")).alias("_d0"))
        vs = vs.join(starts, on="USUBJID", how="left")
        day = pl.coalesce(day, ady(to_date(pl.col("DTC")), pl.col("_d0")))
    vs = vs.with_columns(day=day).filter(pl.col("day").is_not_null())
    value = pl.col("STRESN")
    aggs = [
        getattr(value.filter(pl.col("TESTCD") == code), how)().alias(field)
        for code, (field, how) in CRS_VITALS.items()
    ]
    return vs.group_by("USUBJID", "day").agg(aggs).sort("USUBJID", "day")
