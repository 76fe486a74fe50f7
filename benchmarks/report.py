"""Run every benchmark and write the report ``docs/benchmarks.md`` (one command).

Runs, each in its own process, and collects their markdown tables:

* ``bench_layer.py`` at L = 256 ... 65,536 (speed and memory of the S4 layer
  against the FFT floor; also draws ``docs/_static/layer_scaling.png``, a
  log-log plot of time against length);
* ``bench_state.py`` (a long history read into the recurrent state: one
  convolutional pass against a loop of steps);
* ``bench_estimators.py`` (S4Classifier / S4Regressor on the shipped data);
* ``bench_features.py`` and ``bench_features_accuracy.py`` (S4Features
  against a dense product and aeon's MiniRocket, when an interpreter with
  aeon is given);
* ``bench_forecasting.py`` (S4Forecaster against statsmodels on airline).

Usage::

    python benchmarks/report.py                                  # everything (about 25 minutes on 2 cores)
    python benchmarks/report.py --aeon-python /path/to/venv/bin/python
    python benchmarks/report.py --quick                          # small settings, to check the pipeline

Run it on a quiet machine: the timings are only as good as the machine is
idle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
LAYER_LENGTHS = [256, 1024, 4096, 16384, 65536]

INTRO = """# Benchmarks

Written by `{command}` on {date}; every table below is the output of the
script named with it, run in its own process on this machine:

* machine: {machine}, {cores} CPU cores, Python {python}, torch {torch}, numpy {numpy},
  scikit-learn {sklearn}; CUDA: {cuda}
* total wall time of the report: {total:.0f} s

Nothing here is timed inside the unit tests. Timings on a 2-core machine vary
from run to run by 10-30% (memory-bound FFTs, other processes), so compare
ratios measured in the same run.
"""

SECTIONS = {
    "layer": """## S4 layer: speed and memory against the FFT floor

Command: `{cmd}`

Forward + backward of `S4Layer` at batch 16, d_model 64, d_state 64 (median
of 5 runs after a warm-up, 2 torch threads, each configuration in its own
process so that the peak resident memory is its own, and the whole set run in
3 interleaved rounds, median over rounds). The floor is the bare FFT
convolution of the same input with a learnable (H, L) kernel, the very
function the layers use (`sks4.nn.functional.fft_conv`): every convolutional
S4 layer pays it; the layer adds the kernel, the D term, GELU and the GLU
output mixing. Goals at L = 16384 on 2 cores: each layer within 1.5x of the
floor, DPLR peak memory under 1.5 GB (the published reference
implementation: 7.5 s and 5.9 GB).

On the CPU, `fft_conv` and the layers process long sequences in chunks of
the batch whose temporaries stay under 8 MB, so that glibc reuses memory
instead of mapping (and the kernel zeroing) fresh pages for every large
temporary; the row "whole batch at once" is the same convolution without the
chunks. The chunks made the floor itself faster, which raises the layers'
ratios to it: the goal is measured against the faster floor. The rows "kernel
only" time the SSM kernels alone (`kernel(L)` forward + backward): a fixed
cost per training step whatever the batch.

{output}

{verdict}

![S4 layer time against sequence length, log-log](_static/layer_scaling.png)

