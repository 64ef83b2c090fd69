"""SLICC/ACR Damage Index (SDI) items at screening and follow-up: damage accrues rarely and never regresses.

Sites record the 41 SDI items (``instruments/sdi_items.csv``), not the total; so does the simulator, one
``instrument_items`` record per item with local code ``SDI01``–``SDI41`` in form order (:data:`SDI_TESTCDS`;
the derivation maps them back in ``derive/rs_items.csv``) and ``CAT = SDI``. The derivation scores them
with the registered ``sdi`` instrument.

Model (assumption; parameters ``records.sdi_accrual_rate`` and ``sdi_mix.<item>`` in parameters.yaml):

* **Damage episodes.** Each patient has ``sdi`` baseline episodes (phenotype, Poisson(0.8): median 1)
  placed one year apart before screening, and new episodes after infusion as a Poisson process of
  ``records.sdi_accrual_rate`` (0.1) per patient-year, at uniform times up to the patient's last SDI
  visit. An episode is the moment an item first meets the SDI definition (present ≥ 6 months where the
  item requires it), so it counts from that day. Each episode's item is drawn from the ``sdi_mix``
  weights (relative; ``premature_gonadal_failure`` only for women); items without a weight never occur.
* **Scores** (Gladman 1996; docs/instruments.md ``sdi``): an item scores 1 from its first episode on. An
  item marked "2 if >1" (``input_max`` 2) scores 2 from the first later episode at least
  :data:`REPEAT_GAP_DAYS` (6 months) after the first; other repeats of the same item add nothing (the
  same lesion is not scored twice). Baseline episodes, a year apart, satisfy that gap. So every item —
  and the total — is non-decreasing in time: damage is irreversible.

Which visits: screening for every protocol; at follow-up the visits the protocol's ``sdi`` outcome names
(its time-frame days), so other protocols record SDI at screening only.

>>> import numpy as np
>>> w = np.zeros(len(ITEM_CODES)); w[ITEM_CODES.index("cataract")] = 1.0
>>> first, second = damage_onsets(np.array([1]), np.array([0.0]), np.array([True]), 0.0, w, w,
...                               np.random.default_rng(0))
>>> compute_item_scores(first, second, np.array([0]), np.array([30]))[0, ITEM_CODES.index("cataract")]
np.int64(1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupustrial.errors import InputError, Problem
from lupustrial.instruments.sdi import ITEM_CODES, load_items

__all__ = ["REPEAT_GAP_DAYS", "SDI_TESTCDS", "compute_item_scores", "compute_onsets", "damage_onsets",
           "item_weights", "sdi_days"]

#: Gladman 1996 (instruments.md §9): "repeat episodes must occur at least 6 months apart to score 2".
REPEAT_GAP_DAYS = 365.25 / 2
#: Local test codes of the items (RSTESTCD ≤ 8 characters): SDI + position on the form (sdi_items.csv).
SDI_TESTCDS: dict[str, str] = {code: f"SDI{i + 1:02d}" for i, code in enumerate(ITEM_CODES)}
_INPUT_MAX = np.array([i.input_max for i in load_items()])
_WOMEN_ONLY = ("premature_gonadal_failure",)  # assumption: scored for ovarian failure in women


def sdi_days(protocol: Any) -> tuple[int, ...]:
    """Days of the time frames of the protocol's ``sdi`` outcomes (sorted, unique); () if none."""
    days = {d for o in protocol.outcomes if o.computed_by == "sdi" for d in o.time_frame.days}
    return tuple(sorted(days))


def item_weights(params: Any, female: bool) -> np.ndarray:
    """Probabilities of the items (in :data:`ITEM_CODES` order) for one damage episode, from the
    ``sdi_mix.<item>`` parameters; an ``sdi_mix`` key that is not an SDI item is an error."""
    mix = {k.split(".", 1)[1]: p.value for k, p in params.params.items() if k.startswith("sdi_mix.")}
    unknown = sorted(set(mix) - set(ITEM_CODES))
    if unknown:
        raise InputError(f"parameters.yaml sdi_mix.{unknown[0]}: not an SDI item",
                         problems=[Problem("sdi_mix", unknown[0], "an item code of sdi_items.csv")])
    w = np.array([0.0 if (c in _WOMEN_ONLY and not female) else mix.get(c, 0.0) for c in ITEM_CODES])
    if w.sum() <= 0 or (w < 0).any():
        raise InputError("parameters.yaml sdi_mix: weights must be ≥ 0 with a positive sum",
                         problems=[Problem("sdi_mix", str(w.sum()), "give some items a positive weight")])
    return w / w.sum()


def _draw_items(female: np.ndarray, w_female: np.ndarray, w_male: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    u = rng.random(female.size)
    by_f = np.searchsorted(np.cumsum(w_female), u, side="right")
    by_m = np.searchsorted(np.cumsum(w_male), u, side="right")
    return np.minimum(np.where(female, by_f, by_m), len(ITEM_CODES) - 1)


def damage_onsets(baseline_episodes: np.ndarray, last_day: np.ndarray, female: np.ndarray,
                  rate_per_year: float, w_female: np.ndarray, w_male: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per patient (rows) and item (columns, :data:`ITEM_CODES` order): the day the item first scores 1
    and the day it scores 2 (``inf`` = never), from ``baseline_episodes`` before screening and Poisson
    episodes on (0, ``last_day``] (days after infusion); ``female`` picks the weights of each patient."""
    n = baseline_episodes.size
    female = np.asarray(female, bool)
    k0 = np.asarray(baseline_episodes, int)
    s0 = np.repeat(np.arange(n), k0)
    # the j-th baseline episode of a patient lies j + 1 years before infusion
    t0 = -365.25 * (np.arange(s0.size) - np.repeat(np.cumsum(k0) - k0, k0) + 1)
    span = np.maximum(np.asarray(last_day, float), 0.0)
    k1 = rng.poisson(rate_per_year * span / 365.25)
    s1 = np.repeat(np.arange(n), k1)
    t1 = rng.uniform(0.0, 1.0, s1.size) * span[s1]
    subj, t = np.concatenate([s0, s1]), np.concatenate([t0, t1])
    return compute_onsets(subj, _draw_items(female[subj], w_female, w_male, rng), t, n)


def compute_onsets(subject: np.ndarray, item: np.ndarray, day: np.ndarray,
                   n: int) -> tuple[np.ndarray, np.ndarray]:
    """From damage episodes (``subject`` row, ``item`` column index, ``day``): per patient and item the
    day the item scores 1 (its first episode) and 2 (the first later episode ≥ :data:`REPEAT_GAP_DAYS`
    after it, items with maximum 2 only); ``inf`` = never."""
    first = np.full((n, len(ITEM_CODES)), np.inf)
    np.minimum.at(first, (subject, item), day)
    repeat = (_INPUT_MAX[item] == 2) & (day >= first[subject, item] + REPEAT_GAP_DAYS)
    second = np.full_like(first, np.inf)
    np.minimum.at(second, (subject[repeat], item[repeat]), day[repeat])
    return first, second


def compute_item_scores(first: np.ndarray, second: np.ndarray, subject: np.ndarray,
                        day: np.ndarray) -> np.ndarray:
    """Item scores (samples × items) of ``subject`` (row of ``first``) at ``day``: 1 from the first onset,
    2 from the second."""
    d = np.asarray(day, float)[:, None]
    return (first[subject] <= d).astype(np.int64) + (second[subject] <= d).astype(np.int64)
