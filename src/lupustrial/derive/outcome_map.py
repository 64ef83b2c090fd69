"""The declared outcome map: every ``computed_by`` name of ``protocol.outcomes.KNOWN_COMPUTATIONS`` →
the function in :mod:`lupustrial.derive.outcomes` that computes it, the statistic it reports and a
one-sentence definition with its source. :func:`endpoint_options` turns an outcome's registration
parameters into the options of a registered response endpoint.

>>> from lupustrial.protocol.outcomes import KNOWN_COMPUTATIONS
>>> sorted(KNOWN_COMPUTATIONS) == sorted(OUTCOME_MAP)
True
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Mapping_(NamedTuple):
    function: str  # name of the function in lupustrial.derive.outcomes
    statistic: str
    definition: str


_R = "responders n/N (%)"
_M = "median (IQR)"
OUTCOME_MAP: dict[str, Mapping_] = {
    "teae": Mapping_(
        "teae",
        "subjects with ≥1 TEAE n/N (%)",
        "subjects in SAFFL with ≥1 treatment-emergent AE "
        "(onset day 0..end of time frame), with counts of grade ≥3 and serious (ICH E3 §12.2)",
    ),
    "sae": Mapping_(
        "sae",
        "subjects with ≥1 serious TEAE n/N (%)",
        "subjects in SAFFL with ≥1 serious TEAE (AESER = Y) in the time frame (ICH E2A)",
    ),
    "ctcae": Mapping_(
        "teae", "subjects with ≥1 TEAE n/N (%)", "TEAEs graded by CTCAE v5.0 (grades as recorded)"
    ),
    "crs_astct": Mapping_(
        "crs", "subjects with CRS n/N (%)", "subjects with ≥1 CRS record (ASTCT 2019, Lee 2019)"
    ),
    "icans_astct": Mapping_(
        "icans", "subjects with ICANS n/N (%)", "subjects with ≥1 ICANS record (ASTCT 2019)"
    ),
    "agvhd_magic": Mapping_("not_in_data", "", "acute GVHD grade (MAGIC 2016)"),
    "cgvhd_nih": Mapping_("not_in_data", "", "chronic GVHD severity (NIH 2014)"),
    "icaht": Mapping_("not_in_data", "", "ICAHT grade (Rejeski 2023)"),
    "hypogammaglobulinemia": Mapping_(
        "hypogamma",
        "subjects with IgG ≤ 4 g/L n/N (%)",
        "any post-infusion IgG ≤ 4.0 g/L (instruments/hypogammaglobulinemia default, Hill 2019)",
    ),
    "dlt": Mapping_(
        "dlt",
        "subjects with DLT n/N (%)",
        "DLT per the protocol's DLT rules in the DLT window, among "
        "DLT-evaluable subjects (lupustrial.endpoints.dlt)",
    ),
    "change_from_baseline": Mapping_(
        "change",
        _M,
        "CHG = AVAL − BASE at the visit of the time frame; BASE = last "
        "assessment on or before day 0 (ADaM ADRS/ADLB)",
    ),
    "sledai2k": Mapping_("score", _M, "SLEDAI-2K total at the visit (Gladman 2002)"),
    "clinical_sledai": Mapping_("score", _M, "clinical SLEDAI-2K at the visit"),
    "selena_sledai": Mapping_("score", _M, "SELENA-SLEDAI total at the visit (Petri 2005)"),
    "pga": Mapping_("score", _M, "PGA 0–3 at the visit"),
    "bilag2004": Mapping_("score", _M, "BILAG-2004 numeric score at the visit (A12 B8 C1 D0 E0; Yee 2010)"),
    "sdi": Mapping_("score", _M, "SLICC/ACR Damage Index at the visit (Gladman 1996)"),
    "sri": Mapping_(
        "response", _R, "SRI-n at the visit (Furie 2009; lupustrial sri); missing = non-responder"
    ),
    "bicla": Mapping_(
        "response", _R, "BICLA at the visit (Wallace 2014; lupustrial bicla); missing = non-responder"
    ),
    "lldas": Mapping_(
        "response", _R, "LLDAS at the visit (Franklyn 2016; lupustrial lldas); missing = non-responder"
    ),
    "doris": Mapping_(
        "response", _R, "DORIS 2021 remission at the visit (van Vollenhoven 2021); missing = non-responder"
    ),
    "selena_flare": Mapping_(
        "flare",
        "subjects with a severe flare n/N (%)",
        "SELENA Flare Index severe flare at any visit in the time frame (Petri 2005)",
    ),
    "nca": Mapping_(
        "nca",
        _M,
        "non-compartmental parameter per subject (lupustrial.pk.nca, default options); with bone_marrow: "
        "marrow concentration per marrow visit (BLQ per option blq_summary) and the marrow:blood ratio of "
        "the same subject and visit, both quantifiable (derive/outcomes_marrow.py)",
    ),
    "bcell_depletion": Mapping_(
        "bcell_depletion",
        "subjects depleted n/N (%)",
        "CD19+ B cells < 1 cell/µL at any time after infusion within the time frame (lupustrial.pk.pd)",
    ),
    "bcell_subsets": Mapping_(
        "bcell_subsets", _M, "subset proportion = 100 × subset / CD19+ count (lupustrial.pk.pd)"
    ),
    "cytokine_peak": Mapping_(
        "cytokine_peak", _M, "peak concentration in days 0..end (lupustrial.pk.pd compute_peak)"
    ),
    "autoantibody_change": Mapping_(
        "autoantibody_change",
        "median (IQR); 'still positive' rows n/N (%)",
        "change from baseline (last value on or before day 0) at the visit of the time frame, per analyte "
        "(derive/autoantibody_change.csv): ANA = log2(titre/baseline titre), i.e. doubling-dilution steps "
        "(HEp-2 IIF from 1:80), with the share still positive; anti-Sm = % change 100·(AVAL − BASE)/BASE; "
        "anti-dsDNA = CHG (ADaM BDS); options titre_below_lowest, autoantibody_population",
    ),
    "complement_change": Mapping_("lab_change", _M, "CHG of C3/C4 at the visit of the time frame (ADLB)"),
    "proteinuria_change": Mapping_(
        "lab_change",
        _M,
        "CHG of 24-h protein / UPCR at the visit of the time frame (ADLB; never converted into each other)",
    ),
    "orr": Mapping_(
        "orr",
        _R,
        "objective response = complete or partial response at the visit, as the outcome's "
        "parameters name them; exact Clopper–Pearson CI",
    ),
    "dcr": Mapping_(
        "dcr",
        _R,
        "disease control = remission (DORIS/LLDAS, as ORR) or stable disease (SLEDAI-2K not increased by "
        ">= 4 from baseline) at the visit; protocol assumption (cd19_bcma.yaml); exact Clopper–Pearson CI",
    ),
    "dor": Mapping_(
        "dor",
        "KM estimate at end of time frame",
        "from the first DORIS/LLDAS response to progression (SLEDAI-2K >= 4 above its running nadir) or "
        "death; protocol assumption (cd19_bcma.yaml); Kaplan–Meier with log–log CI",
    ),
    "pfs": Mapping_(
        "pfs",
        "KM estimate at end of time frame",
        "from infusion to progression (SLEDAI-2K >= 4 above its running nadir, baseline included) or "
        "death; protocol assumption (cd19_bcma.yaml); Kaplan–Meier with log–log CI",
    ),
    "os": Mapping_(
        "os",
        "KM survival at end of time frame",
        "overall survival from infusion: death (AE grade 5, outcome FATAL or a DS disposition DEATH) = "
        "event, else censored at the last visit; Kaplan–Meier with log–log CI",
    ),
    "correlation_bcell_subsets_disease_activity": Mapping_(
        "correlation",
        "rmcorr r",
        "repeated-measures correlation (Bakdash 2017) of subset proportion with the "
        "reduction in the activity score from baseline over post-infusion visits",
    ),
}

#: registration parameter → (endpoint, option, {value → option value} or None for as-is)
_PARAMS: dict[tuple[str, str], tuple[str, dict[Any, Any] | None]] = {
    ("sri", "n"): ("n", None),
    ("sri", "sledai"): ("sledai_version", {"sledai2k": "2K", "selena_sledai": "SELENA"}),
}


def endpoint_options(outcome: Any) -> dict[str, Any]:
    """Options of the registered endpoint for ``outcome`` from its parameters (others are not options:
    e.g. ``prednisone_max_mg_day`` 7.5/5 are fixed by the LLDAS/DORIS 2021 definitions)."""
    out: dict[str, Any] = {}
    for key, value in outcome.parameters.items():
        spec = _PARAMS.get((outcome.computed_by, key))
        if spec:
            out[spec[0]] = spec[1].get(value, value) if spec[1] else value
    return out
