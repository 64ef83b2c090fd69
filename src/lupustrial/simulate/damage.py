"""SLICC/ACR Damage Index (SDI) at follow-up visits: damage accrues rarely and never regresses.

Model (assumption): new damage items arrive as a Poisson process with rate ``records.sdi_accrual_rate``
per patient-year (Bruce 2015, SLICC inception cohort: the share of patients with any damage rose from
34.8 % at enrolment to 51.1 % after 6 years); each arrival adds one point. So
SDI(t) = SDI₀ + N(t), N non-decreasing — the SDI counts irreversible damage and may never decrease
(Gladman 1996). Which visits: those the protocol's ``sdi`` outcome names (its time-frame days), so other
protocols keep SDI at screening only.

>>> import numpy as np
>>> sdi_at(np.array([0, 0]), np.array([1.0, 1.0]), np.array([0, 0]), np.array([30, 60]), 0.0,
...        np.random.default_rng(0)).tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sdi_at", "sdi_days"]


def sdi_days(protocol: Any) -> tuple[int, ...]:
    """Days of the time frames of the protocol's ``sdi`` outcomes (sorted, unique); () if none."""
    days = {d for o in protocol.outcomes if o.computed_by == "sdi" for d in o.time_frame.days}
    return tuple(sorted(days))


def sdi_at(subject: np.ndarray, sdi0: np.ndarray, rows: np.ndarray, days: np.ndarray, rate_per_year: float,
           rng: np.random.Generator) -> np.ndarray:
    """SDI per sample (in the given order); samples are grouped by ``subject`` (integer codes) and taken in
    day order within a subject (sorted here). ``sdi0`` is indexed by ``rows``."""
    order = np.lexsort((days, subject))
    s, d = subject[order], days[order].astype(float)
    first = np.ones(s.size, bool)
    first[1:] = s[1:] != s[:-1]
    gap = np.where(first, np.maximum(d, 0.0), np.diff(d, prepend=0.0))
    new = rng.poisson(rate_per_year * gap / 365.25)
    # cumulative count within each subject: total cumsum minus the cumsum before the subject's first sample
    total = np.cumsum(new)
    start = np.maximum.accumulate(np.where(first, total - new, 0))
    out = np.empty(s.size)
    out[order] = sdi0[rows[order]] + (total - start)
    return out
