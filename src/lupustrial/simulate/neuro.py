"""ICANS findings beyond encephalopathy: seizure, deep focal motor weakness and raised ICP / cerebral oedema.

:func:`lupustrial.simulate.cytokines.icans_observations` gives the daily ICE score and consciousness only,
and its ICE deficit is at most 6 (ICE >= 4), so ASTCT ICANS could never exceed grade 2. This module adds
the three other domains of the ASTCT ICANS grade (Lee 2019, ``instruments/astct/icans_astct.csv``) as
rare per-patient events **conditional on the severity of the encephalopathy** (all assumptions;
parameters ``neuro.*`` in ``parameters.yaml`` with their reasoning and sources)::

    worst ICE of days 0..T   band                       P(finding)
    10 (no ICE deficit)      none                       0 for every domain (no ICANS, no finding)
    7-9                      grade-1 encephalopathy     seizure neuro.seizure_p_ice_7_9
    3-6 (or lower)           grade-2 encephalopathy     seizure neuro.seizure_p_ice_3_6,
                                                        focal / diffuse oedema neuro.*_oedema_p_ice_3_6,
                                                        deep focal weakness neuro.motor_weakness_p_ice_3_6
    a seizure is prolonged (> 5 min) or repetitive (grade 4) with probability
    neuro.seizure_prolonged_share, else it resolves rapidly (grade 3)

Domains are drawn independently (one uniform per patient and domain, drawn for every patient so the
stream does not depend on who has ICANS); a finding is recorded on the first day of the worst ICE score,
other days ``none``. Codes are the ``icans_astct`` field codes (``SEIZURE``, ``MOTOR``, ``ICP`` below).

>>> import numpy as np
>>> from lupustrial.simulate.parameters import load_parameters
>>> p = load_parameters().with_values(neuro__seizure_p_ice_3_6=1.0, neuro__seizure_prolonged_share=0.0)
>>> ice = np.array([[10, 5, 8], [10, 10, 10]])
>>> out = neuro_findings(ice, p, np.random.default_rng(0))
>>> [[SEIZURE[c] for c in row] for row in out["seizure_code"]]
[['none', 'resolves_rapidly', 'none'], ['none', 'none', 'none']]
"""

from __future__ import annotations

import numpy as np

from lupustrial.simulate.parameters import ModelParameters

__all__ = ["ICP", "MOTOR", "SEIZURE", "finding_labels", "neuro_findings"]

SEIZURE = ("none", "resolves_rapidly", "prolonged_or_repetitive")  # icans_astct seizure codes
MOTOR = ("none", "deep_focal_weakness")
ICP = ("none", "focal_oedema", "diffuse_oedema")
_CODES = {"seizure": SEIZURE, "motor": MOTOR, "icp": ICP}


def neuro_findings(ice_score: np.ndarray, params: ModelParameters, rng) -> dict[str, np.ndarray]:
    """Daily ``seizure_code``, ``motor_code``, ``icp_code`` (n, T; int8 indices into ``SEIZURE``, ``MOTOR``,
    ``ICP``) for the daily ICE scores ``ice_score`` (n, T); see the module docstring."""
    v = params.value
    ice = np.asarray(ice_score)
    n, t = ice.shape
    worst = ice.min(axis=1)
    day = ice.argmin(axis=1)
    grade2 = worst <= 6
    grade1 = (worst >= 7) & (worst <= 9)
    u = rng.random((n, 4))
    p_seizure = np.select([grade2, grade1], [v("neuro.seizure_p_ice_3_6"), v("neuro.seizure_p_ice_7_9")], 0.0)
    seizure = np.where(u[:, 0] < p_seizure, np.where(u[:, 1] < v("neuro.seizure_prolonged_share"), 2, 1), 0)
    p_focal, p_diffuse = v("neuro.focal_oedema_p_ice_3_6"), v("neuro.diffuse_oedema_p_ice_3_6")
    icp = np.select([grade2 & (u[:, 2] < p_diffuse), grade2 & (u[:, 2] < p_diffuse + p_focal)], [2, 1], 0)
    motor = np.where(grade2 & (u[:, 3] < v("neuro.motor_weakness_p_ice_3_6")), 1, 0)
    out = {}
    on_day = np.arange(t)[None, :] == day[:, None]
    for name, per_patient in (("seizure", seizure), ("motor", motor), ("icp", icp)):
        out[f"{name}_code"] = np.where(on_day, per_patient[:, None], 0).astype(np.int8)
    return out


def finding_labels(findings: dict[str, np.ndarray], domain: str) -> np.ndarray:
    """The ``icans_astct`` code text of ``domain`` (seizure, motor, icp) for the coded array; all
    ``none`` when ``findings`` lacks the domain (populations simulated without this module)."""
    codes = findings.get(f"{domain}_code")
    if codes is None:
        shape = np.asarray(findings["ice_score"]).shape
        return np.full(shape, "none")
    return np.array(_CODES[domain])[codes]
