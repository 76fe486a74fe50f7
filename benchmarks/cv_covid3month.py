"""What Covid3Month's training split can tell: cross-validation next to the test score.

For each model, repeated 5-fold cross-validation of the 140 *training*
series (``KFold(5, shuffle=True, random_state=r)`` for ``r`` in
``range(--repeats)``; out-of-fold RMSE per repeat) and, separately, the RMSE
on the 61 test series after fitting on the whole training split. All inputs
go through ``log1p`` as in the benchmark (daily counts from 0 to 20,000).

Models: the training mean (a constant); ``S4Regressor()`` with its defaults
(an ensemble of five networks, ``random_state`` 100 + r in the folds, 0 for
the test score); ``S4Features()`` followed by ``HistGradientBoostingRegressor``
and by ``StandardScaler`` + ``RidgeCV``; and, when aeon is installed,
aeon's ``MiniRocketRegressor`` and ``RocketRegressor`` with their defaults.

A model that finds signal in the training series should beat the constant
in cross-validation; the test column shows what the held-out split rewards.

Usage::

    python benchmarks/cv_covid3month.py --repeats 5
    python benchmarks/cv_covid3month.py --repeats 5 --models mean minirocket rocket
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sks4 import S4Features, S4Regressor, datasets


def _aeon_regressor(name: str):
    from aeon.regression.convolution_based import MiniRocketRegressor, RocketRegressor

    return {"minirocket": MiniRocketRegressor, "rocket": RocketRegressor}[name]


MODELS = {
    "mean": ("training mean", lambda seed: DummyRegressor()),
    "s4regressor": ("S4Regressor() (5 networks)", lambda seed: S4Regressor(random_state=seed)),
    "s4features-hgb": (
        "S4Features() + HistGradientBoostingRegressor",
        lambda seed: make_pipeline(S4Features(), HistGradientBoostingRegressor(random_state=seed)),
    ),
    "s4features-ridge": (
        "S4Features() + StandardScaler + RidgeCV",
        lambda seed: make_pipeline(S4Features(), StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 10))),
    ),
    "minirocket": ("MiniRocketRegressor (aeon)", lambda seed: _aeon_regressor("minirocket")(random_state=seed)),
    "rocket": ("RocketRegressor (aeon)", lambda seed: _aeon_regressor("rocket")(random_state=seed)),
}


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(y_pred, dtype=np.float64).ravel() - y_true) ** 2)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    X, y = datasets.load_covid3month(split="train")
    X_test, y_test = datasets.load_covid3month(split="test")
    X, X_test = np.log1p(np.asarray(X, dtype=np.float64)), np.log1p(np.asarray(X_test, dtype=np.float64))
    y, y_test = np.asarray(y, dtype=np.float64), np.asarray(y_test, dtype=np.float64)

    print(f"# Covid3Month: {len(y)} training series, {len(y_test)} test series; {args.threads} torch threads")
    print(f"# cross-validation: {args.repeats} x KFold(5, shuffle=True, random_state=r) on the training split")
    print("\n| model | CV RMSE, mean (per repeat) | test RMSE | time (s) |")
    print("| --- | --- | ---: | ---: |")
    for key in args.models:
        label, make = MODELS[key]
        aeon = key in ("minirocket", "rocket")
        shape = (lambda A: A[:, None, :]) if aeon else (lambda A: A)  # aeon wants (n, channels, length)
        try:
            make(0)
        except ImportError:
            print(f"| {label} | aeon not installed | | |", flush=True)
            continue
        start = time.perf_counter()
        scores = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for repeat in range(args.repeats):
                oof = np.zeros_like(y)
                for train, test in KFold(5, shuffle=True, random_state=repeat).split(X):
                    model = make(100 + repeat).fit(shape(X[train]), y[train])
                    oof[test] = np.asarray(model.predict(shape(X[test]))).ravel()
                scores.append(rmse(y, oof))
            test_score = rmse(y_test, make(0).fit(shape(X), y).predict(shape(X_test)))
        seconds = time.perf_counter() - start
        per_repeat = " ".join(f"{s:.4f}" for s in scores)
        print(f"| {label} | {np.mean(scores):.4f} ({per_repeat}) | {test_score:.4f} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
