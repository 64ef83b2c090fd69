"""Flare per visit and ADTTE ``TTFLARE``: time to first flare after the first remission/response.

Flare definitions (option ``flare_definition`` of ``derive_study``; default ``sfi``). Each is judged at a
visit **against the previous visit**:

============== ==================================================================================
``sfi``        SELENA Flare Index, any flare: a mild/moderate or severe SFI component met
               (``selena_flare``, ``endpoints/selena_flare_rules.csv``; Petri 2005, Buyon 2005)
``sfi_severe`` SELENA Flare Index, severe flare only
``bilag``      BILAG-2004 flare: a new A (severe) or new B (moderate) in any system, i.e. A now and not A
               before, or B now and C/D/E before (Gordon C et al. Rheumatology 2003;42:1372, "a flare
               is a new A or B score in at least one system", PubMed 12810926; Isenberg 2011 Ann Rheum
               Dis 70:54 for BILAG-2004); ``endpoints/_bilag.new_bilag`` against the previous visit
``sfi_or_bilag`` either of ``sfi`` and ``bilag``
============== ==================================================================================

``FLARE`` at a visit: true when a component of the definition is known to be met; false when the visit
has the instrument (SELENA-SLEDAI total for SFI, the BILAG-2004 grades for BILAG) and no component is
known to be met; null (not assessed) otherwise and at a patient's first visit. A clause that cannot be
evaluated at a visit (e.g. no haemoglobin or platelet count that day) does not make a flare — the per-visit
SFI category with its reasons stays available from ``selena_flare``. Body weight for the SFI prednisone
clauses: the visit's ``weight_kg``, else ADSL ``WEIGHTBL`` (baseline weight carried forward).

``TTFLARE`` (ADaM BDS-TTE): patients with a first post-infusion response (DORIS or LLDAS met, as DOR) are
at risk from that visit (``STARTDT``); event (``CNSR`` = 0) at the first later visit with ``FLARE``;
otherwise censored (``CNSR`` = 1) at the last later assessed visit (``CNSDTDSC`` = LAST ASSESSMENT), or at
the response day itself (``AVAL`` = 0) when no visit followed it. ``AVAL`` = days from ``STARTDT``; death
is not a flare (it censors at the last assessment). Non-responders are not in the parameter.
"""

from __future__ import annotations

import polars as pl

__all__ = ["DEFAULT_FLARE", "FLARE_DEFINITIONS", "compute_flare_visits", "first_response", "time_to_flare"]

DEFAULT_FLARE = "sfi"
FLARE_DEFINITIONS: dict[str, str] = {  # option value -> label used in PARAM
    "sfi": "SFI, any",
    "sfi_severe": "SFI, severe",
    "bilag": "BILAG-2004, new A or B",
    "sfi_or_bilag": "SFI any or BILAG-2004 new A/B",
}


def check_flare_definition(definition: str) -> str:
    """``definition`` if it is one of ``FLARE_DEFINITIONS``, else an ``InputError`` naming the choices."""
    from lupustrial.derive._common import check_options

    key = "flare_definition"
    return check_options(key, {key: DEFAULT_FLARE}, {key: tuple(FLARE_DEFINITIONS)}, {key: definition})[key]


def _sfi(prepared: pl.DataFrame, severe_only: bool) -> pl.DataFrame:
    from lupustrial.endpoints.flare import RULES
    from lupustrial.endpoints.responses import derive_responses

    res = derive_responses(prepared, names=["selena_flare"])["selena_flare"]
    cats = ("severe",) if severe_only else ("severe", "mild_moderate")
    met = pl.any_horizontal([pl.col(r["component"]).fill_null(False) for r in RULES if r["category"] in cats])
    assessed = pl.col("previous_visit").is_not_null() & pl.col("sledai_selena").is_not_null()
    return res.select("USUBJID", "ADY", pl.when(met).then(True).when(assessed).then(False).alias("FLARE"))


def _bilag(prepared: pl.DataFrame) -> pl.DataFrame:
    from lupustrial.endpoints._bilag import new_bilag
    from lupustrial.endpoints._derive import previous

    data = new_bilag(prepared, previous, "_prev", systems_list=False)
    met = (pl.col("new_a_prev") + pl.col("new_b_prev")) > 0
    assessed = pl.col("_same_prev") & ~pl.col("bilag_unknown_prev")
    return data.select("USUBJID", "ADY", pl.when(met).then(True).when(assessed).then(False).alias("FLARE"))


