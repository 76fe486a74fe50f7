"""Accuracy goals of S4Classifier / S4Regressor on the shipped datasets.

Slow (about 5 minutes on 2 idle CPU cores: each model is the default ensemble
of five networks): deselected by default, run with ``pytest -m slow``. The
models and the scoring are those of ``benchmarks/bench_estimators.py``: default
hyperparameters, trained on the train split, scored once on the test split,
``random_state=0``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_estimators.py"
_spec = importlib.util.spec_from_file_location("bench_estimators", _BENCH)
bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench  # dataclasses look their module up while it executes
_spec.loader.exec_module(bench)

ACCURACY_GOALS = {"GunPoint": 0.99, "ItalyPowerDemand": 0.96, "BasicMotions": 1.00, "JapaneseVowels": 0.98}
RMSE_GOALS = {"Covid3Month": 0.040}


@pytest.mark.slow
@pytest.mark.parametrize("dataset", list(ACCURACY_GOALS))
def test_classification_accuracy_goal(dataset):
    result = bench.run(dataset, random_state=0)
    assert result["score"] >= ACCURACY_GOALS[dataset], f"{dataset}: test accuracy {result['score']:.4f}"


@pytest.mark.slow
@pytest.mark.parametrize("dataset", list(RMSE_GOALS))
def test_regression_rmse_goal(dataset):
    result = bench.run(dataset, random_state=0)
    assert result["score"] <= RMSE_GOALS[dataset], f"{dataset}: test RMSE {result['score']:.4f}"
