"""Bone-marrow aspirate samples of CAR transgene (PC findings with ``SPEC = "BONE MARROW"``).

Which protocols: those with an ``nca`` outcome whose ``matrices`` include ``bone_marrow``; at the visits
that outcome's ``marrow_visits`` parameter names (an assumption in the protocol YAML when the registration
does not state them, e.g. cd19_bcma.yaml). Model (assumption, see ``records.marrow_blood_ratio`` in
parameters.yaml)::

    C_marrow,i(t) = ρ_i · C_blood,i(t) · exp(ε),   ρ_i ~ log-normal(records.marrow_blood_ratio, ω²),
                                                   ε ~ N(0, kinetics.sigma_assay)

with the blood model concentration C_blood (no blood assay error; the marrow sample has its own) and the
blood LLOQ: below it the result is written ``<LLOQ``, as for blood.

>>> marrow_visits(type("P", (), {"outcomes": ()})())
()
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupustrial.errors import Problem, ProtocolError
from lupustrial.simulate.parameters import ModelParameters, lognormal

__all__ = ["marrow_concentrations", "marrow_visits"]

SPEC = "BONE MARROW"  # CDISC PCSPEC (cdisc_and_ecosystem.md §1)


def marrow_visits(protocol: Any) -> tuple[str, ...]:
    """Visit ids of bone-marrow sampling named by the protocol's marrow NCA outcome(s); () if none.

    Raises :class:`ProtocolError` naming the outcome when a marrow outcome names no visits or an unknown
    visit id."""
    ids = {v.id for v in getattr(protocol, "visits", ())}
    out: list[str] = []
    for o in protocol.outcomes:
        matrices = o.parameters.get("matrices") or [o.parameters.get("matrix", "blood")]
        if o.computed_by != "nca" or "bone_marrow" not in matrices:
            continue
        visits = list(o.parameters.get("marrow_visits") or [])
        bad = [v for v in visits if v not in ids] or ([] if visits else ["(none)"])
        if bad:
            raise ProtocolError(
                f"outcome {o.id}: marrow_visits {visits!r} must name protocol visits",
                problems=[Problem(f"outcomes.{o.id}.parameters.marrow_visits", bad[0],
                                  f"list visit ids of bone-marrow sampling, from {sorted(ids)}")],
            )
        out += [v for v in visits if v not in out]
    return tuple(out)


def marrow_concentrations(conc: np.ndarray, rows: np.ndarray, days: np.ndarray, lloq: np.ndarray,
                          params: ModelParameters, rng: np.random.Generator) -> np.ndarray:
    """Observed marrow concentration per sample (NaN = below LLOQ); ``rows``/``days`` index ``conc``."""
    rho = lognormal(rng, params.value("records.marrow_blood_ratio"),
                    params.omega2("records.marrow_blood_ratio"), conc.shape[0])
    error = np.exp(rng.normal(0.0, params.value("kinetics.sigma_assay"), rows.size))
    obs = rho[rows] * conc[rows, days] * error
    return np.where(obs < lloq[rows], np.nan, obs)
