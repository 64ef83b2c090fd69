"""Quantitative follow-up serology: ANA titre by indirect immunofluorescence and anti-Sm (U/mL).

Both follow the plasma-cell model that already drives anti-dsDNA (:mod:`lupustrial.simulate.bcells`,
:mod:`lupustrial.simulate.disease`): an autoantibody level relative to baseline is the IgG-half-life
smoothing S[·] of a mix of the autoreactive CD19+ plasmablast pool P (depleted by every CD19 product) and
the CD19-negative long-lived plasma cells L (depleted only by BCMA products)::

    rel_X(t) = (1 − φ_X)·S[L](t) + φ_X·S[P](t)           φ_X = share of antibody X made by plasmablasts
    L(t)     = exp(−k_llpc_kill · ∫₀ᵗ C/(C + EC50) ds)    (bcells.py; typical EC50; L ≡ 1 for CD19 products)
    S[P](t)  = (rel_dsDNA(t) − (1 − φ_ds)·S[L](t)) / φ_ds  (recovered from the simulated anti-dsDNA course,
                                                           so flares and B-cell return carry over)

φ_ds = ``disease.dsdna_pb_share`` (0.9), φ_ANA = ``disease.ana_pb_share`` (0.6), φ_Sm =
``records.anti_sm_pb_share`` (0.3). Consequences, as published: anti-dsDNA seroconverts while ANA falls
by about one dilution step and usually stays positive after CD19 CAR-T (Mackensen 2022 Nat Med; Müller
2024 NEJM); anti-Sm persists after CD19 CAR-T because it is made mostly by CD19-negative long-lived plasma
cells, and falls further when BCMA is targeted too (k_llpc_kill > 0; Wang W 2024: autoantibodies negative
at 3 months after BCMA-CD19 cCAR).

ANA is reported as labs report IIF: the reciprocal end-point dilution on the doubling series from
``records.ana_lowest_dilution`` (1:80, the EULAR/ACR 2019 entry criterion's screening dilution); a reading
error of ``records.ana_read_sd`` (log2 units) is added before rounding to a step; below the lowest
dilution the result is negative (``<1:80``). anti-Sm (U/mL) = (background + specific·rel_Sm(t))·e^ε:
a constant assay background ``records.anti_sm_negative`` (not made by plasma cells, so it does not fall)
plus, in anti-Sm-positive patients, the specific level ``records.anti_sm_0`` at baseline (both
log-normal); ε ~ N(0, ``records.anti_sm_assay_sd``).

>>> import numpy as np
>>> titre_text(dilution_steps(np.array([700.0, 75.0, 50.0]), 80.0, np.zeros(3)), 80.0)
['1:640', '1:80', '<1:80']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupustrial.simulate.cytokines import _smooth
from lupustrial.simulate.parameters import ModelParameters, lognormal

__all__ = ["dilution_steps", "llpc_fraction", "relative_levels", "simulate_serology", "titre_text"]


def llpc_fraction(conc: np.ndarray, k_llpc_kill: float, ec50: float) -> np.ndarray:
    """L(t) on the daily grid of ``conc`` (n, T): exp(−k·cumulative trapezoid of C/(C + EC50)).

    >>> llpc_fraction(np.full((1, 3), 1e9), 0.1, 20.0).round(4).tolist()
    [[1.0, 0.9048, 0.8187]]
    """
    f = conc / (conc + ec50)
    area = np.concatenate([np.zeros((f.shape[0], 1)), np.cumsum((f[:, 1:] + f[:, :-1]) / 2, axis=1)], axis=1)
    return np.exp(-k_llpc_kill * area)


def relative_levels(
    dsdna_rel: np.ndarray, llpc: np.ndarray, params: ModelParameters, shares: dict[str, float]
) -> dict[str, np.ndarray]:
    """rel_X(t) for each ``name → φ_X`` of ``shares`` (module docstring); arrays (n, T)."""
    k_ig = np.log(2) / params.value("safety.igg_thalf")
    s_l = _smooth(llpc, np.ones(llpc.shape[0]), k_ig)
    phi = params.value("disease.dsdna_pb_share")
    s_p = np.clip((dsdna_rel - (1 - phi) * s_l) / phi, 0.0, None)
    return {name: (1 - share) * s_l + share * s_p for name, share in shares.items()}


def dilution_steps(titre: np.ndarray, lowest: float, read_error: np.ndarray) -> np.ndarray:
    """Reciprocal titre on the doubling series from ``lowest``; NaN below ``lowest`` (negative)."""
    k = np.round(np.log2(np.maximum(titre, 1e-9) / lowest) + read_error)
    return np.where(k >= 0, lowest * 2.0 ** np.maximum(k, 0), np.nan)


def titre_text(titre: np.ndarray, lowest: float) -> list[str]:
    """ORRES of an IIF titre: ``"1:320"``, or ``"<1:80"`` when negative."""
    return [f"<1:{lowest:g}" if not np.isfinite(t) else f"1:{t:g}" for t in titre]


def simulate_serology(
    pts: Any, rows: np.ndarray, course_rows: np.ndarray, days: np.ndarray, arrays: dict,
    params: ModelParameters, rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """ANA reciprocal titre (NaN = negative) and anti-Sm (U/mL) per sample; ``rows`` index ``pts``,
    ``course_rows``/``days`` index the course ``arrays`` (``dis_anti_dsdna``, ``conc``)."""
    v, w = params.value, params.omega2
    ds = arrays["dis_anti_dsdna"]
    dsdna_rel = ds / np.maximum(ds[:, :1], 1e-9)
    llpc = llpc_fraction(arrays["conc"], v("bcells.k_llpc_kill"), v("bcells.ec50"))
    rel = relative_levels(
        dsdna_rel, llpc, params, {"ana": v("disease.ana_pb_share"), "anti_sm": v("records.anti_sm_pb_share")}
    )
    n = pts.height
    sm_pos = pts["anti_sm_positive"].fill_null(False).to_numpy()
    specific = np.where(sm_pos, lognormal(rng, v("records.anti_sm_0"), w("records.anti_sm_0"), n), 0.0)
    background = lognormal(rng, v("records.anti_sm_negative"), w("records.anti_sm_negative"), n)
    k = course_rows.size
    lowest = v("records.ana_lowest_dilution")
    ana = dilution_steps(
        pts["ana_titre"].to_numpy()[rows] * rel["ana"][course_rows, days],
        lowest,
        rng.normal(0.0, v("records.ana_read_sd"), k),
    )
    error = np.exp(rng.normal(0.0, v("records.anti_sm_assay_sd"), k))
    anti_sm = (background[rows] + specific[rows] * rel["anti_sm"][course_rows, days]) * error
    return {"ana": ana, "anti_sm": anti_sm}
