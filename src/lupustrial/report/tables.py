"""Report tables from ADaM-like frames, clinical-study-report style (population and n in each title).

Each ``table_*`` takes the derived frames and returns :class:`~lupustrial.report.model.Table` values;
all counting is columnar (polars group-bys). Denominators: the safety population (``SAFFL = "Y"``,
all infused patients; reference note §4.5) unless the title names another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from lupustrial.report.model import Table
from lupustrial.report.params import GROUP

__all__ = [
    "fmt",
    "frame_table",
    "group_ns",
    "table_ae",
    "table_crs_icans",
    "table_demographics",
    "table_disposition",
    "table_exposure",
]

SF_REASON_COLUMNS = ("SFREAS", "SCRFREAS", "DCSCREEN", "DCSREAS")
TREATMENT_COLUMNS = ("AETRT", "AECONTRT", "AECMTRT", "TREATMENT")
DOSE_COLUMNS = ("DOSEA", "TRTDOSE", "DOSE", "EXDOSE", "DOSE_CELLS_PER_KG")


def fmt(value: Any, digits: int = 3) -> str:
    """Numbers to ``digits`` significant figures; None as an em dash.

    >>> fmt(0.123456), fmt(None), fmt(12), fmt(1234567.0)
    ('0.123', '—', '12', '1.23e+06')
    """
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def frame_table(frame: pl.DataFrame, title: str, footnotes: Sequence[str] = ()) -> Table:
    """Any frame as a Table, every cell formatted with :func:`fmt`."""
    rows = tuple(tuple(fmt(v) for v in row) for row in frame.iter_rows())
    return Table(title, tuple(frame.columns), rows, tuple(footnotes))


def _flag(frame: pl.DataFrame, col: str) -> pl.Expr:
    return (pl.col(col) == "Y") if col in frame.columns else pl.lit(False)


def group_ns(adsl: pl.DataFrame, flag: str = "SAFFL") -> dict[str, int]:
    """Patients per dose group in the population ``flag``."""
    pop = adsl.filter(_flag(adsl, flag))
    return dict(pop.group_by(GROUP).len().sort(GROUP).iter_rows())


def table_disposition(adsl: pl.DataFrame) -> list[Table]:
    """CONSORT-style counts: screened, screen failures (with reasons), enrolled, infused, DLT-evaluable."""
    counts = adsl.select(*[_flag(adsl, f).sum().alias(f) for f in ("SCRNFL", "ENRLFL", "SAFFL", "DLTEVLFL")])
    screened, enrolled, infused, dlt = counts.row(0)
    if "SCRNFL" not in adsl.columns:
        screened = adsl.height
    failures = adsl.filter(~_flag(adsl, "ENRLFL"))
    col = next((c for c in SF_REASON_COLUMNS if c in adsl.columns), None)
    reasons = (
        failures.group_by(pl.col(col).fill_null("reason not recorded")).len().sort("len", descending=True)
        if col
        else pl.DataFrame({"reason": ["reason not recorded"], "len": [failures.height]})
    )
    detail = "; ".join(f"{r} ({n})" for r, n in reasons.iter_rows()) if failures.height else ""
    flow = Table(
        f"Patient disposition (all screened patients, N = {screened})",
        ("Stage", "n", "Detail"),
        (
            ("Screened", str(screened), ""),
            ("Screen failures", str(failures.height), detail),
            ("Enrolled", str(enrolled), ""),
            ("Infused (safety population)", str(infused), ""),
            ("DLT-evaluable", str(dlt), "infused and completed the DLT window or had a DLT"),
        ),
        (
            "Populations from ADSL flags SCRNFL, ENRLFL, SAFFL, DLTEVLFL.",
            f"Screen-failure reasons from ADSL.{col}." if col else "No screen-failure reason column in ADSL.",
        ),
    )
    by_group = (
        adsl.filter(_flag(adsl, "ENRLFL"))
        .group_by(GROUP)
        .agg(
            pl.len().alias("Enrolled"),
            _flag(adsl, "SAFFL").sum().alias("Infused"),
            _flag(adsl, "DLTEVLFL").sum().alias("DLT-evaluable"),
            _flag(adsl, "EFFFL").sum().alias("Efficacy"),
        )
        .sort(GROUP)
        .rename({GROUP: "Dose group"})
    )
    return [flow, frame_table(by_group, f"Populations by dose group (enrolled patients, N = {enrolled})")]


def _median_range(col: str, label: str) -> pl.Expr:
    c = pl.col(col).cast(pl.Float64)
    return pl.format("{} ({}–{})", c.median().round(1), c.min().round(1), c.max().round(1)).alias(label)


def table_demographics(adsl: pl.DataFrame, baseline: pl.DataFrame | None) -> Table:
    """Age, sex, weight and (when derived) baseline SLEDAI-2K by dose group, safety population."""
    pop = adsl.filter(_flag(adsl, "SAFFL"))
    if baseline is not None:
        pop = pop.join(baseline, on="USUBJID", how="left")
    aggs = [pl.len().cast(pl.Utf8).alias("n")]
    if "AGE" in pop.columns:
        aggs.append(_median_range("AGE", "Age, years: median (range)"))
    if "SEX" in pop.columns:
        aggs.append(pl.format("{}/{}", (pl.col("SEX") == "F").sum(), pl.len()).alias("Female n/N"))
    for col in ("WEIGHTBL", "WEIGHT"):
        if col in pop.columns:
            aggs.append(_median_range(col, "Weight, kg: median (range)"))
            break
    if "BSLEDAI" in pop.columns:
        aggs.append(_median_range("BSLEDAI", "Baseline SLEDAI-2K: median (range)"))
    overall = pop.with_columns(pl.lit("Overall").alias(GROUP))
    both = pl.concat([pop.with_columns(pl.col(GROUP).cast(pl.Utf8)), overall], how="diagonal_relaxed")
    out = both.group_by(GROUP, maintain_order=True).agg(aggs).rename({GROUP: "Dose group"})
    return frame_table(
        out,
        f"Demographics and baseline disease by dose group (safety population, N = {pop.height})",
        ["Median (min–max); baseline = last value on or before day 0."],
    )


def table_exposure(adsl: pl.DataFrame, protocol: Any) -> list[Table]:
    """Dose levels of the protocol and the doses given, safety population."""
    tables = []
    if protocol is not None:
        rows = tuple((d.id, d.label, fmt(d.amount), d.unit) for d in protocol.dose_levels)
        tables.append(
            Table(
                f"Protocol dose levels ({protocol.name})",
                ("Level", "Label", "Amount", "Unit"),
                rows,
                ("From the protocol file (registration text).",),
            )
        )
    pop = adsl.filter(_flag(adsl, "SAFFL"))
    dose = next((c for c in DOSE_COLUMNS if c in pop.columns), None)
    aggs = [pl.len().alias("Infused n")] + ([_median_range(dose, f"{dose}: median (range)")] if dose else [])
    out = pop.group_by(GROUP).agg(aggs).sort(GROUP).rename({GROUP: "Dose group"})
    note = f"Administered dose from ADSL.{dose}." if dose else "No administered-dose column in ADSL."
    tables.append(frame_table(out, f"Exposure by dose group (safety population, N = {pop.height})", [note]))
    return tables


UNCODED = "Uncoded"


def _uncoded(teae: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Null AEBODSYS → "Uncoded" (listed last, never dropped) and a footnote naming the terms and why."""
    if "AEBODSYS" not in teae.columns:
        note = f"{UNCODED}: ADAE has no AEBODSYS (system organ class not derived)."
        return teae.with_columns(pl.lit(UNCODED).alias("AEBODSYS")), [note]
    missing = teae.filter(pl.col("AEBODSYS").is_null())
    if missing.height == 0:
        return teae, []
    terms = missing["AEDECOD"].fill_null("(no term)").unique().sort().to_list()
    why = "; reasons per record in ADAE.AEBODSYS_REASON" if "AEBODSYS_REASON" in missing.columns else ""
    note = (
        f"{UNCODED}: {len(terms)} term(s) not in the CTCAE v5.0 dictionary (AE term table and synonym "
        f"table): {', '.join(terms)}{why}."
    )
    return teae.with_columns(pl.col("AEBODSYS").fill_null(UNCODED)), [note]


