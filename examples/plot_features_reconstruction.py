"""What the HiPPO memories of S4Features keep of a series.

Reads one GunPoint series (shipped with sks4, no download) into three
memories of 16 coefficients and draws, for each, the series, its
reconstruction from the final coefficients, and the coefficients:

1. LegT over the whole series (``window=None``);
2. LegT over its last half (``window=0.5``): the same number of
   coefficients spent on a shorter window gives a sharper picture of it;
3. LegS, the scaled Legendre memory of the whole history.

Usage::

    python examples/plot_features_reconstruction.py                 # examples/output/features_reconstruction.png
    python examples/plot_features_reconstruction.py path/to/figure.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sks4 import S4Features  # noqa: E402
from sks4.datasets import load_gunpoint  # noqa: E402
from sks4.plotting import plot_reconstruction  # noqa: E402


def main(path: Path) -> None:
    X, y = load_gunpoint("train")  # (50, 150)
    memories = [
        (S4Features(measure="legt", n_coefs=16, window=None), "legt", None),
        (S4Features(measure="legt", n_coefs=16, window=0.5), "legt", None),
        (S4Features(measure="legs", n_coefs=16), "legs", None),
    ]
    fig, axes = plt.subplots(
        len(memories), 2, figsize=(11, 8.5), gridspec_kw={"width_ratios": [3, 1]}, layout="constrained"
    )
    for row, (features, measure, window) in zip(axes, memories):
        plot_reconstruction(features, X, index=0, measure=measure, window=window, axes=row)
    fig.suptitle(f"GunPoint series 0 (class {y[0]}) read into 16-coefficient HiPPO memories")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"saved {path}")


if __name__ == "__main__":
    default = Path(__file__).resolve().parent / "output" / "features_reconstruction.png"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
