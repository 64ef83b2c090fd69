"""The post-infusion course of *given* virtual patients: the numerical core mapped onto their baselines.

:func:`simulate_course` runs :func:`lupustrial.simulate.population.simulate_population` (kinetics,
B cells, cytokines, daily CRS/ICANS observations, blood counts, infections, disease activity) for the
patients of :func:`~lupustrial.simulate.patients.draw_patients` at their doses, then carries each
patient's *own* baseline (phenotype, labs) along the model's dynamics (assumptions, stated here):

* disease: r(t) = I_eff(t)/I_eff(0), the model's activity index relative to baseline (clipped to
  [0, 1.5]); SLEDAI-2K clinical descriptor j stays active while baseline-active and r(t) > u_j,
  u_j ~ U(0.15, 0.85); UPCR(t) = 0.1 + (UPCR₀ − 0.1)·r(t); anti-dsDNA(t) = anti-dsDNA₀ × the model's
  relative anti-dsDNA; C3/C4 return towards 1.1 / 0.25 g/L as 1 − r(t); serology descriptors are
  re-derived from the values; PGA(t) = clip(0.1·clinical SLEDAI-2K + N(0, 0.1), 0, 3), 0.1 steps;
  glucocorticoid dose = baseline dose × the model's relative taper, in 2.5 mg steps;
* ANC, platelets, IgG: the patient's baseline × the model's relative course;
* daily CRS and ICANS grades by the registered ASTCT graders (``crs_astct``, ``icans_astct``); the ICANS
  seizure, motor and raised-ICP domains are drawn by :func:`lupustrial.simulate.neuro.neuro_findings`
  (rare, conditional on the worst ICE score; without them ICANS could not exceed grade 2).

Dose → model units: a per-kg protocol dose is given as is to per-kg products; a flat cell dose is
divided by body weight for per-kg products (and vice versa); a dose range (min–max) uses its midpoint.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

__all__ = ["dose_amount", "model_dose", "simulate_course"]

CLINICAL = (
    "vasculitis",
    "arthritis",
    "urinary_casts",
    "hematuria",
    "pyuria",
    "rash",
    "alopecia",
    "mucosal_ulcers",
    "pleurisy",
    "pericarditis",
    "fever",
    "thrombocytopenia",
    "leukopenia",
)


def dose_amount(level: Any) -> float:
    """The nominal amount of a dose level (midpoint of a min–max range)."""
    return float(level.amount) if level.amount is not None else (float(level.min) + float(level.max)) / 2


def model_dose(level: Any, weight_kg: np.ndarray, params: Any) -> np.ndarray:
    """Per-infusion dose in the model product's unit (cells/kg or cells) for each patient."""
    amount = dose_amount(level)
    if level.unit == params.dose_unit:
        return np.full(weight_kg.shape, amount)
    return amount / weight_kg if params.dose_unit == "cells/kg" else amount * weight_kg


