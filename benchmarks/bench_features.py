"""Speed of S4Features.transform against one dense matrix product and MiniRocket.

On ``--n-series`` univariate series of length ``--length`` (default 10,000 x
1,000, standard normal, float64), times (median of ``--repeats`` runs after a
warm-up that also fills the readout cache):

* ``matmul``  -- one dense ``(n, L) @ (L, 64)`` float64 product, the floor;
* ``S4Features(measure="legt", n_coefs=64, window=None, points=1, pooling=None)``
  -- the final 64 LegT coefficients: one product with the cached readout,
  plus input validation;
* the same, cold: the first call, which also builds the (L, 64) readout;
* ``S4Features()`` -- the defaults (LegT + LagT, 4 windows, 4 coefficients,
  pooled over every step), for reference;
* aeon's ``MiniRocket`` transform (10,000 kernels, ``n_jobs`` = threads),
  when aeon can be imported here or by the interpreter given with
  ``--aeon-python`` (aeon is a benchmark-only dependency; its numpy/pandas
  pins may not suit the project's environment, so it can live in another).

Prints a markdown table.

Usage::

    python benchmarks/bench_features.py
    python benchmarks/bench_features.py --aeon-python /path/to/aeon-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

MINIROCKET = r"""
import json, statistics, sys, time
import numpy as np
from aeon.transformations.collection.convolution_based import MiniRocket
X = np.load(sys.argv[1])[:, None, :]  # (n, 1, L)
threads, repeats = int(sys.argv[2]), int(sys.argv[3])
mr = MiniRocket(n_kernels=10000, n_jobs=threads, random_state=0).fit(X[:1000])
mr.transform(X[:100])  # numba compilation
times = []
for _ in range(repeats):
    t = time.perf_counter(); F = mr.transform(X); times.append(time.perf_counter() - t)
import aeon
print(json.dumps({"median": statistics.median(times), "n_features": int(F.shape[1]), "version": aeon.__version__}))
"""


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def minirocket_time(X: np.ndarray, threads: int, repeats: int, python: str | None) -> dict | None:
    """Median MiniRocket transform time, here or in another interpreter; None if no aeon."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "X.npy")
        np.save(path, X)
        interpreter = python or sys.executable
        proc = subprocess.run(
            [interpreter, "-c", MINIROCKET, path, str(threads), str(repeats)],
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        print(f"MiniRocket not run ({interpreter}): {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-series", type=int, default=10_000)
    parser.add_argument("--length", type=int, default=1_000)
    parser.add_argument("--n-coefs", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--aeon-python", default=None, help="interpreter with aeon installed")
    parser.add_argument("--skip-defaults", action="store_true", help="do not time S4Features()")
    args = parser.parse_args()

    from sks4 import S4Features

    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.n_series, args.length))  # (n, L) float64
    W = rng.standard_normal((args.length, args.n_coefs))  # (L, N)

    rows = []
    t_matmul = timed(lambda: X @ W, args.repeats)
    rows.append(("dense matmul (n, L) @ (L, N), float64", t_matmul))

    final = S4Features(measure="legt", n_coefs=args.n_coefs, window=None, points=1, pooling=None).fit(X)
    t0 = time.perf_counter()
    final.transform(X)  # first call: builds and caches the readout
    t_cold = time.perf_counter() - t0
    t_final = timed(lambda: final.transform(X), args.repeats)
    rows.append((f"S4Features final LegT, {args.n_coefs} coefs (readout cached)", t_final))
    rows.append((f"S4Features final LegT, {args.n_coefs} coefs, first call (builds readout)", t_cold))

    if not args.skip_defaults:
        default = S4Features().fit(X)
        default.transform(X[:10])
        t_default = timed(lambda: default.transform(X), max(1, args.repeats // 2))
        rows.append((f"S4Features() defaults ({default.n_features_out_} features)", t_default))

    mr = minirocket_time(X, args.threads, max(1, args.repeats // 2), args.aeon_python)
    if mr is not None:
        rows.append((f"aeon {mr['version']} MiniRocket transform ({mr['n_features']} features)", mr["median"]))

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n{args.n_series} series x {args.length} steps, float64, {args.threads} threads, "
          f"median of {args.repeats} runs (MiniRocket and defaults: {max(1, args.repeats // 2)}); "
          f"load average at the end {load}\n")
    print("| transform | time (s) | / dense matmul |")
    print("| --- | ---: | ---: |")
    for name, t in rows:
        print(f"| {name} | {t:.3f} | {t / t_matmul:.2f} |")
    if mr is not None:
        print(f"\nMiniRocket / S4Features final LegT: {mr['median'] / t_final:.1f}x")
        if not args.skip_defaults:
            print(f"MiniRocket / S4Features() defaults: {mr['median'] / t_default:.1f}x")
    else:
        print("\nMiniRocket: aeon not available (pass --aeon-python).")


if __name__ == "__main__":
    main()
