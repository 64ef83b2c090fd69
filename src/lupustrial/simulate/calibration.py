"""Calibration: declared targets (``calibration_targets.csv``), simulated vs published, pass/fail.

``run_calibration(random_state)`` simulates the reference scenario (autologous CD19 CAR-T, 1×10⁶/kg,
``n`` patients, 300 days), computes every target's simulated value and returns a polars frame with
``target, quantity, published, low, high, simulated, passed, source, verification, how_simulated``.
CRS and ICANS are graded by the registered ASTCT graders (``crs_astct``, ``icans_astct``), so the
daily observations pass through the same code as trial data. DORIS and LLDAS are proxies (see the
``how_simulated`` column): the full endpoint definitions live in ``lupustrial.endpoints``.

The ICANS seizure, motor and raised-ICP domains are drawn by :func:`lupustrial.simulate.neuro.neuro_findings`
(conditional on the worst ICE score) from a generator seeded by ``random_state`` after the population, so
the other targets' random streams are unchanged; a population without them grades those domains as none.

``search_bcell_calibration`` is the small grid search used to choose β (persistence) and EC50.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from lupustrial.simulate.cytokines import ICE_ORDER, O2_DEVICES
from lupustrial.simulate.neuro import finding_labels, neuro_findings
from lupustrial.simulate.population import simulate_population

_TARGETS = Path(__file__).with_name("calibration_targets.csv")
LOC_CODES = ("alert", "awakens_spontaneously", "awakens_to_voice", "awakens_to_touch", "unarousable")


def targets() -> list[dict]:
    """The declared calibration targets, one dict per row of ``calibration_targets.csv``."""
    with _TARGETS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def crs_frame(out: dict, last_day: int = 30):
    """Long polars frame (patient, day, crs_astct fields) of the simulated CRS observations."""
    import polars as pl

    crs = out["crs"]
    n = crs["temp_c"].shape[0]
    sl = np.s_[:, : last_day + 1]
    t = crs["temp_c"][sl].shape[1]
    return pl.DataFrame({
        "patient": np.repeat(np.arange(n), t), "day": np.tile(np.arange(t), n),
        "temp_c": crs["temp_c"][sl].ravel(), "fever_other_cause": np.zeros(n * t, bool),
        "hypotension": crs["hypotension"][sl].ravel(), "sbp_mmhg": crs["sbp_mmhg"][sl].ravel(),
        "vasopressors_n": crs["vasopressors_n"][sl].ravel().astype(np.int64),
        "vasopressin": crs["vasopressin"][sl].ravel(),
        "o2_device": np.array(O2_DEVICES)[crs["o2_device"][sl].ravel()],
        "o2_flow_l_min": crs["o2_flow_l_min"][sl].ravel(), "crs_death": np.zeros(n * t, bool)})


def icans_frame(out: dict, last_day: int = 30):
    """Long polars frame of the simulated ICANS observations (``icans_astct`` fields)."""
    import polars as pl

    ic = out["icans"]
    n = ic["ice_score"].shape[0]
    sl = np.s_[:, : last_day + 1]
    t = ic["ice_score"][sl].shape[1]
    cols = {"patient": np.repeat(np.arange(n), t), "day": np.tile(np.arange(t), n),
            "ice_score": ic["ice_score"][sl].ravel().astype(np.int64),
            "ice_unarousable": np.zeros(n * t, bool),
            "age_years": np.repeat(out["age_years"], t), "developmental_delay": np.zeros(n * t, bool),
            "loc": np.array(LOC_CODES)[ic["loc_code"][sl].ravel()],
            "loc_due_to_sedation": np.zeros(n * t, bool),
            **{d: finding_labels(ic, d)[sl].ravel() for d in ("seizure", "motor", "icp")},
            "icans_death": np.zeros(n * t, bool)}
    cols.update({f"ice_{item}": ic[item][sl].ravel().astype(np.int64) for item, _ in ICE_ORDER})
    return pl.DataFrame(cols)


def max_grades(out: dict, last_day: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Worst daily ASTCT CRS and ICANS grade per patient over days 0..``last_day``."""
    import polars as pl

    import lupustrial

    res = []
    for name, frame in (("crs_astct", crs_frame(out, last_day)), ("icans_astct", icans_frame(out, last_day))):
        keep = tuple(c for c in frame.columns if c in ("patient", "day") or (c.startswith("ice_") and c not in
                     ("ice_score", "ice_unarousable")))
        graded = lupustrial.evaluate_table(name, frame, keep=keep)
        worst = graded.group_by("patient").agg(pl.col("value").max()).sort("patient")
        res.append(worst["value"].fill_null(0).to_numpy())
    return res[0], res[1]


