"""Figures with their titles and footnotes, or the reason a figure could not be drawn.

Swimmer events (days after infusion): CRS onset (ADAE ``CRSFL = "Y"``, ``ASTDY``); remission = first
visit with a responder ``AVALC`` in the first remission parameter present (DORIS, LLDAS, SRI-4, BICLA);
flare and B-cell return = ADTTE events (``CNSR = 0``) of the flare / B-cell-reconstitution parameters
(``TTFLARE``: first flare after the first DORIS/LLDAS response, definition in its ``PARAM``).
ADTTE times are placed on the study-day axis as ``ADT − TRTSDT`` when both dates are present (``AVAL``
counts from ``STARTDT``, which for TTFLARE and DOR is the response day), else as ``AVAL``.
Bar end = last study day seen for the patient: ADSL ``LSTVSTDY``, any ``ADY``, or an ADTTE time.
"""

from __future__ import annotations

import polars as pl

from lupustrial.report import figures
from lupustrial.report.model import FigureBlock, Section, has_columns
from lupustrial.report.params import GROUP, pick_param, pick_params, responder

__all__ = ["efficacy_figures", "pkpd_figures", "swimmer_section"]

SOURCES = {
    "CRS": "no CRS event (ADAE CRSFL = Y) in the data",
    "remission": "no responder visit in a DORIS/LLDAS/SRI4/BICLA parameter of ADRS",
    "flare": "no flare event in ADTTE (TTFLARE/FLARE/PFS/FFS)",
    "B-cell return": "no B-cell reconstitution event in ADTTE (TTBCR/BCRECON/BCELLREC/TTBCELL)",
}


def _block(fig, title: str, notes: list[str]) -> FigureBlock:
    return FigureBlock(title, figures.to_png_base64(fig), tuple(notes), fig)


def _n(frame: pl.DataFrame) -> int:
    return frame["USUBJID"].n_unique()


def _tte_day(tte: pl.DataFrame) -> pl.Expr:
    """The study day (days after infusion) of an ADTTE row's event or censoring date."""
    if has_columns(tte, "ADT", "TRTSDT"):
        days = (pl.col("ADT").cast(pl.Date) - pl.col("TRTSDT").cast(pl.Date)).dt.total_days()
        return pl.coalesce(days.cast(pl.Float64), pl.col("AVAL").cast(pl.Float64))
    return pl.col("AVAL").cast(pl.Float64)


def _last_days(frames: dict) -> pl.DataFrame:
    parts = [
        f.select("USUBJID", pl.col("ADY").cast(pl.Float64))
        for k, f in frames.items()
        if f is not None and k != "ADSL" and has_columns(f, "USUBJID", "ADY")
    ]
    if has_columns(frames.get("ADSL"), "LSTVSTDY"):
        parts.append(frames["ADSL"].select("USUBJID", pl.col("LSTVSTDY").cast(pl.Float64).alias("ADY")))
    tte = frames.get("ADTTE")
    if has_columns(tte, "USUBJID", "AVAL"):
        parts.append(tte.select("USUBJID", _tte_day(tte).alias("ADY")))
    if not parts:
        return pl.DataFrame(schema={"USUBJID": pl.Utf8, "END_DY": pl.Float64})
    return pl.concat(parts).group_by("USUBJID").agg(pl.col("ADY").max().alias("END_DY"))


def _marks(frames: dict) -> pl.DataFrame:
    parts = []
    adae, adrs, adtte = frames.get("ADAE"), frames.get("ADRS"), frames.get("ADTTE")
    if has_columns(adae, "CRSFL", "ASTDY"):
        parts.append(
            adae.filter(pl.col("CRSFL") == "Y").select(
                "USUBJID", pl.col("ASTDY").alias("DY"), EVENT=pl.lit("CRS")
            )
        )
    code = pick_param(adrs, "remission")
    if code and has_columns(adrs, "AVALC", "ADY"):
        parts.append(
            adrs.filter((pl.col("PARAMCD") == code) & responder(pl.col("AVALC")) & (pl.col("ADY") > 0))
            .group_by("USUBJID")
            .agg(pl.col("ADY").min().alias("DY"))
            .with_columns(EVENT=pl.lit("remission"))
        )
    for kind, label in (("flare", "flare"), ("bcell_return", "B-cell return")):
        code = pick_param(adtte, kind)
        if code and has_columns(adtte, "AVAL", "CNSR"):
            parts.append(
                adtte.filter((pl.col("PARAMCD") == code) & (pl.col("CNSR") == 0)).select(
                    "USUBJID", _tte_day(adtte).alias("DY"), EVENT=pl.lit(label)
                )
            )
    parts = [p.with_columns(pl.col("DY").cast(pl.Float64)) for p in parts]
    return (
        pl.concat(parts)
        if parts
        else pl.DataFrame(schema={"USUBJID": pl.Utf8, "DY": pl.Float64, "EVENT": pl.Utf8})
    )


