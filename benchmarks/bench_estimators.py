"""Test-set accuracy / RMSE and timings of S4Classifier and S4Regressor on the shipped datasets.

Every model is trained on the default train split with the estimators'
default hyperparameters (for Covid3Month behind ``np.log1p``, see below) and
scored once on the test split; nothing is tuned on the test split. Prints a
markdown table next to the published reference results.

Usage::

    python benchmarks/bench_estimators.py                    # all datasets, random_state=0
    python benchmarks/bench_estimators.py --seeds 0 1 2      # mean and range over seeds
    python benchmarks/bench_estimators.py --datasets GunPoint --threads 2
    python benchmarks/bench_estimators.py --n-estimators 1   # one network instead of the default ensemble

Covid3Month's inputs are daily case counts spanning 0 to 20,000; the
regressor gets ``log1p`` of them (a ``FunctionTransformer`` in a pipeline),
a choice made by cross-validation on the training split.
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sks4 import S4Classifier, S4Regressor, datasets


@dataclass(frozen=True)
class Benchmark:
    loader: Callable
    regression: bool
    goal: str
    reference: str


BENCHMARKS = {
    "GunPoint": Benchmark(
        datasets.load_gunpoint, False, ">= 0.99", "InceptionTime 1.000, MiniRocket 0.993, HIVE-COTE 2 1.000"
    ),
    "ItalyPowerDemand": Benchmark(
        datasets.load_italy_power_demand, False, ">= 0.96", "InceptionTime 0.966, MiniRocket 0.963, HIVE-COTE 2 0.970"
    ),
    "BasicMotions": Benchmark(datasets.load_basic_motions, False, "= 1.00", "(not listed)"),
    "JapaneseVowels": Benchmark(
        datasets.load_japanese_vowels, False, ">= 0.98", "ResNet 0.992, FCN 0.993 (mean of 10 runs)"
    ),
    "Covid3Month": Benchmark(
        datasets.load_covid3month, True, "<= 0.040", "ROCKET 0.0389, FreshPRINCE 0.0402, random forest 0.0425"
    ),
}


def make_estimator(dataset: str, random_state: int, **params) -> BaseEstimator:
    """The model benchmarked on ``dataset``: default hyperparameters throughout, unless ``params`` override them."""
    if BENCHMARKS[dataset].regression:
        return make_pipeline(FunctionTransformer(np.log1p), S4Regressor(random_state=random_state, **params))
    return S4Classifier(random_state=random_state, **params)


def score(dataset: str, y_true, y_pred) -> float:
    """Accuracy, or RMSE for regression."""
    if BENCHMARKS[dataset].regression:
        return float(np.sqrt(mean_squared_error(y_true, y_pred)))
    return float(accuracy_score(y_true, y_pred))


def run(dataset: str, random_state: int, **params) -> dict:
    """Fit on the train split, predict the test split; returns score, timings and epochs per network."""
    bench = BENCHMARKS[dataset]
    X_train, y_train = bench.loader(split="train")
    X_test, y_test = bench.loader(split="test")
    model = make_estimator(dataset, random_state, **params)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    y_pred = model.predict(X_test)
    predict_s = time.perf_counter() - start
    nets = model[-1].nets_ if hasattr(model, "steps") else model.nets_
    epochs = float(np.mean([len(net.history) for net in nets]))
    return {"score": score(dataset, y_test, y_pred), "fit_s": fit_s, "predict_s": predict_s, "epochs": epochs}


def _summary(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{format(np.mean(values), fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(BENCHMARKS), choices=list(BENCHMARKS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="random_state values (default: 0)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument(
        "--n-estimators", type=int, default=None, help="networks per model (default: the estimators' default)"
    )
    args = parser.parse_args(argv)
    params = {} if args.n_estimators is None else {"n_estimators": args.n_estimators}
    if args.threads:
        torch.set_num_threads(args.threads)

    device = "CUDA" if torch.cuda.is_available() else f"CPU, {torch.get_num_threads()} torch thread(s)"
    n_estimators = params.get("n_estimators", S4Classifier().n_estimators)
    print(
        f"sks4 estimators benchmark: {platform.processor() or platform.machine()}, {device}, seeds {args.seeds}, "
        f"n_estimators {n_estimators}\n"
    )
    print("| dataset | metric | sks4 (test) | goal | published (test) | fit (s) | predict (s) | epochs per network |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for dataset in args.datasets:
        runs = [run(dataset, seed, **params) for seed in args.seeds]
        bench = BENCHMARKS[dataset]
        metric = "RMSE" if bench.regression else "accuracy"
        print(
            f"| {dataset} | {metric} | {_summary([r['score'] for r in runs], '.4f')} | {bench.goal} | "
            f"{bench.reference} | {_summary([r['fit_s'] for r in runs], '.1f')} | "
            f"{_summary([r['predict_s'] for r in runs], '.2f')} | {_summary([r['epochs'] for r in runs], '.0f')} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
