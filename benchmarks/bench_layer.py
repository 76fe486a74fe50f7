"""Speed and memory of S4Layer against the bare FFT convolution (the floor).

For each sequence length L, times forward + backward (median of ``--repeats``
runs after one warm-up) of

* ``fft``   -- the bare FFT convolution of the input with a learnable (H, L)
  kernel (``sks4.nn.functional.fft_conv``, the convolution inside the
  layers): the floor any convolutional S4 layer pays;
* ``fft-unchunked`` -- the same convolution without the CPU batch chunks
  (plain ``torch.fft`` on the whole batch), for reference;
* ``dplr``  -- ``S4Layer(kernel="dplr")`` (S4, bilinear, Cauchy + Woodbury);
* ``diag``  -- ``S4Layer(kernel="diag")`` (S4D, ZOH, Vandermonde);
* ``dplr-kernel``, ``diag-kernel`` -- the layers' SSM kernels alone,
  ``kernel(L)`` forward + backward (a fixed cost per step, whatever the batch);

at batch 16, d_model 64, d_state 64. Every configuration runs in a fresh
subprocess so that its peak resident memory (CPU) is its own; on CUDA the
peak allocated memory is reported instead. The configurations are run in
``--rounds`` interleaved rounds (floor, layers, floor, layers, ...) and each
time is the median over rounds, which evens out a machine whose speed drifts.

Usage::

    python benchmarks/bench_layer.py                 # CPU, 2 threads
    python benchmarks/bench_layer.py --device cuda
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time

CASES = ("fft", "fft-unchunked", "dplr", "diag", "dplr-kernel", "diag-kernel")
NAMES = {"fft": "FFT conv (floor)", "fft-unchunked": "FFT conv, whole batch at once",
         "dplr": "S4 DPLR", "diag": "S4D diagonal",
         "dplr-kernel": "DPLR kernel only", "diag-kernel": "diagonal kernel only"}


def run_case(case: str, L: int, device: str, threads: int, repeats: int, batch: int, d_model: int, d_state: int) -> dict:
    import torch

    from sks4.nn import S4Layer
    from sks4.nn.functional import fft_conv

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    u = torch.randn(batch, d_model, L, device=device, requires_grad=True)
    if case in ("fft", "fft-unchunked"):
        if case == "fft-unchunked":
            from sks4.nn import functional

            functional._BATCH_CHUNK_BYTES = 2**62  # one chunk: the whole batch
        k = torch.randn(d_model, L, device=device, requires_grad=True)

        def step():
            fft_conv(u, k).sum().backward()

    elif case.endswith("-kernel"):
        kernel = S4Layer(d_model, d_state, kernel=case.split("-")[0]).to(device).kernel

        def step():
            kernel(L).sum().backward()

    else:
        layer = S4Layer(d_model, d_state, kernel=case).to(device)

        def step():
            layer(u).sum().backward()

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    step()  # warm-up
    sync()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    if device.startswith("cuda"):
        peak_mb = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {"case": case, "L": L, "seconds": statistics.median(times), "peak_mb": peak_mb}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024, 4096, 16384])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of all configurations")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--d-state", type=int, default=64)
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case in this process
    parser.add_argument("--length", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shape = dict(batch=args.batch, d_model=args.d_model, d_state=args.d_state)

    if args.case:
        print(json.dumps(run_case(args.case, args.length, args.device, args.threads, args.repeats, **shape)))
        return

    import torch

    print(f"# S4Layer forward+backward, batch {args.batch}, d_model {args.d_model}, d_state {args.d_state}")
    print(f"# device {args.device}, {args.threads} threads, torch {torch.__version__}, {platform.processor() or platform.machine()}")
    memory = "peak alloc MB" if args.device.startswith("cuda") else "peak RSS MB"
    print(f"\n| L | layer | time (s) | ratio to FFT floor | {memory} |")
    print("|---:|---|---:|---:|---:|")
    for L in args.lengths:
        results = {case: [] for case in CASES}
        for _ in range(args.rounds):
            for case in CASES:
                cmd = [sys.executable, __file__, "--case", case, "--length", str(L), "--device", args.device,
                       "--threads", str(args.threads), "--repeats", str(args.repeats), "--batch", str(args.batch),
                       "--d-model", str(args.d_model), "--d-state", str(args.d_state)]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
                results[case].append(json.loads(out.strip().splitlines()[-1]))
        floor = statistics.median(r["seconds"] for r in results["fft"])
        for case in CASES:
            seconds = statistics.median(r["seconds"] for r in results[case])
            peak = max(r["peak_mb"] for r in results[case])
            print(f"| {L} | {NAMES[case]} | {seconds:.3f} | {seconds / floor:.2f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
