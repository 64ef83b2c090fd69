"""The time-to-event summary table: one line per ADTTE parameter and dose group (and overall).

Columns: parameter (``PARAM``), dose group, N, events (``CNSR = 0``), Kaplan–Meier median with its 95 %
log–log CI (:func:`lupustrial.stats.survival.compute_km_by_group`; "not reached" when the curve stays
above 0.5). Parameters in the order of ``report.params.CANDIDATES["km"]``, then any other ADTTE code.
The flare line (``TTFLARE``) names its definition in ``PARAM`` (``derive_study`` option
``flare_definition``; SFI by default) and starts at the first DORIS/LLDAS response.
"""

from __future__ import annotations

import polars as pl

from lupustrial.report.model import Table, has_columns
from lupustrial.report.params import CANDIDATES, GROUP

__all__ = ["table_time_to_event"]

FOOTNOTES = (
    "ADTTE: AVAL = days from STARTDT (infusion; first DORIS/LLDAS response for DOR and TTFLARE); "
    "CNSR 0 = event, 1 = censored (CNSDTDSC says at what).",
    "Median and 95 % CI: Kaplan–Meier with log–log confidence limits (lupustrial.stats.survival); "
    "NR = not reached.",
    "TTFLARE: first flare after the first response, judged against the previous visit; the definition "
    "(SELENA Flare Index by default, or BILAG-2004 new A/B) is named in the parameter; censored at the "
    "last assessment (lupustrial.derive.flares).",
)


def _median(row: dict) -> str:
    def day(v: float | None) -> str:
        return "NR" if v is None or v != v else f"{v:g}"

    return f"{day(row['median'])} ({day(row['median_lower'])}, {day(row['median_upper'])})"


def _codes(adtte: pl.DataFrame) -> list[str]:
    present = adtte["PARAMCD"].drop_nulls().unique().to_list()
    first = [c for c in CANDIDATES["km"] if c in present]
    return first + sorted(c for c in present if c not in first)


def table_time_to_event(adtte: pl.DataFrame | None) -> Table | None:
    """The summary table (module docstring), or None when ADTTE has no usable rows."""
    from lupustrial.stats.survival import compute_km_by_group

    if not has_columns(adtte, "PARAMCD", "AVAL", "CNSR", GROUP) or not adtte.height:
        return None
    rows = []
    for code in _codes(adtte):
        data = adtte.filter(pl.col("PARAMCD") == code).drop_nulls(["AVAL", "CNSR"])
        if not data.height:
            continue
        label = data["PARAM"][0] if "PARAM" in data.columns else code
        by = compute_km_by_group(data.with_columns(pl.col(GROUP).cast(pl.Utf8).fill_null("—")), GROUP)
        for r in by.iter_rows(named=True):
            rows.append((f"{code}: {label}", r["group"], str(r["n"]), str(r["events"]), _median(r)))
    if not rows:
        return None
    n = adtte["USUBJID"].n_unique() if "USUBJID" in adtte.columns else 0
    return Table(f"Time-to-event parameters by dose group (safety population with the parameter, N = {n})",
                 ("Parameter", "Dose group", "N", "Events", "Median days (95 % CI)"), tuple(rows), FOOTNOTES)
