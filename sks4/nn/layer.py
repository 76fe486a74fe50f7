"""The S4 layer: SSM convolution, skip term, GELU, gated output mixing."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from sks4.nn._checks import (
    check_bool,
    check_float,
    check_lengths,
    check_positive_int,
    check_sequence,
    check_step_input,
    sequence_mask,
)
from sks4.nn.functional import fft_conv
from sks4.nn.kernels import DiagonalKernel, DPLRKernel

__all__ = ["S4Layer", "ChannelLinear", "KERNELS"]

KERNELS = ("dplr", "diag")


class ChannelLinear(nn.Linear):
    """``nn.Linear`` on the channel axis: (B, C_in, L) -> (B, C_out, L), or (B, C_in) -> (B, C_out).

    One batched matrix product, no transposes (about twice as fast as a
    kernel-size-1 ``Conv1d`` on CPU).
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 2:
            return super().forward(x)
        return torch.baddbmm(self.bias.unsqueeze(-1), self.weight.expand(x.shape[0], -1, -1), x)


def make_kernel(
    kernel: str,
    d_model: int,
    d_state: int,
    discretization: str | None,
    init: str | None,
    dt_min: float,
    dt_max: float,
):
    """Build the SSM kernel named by ``kernel`` ("dplr" or "diag")."""
    if kernel == "dplr":
        if init not in (None, "legs"):
            raise ValueError(f"The DPLR kernel is initialised from HiPPO-LegS: init must be None or 'legs', got {init!r}.")
        return DPLRKernel(d_model, d_state, discretization or "bilinear", dt_min, dt_max)
    if kernel == "diag":
        return DiagonalKernel(d_model, d_state, init or "diag-legs", discretization or "zoh", dt_min, dt_max)
    raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}.")


