"""The docstring examples of the simulate modules run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["lupustrial.simulate.parameters", "lupustrial.simulate.kinetics", "lupustrial.simulate.bcells",
           "lupustrial.simulate.cytokines", "lupustrial.simulate.population", "lupustrial.simulate.serology",
           "lupustrial.simulate.marrow", "lupustrial.simulate.damage"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
