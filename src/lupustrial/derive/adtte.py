"""ADTTE: time-to-event parameters from the first infusion (day 0).

``OS`` — overall survival: event (``CNSR`` = 0) at the earliest death, i.e. an AE of grade 5 or outcome
FATAL (date = end date, else onset date) or a DS disposition record DEATH (date = DSSTDTC); otherwise
censored (``CNSR`` = 1) at the last visit date.
``AVAL`` = days from ``TRTSDT`` (ADaM ADTTE; CDISC ADaM BDS-TTE, CNSR 0 = event).
``TTR<code>`` — time to first response, one parameter per response in ADRS (``SRI4``, ``LLDAS``,
``DORIS``, ...): event at the first post-infusion visit with ``AVALC = "Y"``; censored at the last
post-infusion assessment of that response otherwise.
``TTBCR`` — time to B-cell reconstitution (:func:`lupustrial.pk.pd.compute_bcell_depletion` on ADLB
``CD19``: depletion below 1 cell/µL, reconstitution at ≥ 5 % of baseline, OPT-K17): event at the
reconstitution day; censored at the last sample while aplasia continues; patients never depleted are
not in the parameter.
``PFS`` — progression-free survival: progression = the first post-infusion SLEDAI-2K at least
``PROGRESSION_RISE`` (4) points above the lowest earlier value since baseline (baseline included), or
death; censored at the last SLEDAI-2K assessment. The registrations do not define progression in SLE:
this is a protocol assumption (cd19_bcma.yaml, ``outcomes.pfs``), SRI's 4-point threshold read as worsening.
``DOR`` — duration of remission: for patients with a response (``DORIS`` or ``LLDAS`` = Y), from the first
response to progression (as above, after it) or death; censored at the last assessment.
``TTFLARE`` — time to first flare after the first DORIS/LLDAS response, flare definition by the option
``flare_definition`` (default ``sfi``: any SELENA Flare Index flare; ``sfi_severe``, ``bilag`` = new
BILAG-2004 A or B, ``sfi_or_bilag``); definitions and censoring in :mod:`lupustrial.derive.flares`.
Every row carries ``STARTDT`` (time origin: ``TRTSDT``, or the first response for DOR and TTFLARE) and
``CNSDTDSC`` (what the censoring date is, censored rows only), as ADaM ADTTE.
"""

from __future__ import annotations

import polars as pl

from lupustrial.derive._common import ady, to_date
from lupustrial.derive.flares import DEFAULT_FLARE, compute_flare_visits, first_response, time_to_flare

_KEYS = ("STUDYID", "USUBJID", "TRT01A", "TRT01AN")
PROGRESSION_RISE = 4  # SLEDAI-2K points above the running nadir (protocol assumption, see the docstring)
RESPONSES = ("DORIS", "LLDAS")  # remission (complete) or low disease activity (partial), as ORR
_COLUMNS = (*_KEYS, "PARAMCD", "PARAM", "TRTSDT", "STARTDT", "ADT", "CNSR", "EVNTDESC", "CNSDTDSC", "AVAL")


def derive_adtte(adsl: pl.DataFrame, adae: pl.DataFrame, adrs: pl.DataFrame | None = None,
                 adlb: pl.DataFrame | None = None, responses: pl.DataFrame | None = None, *,
                 visits: pl.DataFrame | None = None, flare_definition: str = DEFAULT_FLARE,
                 events: pl.DataFrame | None = None) -> pl.DataFrame:
    """ADTTE for the safety population: OS, and time to response / B-cell reconstitution / first flare
    (``visits``: the visit table, for TTFLARE) when the analysis frames hold the data. ``events``: the
    stored events frame, whose DS ``DEATH`` records count as deaths (see :func:`_deaths`)."""
    deaths = _deaths(adae, events)
    hits = _response_visits(adrs, responses)
    parts = [_os(adsl, deaths)]
    if adrs is not None and adrs.height:
        parts.append(_time_to_response(adsl, adrs))
        parts.extend(_progression(adsl, deaths, adrs, hits))
    if adlb is not None and adlb.height:
        parts.append(_time_to_bcell_return(adsl, adlb))
    if visits is not None and visits.height and hits is not None:
        flares = compute_flare_visits(visits, adsl, flare_definition)
        parts.append(time_to_flare(_safety(adsl), flares, hits, flare_definition))
    parts = [_finish(parts[0])] + [_finish(p) for p in parts[1:] if p.height]  # OS always
    return pl.concat(parts, how="vertical_relaxed").sort("USUBJID", "PARAMCD")


def _finish(part: pl.DataFrame) -> pl.DataFrame:
    """The ADTTE columns: STARTDT defaults to TRTSDT; CNSDTDSC = EVNTDESC on censored rows."""
    start = pl.col("STARTDT") if "STARTDT" in part.columns else pl.col("TRTSDT")
    return part.with_columns(
        start.alias("STARTDT"),
        pl.when(pl.col("CNSR") == 1).then(pl.col("EVNTDESC")).otherwise(None).cast(pl.Utf8).alias("CNSDTDSC"),
    ).select(_COLUMNS)


