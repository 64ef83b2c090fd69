"""The report's sections in order, each built from the derived frames with the reason when it cannot be.

A missing frame, parameter or column never fails the report: the section carries a note saying what is
missing (style rule 7, "missing data is a result"). Data problems found by the derivation
(``DerivedStudy.reasons``) get their own section.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from lupustrial.errors import LupustrialError
from lupustrial.report import figure_blocks as fb
from lupustrial.report.escalation import escalation_tables
from lupustrial.report.model import Section, frame_or_none, has_columns
from lupustrial.report.outcomes import table_by_visit, table_outcomes, table_parameters
from lupustrial.report.params import GROUP, pick_param
from lupustrial.report.tables import (
    frame_table,
    table_ae,
    table_crs_icans,
    table_demographics,
    table_disposition,
    table_exposure,
)
from lupustrial.report.tte import table_time_to_event

__all__ = ["build_sections"]

EXPECTED_ERRORS = (LupustrialError, pl.exceptions.ColumnNotFoundError, pl.exceptions.SchemaError, KeyError)


def _with_group(frame: pl.DataFrame | None, adsl: pl.DataFrame) -> pl.DataFrame | None:
    if frame is None or GROUP in frame.columns:
        return frame
    return frame.join(adsl.select("USUBJID", GROUP), on="USUBJID", how="left")


def _missing(name: str) -> str:
    return f"Not available: the derivation produced no {name} data for this study."


def _baseline_sledai(adrs: pl.DataFrame | None) -> pl.DataFrame | None:
    code = pick_param(adrs, "sledai")
    if code is None or not has_columns(adrs, "BASE"):
        return None
    return (
        adrs.filter(pl.col("PARAMCD") == code)
        .group_by("USUBJID")
        .agg(pl.col("BASE").first().alias("BSLEDAI"))
    )


def _disposition(d: Any, f: dict, protocol: Any) -> Section:
    adsl = f["ADSL"]
    tables = [
        *table_disposition(adsl),
        table_demographics(adsl, _baseline_sledai(f.get("ADRS"))),
        *table_exposure(adsl, protocol),
    ]
    return Section("disposition", "Disposition, demographics and exposure", tuple(tables))


def _safety(d: Any, f: dict, protocol: Any) -> Section:
    adae = f.get("ADAE")
    if adae is None:
        return Section("safety", "Adverse events, CRS and ICANS", notes=(_missing("adverse-event (ADAE)"),))
    tables = [table_ae(adae, f["ADSL"])]
    notes = []
    if has_columns(adae, "CRSFL") or has_columns(adae, "ICANSFL"):
        tables.append(table_crs_icans(adae))
    else:
        notes.append("CRS/ICANS table not made: ADAE has no CRSFL/ICANSFL flags.")
    return Section("safety", "Adverse events, CRS and ICANS", tuple(tables), notes=tuple(notes))


def _dlt(d: Any, f: dict, protocol: Any) -> Section:
    tables, notes = escalation_tables(f["ADSL"], f.get("ADAE"), protocol)
    return Section("dlt", "Dose-limiting toxicities and escalation", tuple(tables), notes=tuple(notes))


def _efficacy(d: Any, f: dict, protocol: Any) -> Section:
    outcomes = getattr(d, "outcomes", None)
    tables = table_outcomes(outcomes) if outcomes is not None and outcomes.height else []
    notes = [] if tables else ["No outcome measures were derived (DerivedStudy.outcomes is empty)."]
    adrs = f.get("ADRS")
    n_eff = int((f["ADSL"]["EFFFL"] == "Y").sum()) if "EFFFL" in f["ADSL"].columns else f["ADSL"].height
    if adrs is not None:
        tables += table_by_visit(adrs, n_eff)
    else:
        notes.append(_missing("response (ADRS)"))
    tte = table_time_to_event(f.get("ADTTE"))
    if tte is not None:
        tables.append(tte)
    else:
        notes.append(_missing("time-to-event (ADTTE)"))
    figs, fig_notes = fb.efficacy_figures(f)
    return Section(
        "efficacy",
        "Outcome measures of the registration and efficacy by visit",
        tuple(tables),
        tuple(figs),
        tuple(notes + fig_notes),
    )


def _pkpd(d: Any, f: dict, protocol: Any) -> Section:
    tables, notes = [], []
    if f.get("ADPP") is not None:
        tables.append(
            table_parameters(
                f["ADPP"],
                "NCA parameters by dose group (PK population = infused "
                f"patients with concentrations, N = {f['ADPP']['USUBJID'].n_unique()})",
                ["NCA by lupustrial.pk.nca.compute_nca; median (min–max)."],
            )
        )
    else:
        notes.append(_missing("NCA parameter (ADPP)"))
    adlb = f.get("ADLB")
    codes = [c for kind in ("bcell", "cytokine") if (c := pick_param(adlb, kind))]
    if adlb is not None and codes:
        sub = adlb.filter(pl.col("PARAMCD").is_in(codes))
        tables.append(
            table_parameters(
                sub,
                f"PD markers by dose group and visit (safety population, N = {sub['USUBJID'].n_unique()})",
                ["Median (min–max) of AVAL."],
                by_visit=True,
            )
        )
    else:
        notes.append(_missing("B-cell or cytokine (ADLB)"))
    figs, fig_notes = fb.pkpd_figures(f)
    return Section(
        "pkpd", "Pharmacokinetics and pharmacodynamics", tuple(tables), tuple(figs), tuple(notes + fig_notes)
    )


def _reasons(d: Any, f: dict, protocol: Any) -> Section:
    reasons = getattr(d, "reasons", None)
    if reasons is None or not reasons.height:
        return Section(
            "reasons", "Data problems", notes=("No data problems were reported by the derivation.",)
        )
    return Section(
        "reasons",
        "Data problems",
        (frame_table(reasons, f"Data problems found during derivation ({reasons.height} rows)"),),
    )


BUILDERS: tuple[tuple[str, str, Callable[..., Section]], ...] = (
    ("disposition", "Disposition, demographics and exposure", _disposition),
    ("swimmer", "Patient timelines", lambda d, f, p: fb.swimmer_section(f)),
    ("safety", "Adverse events, CRS and ICANS", _safety),
    ("dlt", "Dose-limiting toxicities and escalation", _dlt),
    ("efficacy", "Outcome measures of the registration and efficacy by visit", _efficacy),
    ("pkpd", "Pharmacokinetics and pharmacodynamics", _pkpd),
    ("reasons", "Data problems", _reasons),
)


def build_sections(derived: Any, protocol: Any) -> list[Section]:
    """Every section; one that cannot be built carries the reason instead."""
    adsl = frame_or_none(derived, "ADSL")
    if adsl is None:
        return [Section(sid, head, notes=(_missing("subject-level (ADSL)"),)) for sid, head, _ in BUILDERS]
    frames = {k: _with_group(frame_or_none(derived, k), adsl) for k in derived.frames}
    frames["ADSL"] = adsl
    sections = []
    for sid, head, build in BUILDERS:
        try:
            sections.append(build(derived, frames, protocol))
        except EXPECTED_ERRORS as exc:
            sections.append(
                Section(sid, head, notes=(f"Section could not be made: {type(exc).__name__}: {exc}",))
            )
    return sections
