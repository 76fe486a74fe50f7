"""Forecast the airline series with S4Forecaster and save the figure (offline).

Trains on the first 108 months, forecasts the last 36 with a 90% interval,
prints the errors next to the seasonal-naive forecast, shows a cheap update
with new observations, and saves ``forecast_airline.png``.

Run::

    python examples/forecast_airline.py [output.png]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from sks4 import S4Forecaster
from sks4.datasets import load_airline
from sks4.forecasting import smape
from sks4.plotting import plot_forecast


def main(path: str = "forecast_airline.png") -> None:
    y = load_airline()  # monthly PeriodIndex, 1949-01 .. 1960-12
    y_train, y_test = y.iloc[:108], y.iloc[108:]

    model = S4Forecaster(max_horizon=36, random_state=0).fit(y_train)
    y_pred = model.predict(36)
    interval = model.predict_interval(36, coverage=0.9)

    naive = pd.Series(np.tile(y_train.to_numpy()[-12:], 3), index=y_test.index)
    inside = ((y_test >= interval["lower"]) & (y_test <= interval["upper"])).mean()
    print(f"S4Forecaster   sMAPE {smape(y_test, y_pred):.4f}   90% interval covers {inside:.0%} of the test months")
    print(f"seasonal naive sMAPE {smape(y_test, naive):.4f}")

    # A new year of data arrives: advance the recurrent state, no retraining.
    model.update(y_test.iloc[:12])
    print(f"after update({len(y_test.iloc[:12])} months): cutoff {model.cutoff_}, next forecast starts {model.predict(1).index[0]}")

    fig = plot_forecast(y_train, y_pred, intervals=interval, y_test=y_test)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    print(f"saved {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