def _grades(sim: dict, days28: int, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import lupustrial
    from lupustrial.simulate.neuro import finding_labels

    crs, ice = sim["crs"], sim["icans"]
    n = crs["temp_c"].shape[0]
    sl = (slice(None), slice(0, days28 + 1))
    flat = lambda a: np.asarray(a[sl]).reshape(-1)  # noqa: E731
    frame = pl.DataFrame(
        {
            "temp_c": flat(crs["temp_c"]),
            "hypotension": flat(crs["hypotension"]),
            "vasopressors_n": flat(crs["vasopressors_n"]).astype(np.int64),
            "o2_device": np.where(flat(crs["o2_device"]) > 0, "nasal_cannula", "room_air"),
            "o2_flow_l_min": flat(crs["o2_flow_l_min"]),
            "vasopressin": flat(crs["vasopressin"]),
            "sbp_mmhg": flat(crs["sbp_mmhg"]),
            "fever_other_cause": False,
            "fever_waived": False,
            "crs_death": False,
        }
    )
    g_crs = lupustrial.evaluate_table("crs_astct", frame)["value"].fill_null(0).to_numpy()
    loc = np.where(flat(ice["loc_code"]) >= 2, "awakens_to_voice", "alert")
    ages = np.repeat(age, days28 + 1)
    frame = pl.DataFrame(
        {
            "ice_score": flat(ice["ice_score"]).astype(np.int64),
            "loc": loc,
            **{d: flat(finding_labels(ice, d)) for d in ("seizure", "motor", "icp")},
            "age_years": ages,
            "ice_unarousable": False,
            "developmental_delay": False,
            "loc_due_to_sedation": False,
            "icans_death": False,
        }
    )
    g_icans = lupustrial.evaluate_table("icans_astct", frame)["value"].fill_null(0).to_numpy()
    return g_crs.reshape(n, -1).astype(int), g_icans.reshape(n, -1).astype(int)


def _disease(patients: pl.DataFrame, sim: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    d = sim["disease"]
    n = d["activity_index"].shape[0]
    r = np.clip(d["activity_index"] / np.maximum(d["activity_index"][:, :1], 1e-9), 0, 1.5)
    out = {}
    for item in CLINICAL:
        base = patients[f"sledai_{item}"].to_numpy()[:, None]
        out[f"sledai_{item}"] = base & (r > rng.uniform(0.15, 0.85, (n, 1)))
    upcr0 = patients["upcr"].to_numpy()[:, None]
    out["upcr"] = 0.1 + np.maximum(upcr0 - 0.1, 0) * r
    out["sledai_proteinuria"] = out["upcr"] > 0.5
    rel = d["anti_dsdna_iu_ml"] / np.maximum(d["anti_dsdna_iu_ml"][:, :1], 1e-9)
    out["anti_dsdna"] = patients["anti_dsdna"].to_numpy()[:, None] * rel
    for name, normal in (("c3", 1.1), ("c4", 0.25)):
        x0 = patients[name].to_numpy()[:, None]
        out[name] = np.where(x0 < normal, normal - (normal - x0) * np.minimum(r, 1), x0)
    out["sledai_increased_dna_binding"] = out["anti_dsdna"] > patients["anti_dsdna_uln"].to_numpy()[:, None]
    out["sledai_low_complement"] = (out["c3"] < patients["c3_lln"].to_numpy()[:, None]) | (
        out["c4"] < patients["c4_lln"].to_numpy()[:, None]
    )
    pred = d["prednisone_mg"] / np.maximum(d["prednisone_mg"][:, :1], 1e-9)
    out["gc_dose_mg"] = np.round(patients["gc_dose_mg"].to_numpy()[:, None] * pred / 2.5) * 2.5
    return out


def _sledai(items: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    from lupustrial.simulate.phenotype import SLEDAI_ITEMS

    weights = {
        "vasculitis": 8,
        "arthritis": 4,
        "urinary_casts": 4,
        "hematuria": 4,
        "proteinuria": 4,
        "pyuria": 4,
        "rash": 2,
        "alopecia": 2,
        "mucosal_ulcers": 2,
        "pleurisy": 2,
        "pericarditis": 2,
        "low_complement": 2,
        "increased_dna_binding": 2,
        "fever": 1,
        "thrombocytopenia": 1,
        "leukopenia": 1,
    }  # SLEDAI-2K weights (Gladman 2002; instruments/sledai_items.csv)
    total = sum(items[f"sledai_{k}"] * w for k, w in weights.items() if f"sledai_{k}" in items)
    clinical = total - 2 * items["sledai_low_complement"] - 2 * items["sledai_increased_dna_binding"]
    assert set(weights) <= set(SLEDAI_ITEMS)
    return np.asarray(total), np.asarray(clinical)


def _population(params: Any, dose: np.ndarray, inf_days: Any, days: int, rng: np.random.Generator) -> dict:
    """The layers of ``simulate_population`` in its order, with a per-patient dose array (its
    ``resolve`` takes one dose for all)."""
    from lupustrial.simulate import bcells, cytokines, disease
    from lupustrial.simulate.kinetics import concentration, draw_kinetics
    from lupustrial.simulate.neuro import neuro_findings

    n = dose.shape[0]
    draws = draw_kinetics(n, dose, params, rng, infusion_days=inf_days)
    conc = concentration(draws, np.arange(days + 1, dtype=float))
    b0, ec50 = bcells.draw_b0(n, params, rng)
    bc = bcells.simulate_bcells(draws, days, params, b0, ec50)
    cyt = cytokines.simulate_cytokines(conc, bc["B"], b0, params, rng)
    blood = cytokines.blood_counts(n, days, params, rng)
    out = {
        "params": params,
        "draws": draws,
        "conc": conc,
        "bcells": bc,
        "b0": b0,
        "cytokines": cyt,
        "crs": cytokines.crs_observations(cyt["log_il6_ratio"], params, rng),
        "icans": cytokines.icans_observations(cyt["log_il6_ratio"], params, rng),
        "blood": blood,
        "safety": cytokines.infections_and_gvhd(blood["anc"], bc["igg_rel"], params, rng),
        "disease": disease.simulate_disease(bc["plasmablasts"], bc["llpc"], params, rng),
    }
    ice = out["icans"]
    ice |= neuro_findings(ice["ice_score"], params, rng)  # seizure / motor / ICP (simulate.neuro)
    # dexamethasone also on a day with a seizure, focal weakness or oedema (grade >= 3 ICANS management)
    found = (ice["seizure_code"] + ice["motor_code"] + ice["icp_code"]) > 0
    ice["dexamethasone"] = ice["dexamethasone"] | found
    return out


def simulate_course(
    protocol: Any,
    patients: pl.DataFrame,
    level: Any,
    days: int,
    rng: np.random.Generator,
    scenario: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Daily course (arrays patients × days 0..``days``) of ``patients`` treated at dose ``level``;
    ``scenario`` overrides model parameters by key (``{"crs.hypotension_log_il6": 3.0}``)."""
    from lupustrial.simulate.population import resolve

    spec = protocol.model_dump()
    params, _, inf_days = resolve(spec, 1.0)  # the dose is set per patient below
    params = params.with_values(**scenario) if scenario else params
    dose = model_dose(level, patients["weight_kg"].to_numpy(), params)
    sim = _population(params, dose, inf_days, days, rng)
    dis = _disease(patients, sim, rng)
    dis["sledai2k"], dis["clinical_sledai2k"] = _sledai(dis)
    dis["pga"] = np.clip(
        np.round(0.1 * dis["clinical_sledai2k"] + rng.normal(0, 0.1, dis["sledai2k"].shape), 1), 0, 3
    )
    dis["pga"][:, 0] = patients["pga"].to_numpy()
    rel = lambda a: a / a.max(axis=1, keepdims=True)  # relative to the undepressed level  # noqa: E731
    blood = {
        "anc": patients["anc"].to_numpy()[:, None] * rel(sim["blood"]["anc"]),
        "platelets": patients["platelets"].to_numpy()[:, None] * rel(sim["blood"]["platelets"]),
        "igg": patients["igg"].to_numpy()[:, None]
        * sim["safety"]["igg_g_l"]
        / sim["safety"]["igg_g_l"][:, :1],
    }
    g_crs, g_icans = _grades(sim, min(days, 28), patients["age_years"].to_numpy())
    return {
        "sim": sim,
        "disease": dis,
        "blood": blood,
        "crs_grade": g_crs,
        "icans_grade": g_icans,
        "dose_model": dose,
        "level": level,
    }


def flatten(courses: list[dict[str, Any]], rng: np.random.Generator) -> dict[str, Any]:
    """The arrays the source records need, cohorts stacked in order (rows = treated patients), and
    ``params``: the model parameters the courses were simulated with (scenario overrides included; the
    same for every cohort, only the dose differs).

    PK observations: the model concentration × exp(N(0, σ_assay)), below the LLOQ → NaN (as
    ``kinetics.sample_observations``); ``lloq`` per patient.
    """

    def cat(get) -> np.ndarray:
        return np.concatenate([np.asarray(get(c)) for c in courses], axis=0)

    out = {f"dis_{k}": cat(lambda c, k=k: c["disease"][k]) for k in courses[0]["disease"]}
    out |= {k: cat(lambda c, k=k: c["blood"][k]) for k in ("anc", "platelets", "igg")}
    out |= {k: cat(lambda c, k=k: c["sim"]["cytokines"][k]) for k in ("il6", "crp", "ferritin")}
    out |= {
        "crs_grade": cat(lambda c: c["crs_grade"]),
        "icans_grade": cat(lambda c: c["icans_grade"]),
        "tocilizumab": cat(lambda c: c["sim"]["crs"]["tocilizumab"]),
        "dexamethasone": cat(lambda c: c["sim"]["icans"]["dexamethasone"]),
        "infection": cat(lambda c: c["sim"]["safety"]["infection"]),
        "gvhd": cat(lambda c: c["sim"]["safety"]["gvhd_skin_stage"]),
        "bcells": cat(lambda c: c["sim"]["bcells"]["B"]),
        **{f"b_{k}": cat(lambda c, k=k: c["sim"]["bcells"][k]) for k in ("transitional", "naive", "memory")},
        "conc": cat(lambda c: c["sim"]["conc"]),
    }
    sigma = np.concatenate(
        [
            np.full(c["sim"]["conc"].shape[0], c["sim"]["params"].value("kinetics.sigma_assay"))
            for c in courses
        ]
    )
    lloq = np.concatenate(
        [np.full(c["sim"]["conc"].shape[0], c["sim"]["params"].value("kinetics.lloq")) for c in courses]
    )
    obs = out["conc"] * np.exp(rng.normal(0.0, 1.0, out["conc"].shape) * sigma[:, None])
    out["pk"] = np.where(obs < lloq[:, None], np.nan, obs)
    out["lloq"] = lloq
    out["params"] = courses[0]["sim"]["params"]
    return out