The dashed line has slope 1 (time proportional to L). From L = 4096 on, the
FFT floor and both layers grow like L log L (the log factor is small over this
range); below that, fixed costs (the kernel's set-up, Python overhead) and
cache effects dominate.
""",
    "state": """## Recurrent state from the convolutional view

Command: `{cmd}`

`S4Model.forward_with_state` reads a whole history in the convolutional view
and returns the state each block's recurrence holds at its end, so that
`step` goes on from there (this is how `S4Forecaster.fit` reads the history
before `update`); the alternative is one `step` per time step. Both at
batch 1 with the forecaster's backbone.

{output}
""",
    "estimators": """## Estimators: accuracy and times on the shipped datasets

Command: `{cmd}`

Default `S4Classifier` / `S4Regressor`, trained on each dataset's train split
and scored once on its test split, over several `random_state` values.
Published references from `shared/data/README.md`. Goals: GunPoint >= 0.99,
ItalyPowerDemand >= 0.96, BasicMotions = 1.00, JapaneseVowels >= 0.98,
Covid3Month RMSE <= 0.040.

{output}
""",
    "features_speed": """## S4Features: transform speed

Command: `{cmd}`

Goals: the 64-coefficient transform within 2x of one dense matrix product of
the same shapes, and at least 10x faster than aeon's MiniRocket transform.

{output}
""",
    "features_accuracy": """## S4Features: accuracy in pipelines

Command: `{cmd}`

Goal: within 2 points of MiniRocket's accuracy on each dataset.

{output}
""",
    "forecasting": """## Forecasting: airline

Command: `{cmd}`

Train on the first 108 months, forecast the last 36. Goals: sMAPE <= 0.063
(AutoETS's published figure) and a 90% interval covering at least 85% of the
held-out months. The statsmodels baselines are fitted in the same run.

{output}
""",
}


def run(cmd: list[str], log) -> tuple[str, float]:
    """Run one benchmark; return its standard output (tables) and wall time."""
    printable = " ".join(["python", *(str(c) for c in cmd[1:])]).replace(str(ROOT) + "/", "")
    print(f"[report] {printable}", file=log, flush=True)
    t0 = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t0
    if result.returncode != 0:
        raise RuntimeError(f"{printable} failed:\n{result.stderr[-4000:]}")
    print(f"[report]   done in {seconds:.0f} s", file=log, flush=True)
    return result.stdout.strip(), seconds


def as_text(output: str) -> str:
    """A script's output as report text: its ``# ...`` comment lines become italic lines, not headings."""
    lines = []
    for line in output.splitlines():
        if line.startswith("#"):
            line = "*" + line.lstrip("#").strip() + "*  "
        lines.append(line)
    return "\n".join(lines)


def layer_rows(table: str) -> list[tuple[int, str, float, float, float]]:
    """(L, layer, seconds, ratio, memory) from bench_layer's markdown table."""
    rows = []
    for line in table.splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", line)
        if match:
            rows.append((int(match[1]), match[2], float(match[3]), float(match[4]), float(match[5])))
    return rows


def layer_verdict(rows) -> str:
    at = {name: (seconds, ratio, memory) for L, name, seconds, ratio, memory in rows if L == 16384}
    if not at:
        return ""
    lines = ["Against the goals at L = 16384:"]
    for name, (seconds, ratio, memory) in at.items():
        if name not in ("S4 DPLR", "S4D diagonal"):
            continue
        ok_ratio = "meets" if ratio <= 1.5 else "misses"
        lines.append(f"* {name}: {ratio:.2f}x the floor ({ok_ratio} the 1.5x goal), peak memory {memory:.0f} MB "
                     f"({'under' if memory < 1536 else 'over'} 1.5 GB).")
    return "\n".join(lines)


def plot_layer(rows, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    for name in dict.fromkeys(r[1] for r in rows):
        if name.endswith("only"):
            continue
        points = [(L, s) for L, n, s, _, _ in rows if n == name]
        ax.loglog(*zip(*points), marker="o", label=name)
    lengths = sorted({r[0] for r in rows})
    floor = {L: s for L, n, s, _, _ in rows if n.startswith("FFT")}
    ref_L = lengths[-1]
    ax.loglog(lengths, [floor[ref_L] * L / ref_L for L in lengths], "k--", lw=0.8, label="slope 1")
    ax.set_xlabel("sequence length L")
    ax.set_ylabel("forward + backward time (s)")
    ax.set_title("S4Layer, batch 16, d_model 64, d_state 64, CPU")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aeon-python", default=None, help="interpreter with aeon installed (MiniRocket)")
    parser.add_argument("--quick", action="store_true", help="small settings: checks the pipeline, not the figures")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()

    py = sys.executable
    aeon = ["--aeon-python", args.aeon_python] if args.aeon_python else []
    quick = args.quick
    commands = {
        "layer": [py, BENCH / "bench_layer.py", "--lengths", *map(str, [256, 1024] if quick else LAYER_LENGTHS)],
        "state": [py, BENCH / "bench_state.py", *(["--lengths", "1000"] if quick else [])],
        "estimators": [py, BENCH / "bench_estimators.py", "--threads", "2", "--seeds",
                       *(["0"] if quick else ["0", "1", "2", "3", "4"])]
        + (["--datasets", "italy_power_demand"] if quick else []),
        "features_speed": [py, BENCH / "bench_features.py", "--threads", "2", *aeon]
        + (["--n-series", "500", "--length", "200"] if quick else []),
        "features_accuracy": [py, BENCH / "bench_features_accuracy.py", *aeon],
        "forecasting": [py, BENCH / "bench_forecasting.py", "--seeds", *(["0"] if quick else ["0", "1", "2", "3", "4"])],
    }
    if args.aeon_python is None:
        commands["features_accuracy"].append("--no-minirocket")

    t_start = time.perf_counter()
    parts = []
    for key, cmd in commands.items():
        output, _ = run([str(c) for c in cmd], sys.stderr)
        printable = " ".join(["python", *(str(c) for c in cmd[1:])]).replace(str(ROOT) + "/", "")
        if args.aeon_python:
            printable = printable.replace(args.aeon_python, "<python with aeon>")
        verdict = ""
        if key == "layer":
            rows = layer_rows(output)
            verdict = layer_verdict(rows)
            plot_layer(rows, ROOT / "docs" / "_static" / "layer_scaling.png")
        parts.append(SECTIONS[key].format(cmd=printable, output=as_text(output), verdict=verdict))
    total = time.perf_counter() - t_start

    import numpy
    import sklearn
    import torch

    intro = INTRO.format(
        command="python benchmarks/report.py" + (" --aeon-python <python with aeon>" if args.aeon_python else "")
        + (" --quick" if quick else ""),
        date=dt.date.today().isoformat(),
        machine=f"{platform.system()} {platform.machine()}",
        cores=os.cpu_count(),
        python=platform.python_version(),
        torch=torch.__version__,
        numpy=numpy.__version__,
        sklearn=sklearn.__version__,
        cuda=torch.cuda.get_device_name(0) if torch.cuda.is_available() else "not available (no CUDA figures)",
        total=total,
    )
    Path(args.output).write_text(intro + "\n" + "\n".join(parts))
    print(f"[report] wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
