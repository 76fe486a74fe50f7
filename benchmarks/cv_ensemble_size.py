"""Cross-validation on the training splits: how accuracy (RMSE) changes with the ensemble size.

For each fold, trains ``--networks`` single networks (``n_estimators=1``,
``random_state`` 100, 101, ...; otherwise default hyperparameters) and scores
the out-of-fold mean of the probabilities (predictions) of every subset of k of
them, averaged over the subsets: the ensemble of k networks that
``n_estimators=k`` trains, without training it for every k. Test splits are
never read.

Usage::

    python benchmarks/cv_ensemble_size.py GunPoint --networks 5 --threads 1
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import torch
from sklearn.metrics import log_loss
from sklearn.model_selection import KFold, StratifiedKFold

from sks4 import S4Classifier, S4Regressor, datasets

LOADERS = {
    "GunPoint": datasets.load_gunpoint,
    "ItalyPowerDemand": datasets.load_italy_power_demand,
    "Covid3Month": datasets.load_covid3month,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=list(LOADERS))
    parser.add_argument("--networks", type=int, default=5, help="networks trained per fold (default: 5)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    X, y = LOADERS[args.dataset](split="train")
    X, y = np.asarray(X), np.asarray(y)
    regression = args.dataset == "Covid3Month"
    if regression:
        X = np.log1p(X)  # as in benchmarks/bench_estimators.py
        folds = KFold(5, shuffle=True, random_state=0).split(X)
    else:
        folds = StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)
    shape = y.shape if regression else (len(y), len(np.unique(y)))
    oof = np.zeros((args.networks, *shape))  # out-of-fold outputs of every network
    classes = None
    for fold, (train, test) in enumerate(folds):
        for k in range(args.networks):
            est = (S4Regressor if regression else S4Classifier)(n_estimators=1, random_state=100 + k)
            est.fit(X[train], y[train])
            oof[k, test] = est.predict(X[test]) if regression else est.predict_proba(X[test])
            classes = None if regression else est.classes_
            print(f"fold {fold}, network {k}: done", flush=True)

    print(f"\n{args.dataset}, training split, 5-fold CV, {args.networks} networks per fold\n")
    print("| networks | " + ("RMSE" if regression else "accuracy | log loss") + " | range over subsets |")
    print("| --- | --- | " + ("" if regression else "--- | ") + "--- |")
    for size in range(1, args.networks + 1):
        scores, losses = [], []
        for subset in itertools.combinations(range(args.networks), size):
            mean = oof[list(subset)].mean(axis=0)
            if regression:
                scores.append(float(np.sqrt(np.mean((mean - y) ** 2))))
            else:
                scores.append(float(np.mean(classes[mean.argmax(axis=1)] == y)))
                losses.append(float(log_loss(y, mean, labels=classes)))
        loss = "" if regression else f" {np.mean(losses):.3f} |"
        print(f"| {size} | {np.mean(scores):.4f} |{loss} {min(scores):.4f}–{max(scores):.4f} |")


if __name__ == "__main__":
    main()