class S4Layer(nn.Module):
    """One S4 layer: ``y = W · GELU(K * u + D u)`` with a gated (GLU) output mixing.

    Parameters
    ----------
    d_model : int
        Number of channels ``H``; each has its own SSM.
    d_state : int, default=64
        State size ``N`` of each SSM (even).
    kernel : {"dplr", "diag"}, default="dplr"
        S4's diagonal-plus-low-rank kernel or S4D's diagonal kernel.
    bidirectional : bool, default=False
        Add an anti-causal SSM (its own parameters) that reads the sequence
        backwards. Not available for :meth:`step`.
    dropout : float, default=0.0
        Dropout after the activation.
    dt_min, dt_max : float
        Range of the log-uniform initial step sizes.
    discretization : {"bilinear", "zoh"}, optional
        Defaults to "bilinear" for "dplr" and "zoh" for "diag".
    init : str, optional
        Initialisation of the diagonal kernel ("diag-legs", "diag-lin",
        "diag-inv"); the DPLR kernel always starts from HiPPO-LegS.

    Attributes
    ----------
    kernel : SSMKernel
        The SSM kernel module (``kernel(L)`` gives the (H, L) convolution
        kernel, or (2H, L) when bidirectional).

    Examples
    --------
    >>> import torch
    >>> layer = S4Layer(d_model=8, d_state=16)
    >>> layer(torch.randn(2, 8, 50)).shape
    torch.Size([2, 8, 50])
    """

    def __init__(
        self,
        d_model: int,
        d_state: int = 64,
        kernel: str = "dplr",
        bidirectional: bool = False,
        dropout: float = 0.0,
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        discretization: str | None = None,
        init: str | None = None,
    ):
        super().__init__()
        d_model = check_positive_int(d_model, "d_model")  # before doubling it for a bidirectional kernel
        check_float(dropout, "dropout", 0.0, 1.0, low_open=False, high_open=True)
        self.bidirectional = check_bool(bidirectional, "bidirectional")
        self.kernel = make_kernel(
            kernel, d_model * (2 if self.bidirectional else 1), d_state, discretization, init, dt_min, dt_max
        )
        self.d_model = int(d_model)
        self.D = nn.Parameter(torch.randn(self.d_model))
        self.activation = nn.GELU()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.output_linear = nn.Sequential(ChannelLinear(self.d_model, 2 * self.d_model), nn.GLU(dim=1))

    def forward(self, u: Tensor, lengths: Tensor | None = None) -> Tensor:
        """Apply the layer to ``u`` of shape (B, H, L); returns (B, H, L).

        With ``lengths`` (B,), positions at or beyond a sequence's length do
        not affect its outputs, and its outputs there are zero. The padding
        must still be finite (zeros, say): NaN or infinite values anywhere
        in ``u`` are refused.
        """
        u = check_sequence(u, self.d_model, self.D.dtype, "u")
        mask = None
        if lengths is not None:
            mask = sequence_mask(check_lengths(lengths, u.shape[0], u.shape[-1], u.device), u.shape[-1])
        return self._forward(u, mask)

    def _forward(self, u: Tensor, mask: Tensor | None) -> Tensor:
        H, L = self.d_model, u.shape[-1]
        if mask is not None:
            # The anti-causal kernel would read the padding; the causal one cannot, but the FFT's
            # rounding spreads every input value a little over all positions, so zero it either way.
            u = u * mask
        k = self.kernel(L)  # (H, L) or (2H, L)
        # The skip term D u is the convolution with D δ: fold it into the causal kernel's lag 0.
        skip = F.pad(self.D.unsqueeze(-1), (0, L - 1))  # (H, L)
        if self.bidirectional:
            causal, anticausal = k.view(2, H, L)
            k = torch.stack([causal + skip, anticausal])
        else:
            k = k + skip
        # Convolution, activation and gated mixing, by chunks of the batch on the CPU
        # (their temporaries are then reused instead of freshly mapped, see batch_chunk_rows).
        y = fft_conv(u, k, self.bidirectional, then=self._mix)  # (B, H, L)
        return y if mask is None else y * mask

    def _mix(self, y: Tensor) -> Tensor:
        return self.output_linear(self.dropout(self.activation(y)))  # (B, H, L)

    # --- recurrent view -------------------------------------------------------------
    def _check_recurrent(self, method: str = "step()") -> None:
        if self.bidirectional:
            raise ValueError(f"{method} needs a causal layer; this one is bidirectional (it reads the future).")
        if self.training:
            raise RuntimeError(f"{method} belongs to the inference view of the layer: call .eval() first.")

    def default_state(self, batch_size: int) -> Tensor:
        """Zero initial state for :meth:`step`, complex (batch_size, H, state size)."""
        self._check_recurrent()
        return self.kernel.default_state(batch_size)

    def forward_with_state(self, u: Tensor) -> tuple[Tensor, Tensor]:
        """Read a whole sequence in the convolutional view and return the recurrent state at its end.

        ``(y, state)`` with ``y == forward(u)`` and ``state`` the state that
        :meth:`step` reaches from :meth:`default_state` after ``u`` (computed
        without a loop over time, see :meth:`SSMKernel.state_after`), so
        that stepping on from it continues the sequence. Eval mode, causal
        layers; all sequences of the batch count as full length.

        Parameters
        ----------
        u : Tensor of shape (B, H, L)

        Returns
        -------
        y : Tensor of shape (B, H, L)
        state : complex Tensor of shape (B, H, state size)
        """
        u = check_sequence(u, self.d_model, self.D.dtype, "u")
        return self._forward_with_state(u)

    def _forward_with_state(self, u: Tensor) -> tuple[Tensor, Tensor]:
        self._check_recurrent("forward_with_state()")
        return self._forward(u, None), self.kernel.state_after(u)

    def step(self, u: Tensor, state: Tensor) -> tuple[Tensor, Tensor]:
        """Advance one time step: ``u`` (B, H) -> ``(y (B, H), new state)``.

        Gives the same outputs as :meth:`forward` on the whole sequence.
        """
        self._check_recurrent()
        u = check_step_input(u, self.d_model, self.D.dtype, "u")
        y, state = self.kernel.step(u, state)
        y = self.activation(y + self.D * u)
        y = self.output_linear(y)  # (B, H)
        return y, state
