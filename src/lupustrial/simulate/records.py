"""Simulated patients and courses → source-record frames in exactly the import templates' columns.

:func:`build_records` returns ``{domain: polars frame of text columns}`` for every template of
``ingest/domains.yaml`` (subjects, visits, infusions, medications, adverse_events, labs,
instrument_items, pk, flow_cytometry, cytokines), ready to be written as CSV and imported through
:meth:`lupustrial.store.Study.import_file` — the simulator has no other way into a store. The
subjects, visits and infusions are made here; medications and adverse events in
:mod:`lupustrial.simulate.records_events`; findings in :mod:`lupustrial.simulate.records_findings`.

Conventions (assumptions): study day 0 = first CAR infusion (the protocols' visit days; ``DY`` the
same); the ``SCR`` visit is named ``SCREENING`` (what :func:`~lupustrial.protocol.screening.
screening_findings` selects); other visits by their protocol id; epochs SCREENING (< LD),
LYMPHODEPLETION (LD to day −1), TREATMENT (days 0–28), FOLLOW-UP. Immunosuppressants and belimumab stop
the day before lymphodepletion, hydroxychloroquine continues; glucocorticoids follow the simulated
taper (one CM row per dose step). Adverse events are episodes (consecutive days) of CRS/ICANS grade
≥ 1 (ASTCT 2019 graders), neutrophils < 1.0 / platelets < 50 ×10⁹/L (CTCAE v5.0 grade ≥ 3), infections
(CTCAE grade 2; 7 days) and skin GVHD (grade 1, allogeneic products).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from lupustrial.ingest.spec import TEMPLATES, template_spec

__all__ = ["DOMAINS", "NOT_SIMULATED", "build_records", "episodes", "schedule"]

# import templates with no simulated source yet (ingest/domains.yaml); every other template is simulated
NOT_SIMULATED = (
    "vital_signs", "disposition", "medical_history", "procedures", "biopsy_findings", "eligibility"
)
DOMAINS = tuple(d for d in TEMPLATES if d not in NOT_SIMULATED)  # one record frame each, in import order


def shaped(domain: str, rows: pl.DataFrame | list[dict[str, Any]]) -> pl.DataFrame:
    """``rows`` with exactly the template's columns, in order, as text (missing → null)."""
    names = template_spec(domain).names
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, infer_schema_length=None)
    return frame.select(
        [(pl.col(c).cast(pl.Utf8) if c in frame.columns else pl.lit(None, pl.Utf8)).alias(c) for c in names]
    )


def schedule(protocol: Any) -> pl.DataFrame:
    """The protocol's visits: VISITNUM, VISIT, VISITDY, window, EPOCH."""
    rows = []
    for i, v in enumerate(protocol.visits):
        epoch = (
            "SCREENING"
            if v.id == "SCR"
            else "LYMPHODEPLETION"
            if v.day < 0
            else "TREATMENT"
            if v.day <= 28
            else "FOLLOW-UP"
        )
        rows.append(
            {
                "VISITNUM": float(i + 1),
                "VISIT": "SCREENING" if v.id == "SCR" else v.id,
                "VISITDY": v.day,
                "WINDOW": v.window_days,
                "EPOCH": epoch,
            }
        )
    return pl.DataFrame(rows)


def episodes(mask: np.ndarray, grade: np.ndarray | None = None) -> list[tuple[int, int, int, int]]:
    """Runs of consecutive True days per row: ``(row, first day, last day, max grade)``."""
    out = []
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    for row, start in zip(*np.nonzero(np.diff(padded, axis=1) == 1), strict=True):
        end = (
            start + int(np.argmax(~mask[row, start:])) - 1
            if (~mask[row, start:]).any()
            else mask.shape[1] - 1
        )
        g = int(grade[row, start : end + 1].max()) if grade is not None else 0
        out.append((int(row), int(start), int(end), g))
    return out


def _day(d0: date, k: int) -> str:
    return (d0 + timedelta(days=int(k))).isoformat()