def compute_flare_visits(visits: pl.DataFrame, adsl: pl.DataFrame | None = None,
                         definition: str = DEFAULT_FLARE) -> pl.DataFrame:
    """USUBJID, ADY, FLARE (true / false / null = not assessed) per visit of the visit table
    (:func:`lupustrial.derive.visits.build_visit_table`) under ``definition`` (module docstring)."""
    from lupustrial.endpoints.responses import prepare_visits

    check_flare_definition(definition)
    empty = pl.DataFrame(schema={"USUBJID": pl.Utf8, "ADY": pl.Int64, "FLARE": pl.Boolean})
    if visits is None or visits.height == 0:
        return empty
    vt = visits.drop("ADT", "TRTSDT", strict=False)
    if adsl is not None and "WEIGHTBL" in adsl.columns:
        weight = adsl.select("USUBJID", pl.col("WEIGHTBL").cast(pl.Float64).alias("_wbl"))
        own = pl.col("weight_kg") if "weight_kg" in vt.columns else pl.lit(None, dtype=pl.Float64)
        vt = (vt.join(weight, on="USUBJID", how="left")
              .with_columns(pl.coalesce(own, pl.col("_wbl")).alias("weight_kg")).drop("_wbl"))
    prepared = prepare_visits(vt)
    parts = []
    if definition in ("sfi", "sfi_severe", "sfi_or_bilag"):
        parts.append(_sfi(prepared, definition == "sfi_severe"))
    if definition in ("bilag", "sfi_or_bilag"):
        parts.append(_bilag(prepared))
    # max = any flare; null when no definition assessed the visit
    flare = pl.concat(parts).group_by("USUBJID", "ADY").agg(pl.col("FLARE").max())
    return flare.select("USUBJID", pl.col("ADY").cast(pl.Int64), "FLARE").sort("USUBJID", "ADY")


def first_response(responses: pl.DataFrame) -> pl.DataFrame:
    """USUBJID, ``_resp``: the first post-infusion day (ADY > 0) with a response (``value`` true) — the
    time origin of TTFLARE and of ADTTE DOR."""
    return (responses.filter(pl.col("value").fill_null(False) & (pl.col("ADY") > 0))
            .group_by("USUBJID").agg(pl.col("ADY").min().alias("_resp")))


def time_to_flare(safety: pl.DataFrame, flares: pl.DataFrame, responses: pl.DataFrame,
                  definition: str = DEFAULT_FLARE) -> pl.DataFrame:
    """``TTFLARE`` rows (module docstring). ``safety``: the ADTTE keys and TRTSDT of the safety population;
    ``flares``: :func:`compute_flare_visits`; ``responses``: USUBJID, ADY, value (DORIS or LLDAS met)."""
    resp = first_response(responses)
    later = flares.join(resp, on="USUBJID").filter(
        (pl.col("ADY") > pl.col("_resp")) & pl.col("FLARE").is_not_null())
    per = later.sort("ADY").group_by("USUBJID").agg(
        pl.col("ADY").filter(pl.col("FLARE")).first().alias("_ev"), pl.col("ADY").max().alias("_last"))
    label = FLARE_DEFINITIONS[check_flare_definition(definition)]
    event = pl.col("_ev").is_not_null()
    return (safety.join(resp, on="USUBJID").join(per, on="USUBJID", how="left").with_columns(
        pl.lit("TTFLARE").alias("PARAMCD"),
        pl.lit(f"Time to first flare ({label}) after the first DORIS/LLDAS response (days)").alias("PARAM"),
        (pl.col("TRTSDT") + pl.duration(days=pl.col("_resp"))).alias("STARTDT"),
        (pl.coalesce("_ev", "_last", "_resp") - pl.col("_resp")).cast(pl.Float64).alias("AVAL"),
        pl.when(event).then(0).otherwise(1).cast(pl.Int64).alias("CNSR"),
        pl.when(event).then(pl.lit("FLARE")).when(pl.col("_last").is_not_null())
        .then(pl.lit("LAST ASSESSMENT")).otherwise(pl.lit("NO ASSESSMENT AFTER RESPONSE")).alias("EVNTDESC"),
    ).with_columns((pl.col("STARTDT") + pl.duration(days=pl.col("AVAL"))).alias("ADT")))
