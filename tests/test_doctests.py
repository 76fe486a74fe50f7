"""The examples in the docstrings run and print what they say."""

import doctest
import importlib

import pytest

MODULES = [
    "sks4.hippo",
    "sks4.nn.kernels",
    "sks4.nn.layer",
    "sks4.nn.model",
    "sks4.nn.functional",
    "sks4.data",
    "sks4.datasets._loaders",
    "sks4.features",
    "sks4.forecasting",
    "sks4._basis",
    "sks4.model_selection",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