def swimmer_section(frames: dict) -> Section:
    """The swimmer plot of every infused patient."""
    adsl = frames["ADSL"]
    lanes = (
        adsl.filter(pl.col("SAFFL") == "Y")
        .select("USUBJID", GROUP)
        .join(_last_days(frames), on="USUBJID", how="left")
        .with_columns(pl.col("END_DY").fill_null(0.0))
    )
    head = "Patient timelines"
    if not lanes.height:
        return Section("swimmer", head, notes=("No infused patients (SAFFL = Y): no timelines to draw.",))
    marks = _marks(frames)
    fig = figures.figure_swimmer(lanes, marks)
    shown = sorted(set(marks["EVENT"].to_list()))
    return Section(
        "swimmer",
        head,
        figures=(
            _block(
                fig,
                f"Swimmer plot (safety population, N = {lanes.height})",
                [
                    "Bars: infusion (day 0) to last assessment. Markers: "
                    + (", ".join(shown) or "no events recorded")
                    + ".",
                    *[f"No {e} marker: {why}." for e, why in SOURCES.items() if e not in shown],
                    __doc__.split("\n\n")[1].replace("\n", " "),
                ],
            ),
        ),
    )


def efficacy_figures(frames: dict) -> tuple[list[FigureBlock], list[str]]:
    """SLEDAI-2K spaghetti and Kaplan–Meier curves (each time-to-event parameter present)."""
    blocks, notes = [], []
    adrs, adtte = frames.get("ADRS"), frames.get("ADTTE")
    code = pick_param(adrs, "sledai")
    if code and has_columns(adrs, "ADY", "AVAL"):
        data = adrs.filter(pl.col("PARAMCD") == code)
        blocks.append(
            _block(
                figures.figure_sledai(adrs, code),
                f"{code} total over time by dose group (efficacy population, N = {_n(data)})",
                ["One line per patient; ADRS.AVAL."],
            )
        )
    else:
        notes.append("SLEDAI-2K figure not drawn: no SLEDAI-2K parameter in ADRS.")
    codes = pick_params(adtte, "km")
    for code in codes:
        data = adtte.filter(pl.col("PARAMCD") == code)
        top = float(data["AVAL"].max() or 0)
        times = [round(top * i / 5, 0) for i in range(6)]
        label = data["PARAM"][0] if "PARAM" in data.columns else code
        blocks.append(
            _block(
                figures.figure_km(adtte, code, times),
                f"Kaplan–Meier: {label} (N = {_n(data)}, events = {int((data['CNSR'] == 0).sum())})",
                ["ADTTE: AVAL days, CNSR 0 = event, 1 = censored; lupustrial.stats.survival."],
            )
        )
    if not codes:
        notes.append("Kaplan–Meier figure not drawn: no time-to-event parameter in ADTTE.")
    return blocks, notes


def pkpd_figures(frames: dict) -> tuple[list[FigureBlock], list[str]]:
    """CAR expansion (log scale with LLOQ), B-cell depletion/reconstitution and cytokine kinetics."""
    blocks, notes = [], []
    adpc, adlb = frames.get("ADPC"), frames.get("ADLB")
    if has_columns(adpc, "PARAMCD", "ADY", "AVAL"):
        code = adpc["PARAMCD"].drop_nulls()[0]
        lloq = (
            float(adpc["LLOQ"].drop_nulls()[0])
            if has_columns(adpc, "LLOQ") and adpc["LLOQ"].drop_nulls().len()
            else None
        )
        blocks.append(
            _block(
                figures.figure_car_expansion(adpc, code, lloq),
                f"CAR expansion: {code} (PK population, N = {_n(adpc)})",
                [
                    "Log scale; values ≤ 0 (below LLOQ set to 0) not drawn. Dashed line: LLOQ"
                    + (f" = {lloq:g}." if lloq else " (not in the data).")
                ],
            )
        )
    else:
        notes.append("CAR expansion figure not drawn: no concentrations (ADPC).")
    code = pick_param(adlb, "bcell")
    if code:
        blocks.append(
            _block(
                figures.figure_bcells(adlb, code),
                f"B-cell depletion and reconstitution: {code} "
                f"(safety population, N = {_n(adlb.filter(pl.col('PARAMCD') == code))})",
                ["Symmetric-log axis so that 0 (full depletion) is shown; dotted line: infusion."],
            )
        )
    else:
        notes.append("B-cell figure not drawn: no B-cell parameter in ADLB.")
    codes = pick_params(adlb, "cytokine")
    if codes:
        blocks.append(
            _block(
                figures.figure_cytokines(adlb, codes),
                "Cytokine and inflammation kinetics "
                f"(safety population, N = {_n(adlb.filter(pl.col('PARAMCD').is_in(codes)))})",
                ["Median by dose group and study day."],
            )
        )
    else:
        notes.append("Cytokine figure not drawn: no cytokine parameter in ADLB.")
    return blocks, notes
