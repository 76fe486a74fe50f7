"""Compare S4Classifier / S4Regressor settings by cross-validation on a training split.

Each setting (JSON of estimator parameters, plus the optional key
``"inputs": "raw+diff"``, which adds every channel's first difference as
another channel in front of the estimator, with a leading 0 so that lengths
stay) is scored by repeated K-fold cross-validation of the *training* split:
accuracy and log loss (classifiers) or RMSE (Covid3Month, behind ``log1p`` as
in the benchmark). Test splits are never read. Every setting sees the same
folds and the same network seeds.

Usage::

    python benchmarks/cv_estimator_settings.py GunPoint '{}' '{"inputs": "raw+diff"}' --repeats 2
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, StratifiedKFold

from sks4 import S4Classifier, S4Regressor, datasets

LOADERS = {
    "GunPoint": datasets.load_gunpoint,
    "ItalyPowerDemand": datasets.load_italy_power_demand,
    "BasicMotions": datasets.load_basic_motions,
    "JapaneseVowels": datasets.load_japanese_vowels,
    "Covid3Month": datasets.load_covid3month,
}


def with_difference(X):
    """Channels first: each series (C, T) becomes (2C, T), its channels then their first differences."""

    def one(x):
        x = np.asarray(x, dtype=np.float64)
        x = x[None] if x.ndim == 1 else x
        return np.concatenate([x, np.diff(x, axis=-1, prepend=x[..., :1])], axis=0)

    if isinstance(X, list):
        return [one(x) for x in X]
    X = np.asarray(X, dtype=np.float64)
    return np.stack([one(x) for x in X])


def subset(X, index):
    return [X[i] for i in index] if isinstance(X, list) else X[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=list(LOADERS))
    parser.add_argument("settings", nargs="+")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1, help="fold splits (random_state 0, 1, ...)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    X, y = LOADERS[args.dataset](split="train")
    y = np.asarray(y)
    regression = args.dataset == "Covid3Month"
    if regression:
        X = np.log1p(np.asarray(X, dtype=np.float64))
    rows = []
    for text in args.settings:
        params = json.loads(text)
        inputs = params.pop("inputs", "raw")
        Xs = with_difference(X) if inputs == "raw+diff" else X
        scores, losses, t0 = [], [], time.perf_counter()
        for repeat in range(args.repeats):
            splitter = (KFold if regression else StratifiedKFold)(args.folds, shuffle=True, random_state=repeat)
            oof = np.zeros(len(y)) if regression else None
            for train, test in splitter.split(np.zeros(len(y)), y):
                est = (S4Regressor if regression else S4Classifier)(**{"n_estimators": 1, "random_state": 100 + repeat, **params})
                est.fit(subset(Xs, train), y[train])
                if regression:
                    oof[test] = est.predict(subset(Xs, test))
                else:
                    if oof is None:
                        oof = np.zeros((len(y), len(np.unique(y))))
                    oof[test] = est.predict_proba(subset(Xs, test))
                    classes = est.classes_
            if regression:
                scores.append(float(np.sqrt(np.mean((oof - y) ** 2))))
            else:
                scores.append(float(np.mean(classes[oof.argmax(1)] == y)))
                losses.append(float(log_loss(y, oof, labels=classes)))
        rows.append((text, scores, losses, time.perf_counter() - t0))
        loss = "" if regression else f" {np.mean(losses):.3f} |"
        print(f"| `{text}` | {np.mean(scores):.4f} ({' '.join(f'{s:.3f}' for s in scores)}) |{loss} {rows[-1][3]:.0f} |", flush=True)


if __name__ == "__main__":
    main()
