"""Pictures of S4: the HiPPO-LegS matrix, SSM convolution kernels, and the two views of a layer.

Saves a three-panel figure:

1. the HiPPO-LegS state matrix ``A`` (N = 32) from :func:`sks4.hippo.transition`;
2. convolution kernels ``K[h, :]`` of a few channels of a freshly initialised
   S4 (DPLR) kernel and an S4D (diagonal) kernel: each channel's step size
   ``dt`` sets how far back it looks;
3. one output channel of a causal ``S4Layer`` computed by the FFT convolution
   (the training view) and by the recurrence, one step at a time (the
   inference view): the two coincide.

Run::

    python examples/plot_s4_kernels.py [output.png]
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from sks4 import hippo  # noqa: E402
from sks4.nn import DiagonalKernel, DPLRKernel, S4Layer  # noqa: E402


def main(path: str = "s4_kernels.png") -> None:
    torch.manual_seed(0)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))

    A, _ = hippo.transition("legs", 32)
    limit = np.abs(A).max()
    image = axes[0].imshow(A, cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[0].set_title("HiPPO-LegS state matrix A (N = 32)")
    axes[0].set_xlabel("k")
    axes[0].set_ylabel("n")
    fig.colorbar(image, ax=axes[0], shrink=0.8)

    L = 400
    with torch.no_grad():
        dplr = DPLRKernel(d_model=4, d_state=64, dt_min=0.005, dt_max=0.1)(L)  # (4, L)
        diag = DiagonalKernel(d_model=4, d_state=64, dt_min=0.005, dt_max=0.1)(L)  # (4, L)
    for h in range(3):
        axes[1].plot(dplr[h].numpy(), color=f"C{h}", lw=1.2, label=f"S4 (DPLR), channel {h}")
        axes[1].plot(diag[h].numpy(), color=f"C{h}", lw=1.0, ls="--", label=f"S4D (diagonal), channel {h}")
    axes[1].set_title("convolution kernels K[h, l] at initialisation")
    axes[1].set_xlabel("lag l")
    axes[1].legend(fontsize=7, ncol=2)

    layer = S4Layer(d_model=4, d_state=64, kernel="dplr").eval()
    t = torch.arange(300, dtype=torch.float32)
    u = torch.stack([torch.sin(t / 15), torch.sign(torch.sin(t / 40)), torch.cos(t / 7), t / 300])[None]  # (1, 4, L)
    with torch.no_grad():
        conv = layer(u)[0, 0]  # (L,)
        state = layer.default_state(1)
        steps = []
        for i in range(u.shape[-1]):
            y, state = layer.step(u[:, :, i], state)
            steps.append(y[0, 0])
        recurrent = torch.stack(steps)
    axes[2].plot(conv.numpy(), lw=2.5, alpha=0.6, label="convolution (training view)")
    axes[2].plot(recurrent.numpy(), "k--", lw=1, label="recurrence, step by step (inference view)")
    gap = float((conv - recurrent).abs().max())
    axes[2].set_title(f"S4Layer output, channel 0 (max difference {gap:.1e})")
    axes[2].set_xlabel("time step")
    axes[2].legend(fontsize=8)

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"saved {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