def table_ae(adae: pl.DataFrame, adsl: pl.DataFrame) -> Table:
    """Patients with a treatment-emergent AE by SOC and preferred term: any grade and grade ≥ 3. Records
    without a SOC are counted under "Uncoded" (last), with a footnote naming their terms."""
    ns = group_ns(adsl)
    teae = adae.filter(_flag(adae, "TRTEMFL")) if "TRTEMFL" in adae.columns else adae
    teae, soc_note = _uncoded(teae)
    worst = teae.group_by("AEBODSYS", "AEDECOD", GROUP, "USUBJID").agg(pl.col("ATOXGR").cast(pl.Int64).max())
    counts = worst.group_by("AEBODSYS", "AEDECOD", GROUP).agg(
        pl.len().alias("any"), (pl.col("ATOXGR") >= 3).sum().alias("ge3")
    )
    wide = (
        counts.with_columns(pl.format("{} / {}", "any", "ge3").alias("cell"))
        .pivot(on=GROUP, index=["AEBODSYS", "AEDECOD"], values="cell")
        .sort(pl.col("AEBODSYS") == UNCODED, "AEBODSYS", "AEDECOD")
    )
    wide = wide.select("AEBODSYS", "AEDECOD", *[g for g in ns if g in wide.columns]).fill_null("0 / 0")
    wide = wide.rename({"AEBODSYS": "System organ class", "AEDECOD": "Preferred term"})
    wide = wide.rename({g: f"{g} (N={n})" for g, n in ns.items() if g in wide.columns})
    return frame_table(
        wide,
        f"Treatment-emergent adverse events by SOC and term (safety population, N = {sum(ns.values())})",
        [
            "Cells: patients with the event, any grade / maximum grade ≥ 3 (each patient counted "
            "once per term at the worst grade). CTCAE v5.0; CRS and ICANS graded by ASTCT 2019.",
            "TEAE: TRTEMFL = Y (onset on or after infusion).",
            *soc_note,
        ],
    )


