"""Accuracy goals of S4Forecaster on the airline passengers series (issue 5).

Slow (a few minutes on a CPU): deselected by default, run with ``pytest -m slow``.
Default hyperparameters, ``max_horizon=36``, ``random_state=0``; trained on
the first 108 months (1949-1957) and scored once on the last 36 (1958-1960),
forecast directly from the cutoff (no updates).
"""

from __future__ import annotations

import numpy as np
import pytest

from sks4 import S4Forecaster
from sks4.datasets import load_airline
from sks4.forecasting import smape

SMAPE_GOAL = 0.063  # point forecasts (medians) of the 36 held-out months
COVERAGE_GOAL = 0.85  # share of those months inside the 90% prediction intervals


@pytest.mark.slow
def test_airline_36_month_forecast_goals():
    y = load_airline()
    y_train, y_test = y[:108], y[108:]
    model = S4Forecaster(max_horizon=36, random_state=0).fit(y_train)
    y_pred = model.predict(36)
    assert y_pred.index.equals(y_test.index)
    intervals = model.predict_interval(36, coverage=0.9)
    error = smape(y_test.to_numpy(), y_pred.to_numpy())
    inside = (y_test >= intervals["lower"]) & (y_test <= intervals["upper"])
    coverage = float(np.mean(inside))
    print(f"airline, last 36 months: sMAPE {error:.4f} (goal <= {SMAPE_GOAL}), "
          f"90% interval coverage {coverage:.3f} (goal >= {COVERAGE_GOAL})")
    assert error <= SMAPE_GOAL and coverage >= COVERAGE_GOAL, (
        f"sMAPE {error:.4f} (goal <= {SMAPE_GOAL}), coverage {coverage:.3f} (goal >= {COVERAGE_GOAL})"
    )
