"""Accuracy of S4Features pipelines on the shipped datasets, next to MiniRocket.

Default train/test splits of GunPoint, ItalyPowerDemand, BasicMotions and
JapaneseVowels (test accuracy) and Covid3Month (test RMSE), with

* ``ridge`` -- ``Pipeline(S4Features(), StandardScaler(), RidgeClassifierCV)``
  (``RidgeCV`` for Covid3Month), alphas ``logspace(-3, 3, 10)``;
* ``hgb``   -- ``Pipeline(S4Features(), HistGradientBoostingClassifier)``
  (``HistGradientBoostingRegressor`` for Covid3Month), ``random_state=0``;

timing fit (S4Features + model) and the transform of train + test on this
machine. Printed next to the published figures in ``shared/data/README.md``
and, when aeon is available (here or through ``--aeon-python``), MiniRocket
measured here: ``MiniRocket(random_state=0)`` + ``StandardScaler`` +
``RidgeClassifierCV`` / ``RidgeCV``, the same head, on the same splits
(JapaneseVowels zero-padded at the end to the longest series of train and
test, because MiniRocket needs equal lengths).

Usage::

    python benchmarks/bench_features_accuracy.py
    python benchmarks/bench_features_accuracy.py --aeon-python /path/to/aeon-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import RidgeClassifierCV, RidgeCV
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sks4 import S4Features, datasets

DATASETS = {
    "GunPoint": (datasets.load_gunpoint, "classification"),
    "ItalyPowerDemand": (datasets.load_italy_power_demand, "classification"),
    "BasicMotions": (datasets.load_basic_motions, "classification"),
    "JapaneseVowels": (datasets.load_japanese_vowels, "classification"),
    "Covid3Month": (datasets.load_covid3month, "regression"),
}
# shared/data/README.md (test accuracy; Covid3Month: RMSE); "-" where it gives none
PUBLISHED = {
    "GunPoint": "MiniRocket 0.993, InceptionTime 1.000, HIVE-COTE 2 1.000",
    "ItalyPowerDemand": "MiniRocket 0.963, InceptionTime 0.966, HIVE-COTE 2 0.970",
    "BasicMotions": "-",
    "JapaneseVowels": "ResNet 0.992, FCN 0.993 (mean of 10 runs)",
    "Covid3Month": "ROCKET 0.0389, FreshPRINCE 0.0402, random forest 0.0425",
}
ALPHAS = np.logspace(-3, 3, 10)

MINIROCKET = r"""
import json, sys, time
import numpy as np
from aeon.transformations.collection.convolution_based import MiniRocket
from sklearn.linear_model import RidgeClassifierCV, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
d = np.load(sys.argv[1], allow_pickle=True)
task, n_jobs = sys.argv[2], int(sys.argv[3])
head = RidgeCV(alphas=np.logspace(-3, 3, 10)) if task == "regression" else RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
model = make_pipeline(MiniRocket(random_state=0, n_jobs=n_jobs), StandardScaler(), head)
t = time.perf_counter(); model.fit(d["Xtr"], d["ytr"]); fit = time.perf_counter() - t
pred = model.predict(d["Xte"])
if task == "regression":
    score = float(np.sqrt(np.mean((pred - d["yte"]) ** 2)))
else:
    score = float(np.mean(pred == d["yte"]))
print(json.dumps({"score": score, "fit": fit}))
"""


def to_3d(X, length: int) -> np.ndarray:
    """Equal-length numpy3D for MiniRocket: lists are zero-padded at the end to ``length``."""
    if isinstance(X, np.ndarray):
        return X[:, None, :] if X.ndim == 2 else X
    out = np.zeros((len(X), np.atleast_2d(X[0]).shape[0], length))
    for i, x in enumerate(X):
        x = np.atleast_2d(x)
        out[i, :, : x.shape[1]] = x
    return out


def minirocket(Xtr, ytr, Xte, yte, task: str, python: str | None, n_jobs: int) -> float | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.npz")
        length = max(np.shape(x)[-1] for x in list(Xtr) + list(Xte))  # train and test padded alike
        np.savez(path, Xtr=to_3d(Xtr, length), ytr=ytr, Xte=to_3d(Xte, length), yte=yte)
        proc = subprocess.run(
            [python or sys.executable, "-c", MINIROCKET, path, task, str(n_jobs)], capture_output=True, text=True
        )
    if proc.returncode != 0:
        print(f"MiniRocket not run: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])["score"]


def evaluate(name: str, head: str, params: dict) -> dict:
    load, task = DATASETS[name]
    Xtr, ytr = load("train")
    Xte, yte = load("test")
    if task == "classification":
        model = RidgeClassifierCV(alphas=ALPHAS) if head == "ridge" else HistGradientBoostingClassifier(random_state=0)
    else:
        model = RidgeCV(alphas=ALPHAS) if head == "ridge" else HistGradientBoostingRegressor(random_state=0)
    steps = [S4Features(**params), StandardScaler(), model] if head == "ridge" else [S4Features(**params), model]
    pipe = make_pipeline(*steps)
    t = time.perf_counter()
    pipe.fit(Xtr, ytr)
    fit = time.perf_counter() - t
    t = time.perf_counter()
    pipe[0].transform(Xtr)
    pipe[0].transform(Xte)
    transform = time.perf_counter() - t
    pred = pipe.predict(Xte)
    if task == "classification":
        score = accuracy_score(yte, pred)
    else:
        score = float(np.sqrt(mean_squared_error(yte, pred)))
    return {"score": score, "fit": fit, "transform": transform, "n_features": pipe[0].n_features_out_,
            "task": task, "data": (Xtr, ytr, Xte, yte)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aeon-python", default=None, help="interpreter with aeon installed")
    parser.add_argument("--no-minirocket", action="store_true")
    parser.add_argument("--params", default="{}", help="S4Features parameters as JSON, default: the defaults")
    args = parser.parse_args()
    params = json.loads(args.params)

    print(f"\nS4Features({', '.join(f'{k}={v!r}' for k, v in params.items())}), "
          f"{os.cpu_count()} CPU cores; accuracy (Covid3Month: RMSE, lower is better)\n")
    print("| dataset | features | ridge | hgb | MiniRocket (measured here) | published | "
          "ridge fit (s) | transform train+test (s) |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for name in DATASETS:
        ridge = evaluate(name, "ridge", params)
        hgb = evaluate(name, "hgb", params)
        mr = None
        if not args.no_minirocket:
            Xtr, ytr, Xte, yte = ridge["data"]
            mr = minirocket(Xtr, ytr, Xte, yte, ridge["task"], args.aeon_python, os.cpu_count() or 1)
        fmt = "{:.4f}" if ridge["task"] == "regression" else "{:.3f}"
        print(
            f"| {name} | {ridge['n_features']} | {fmt.format(ridge['score'])} | {fmt.format(hgb['score'])} | "
            f"{'-' if mr is None else fmt.format(mr)} | {PUBLISHED[name]} | {ridge['fit']:.2f} | "
            f"{ridge['transform']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