def _response_visits(adrs: pl.DataFrame | None, responses: pl.DataFrame | None) -> pl.DataFrame | None:
    """USUBJID, ADY, value (DORIS or LLDAS met): ``responses`` when given, else the ADRS parameters.
    The response visits of DOR and TTFLARE (both start at :func:`lupustrial.derive.flares.first_response`)."""
    if responses is not None:
        return responses
    if adrs is None or not adrs.height:
        return None
    return adrs.filter(pl.col("PARAMCD").is_in(RESPONSES)).select(
        "USUBJID", "ADY", (pl.col("AVALC") == "Y").alias("value"))


def _safety(adsl: pl.DataFrame) -> pl.DataFrame:
    return adsl.filter(pl.col("SAFFL") == "Y").select(*_KEYS, "TRTSDT")


def _time_to_response(adsl: pl.DataFrame, adrs: pl.DataFrame) -> pl.DataFrame:
    post = adrs.filter((pl.col("ADY") > 0) & pl.col("AVALC").is_in(["Y", "N"]))
    per = post.sort("ADY").group_by("USUBJID", "PARAMCD").agg(
        pl.col("ADY").filter(pl.col("AVALC") == "Y").first().alias("_first"),
        pl.col("ADY").max().alias("_last"),
    )
    return _safety(adsl).join(per, on="USUBJID").with_columns(
        ("TTR" + pl.col("PARAMCD")).alias("PARAMCD"),
        pl.format("Time to first {} response (days from infusion)", pl.col("PARAMCD")).alias("PARAM"),
        pl.coalesce("_first", "_last").cast(pl.Float64).alias("AVAL"),
        pl.when(pl.col("_first").is_not_null()).then(0).otherwise(1).cast(pl.Int64).alias("CNSR"),
        pl.when(pl.col("_first").is_not_null()).then(pl.lit("RESPONSE"))
        .otherwise(pl.lit("LAST ASSESSMENT")).alias("EVNTDESC"),
    ).with_columns((pl.col("TRTSDT") + pl.duration(days=pl.col("AVAL"))).alias("ADT"))


def _deaths(adae: pl.DataFrame, events: pl.DataFrame | None = None) -> pl.DataFrame:
    """USUBJID, DTHDT: the earliest death per subject, from an AE of grade 5 or outcome FATAL (date = end
    date, else onset date) OR a disposition record ``DOMAIN = "DS"``, ``DECOD = "DEATH"`` (date = STDTC;
    CDISC CT NCOMPLT term DEATH, SDTMIG v3.4 DS) in ``events`` (the stored events frame, any domains).
    A DS death whose STDTC is not a complete date gives no date and is not counted (no imputation)."""
    ae = (adae.filter((pl.col("ATOXGR") == 5) | (pl.col("AEOUT").str.to_uppercase() == "FATAL"))
          .select("USUBJID", pl.coalesce("AENDT", "ASTDT").alias("DTHDT")))
    if events is not None and events.height:
        ds = events.filter((pl.col("DOMAIN") == "DS") & (pl.col("DECOD").str.to_uppercase() == "DEATH"))
        ds_dates = ds.select("USUBJID", to_date(pl.col("STDTC")).alias("DTHDT"))
        ae = pl.concat([ae, ds_dates], how="vertical_relaxed")
    return ae.filter(pl.col("DTHDT").is_not_null()).group_by("USUBJID").agg(pl.col("DTHDT").min())


def _progression(adsl: pl.DataFrame, deaths: pl.DataFrame, adrs: pl.DataFrame,
                 hits: pl.DataFrame) -> list[pl.DataFrame]:
    """PFS and DOR (definitions in the module docstring); ``deaths`` from :func:`_deaths`, ``hits`` (USUBJID,
    ADY, value: DORIS or LLDAS met) from :func:`_response_visits`."""
    sledai = adrs.filter((pl.col("PARAMCD") == "SLEDAI2K") & pl.col("AVAL").is_not_null())
    sledai = sledai.sort("USUBJID", "ADY")
    if sledai.height == 0:
        return []
    nadir = pl.col("AVAL").cum_min().shift(1).over("USUBJID")
    visits = sledai.with_columns(
        ((pl.col("ADY") > 0) & (pl.col("AVAL") >= nadir + PROGRESSION_RISE)).fill_null(False).alias("_prog"))
    resp = first_response(hits)
    base = _safety(adsl).join(deaths, on="USUBJID", how="left").with_columns(
        (pl.col("DTHDT") - pl.col("TRTSDT")).dt.total_days().cast(pl.Float64).alias("_death"))
    last = visits.filter(pl.col("ADY") > 0).group_by("USUBJID").agg(pl.col("ADY").max().alias("_last"))
    pfs_ev = visits.filter(pl.col("_prog")).group_by("USUBJID").agg(pl.col("ADY").min().alias("_ev"))
    pfs = _tte(base.join(last, on="USUBJID").join(pfs_ev, on="USUBJID", how="left"), "PFS",
               "Progression-free survival (days from infusion)", start=pl.lit(0.0))
    dor_ev = (visits.join(resp, on="USUBJID").filter(pl.col("_prog") & (pl.col("ADY") > pl.col("_resp")))
              .group_by("USUBJID").agg(pl.col("ADY").min().alias("_ev")))
    dor_base = base.join(resp, on="USUBJID").join(last, on="USUBJID").join(dor_ev, on="USUBJID", how="left")
    dor = _tte(dor_base, "DOR", "Duration of remission (days from first DORIS/LLDAS response)",
               start=pl.col("_resp"))
    return [pfs, dor]


