"""Choose S4Forecaster settings on the airline *training* months only.

The benchmark (``bench_forecasting.py``) scores one 36-month forecast from
month 108. Choices must not look at those 36 months, so this script scores
settings on validation origins inside the first 108 months: from each origin
(default 60 and 72) a forecaster is fitted on the months before it and
forecasts the next 36, over several seeds. It prints mean sMAPE and the
coverage of the 90% interval per setting, and AutoETS (statsmodels, lowest
AICc, as in the benchmark) on the same origins when statsmodels is there.

Usage::

    python benchmarks/validate_forecaster.py '{}' '{"trend_window": "auto"}'
    python benchmarks/validate_forecaster.py '{"dropout": 0.3}' --seeds 0 1 2 --origins 60 72
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np

from sks4 import S4Forecaster
from sks4.datasets import load_airline
from sks4.forecasting import smape

N_TRAIN, HORIZON = 108, 36


def score(params: dict, y, origins, seeds) -> tuple[float, float, float, float, list[float]]:
    errors, covered, times = [], [], []
    for origin in origins:
        y_fit, y_true = y.iloc[:origin], y.iloc[origin : origin + HORIZON]
        for seed in seeds:
            model = S4Forecaster(**{"max_horizon": HORIZON, "device": "cpu", **params, "random_state": seed})
            t0 = time.perf_counter()
            model.fit(y_fit)
            times.append(time.perf_counter() - t0)
            errors.append(smape(y_true, model.predict(HORIZON)))
            interval = model.predict_interval(HORIZON, coverage=0.9)
            inside = (y_true.to_numpy() >= interval["lower"].to_numpy()) & (y_true.to_numpy() <= interval["upper"].to_numpy())
            covered.append(inside.mean())
    errors = np.asarray(errors)
    return errors.mean(), errors.std(ddof=1) / np.sqrt(len(errors)) if len(errors) > 1 else np.nan, np.mean(covered), np.mean(times), errors.tolist()


def auto_ets(y, origins) -> float | None:
    try:
        from bench_forecasting import run_baselines
    except ImportError:
        return None
    warnings.filterwarnings("ignore")
    errors = []
    for origin in origins:
        results = run_baselines(y.iloc[:origin], y.iloc[origin : origin + HORIZON])
        errors.append(next(value[0] for name, value in results.items() if name.startswith("AutoETS")))
    return float(np.mean(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("settings", nargs="+", help="S4Forecaster parameters as JSON, one setting per argument")
    parser.add_argument("--origins", type=int, nargs="+", default=[60, 72])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-ets", action="store_true")
    args = parser.parse_args()
    if max(args.origins) + HORIZON > N_TRAIN:
        parser.error(f"origins must leave {HORIZON} months before month {N_TRAIN} (the test months)")

    import torch

    torch.set_num_threads(args.threads)
    y = load_airline()
    print(f"# airline validation: origins {args.origins}, {HORIZON} steps, seeds {args.seeds}, {args.threads} threads")
    print()
    print("| setting | sMAPE (± se) | 90% coverage | fit (s) | per origin and seed |")
    print("| --- | ---: | ---: | ---: | --- |")
    for text in args.settings:
        mean, se, cov, fit_time, errors = score(json.loads(text), y, args.origins, args.seeds)
        print(f"| `{text}` | {mean:.4f} ± {se:.4f} | {cov:.2f} | {fit_time:.1f} | {' '.join(f'{e:.3f}' for e in errors)} |", flush=True)
    if not args.no_ets:
        ets = auto_ets(y, args.origins)
        if ets is not None:
            print(f"| AutoETS (lowest AICc) | {ets:.4f} | | | |")


if __name__ == "__main__":
    main()
