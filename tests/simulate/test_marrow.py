"""Bone-marrow CAR-T samples (simulate/marrow.py): which visits, the ratio model, written records."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from lupustrial.errors import ProtocolError
from lupustrial.protocol import load_protocol
from lupustrial.simulate.marrow import marrow_concentrations, marrow_visits
from lupustrial.simulate.parameters import load_parameters
from lupustrial.simulate.study import simulate_records


def test_01_cd19_bcma_samples_marrow_at_the_assumed_visits():
    # cd19_bcma.yaml: outcome car_t_concentration, matrices [blood, bone_marrow], marrow_visits [D28, M3]
    assert marrow_visits(load_protocol("cd19_bcma")) == ("D28", "M3")


@pytest.mark.parametrize("name", ["ptoc1", "cht101", "ic19", "cd19_car_nk"])
def test_02_protocols_without_marrow_outcome_sample_none(name):
    assert marrow_visits(load_protocol(name)) == ()


def test_03_unknown_marrow_visit_is_a_protocol_error():
    p = load_protocol("cd19_bcma")
    data = p.model_dump()
    for o in data["outcomes"]:
        if o["id"] == "car_t_concentration":
            o["parameters"]["marrow_visits"] = ["D29"]
    bad = type(p).model_validate(data)
    with pytest.raises(ProtocolError) as err:
        marrow_visits(bad)
    assert err.value.problems[0].field == "outcomes.car_t_concentration.parameters.marrow_visits"
    assert err.value.problems[0].value == "D29"


def test_04_median_ratio_matches_the_parameter():
    # E[log(ρ·e^ε)] = log(0.5): the median of many marrow/blood ratios ≈ 0.5 (MC error ~ 2 % at n = 20 000)
    params = load_parameters("cd19_bcma_cart")
    n = 20_000
    conc = np.full((n, 2), 1000.0)
    obs = marrow_concentrations(conc, np.arange(n), np.ones(n, int), np.full(n, 5.0), params,
                                np.random.default_rng(1))
    assert np.median(obs / 1000.0) == pytest.approx(0.5, rel=0.05)


def test_05_below_lloq_is_nan():
    params = load_parameters("cd19_bcma_cart")
    obs = marrow_concentrations(np.full((3, 1), 1.0), np.arange(3), np.zeros(3, int), np.full(3, 5.0), params,
                                np.random.default_rng(0))
    assert np.isnan(obs).all()  # 1 copy/µg × ratio ~0.5 ≪ LLOQ 5


def test_06_marrow_records_have_spec_bone_marrow():
    pk = simulate_records("cd19_bcma", 4, random_state=2)["pk"]
    marrow = pk.filter(pl.col("SPEC") == "BONE MARROW")
    assert set(marrow["VISIT"]) == {"D28", "M3"}
    assert marrow.group_by("USUBJID").len()["len"].to_list() == [2] * marrow["USUBJID"].n_unique()
    blood = pk.filter(pl.col("SPEC").is_null() & pl.col("VISIT").is_in(["D28", "M3"]))
    assert blood.height == marrow.height  # each marrow sample has a blood sample at the same visit