def _subjects(protocol: Any, pts: pl.DataFrame) -> pl.DataFrame:
    levels = {lv.id: lv for lv in protocol.arms[0].dose_levels}
    rows = []
    for r in pts.iter_rows(named=True):
        lv = levels.get(r["ARMCD"]) if r["ARMCD"] else None
        per_kg = None
        if lv is not None:
            from lupustrial.simulate.course import dose_amount

            per_kg = dose_amount(lv) if lv.unit == "cells/kg" else dose_amount(lv) / r["weight_kg"]
        rows.append(
            {
                "USUBJID": r["USUBJID"],
                "SITEID": "01",
                "SUBJID": r["USUBJID"][-3:],
                "ARMCD": r["ARMCD"],
                "ARM": lv.label if lv else None,
                "DOSE_CELLS_PER_KG": None if per_kg is None else f"{per_kg:.6g}",
                "SEX": r["sex"],
                "BRTHDTC": r["birth_date"].isoformat(),
                "WEIGHT": r["weight_kg"],
                "WEIGHTU": "kg",
                "RFSTDTC": r["infusion_date"].isoformat() if r["infusion_date"] else None,
            }
        )
    return shaped("subjects", rows)


def _visits(protocol: Any, pts: pl.DataFrame) -> pl.DataFrame:
    sched = schedule(protocol)
    v = (
        pts.select("USUBJID", "infusion_date", "screening_date")
        .join(sched, how="cross")
        .filter(pl.col("infusion_date").is_not_null() | (pl.col("VISIT") == "SCREENING"))
    )
    dtc = (
        pl.when(pl.col("VISIT") == "SCREENING")
        .then(pl.col("screening_date"))
        .otherwise(pl.col("infusion_date") + pl.duration(days=pl.col("VISITDY")))
    )
    return shaped(
        "visits",
        v.with_columns(
            dtc.cast(pl.Utf8).alias("SVSTDTC"),
            pl.col("WINDOW").alias("WINDOW_LO_DAYS"),
            pl.col("WINDOW").alias("WINDOW_HI_DAYS"),
        ),
    )


def _infusions(protocol: Any, pts: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    levels = list(protocol.arms[0].dose_levels)
    cat = "CAR-NK" if protocol.product.cell_type == "CAR-NK" else "CAR-T"
    rows = []
    for r in pts.filter(pl.col("infusion_date").is_not_null()).iter_rows(named=True):
        d0 = r["infusion_date"]
        for ld in protocol.lymphodepletion:
            rows += [
                {
                    "USUBJID": r["USUBJID"],
                    "TRT": ld.agent.upper(),
                    "CAT": "LYMPHODEPLETION",
                    "DOSE": ld.dose,
                    "DOSU": ld.unit,
                    "ROUTE": "INTRAVENOUS",
                    "STDTC": _day(d0, k),
                    "ENDTC": _day(d0, k),
                }
                for k in ld.days
            ]
        from lupustrial.simulate.course import dose_amount

        lv = levels[r["level_index"]]
        for k in protocol.infusion.days:
            dose = dose_amount(lv) * rng.uniform(0.9, 1.1)  # within the release tolerance (assumption)
            rows.append(
                {
                    "USUBJID": r["USUBJID"],
                    "TRT": f"{protocol.product.name} {cat}",
                    "CAT": cat,
                    "DOSE": f"{dose:.4g}",
                    "DOSU": lv.unit,
                    "ROUTE": "INTRAVENOUS",
                    "LOT": f"LOT-{r['USUBJID'][-3:]}-{k}",
                    "STDTC": _day(d0, k) + "T10:00",
                    "ENDTC": _day(d0, k) + "T10:30",
                }
            )
    return shaped("infusions", rows)


def build_records(
    protocol: Any, pts: pl.DataFrame, arrays: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, pl.DataFrame]:
    """Every template's frame. ``pts``: screened patients with ``birth_date``, ``screening_date``,
    ``infusion_date`` (null for screen failures), ``ARMCD``, ``level_index``, ``course_row``."""
    from lupustrial.simulate.records_events import adverse_events, medications
    from lupustrial.simulate.records_findings import findings_records

    out = {
        "subjects": _subjects(protocol, pts),
        "visits": _visits(protocol, pts),
        "infusions": _infusions(protocol, pts, rng),
        "medications": medications(pts, arrays),
        "adverse_events": adverse_events(pts, arrays),
    }
    return out | findings_records(protocol, pts, arrays, rng)
