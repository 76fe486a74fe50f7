"""The S4 backbone: encoder, residual S4 blocks, final normalisation."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor, nn

from sks4.nn._checks import check_lengths, check_positive_int, check_sequence, check_step_input, sequence_mask
from sks4.nn.kernels import SSMKernel
from sks4.nn.layer import ChannelLinear, S4Layer

__all__ = ["S4Block", "S4Model", "ssm_parameter_names"]


def _channel_norm(norm: nn.LayerNorm, x: Tensor) -> Tensor:
    """LayerNorm over the channel axis of (B, H, L)."""
    return norm(x.transpose(-1, -2)).transpose(-1, -2)


class S4Block(nn.Module):
    """Pre-norm residual block: ``x + Dropout(S4Layer(LayerNorm(x)))``.

    LayerNorm acts on each time step separately, so a block never mixes
    information across positions other than through the (causal or masked)
    SSM convolution.
    """

    def __init__(self, d_model: int, dropout: float = 0.0, **layer_kwargs):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.layer = S4Layer(d_model, dropout=dropout, **layer_kwargs)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        # x: (B, H, L), mask: (B, 1, L) or None
        return x + self.dropout(self.layer._forward(_channel_norm(self.norm, x), mask))

    def default_state(self, batch_size: int) -> Tensor:
        """Zero state of the block's layer for :meth:`step`, complex (batch_size, H, state size)."""
        return self.layer.default_state(batch_size)

    def forward_with_state(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(forward(x), state)``: the block's output and its layer's recurrent state after ``x`` (B, H, L)."""
        u = _channel_norm(self.norm, x)  # the layer's input, which its SSM reads
        y, state = self.layer._forward_with_state(u)  # x was checked by the model
        return x + self.dropout(y), state

    def step(self, x: Tensor, state: Tensor) -> tuple[Tensor, Tensor]:
        """One time step ``x`` (B, H) -> ``(output (B, H), new state)``; the same outputs as :meth:`forward`."""
        y, state = self.layer.step(self.norm(x), state)
        return x + y, state


class S4Model(nn.Module):
    """S4 backbone: sequences (B, d_input, L) -> features (B, d_model, L).

    A position-wise linear encoder, ``n_layers`` pre-norm residual S4 blocks
    and a final LayerNorm.

    Parameters
    ----------
    d_input : int
        Number of input channels.
    d_model : int, default=64
        Width of the model (channels of every S4 layer).
    d_state : int, default=64
        State size of every SSM (even).
    n_layers : int, default=4
        Number of residual S4 blocks.
    kernel : {"dplr", "diag"}, default="dplr"
    bidirectional : bool, default=False
    dropout : float, default=0.0
    dt_min, dt_max : float
        Range of the log-uniform initial step sizes.
    discretization : {"bilinear", "zoh"}, optional
        Defaults to "bilinear" for "dplr" and "zoh" for "diag".
    init : str, optional
        Initialisation of the diagonal kernel.

    Examples
    --------
    >>> import torch
    >>> model = S4Model(d_input=3, d_model=16, d_state=8, n_layers=2).eval()
    >>> x = torch.randn(4, 3, 30)
    >>> model(x, lengths=torch.tensor([30, 12, 5, 30])).shape
    torch.Size([4, 16, 30])

    Step by step (causal models only) gives the same outputs:

    >>> state = model.default_state(4)
    >>> y0, state = model.step(x[:, :, 0], state)
    >>> y0.shape
    torch.Size([4, 16])
    """

    def __init__(
        self,
        d_input: int,
        d_model: int = 64,
        d_state: int = 64,
        n_layers: int = 4,
        kernel: str = "dplr",
        bidirectional: bool = False,
        dropout: float = 0.0,
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        discretization: str | None = None,
        init: str | None = None,
    ):
        super().__init__()
        self.d_input = check_positive_int(d_input, "d_input")
        self.d_model = check_positive_int(d_model, "d_model")
        check_positive_int(n_layers, "n_layers")
        self.encoder = ChannelLinear(self.d_input, self.d_model)
        self.blocks = nn.ModuleList(
            S4Block(
                self.d_model,
                dropout=dropout,
                d_state=d_state,
                kernel=kernel,
                bidirectional=bidirectional,
                dt_min=dt_min,
                dt_max=dt_max,
                discretization=discretization,
                init=init,
            )
            for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(self.d_model)

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """Features of a padded batch.

        Parameters
        ----------
        x : Tensor of shape (B, d_input, L)
        lengths : integer Tensor of shape (B,), optional
            True lengths; what lies at or beyond a sequence's length never
            changes its outputs, and its outputs there are zero. The padding
            must be finite (zeros, say): NaN or infinite values anywhere in
            ``x`` are refused.

        Returns
        -------
        Tensor of shape (B, d_model, L)
        """
        x = check_sequence(x, self.d_input, self.encoder.weight.dtype, "x")
        mask = None
        if lengths is not None:
            mask = sequence_mask(check_lengths(lengths, x.shape[0], x.shape[-1], x.device), x.shape[-1])
        h = self.encoder(x)  # (B, H, L)
        for block in self.blocks:
            h = block(h, mask)
        h = _channel_norm(self.norm, h)
        return h if mask is None else h * mask

    def forward_with_state(self, x: Tensor) -> tuple[Tensor, list[Tensor]]:
        """Features of whole sequences and the recurrent state at their end.

        The convolutional view (:meth:`forward`) with, for every block, the
        state that :meth:`step` reaches from :meth:`default_state` after the
        sequence, computed without a loop over time: read a long history in
        one pass, then go on with :meth:`step`. Eval mode, causal model; all
        sequences of the batch count as full length (no ``lengths``).

        Parameters
        ----------
        x : Tensor of shape (B, d_input, L)

        Returns
        -------
        features : Tensor of shape (B, d_model, L)
            ``forward(x)``.
        state : list of Tensor
            As :meth:`default_state` and :meth:`step` use it.

        Examples
        --------
        >>> import torch
        >>> model = S4Model(d_input=2, d_model=8, d_state=4, n_layers=2).eval()
        >>> x = torch.randn(1, 2, 100)
        >>> features, state = model.forward_with_state(x[..., :99])
        >>> last, _ = model.step(x[..., 99], state)
        >>> torch.allclose(last, model(x)[..., 99], atol=1e-4)
        True
        """
        x = check_sequence(x, self.d_input, self.encoder.weight.dtype, "x")
        h = self.encoder(x)  # (B, H, L)
        states = []
        for block in self.blocks:
            h, state = block.forward_with_state(h)
            states.append(state)
        return _channel_norm(self.norm, h), states

    def default_state(self, batch_size: int) -> list[Tensor]:
        """Zero initial state for :meth:`step`: one tensor per block."""
        return [block.default_state(batch_size) for block in self.blocks]

    def step(self, x: Tensor, state: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """Advance one time step: ``x`` (B, d_input) -> ``(y (B, d_model), new state)``."""
        x = check_step_input(x, self.d_input, self.encoder.weight.dtype, "x_t")
        if not isinstance(state, (list, tuple)) or len(state) != len(self.blocks):
            raise ValueError(f"state must be the list of {len(self.blocks)} tensors from default_state() or step().")
        h = self.encoder(x)
        new_state = []
        for block, s in zip(self.blocks, state):
            h, s = block.step(h, s)
            new_state.append(s)
        return self.norm(h), new_state


def ssm_parameter_names(module: nn.Module) -> list[str]:
    """Names (as in ``module.named_parameters()``) of the SSM parameters.

    These (``A``, ``dt``, ``B``, ``P``) should get their own, usually smaller,
    learning rate and no weight decay.

    Examples
    --------
    >>> model = S4Model(d_input=1, d_model=4, d_state=4, n_layers=1)
    >>> ssm_parameter_names(model)
    ['blocks.0.layer.kernel.log_dt', 'blocks.0.layer.kernel.log_neg_A_real', 'blocks.0.layer.kernel.A_imag', 'blocks.0.layer.kernel.B', 'blocks.0.layer.kernel.P']
    """
    return list(_iter_ssm_names(module))


def _iter_ssm_names(module: nn.Module) -> Iterator[str]:
    for prefix, sub in module.named_modules():
        if isinstance(sub, SSMKernel):
            for name in sub.ssm_parameters:
                yield f"{prefix}.{name}" if prefix else name