def add_neuro_findings(out: dict, random_state=None) -> dict:
    """Add the ICANS seizure / motor / ICP codes to ``out["icans"]`` (in place; returns ``out``)."""
    rng = np.random.default_rng(random_state)
    out["icans"].update(neuro_findings(out["icans"]["ice_score"], out["params"], rng))
    return out


def _tmax_day(conc: np.ndarray) -> np.ndarray:
    return np.argmax(conc, axis=1).astype(float)


def simulated_values(out: dict) -> dict[str, float]:
    """Every target's simulated value from one reference-scenario simulation."""
    r, d = out["reappearance_day"], out["disease"]
    seen = ~np.isnan(r)
    crs, icans = max_grades(out)
    names = list(d["item_names"])
    renal = [names.index(i) for i in ("urinary_casts", "hematuria", "proteinuria", "pyuria")]
    dna0 = d["anti_dsdna_iu_ml"][:, 0] > out["params"].value("disease.dsdna_uln")
    dna90 = d["anti_dsdna_iu_ml"][:, 90] <= out["params"].value("disease.dsdna_uln")
    return {
        "bcell_reappearance_mean": float(np.mean(r[seen])),
        "bcell_reappearance_sd": float(np.std(r[seen], ddof=1)),
        "bcell_reappearance_by_day_300": float(seen.mean()),
        "tmax_median": float(np.median(_tmax_day(out["conc"]))),
        "sledai_baseline_median": float(np.median(d["sledai2k"][:, 0])),
        "sledai_day90_median": float(np.median(d["sledai2k"][:, 90])),
        "doris_day90": float(np.mean((d["clinical_sledai2k"][:, 90] == 0) & (d["pga"][:, 90] < 0.5)
                                     & (d["prednisone_mg"][:, 90] <= 5))),
        "lldas_day180": float(np.mean((d["sledai2k"][:, 180] <= 4) & ~d["items"][:, 180, renal].any(axis=1)
                                      & (d["pga"][:, 180] <= 1) & (d["prednisone_mg"][:, 180] <= 7.5))),
        "dsdna_negative_day90": float(dna90[dna0].mean()),
        "crs_any": float(np.mean(crs >= 1)), "crs_grade2plus": float(np.mean(crs >= 2)),
        "icans_any": float(np.mean(icans >= 1)), "icans_grade3plus": float(np.mean(icans >= 3)),
    }


def run_calibration(random_state=20221, n: int = 1000):
    """Simulated vs published for every declared target (polars frame; ``passed`` per row)."""
    import polars as pl

    out = simulate_population("autologous_cd19_cart", n, days=300, dose=1e6, random_state=random_state)
    add_neuro_findings(out, random_state)
    sim = simulated_values(out)
    rows = []
    for t in targets():
        value = sim[t["target"]]
        low, high = float(t["low"]), float(t["high"])
        rows.append({"target": t["target"], "quantity": t["quantity"], "published": float(t["published"]),
                     "low": low, "high": high, "simulated": round(value, 3), "passed": low <= value <= high,
                     "source": t["source"], "verification": t["verification"],
                     "how_simulated": t["how_simulated"]})
    return pl.DataFrame(rows)


def search_bcell_calibration(betas=(0.07, 0.085, 0.1), ec50s=(10.0, 20.0, 40.0), n: int = 1500,
                             seed: int = 1):
    """Grid search over persistence β and EC50: mean/SD of the reappearance day per grid point."""
    import polars as pl

    from lupustrial.simulate.parameters import load_parameters

    rows = []
    for beta in betas:
        for ec50 in ec50s:
            p = load_parameters().with_values(kinetics__beta=beta, bcells__ec50=ec50)
            out = simulate_population(p, n, days=300, dose=1e6, random_state=seed, step=1.0)
            r = out["reappearance_day"]
            rows.append({"beta": beta, "ec50": ec50, "mean": float(np.nanmean(r)),
                         "sd": float(np.nanstd(r, ddof=1)), "reappeared": float(np.mean(~np.isnan(r)))})
    return pl.DataFrame(rows)
