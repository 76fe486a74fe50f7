"""Torch side of :class:`sks4.S4Forecaster`: the network, its loss and its training windows.

* :class:`S4ForecastNetwork` -- a causal S4 backbone over the history and a
  direct multi-horizon quantile head: at every time step ``t`` it outputs,
  for each horizon ``h <= max_horizon``, each target and each quantile
  level, the (scaled) change of the target from ``t`` to ``t + h``. The head
  of horizon ``h`` sees the backbone's features at ``t`` and the exogenous
  variables known at ``t + h``.
* :class:`PinballLoss` -- the quantile (pinball) loss, averaged over the
  entries whose target is known (NaN marks the others).
* :class:`WindowDataset` -- training windows cut from one long series on the
  fly (nothing of size windows x length is materialised).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from sks4.nn import S4Model

__all__ = ["S4ForecastNetwork", "PinballLoss", "WindowDataset"]


class S4ForecastNetwork(nn.Module):
    """Causal S4 backbone and a direct multi-horizon quantile head.

    Parameters
    ----------
    d_input : int
        Input channels per time step (scaled target changes, then exogenous variables).
    n_targets : int
        Number of target series.
    max_horizon : int
        Number of steps ahead forecast from every time step.
    n_quantiles : int
        Number of quantile levels of each forecast.
    n_exog : int
        Number of exogenous variables the head of each horizon sees at its target time.
    d_model, d_state, n_layers, kernel, dropout, dt_min, dt_max
        Passed to :class:`sks4.nn.S4Model` (always causal).

    Examples
    --------
    >>> import torch
    >>> net = S4ForecastNetwork(d_input=1, n_targets=1, max_horizon=3, n_quantiles=5, n_exog=0,
    ...                         d_model=8, d_state=4, n_layers=1)
    >>> net(torch.randn(2, 1, 20), torch.tensor([20, 7])).shape
    torch.Size([2, 20, 1, 3, 5])
    """

    def __init__(
        self,
        d_input: int,
        n_targets: int,
        max_horizon: int,
        n_quantiles: int,
        n_exog: int = 0,
        d_model: int = 32,
        d_state: int = 32,
        n_layers: int = 2,
        kernel: str = "diag",
        dropout: float = 0.0,
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
    ):
        super().__init__()
        self.n_targets, self.max_horizon, self.n_quantiles, self.n_exog = n_targets, max_horizon, n_quantiles, n_exog
        self.backbone = S4Model(
            d_input, d_model=d_model, d_state=d_state, n_layers=n_layers, kernel=kernel, dropout=dropout,
            dt_min=dt_min, dt_max=dt_max,
        )
        n_out = n_targets * n_quantiles
        # One linear map per horizon: features at t (and exogenous values at t + h) -> outputs.
        self.head_weight = nn.Parameter(torch.randn(max_horizon, d_model + n_exog, n_out) / (d_model + n_exog) ** 0.5)
        self.head_bias = nn.Parameter(torch.zeros(max_horizon, n_out))

    def head(self, h: Tensor, future: Tensor | None = None) -> Tensor:
        """Forecasts from features ``h`` (..., d_model) and exogenous values ``future`` (..., max_horizon, n_exog).

        Returns a tensor of shape (..., n_targets, max_horizon, n_quantiles).
        """
        features = h.unsqueeze(-2).expand(*h.shape[:-1], self.max_horizon, h.shape[-1])  # (..., Hz, D)
        if self.n_exog:
            features = torch.cat([features, future], dim=-1)  # (..., Hz, D + E)
        out = torch.einsum("...kd,kdo->...ko", features, self.head_weight) + self.head_bias  # (..., Hz, T*Q)
        out = out.unflatten(-1, (self.n_targets, self.n_quantiles))  # (..., Hz, T, Q)
        return out.transpose(-3, -2)  # (..., T, Hz, Q)

    def forward(self, x: Tensor, lengths: Tensor, future: Tensor | None = None) -> Tensor:
        """Forecasts from every time step of a padded batch.

        Parameters
        ----------
        x : Tensor of shape (B, d_input, L)
        lengths : int64 Tensor of shape (B,)
        future : Tensor of shape (B, L, max_horizon, n_exog), optional
            Exogenous values at ``t + h`` for each position ``t`` and horizon ``h``.

        Returns
        -------
        Tensor of shape (B, L, n_targets, max_horizon, n_quantiles)
        """
        h = self.backbone(x, lengths).transpose(1, 2)  # (B, L, D)
        return self.head(h, future)


class PinballLoss(nn.Module):
    """Mean pinball loss over the entries whose target is finite.

    Parameters
    ----------
    quantiles : sequence of float
        Quantile levels, in the order of the last axis of the predictions.

    Examples
    --------
    >>> import torch
    >>> loss = PinballLoss([0.1, 0.5, 0.9])
    >>> y_true = torch.tensor([[1.0, float("nan")]])           # (B, ...)
    >>> y_pred = torch.tensor([[[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]])  # (B, ..., Q)
    >>> float(loss(y_pred, y_true))
    0.0
    """

    def __init__(self, quantiles):
        super().__init__()
        self.register_buffer("quantiles", torch.as_tensor(np.asarray(quantiles, dtype=np.float64)))

    def forward(self, y_pred: Tensor, y_true: Tensor) -> Tensor:
        known = torch.isfinite(y_true)  # (B, ...)
        target = torch.where(known, y_true, torch.zeros_like(y_true)).unsqueeze(-1)  # (B, ..., 1)
        error = target - y_pred  # (B, ..., Q)
        q = self.quantiles.to(y_pred.dtype)
        loss = torch.maximum(q * error, (q - 1) * error).mean(-1)  # (B, ...)
        n_known = known.sum().clamp(min=1)
        return (loss * known).sum() / n_known


class WindowDataset(torch.utils.data.Dataset):
    """Training windows of one long series, cut on the fly.

    Window ``i`` covers positions ``[start_i, start_i + length_i)`` of the
    series, padded to ``window`` steps. Targets of position ``t`` and horizon
    ``h`` come from the whole series (not only the window), so every window
    position with a known future contributes.

    Parameters
    ----------
    inputs : float array of shape (C, T)
        Network inputs of every time step.
    targets : float array of shape (T, n_targets, max_horizon)
        Scaled target changes, NaN where ``t + h`` lies beyond the series.
    future : float array of shape (T, max_horizon, n_exog) or None
        Exogenous values at ``t + h`` (zeros beyond the series).
    starts : int array
        First position of each window.
    window : int
        Window length (the last windows are shorter and padded).
    """

    def __init__(self, inputs: np.ndarray, targets: np.ndarray, future: np.ndarray | None, starts, window: int):
        self.inputs = torch.as_tensor(inputs)
        self.targets = torch.as_tensor(targets)
        self.future = None if future is None else torch.as_tensor(future)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.window = int(window)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        start = int(self.starts[i])
        stop = min(start + self.window, self.inputs.shape[-1])
        n = stop - start
        pad = self.window - n
        x = torch.nn.functional.pad(self.inputs[:, start:stop], (0, pad))  # (C, window)
        y = torch.nn.functional.pad(self.targets[start:stop], (0, 0, 0, 0, 0, pad), value=float("nan"))
        X = {"x": x, "lengths": torch.tensor(n, dtype=torch.int64)}
        if self.future is not None:
            X["future"] = torch.nn.functional.pad(self.future[start:stop], (0, 0, 0, 0, 0, pad))
        return X, y  # y: (window, n_targets, max_horizon)
