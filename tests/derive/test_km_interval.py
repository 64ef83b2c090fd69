"""KM estimate at a time point with its 95 % CI (derive.outcomes_pk._km_interval).

Hand cases:
* 9 subjects, none with an event, all followed to day 180; at day 90 the KM estimate is 1 and the
  log-log interval is undefined. Exact binomial (Clopper–Pearson) for 9 of 9 event-free:
  lower = 0.025^(1/9) = exp(ln 0.025 / 9) = exp(-3.68888 / 9) = exp(-0.409876) = 0.66373, upper = 1.
* Option ``not_estimable``: no interval.
* 4 subjects censored at 30, 60, 90, 90: at day 100 the last row is day 90 with 2 at risk →
  lower = 0.025^(1/2) = 0.15811.
* With an event the log-log Greenwood interval is returned unchanged.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from lupustrial.derive.outcomes_pk import _km_interval
from lupustrial.stats.survival import compute_km


def _at(aval, cnsr, day):
    km = compute_km(pl.DataFrame({"AVAL": aval, "CNSR": cnsr}))
    return km.table.filter(pl.col("time") <= day).tail(1).row(0, named=True)


def test_no_events_exact_binomial_nine_at_risk():
    lower, upper, method = _km_interval(_at([180.0] * 9, [1] * 9, 90), "exact_binomial")
    assert lower == pytest.approx(0.66373, abs=1e-5) and upper == 1.0
    assert lower == pytest.approx(math.exp(math.log(0.025) / 9))
    assert "Clopper-Pearson" in method and "9 at risk" in method


def test_no_events_not_estimable():
    lower, upper, method = _km_interval(_at([180.0] * 9, [1] * 9, 90), "not_estimable")
    assert (lower, upper) == (None, None) and "not estimable" in method


def test_no_events_uses_the_number_still_at_risk():
    lower, _, method = _km_interval(_at([30.0, 60.0, 90.0, 90.0], [1, 1, 1, 1], 100), "exact_binomial")
    assert lower == pytest.approx(0.15811, abs=1e-5) and "2 at risk" in method


def test_with_an_event_the_log_log_interval_is_kept():
    at = _at([10.0, 50.0, 90.0, 120.0], [0, 1, 1, 1], 100)
    lower, upper, method = _km_interval(at, "exact_binomial")
    assert at["survival"] == pytest.approx(0.75)  # one event among 4 at day 10
    assert (lower, upper) == (at["lower"], at["upper"]) and lower is not None and upper < 1.0
    assert method == "Kaplan-Meier, log-log 95%"


@pytest.mark.parametrize("n", [1, 2, 5, 20, 100])
def test_exact_lower_bound_rises_with_n_and_stays_below_one(n):
    lower, upper, _ = _km_interval(_at([200.0] * n, [1] * n, 100), "exact_binomial")
    assert 0.0 < lower < 1.0 and upper == 1.0
    assert lower == pytest.approx(0.025 ** (1 / n))