def _tte(frame: pl.DataFrame, code: str, label: str, *, start: pl.Expr) -> pl.DataFrame:
    """Event = the earlier of progression (``_ev``) and death (``_death``); else censored at ``_last``."""
    event = pl.min_horizontal("_ev", "_death")
    return frame.with_columns(
        pl.lit(code).alias("PARAMCD"), pl.lit(label).alias("PARAM"),
        (pl.coalesce(event, pl.col("_last")).cast(pl.Float64) - start).alias("AVAL"),
        pl.when(event.is_not_null()).then(0).otherwise(1).cast(pl.Int64).alias("CNSR"),
        pl.when(pl.col("_death").is_not_null() & (pl.col("_death") < pl.col("_ev").fill_null(float("inf"))))
        .then(pl.lit("DEATH")).when(pl.col("_ev").is_not_null()).then(pl.lit("PROGRESSION"))
        .otherwise(pl.lit("LAST ASSESSMENT")).alias("EVNTDESC"),
        (pl.col("TRTSDT") + pl.duration(days=pl.coalesce(event, pl.col("_last")))).alias("ADT"),
        (pl.col("TRTSDT") + pl.duration(days=start)).alias("STARTDT"),
    )


def _time_to_bcell_return(adsl: pl.DataFrame, adlb: pl.DataFrame) -> pl.DataFrame:
    from lupustrial.pk.pd import compute_bcell_depletion

    cd19 = adlb.filter((pl.col("PARAMCD") == "CD19") & pl.col("AVAL").is_not_null()).select(
        "USUBJID", pl.col("ADY").cast(pl.Float64).alias("time_days"), pl.col("AVAL").alias("cd19_per_ul"))
    if cd19.height == 0:
        return pl.DataFrame()
    dep = compute_bcell_depletion(cd19).filter(pl.col("depletion_day").is_not_null())
    recon = pl.col("reconstitution_day")
    return _safety(adsl).join(dep, on="USUBJID").with_columns(
        pl.lit("TTBCR").alias("PARAMCD"),
        pl.lit("Time to B-cell reconstitution, >= 5% of baseline CD19+ (days from infusion)").alias("PARAM"),
        (pl.col("depletion_day") + pl.col("aplasia_days")).cast(pl.Float64).alias("AVAL"),  # = recon or last
        pl.when(recon.is_not_null()).then(0).otherwise(1).cast(pl.Int64).alias("CNSR"),
        pl.when(recon.is_not_null()).then(pl.lit("B-CELL RECONSTITUTION"))
        .otherwise(pl.lit("LAST SAMPLE IN APLASIA")).alias("EVNTDESC"),
    ).with_columns((pl.col("TRTSDT") + pl.duration(days=pl.col("AVAL"))).alias("ADT"))


def _os(adsl: pl.DataFrame, deaths: pl.DataFrame) -> pl.DataFrame:
    """OS for the safety population; ``deaths`` from :func:`_deaths` (AE grade 5/FATAL or DS DEATH)."""
    return (
        adsl.filter(pl.col("SAFFL") == "Y")
        .join(deaths, on="USUBJID", how="left")
        .select(
            "STUDYID",
            "USUBJID",
            "TRT01A",
            "TRT01AN",
            pl.lit("OS").alias("PARAMCD"),
            pl.lit("Overall survival (days from infusion)").alias("PARAM"),
            "TRTSDT",
            pl.coalesce("DTHDT", "LSTVSTDT").alias("ADT"),
            pl.when(pl.col("DTHDT").is_not_null()).then(0).otherwise(1).cast(pl.Int64).alias("CNSR"),
            pl.when(pl.col("DTHDT").is_not_null())
            .then(pl.lit("DEATH"))
            .otherwise(pl.lit("LAST VISIT"))
            .alias("EVNTDESC"),
        )
        .with_columns(ady(pl.col("ADT"), pl.col("TRTSDT")).cast(pl.Float64).alias("AVAL"))
    )
