"""Reading a long history into S4's recurrent state: one convolutional pass against a loop of steps.

``S4Model.forward_with_state`` runs the convolutional view and returns the
state every block's recurrence would hold at the end (block sums with the
Krylov matrix, Horner's rule over ``sqrt(L)`` blocks), so stepping can go
on from there; the alternative is ``L`` calls of ``step``. Both are timed
(median of ``--repeats``) at batch 1 with the S4Forecaster's backbone
(d_model 32, d_state 32, 2 layers), and the largest difference between the
last features of the two views is printed (float32). The step loop is
skipped beyond ``--max-step-length``.

Usage::

    python benchmarks/bench_state.py
    python benchmarks/bench_state.py --lengths 1000 10000 --threads 1
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

from sks4.nn import S4Model


def timed(fn, repeats: int) -> tuple[float, object]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-step-length", type=int, default=10_000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    print(f"*History read into the recurrent state, batch 1, d_model 32, d_state 32, 2 layers; "
          f"cpu, {args.threads} threads, torch {torch.__version__}, {platform.machine()}*")
    print()
    print("| kernel | L | forward_with_state (s) | L steps (s) | speed-up | max abs diff of last features |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kernel in ("diag", "dplr"):
        torch.manual_seed(0)
        model = S4Model(1, d_model=32, d_state=32, n_layers=2, kernel=kernel).eval()
        for L in args.lengths:
            x = torch.randn(1, 1, L)

            def convolutional():
                with torch.no_grad():
                    features, _ = model.forward_with_state(x)
                return features[..., -1]

            def stepped():
                with torch.no_grad():
                    state, y = model.default_state(1), None
                    for t in range(L):
                        y, state = model.step(x[..., t], state)
                return y

            t_conv, last_conv = timed(convolutional, args.repeats)
            if L <= args.max_step_length:
                t_step, last_step = timed(stepped, 1)
                diff = (last_conv - last_step).abs().max().item()
                print(f"| {kernel} | {L} | {t_conv:.3f} | {t_step:.2f} | {t_step / t_conv:.0f}x | {diff:.1e} |", flush=True)
            else:
                print(f"| {kernel} | {L} | {t_conv:.3f} | (skipped) | | |", flush=True)


if __name__ == "__main__":
    main()
