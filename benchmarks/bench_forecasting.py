"""Airline forecasting benchmark: S4Forecaster against statsmodels baselines.

Split: the first 108 months train, the last 36 are forecast (one 36-step
forecast from the end of the training data). Reports sMAPE, the empirical
coverage of the 90% interval (S4Forecaster's are split-conformal by default,
calibrated inside the training months), and fit / predict times (S4's fit
includes its calibration model). The statsmodels
baselines (a benchmark-only dependency: ``pip install statsmodels``) are
computed in the same run:

* AutoETS -- every ETS model (additive / multiplicative error, trend none /
  additive / multiplicative, damped or not, seasonality none / additive /
  multiplicative, period 12) fitted and the one of lowest AICc kept;
* ARIMA(0,1,1)(0,1,1)12 on the log (the "airline model");
* Theta (statsmodels ``ThetaModel``, period 12);
* seasonal naive (the last 12 months repeated).

Usage::

    python benchmarks/bench_forecasting.py                 # S4Forecaster seeds 0..4
    python benchmarks/bench_forecasting.py --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
import pandas as pd

from sks4 import S4Forecaster
from sks4.datasets import load_airline
from sks4.forecasting import smape

N_TRAIN, HORIZON, PERIOD = 108, 36, 12


def coverage(y_true: pd.Series, interval: pd.DataFrame) -> float:
    inside = (y_true.to_numpy() >= interval["lower"].to_numpy()) & (y_true.to_numpy() <= interval["upper"].to_numpy())
    return float(inside.mean())


def run_s4(y_train, y_test, seeds, device):
    rows = []
    for seed in seeds:
        model = S4Forecaster(max_horizon=HORIZON, random_state=seed, device=device)
        t0 = time.perf_counter()
        model.fit(y_train)
        t1 = time.perf_counter()
        pred = model.predict(HORIZON)
        t2 = time.perf_counter()
        interval = model.predict_interval(HORIZON, coverage=0.9)
        rows.append((smape(y_test, pred), coverage(y_test, interval), t1 - t0, t2 - t1))
    return np.array(rows)


def run_baselines(y_train, y_test):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.forecasting.theta import ThetaModel
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = y_train.to_timestamp()
    results = {}

    t0 = time.perf_counter()
    best = None
    for error in ("add", "mul"):
        for trend in (None, "add", "mul"):
            for damped in (False, True) if trend else (False,):
                for seasonal in (None, "add", "mul"):
                    try:
                        fit = ETSModel(
                            y, error=error, trend=trend, damped_trend=damped, seasonal=seasonal, seasonal_periods=PERIOD
                        ).fit(disp=False)
                    except Exception:  # noqa: BLE001 -- a configuration that does not fit is skipped
                        continue
                    if np.isfinite(fit.aicc) and (best is None or fit.aicc < best.aicc):
                        best = fit
    t1 = time.perf_counter()
    pred = best.forecast(HORIZON)
    t2 = time.perf_counter()
    frame = best.get_prediction(start=len(y), end=len(y) + HORIZON - 1).summary_frame(alpha=0.1)
    interval = pd.DataFrame({"lower": frame["pi_lower"].to_numpy(), "upper": frame["pi_upper"].to_numpy()})
    spec = best.model
    name = f"AutoETS ({spec.error[0].upper()},{(spec.trend or 'N')[0].upper()}{'d' if spec.damped_trend else ''},{(spec.seasonal or 'N')[0].upper()})"
    results[name] = (smape(y_test, pred), coverage(y_test, interval), t1 - t0, t2 - t1)

    t0 = time.perf_counter()
    fit = SARIMAX(np.log(y), order=(0, 1, 1), seasonal_order=(0, 1, 1, PERIOD)).fit(disp=False)
    t1 = time.perf_counter()
    forecast = fit.get_forecast(HORIZON)
    pred = np.exp(forecast.predicted_mean)
    t2 = time.perf_counter()
    ci = np.exp(forecast.conf_int(alpha=0.1))
    interval = pd.DataFrame({"lower": ci.iloc[:, 0].to_numpy(), "upper": ci.iloc[:, 1].to_numpy()})
    results["ARIMA(0,1,1)(0,1,1)12 on log"] = (smape(y_test, pred), coverage(y_test, interval), t1 - t0, t2 - t1)

    t0 = time.perf_counter()
    fit = ThetaModel(y, period=PERIOD).fit()
    t1 = time.perf_counter()
    pred = fit.forecast(HORIZON)
    t2 = time.perf_counter()
    pi = fit.prediction_intervals(HORIZON, alpha=0.1)
    interval = pd.DataFrame({"lower": pi["lower"].to_numpy(), "upper": pi["upper"].to_numpy()})
    results["Theta"] = (smape(y_test, pred), coverage(y_test, interval), t1 - t0, t2 - t1)

    t0 = time.perf_counter()
    pred = np.tile(y_train.to_numpy()[-PERIOD:], HORIZON // PERIOD + 1)[:HORIZON]
    t1 = time.perf_counter()
    results["seasonal naive"] = (smape(y_test, pred), float("nan"), 0.0, t1 - t0)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    y = load_airline()
    y_train, y_test = y.iloc[:N_TRAIN], y.iloc[N_TRAIN:]

    s4 = run_s4(y_train, y_test, args.seeds, args.device)
    baselines = run_baselines(y_train, y_test)

    print(f"# airline: train {N_TRAIN} months, forecast {HORIZON}; device {args.device}, {args.threads} threads, "
          f"torch {torch.__version__}, {platform.machine()}")
    print()
    print("| model | sMAPE | 90% interval coverage | fit (s) | predict (s) |")
    print("|---|---:|---:|---:|---:|")
    mean, std = s4.mean(0), s4.std(0)
    print(
        f"| S4Forecaster (defaults, mean ± sd of {len(args.seeds)} seeds) | {mean[0]:.4f} ± {std[0]:.4f} | "
        f"{mean[1]:.2f} | {mean[2]:.1f} | {mean[3]:.3f} |"
    )
    for seed, row in zip(args.seeds, s4):
        print(f"| S4Forecaster, random_state={seed} | {row[0]:.4f} | {row[1]:.2f} | {row[2]:.1f} | {row[3]:.3f} |")
    for name, (err, cov, fit_time, predict_time) in baselines.items():
        cov_text = "" if np.isnan(cov) else f"{cov:.2f}"
        print(f"| {name} | {err:.4f} | {cov_text} | {fit_time:.2f} | {predict_time:.3f} |")


if __name__ == "__main__":
    main()
