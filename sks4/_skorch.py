"""skorch plumbing behind :class:`~sks4.S4Classifier` and :class:`~sks4.S4Regressor`.

* :class:`S4Network` -- the torch module: input standardisation, the S4
  backbone (:class:`sks4.nn.S4Model`), pooling over each series' valid time
  steps, dropout and a linear head.
* :class:`S4Net` -- a skorch :class:`~skorch.NeuralNet` whose loss honours
  per-sample weights passed in the input dict.
* Callbacks: :class:`CosineSchedule` (a cosine learning-rate decay that
  restarts at every call to ``fit``), :class:`ValidEarlyStopping` (early
  stopping that stays idle when there is no validation set) and
  :class:`FiniteLossGuard` (stops training with a clear error when the loss
  becomes NaN or infinite).

The estimators feed the network a dict ``{"x": (B, C, L) float tensor,
"lengths": (B,) int64 tensor[, "sample_weight": (B,) tensor]}``; skorch passes
the keys on as keyword arguments of :meth:`S4Network.forward`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping, LRScheduler
from skorch.dataset import unpack_data
from torch import Tensor, nn
from torch.optim.lr_scheduler import LambdaLR

from sks4.nn import S4Model, ssm_parameter_names
from sks4.nn._checks import check_float, check_lengths, check_positive_int, check_sequence

__all__ = [
    "POOLINGS",
    "masked_pool",
    "S4Network",
    "S4Net",
    "ssm_parameter_patterns",
    "CosineSchedule",
    "ValidEarlyStopping",
    "ValidAccuracy",
    "FiniteLossGuard",
    "GRADIENT_CLIP_NORM",
    "ssm_param_groups",
    "training_callbacks",
]

GRADIENT_CLIP_NORM = 1.0  # max. global gradient norm

POOLINGS = ("mean", "last", "max")


def masked_pool(h: Tensor, lengths: Tensor, pooling: str) -> Tensor:
    """Pool features over each sequence's valid time steps.

    Parameters
    ----------
    h : Tensor of shape (B, H, L)
    lengths : int64 Tensor of shape (B,)
        True lengths, each in ``[1, L]``.
    pooling : {"mean", "last", "max"}

    Returns
    -------
    Tensor of shape (B, H)
    """
    L = h.shape[-1]
    valid = (torch.arange(L, device=h.device) < lengths[:, None]).unsqueeze(1)  # (B, 1, L)
    if pooling == "mean":
        return (h * valid).sum(-1) / lengths[:, None].to(h.dtype)  # (B, H)
    if pooling == "max":
        return h.masked_fill(~valid, float("-inf")).amax(-1)  # (B, H)
    if pooling == "last":
        index = (lengths - 1).view(-1, 1, 1).expand(-1, h.shape[1], 1)  # (B, H, 1)
        return h.gather(-1, index).squeeze(-1)  # (B, H)
    raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")


class S4Network(nn.Module):
    """S4 backbone, masked pooling and a linear head: (B, C, L) -> (B, n_outputs).

    Parameters
    ----------
    d_input : int
        Number of input channels ``C``.
    n_outputs : int
        Number of outputs (classes, or regression targets).
    d_model, d_state, n_layers, kernel, bidirectional, dt_min, dt_max, dropout
        Passed to :class:`sks4.nn.S4Model`; ``dropout`` is also applied to
        the pooled features before the head.
    pooling : {"mean", "last", "max"}, default="mean"
        How the backbone's features are summarised over the valid time steps.
    augment_scale : float, default=0.0
        Training-time magnitude scaling: in training mode every series
        (after standardisation) is multiplied by its own factor drawn
        uniformly from ``[1 - augment_scale, 1 + augment_scale]``.
    augment_noise : float, default=0.0
        Training-time jitter: in training mode Gaussian noise of this
        standard deviation (in units of each channel's standard deviation)
        is added to every valid time step after standardisation.

    Attributes
    ----------
    input_shift, input_scale : buffers of shape (C,)
        Per-channel standardisation applied to the input, ``(x - shift) /
        scale``; set from the training data with :meth:`set_input_scaling`.

    Examples
    --------
    >>> import torch
    >>> net = S4Network(d_input=2, n_outputs=3, d_model=8, d_state=4, n_layers=1)
    >>> net(torch.randn(5, 2, 20), torch.tensor([20, 9, 3, 20, 1])).shape
    torch.Size([5, 3])
    """

    def __init__(
        self,
        d_input: int,
        n_outputs: int,
        d_model: int = 64,
        d_state: int = 64,
        n_layers: int = 4,
        kernel: str = "dplr",
        bidirectional: bool = False,
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
        dropout: float = 0.0,
        pooling: str = "mean",
        augment_scale: float = 0.0,
        augment_noise: float = 0.0,
    ):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        n_outputs = check_positive_int(n_outputs, "n_outputs")
        check_float(augment_scale, "augment_scale", 0.0, 1.0, low_open=False, high_open=True)
        check_float(augment_noise, "augment_noise", 0.0, math.inf, low_open=False, high_open=True)
        self.pooling = pooling
        self.augment_scale = float(augment_scale)
        self.augment_noise = float(augment_noise)
        self.backbone = S4Model(
            d_input,
            d_model=d_model,
            d_state=d_state,
            n_layers=n_layers,
            kernel=kernel,
            bidirectional=bidirectional,
            dropout=dropout,
            dt_min=dt_min,
            dt_max=dt_max,
        )
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = nn.Linear(d_model, n_outputs)
        self.register_buffer("input_shift", torch.zeros(d_input))
        self.register_buffer("input_scale", torch.ones(d_input))

    def set_input_scaling(self, shift: np.ndarray, scale: np.ndarray) -> None:
        """Set the per-channel input standardisation ``(x - shift) / scale``."""
        with torch.no_grad():
            self.input_shift.copy_(torch.as_tensor(shift))
            self.input_scale.copy_(torch.as_tensor(scale))

    def embed(self, x: Tensor, lengths: Tensor) -> Tensor:
        """Pooled backbone features: (B, C, L), (B,) -> (B, d_model)."""
        x = check_sequence(x, self.input_shift.shape[0], self.input_shift.dtype, "x")
        lengths = check_lengths(lengths, x.shape[0], x.shape[-1], x.device)
        x = (x - self.input_shift[:, None]) / self.input_scale[:, None]  # (B, C, L)
        if self.training:
            x = self.augment(x, lengths)
        h = self.backbone(x, lengths)  # (B, H, L), zero beyond each length
        return masked_pool(h, lengths, self.pooling)  # (B, H)

    def augment(self, x: Tensor, lengths: Tensor) -> Tensor:
        """Random magnitude scaling and jitter of standardised series (B, C, L); a new tensor.

        Draws from torch's default generator, as dropout does. Only the
        valid time steps receive noise; the padding is left to the mask.
        """
        if self.augment_scale:
            factor = torch.rand(x.shape[0], 1, 1, device=x.device, dtype=x.dtype)  # (B, 1, 1)
            x = x * (1.0 + self.augment_scale * (2.0 * factor - 1.0))
        if self.augment_noise:
            valid = torch.arange(x.shape[-1], device=x.device) < lengths[:, None]  # (B, L)
            x = x + self.augment_noise * torch.randn_like(x) * valid.unsqueeze(1)
        return x

    def forward(self, x: Tensor, lengths: Tensor, **kwargs) -> Tensor:
        """Outputs (logits or standardised regression targets), shape (B, n_outputs).

        Extra keys of the input dict (``sample_weight``) arrive as ``kwargs``
        and are used by the loss only. ``x`` must have the network's dtype
        (float64 for ``dtype="float64"`` estimators); ``lengths`` holds
        integers in ``[1, L]``.
        """
        return self.head(self.dropout(self.embed(x, lengths)))  # (B, n_outputs)


def ssm_parameter_patterns(n_layers: int, kernel: str, bidirectional: bool) -> list[str]:
    """Exact names, in :class:`S4Network`, of the SSM parameters of its backbone.

    The names depend only on the structure of the backbone (number of
    layers, kernel type, direction), so they are read from a minimal copy of
    it (width 1, state size 2). The global torch random state is left as it
    was. The names serve as patterns for skorch's
    ``optimizer__param_groups``.
    """
    with torch.random.fork_rng(devices=[]):
        probe = S4Model(1, d_model=1, d_state=2, n_layers=n_layers, kernel=kernel, bidirectional=bidirectional)
    return ["backbone." + name for name in ssm_parameter_names(probe)]


def ssm_param_groups(n_layers: int, kernel: str, bidirectional: bool, ssm_lr: float) -> list[tuple[str, dict]]:
    """skorch ``optimizer__param_groups``: the backbone's SSM parameters at ``ssm_lr``, no weight decay."""
    return [
        (name, {"lr": ssm_lr, "weight_decay": 0.0})
        for name in ssm_parameter_patterns(n_layers, kernel, bidirectional)
    ]


def training_callbacks(max_epochs: int) -> list[tuple[str, Callback]]:
    """The training set-up every sks4 estimator shares: cosine schedule, gradient clipping, NaN guard."""
    return [
        ("lr_schedule", CosineSchedule(max_epochs)),
        ("gradient_clipping", GradientNormClipping(gradient_clip_value=GRADIENT_CLIP_NORM)),
        ("finite_loss", FiniteLossGuard()),
    ]


class S4Net(NeuralNet):
    """skorch net whose loss is a weighted mean over the samples of a batch.

    The criterion must return one loss per sample (``reduction="none"``);
    losses of shape (B, n_outputs) are averaged over the outputs. When the
    input dict holds ``"sample_weight"`` the batch loss is
    ``mean(sample_weight * loss)``; the estimators scale the weights to mean
    1 over the training set, so the loss keeps its usual scale.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = self.criterion_(y_pred, y_true)  # (B,) or (B, n_outputs)
        if loss.ndim > 1:
            loss = loss.flatten(1).mean(1)  # (B,)
        if isinstance(X, Mapping) and "sample_weight" in X:
            weight = torch.as_tensor(X["sample_weight"], device=loss.device, dtype=loss.dtype)  # (B,)
            return (weight * loss).mean()
        return loss.mean()


class _CosineFactor:
    """Learning-rate factor ``(1 + cos(pi * epoch / n_epochs)) / 2`` (picklable)."""

    def __init__(self, n_epochs: int):
        self.n_epochs = n_epochs

    def __call__(self, epoch: int) -> float:
        return 0.5 * (1.0 + math.cos(math.pi * min(epoch, self.n_epochs) / self.n_epochs))


def _check_cycle_length(n_epochs) -> None:
    if isinstance(n_epochs, bool) or not isinstance(n_epochs, numbers.Integral) or n_epochs < 1:
        raise ValueError(f"n_epochs must be an integer >= 1 (the length of the cosine cycle), got {n_epochs!r}.")


class CosineSchedule(LRScheduler):
    """Cosine decay of every parameter group's learning rate over ``n_epochs``.

    Each call to ``fit`` / ``partial_fit`` of the net starts a new cycle at
    the full learning rate (a warm restart), so ``warm_start`` and
    ``partial_fit`` continue with sensible step sizes. One epoch
    (``partial_fit``) runs at the full rate.

    Parameters
    ----------
    n_epochs : int
        Length of the cycle, usually ``max_epochs``.
    """

    def __init__(self, n_epochs: int = 100, event_name: str | None = None):
        _check_cycle_length(n_epochs)
        super().__init__(policy=LambdaLR, event_name=event_name, step_every="epoch")
        self.n_epochs = n_epochs

    def _get_param_names(self) -> list[str]:
        # only this class's parameters: policy and step_every are fixed, and clone() must rebuild it
        return ["event_name", "n_epochs"]

    @property
    def kwargs(self):
        # last_epoch=-1: a fresh cycle in every training call (skorch would resume it)
        _check_cycle_length(self.n_epochs)  # also after set_params
        return {"lr_lambda": _CosineFactor(self.n_epochs), "last_epoch": -1}

    def __getstate__(self):
        # The torch scheduler references the optimizer, whose state may live on
        # a GPU; it is rebuilt at the start of each training call anyway, so it
        # is not pickled (skorch maps the optimizer itself to the right device).
        state = self.__dict__.copy()
        state["lr_scheduler_"] = None
        return state


class ValidEarlyStopping(EarlyStopping):
    """skorch's :class:`~skorch.callbacks.EarlyStopping`, idle in epochs without validation.

    The weights of the epoch with the best monitored score are restored at
    the end of training (``load_best=True``).

    Parameters
    ----------
    monitor : str, default="valid_loss"
        History key to monitor.
    patience : int, default=5
        Epochs without improvement before training stops.
    lower_is_better : bool, default=True
    ties_improve : bool, default=False
        Count an epoch that equals the best score as an improvement, so that
        among equally good epochs the latest (most trained) one is kept.
        Meant for coarse scores such as the accuracy on a small validation
        set.
    """

    def __init__(
        self,
        monitor: str = "valid_loss",
        patience: int = 5,
        lower_is_better: bool = True,
        ties_improve: bool = False,
        **kwargs,
    ):
        kwargs.setdefault("load_best", True)
        if ties_improve:
            kwargs.setdefault("threshold", 0.0)
            kwargs.setdefault("threshold_mode", "abs")
        super().__init__(monitor=monitor, patience=patience, lower_is_better=lower_is_better, **kwargs)
        self.ties_improve = ties_improve

    def _is_score_improved(self, score):
        if not self.ties_improve:
            return super()._is_score_improved(score)
        if self.lower_is_better:
            return score <= self.dynamic_threshold_
        return score >= self.dynamic_threshold_

    def on_epoch_end(self, net, **kwargs):
        if self.monitor not in net.history[-1]:
            return  # no validation set in this call (e.g. partial_fit)
        super().on_epoch_end(net, **kwargs)


class S4ClassifierNet(S4Net):
    """The classifier's net: :meth:`predict` gives class indices.

    The module outputs logits and skorch's ``predict_proba`` turns them into
    probabilities (its "auto" nonlinearity for a cross-entropy criterion);
    ``predict`` is what skorch's scoring callbacks call, so that for example
    ``EpochScoring("accuracy")`` scores the encoded labels the net trains on.
    """

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)  # (n,)


class ValidAccuracy(Callback):
    """Record the (sample-weighted) accuracy on the validation split as ``valid_acc``.

    Computed from the logits of the validation batches, so it costs no extra
    forward pass. Also records ``valid_acc_best`` (highlighted by skorch's
    progress table).
    """

    def on_train_begin(self, net, **kwargs):
        self.best_ = -np.inf

    def on_epoch_begin(self, net, **kwargs):
        self.correct_, self.total_ = 0.0, 0.0

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if training or y_pred is None:
            return
        X, y = unpack_data(batch)
        hit = (y_pred.argmax(1).cpu() == torch.as_tensor(y).cpu()).double()  # (B,)
        weight = torch.ones_like(hit)
        if isinstance(X, Mapping) and "sample_weight" in X:
            weight = torch.as_tensor(X["sample_weight"]).cpu().double()
        self.correct_ += float((weight * hit).sum())
        self.total_ += float(weight.sum())

    def on_epoch_end(self, net, **kwargs):
        if self.total_ <= 0:
            return
        accuracy = self.correct_ / self.total_
        net.history.record("valid_acc", accuracy)
        net.history.record("valid_acc_best", bool(accuracy > self.best_))
        self.best_ = max(self.best_, accuracy)


class FiniteLossGuard(Callback):
    """Stop training with :class:`FloatingPointError` when a batch loss is NaN or infinite.

    Without this guard, a diverged net would go on to produce NaN
    predictions silently.
    """

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if loss is None or bool(torch.isfinite(loss).all()):
            return
        lrs = ", ".join(f"{group['lr']:.3g}" for group in net.optimizer_.param_groups)
        stage = "training" if training else "validation"
        raise FloatingPointError(
            f"The {stage} loss became {float(loss.detach().cpu())} in epoch {len(net.history)}; "
            f"training was stopped (current learning rates: {lrs}). Lower `lr` and `ssm_lr` "
            "(e.g. by a factor of 10), scale the inputs (e.g. StandardScaler in a Pipeline, "
            "or np.log1p for heavy-tailed counts), check X and y for extreme values, and fit again."
        )