def table_crs_icans(adae: pl.DataFrame) -> Table:
    """Every CRS and ICANS event: grade, onset day, duration and treatment."""
    crs = _flag(adae, "CRSFL")
    icans = _flag(adae, "ICANSFL")
    trt = next((c for c in TREATMENT_COLUMNS if c in adae.columns), None)
    events = adae.filter(crs | icans).with_columns(
        pl.when(crs).then(pl.lit("CRS")).otherwise(pl.lit("ICANS")).alias("Syndrome"),
        (pl.col("AENDY") - pl.col("ASTDY") + 1).alias("Duration, days")
        if {"AENDY", "ASTDY"} <= set(adae.columns)
        else pl.lit(None).alias("Duration, days"),
        (pl.col(trt) if trt else pl.lit("not recorded")).alias("Treatment"),
    )
    cols = ["USUBJID", GROUP, "Syndrome", "ATOXGR", "ASTDY", "Duration, days", "Treatment"]
    out = events.select([c for c in cols if c in events.columns]).sort("Syndrome", GROUP, "USUBJID")
    out = out.rename(
        {
            k: v
            for k, v in {GROUP: "Dose group", "ATOXGR": "ASTCT grade", "ASTDY": "Onset, day"}.items()
            if k in out.columns
        }
    )
    return frame_table(
        out,
        f"CRS and ICANS events (safety population; {out.height} events in "
        f"{events['USUBJID'].n_unique()} patients)",
        [
            "ASTCT 2019 consensus grading (Lee et al., Biol Blood Marrow Transplant 2019).",
            "Onset: study day after infusion (day 0); duration = end day − onset day + 1.",
        ],
    )
