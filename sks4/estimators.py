"""scikit-learn estimators that train an S4 network through skorch.

:class:`S4Classifier` and :class:`S4Regressor` accept every input format of
:func:`sks4.data.to_padded` (2-D univariate tables, 3-D channels-first
arrays, long pandas frames, lists of unequal-length series), train an
:class:`sks4._skorch.S4Network` (S4 backbone, pooling over each series'
valid time steps, linear head) with AdamW, a cosine learning-rate schedule,
gradient clipping and early stopping, and keep the trained skorch nets as
``nets_`` (an ensemble of ``n_estimators`` networks, as InceptionTime's; the
first is also ``net_``).
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings

import numpy as np
import scipy.special
import torch
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.model_selection import train_test_split
from sklearn.utils import check_array, check_consistent_length, check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import Callback
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from torch import nn

from sks4._skorch import (
    POOLINGS,
    S4ClassifierNet,
    S4Net,
    S4Network,
    ValidAccuracy,
    ValidEarlyStopping,
    ssm_param_groups,
    ssm_parameter_patterns,
    training_callbacks,
)
from sks4._validation import check_float as _check_float
from sks4._validation import check_int as _check_int
from sks4._validation import S4_STEP_RANGE
from sks4._validation import check_step_range as _check_step_range
from sks4._validation import resolve_device as _resolve_device
from sks4._validation import seeded_torch as _seeded_torch
from sks4.data import PaddedSeries, check_input_shape, group_by_length, is_table, rows_for_pandas_output, to_padded
from sks4.nn.layer import KERNELS

__all__ = ["S4Classifier", "S4Regressor"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


# --------------------------------------------------------------------------- helpers
def _check_sample_weight(sample_weight, n_samples: int) -> np.ndarray:
    """Float64 weights of shape (n_samples,): non-negative, finite, not all zero."""
    if sample_weight is None:
        return np.ones(n_samples)
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, (bool, np.bool_)):
        sample_weight = np.full(n_samples, float(sample_weight))  # one weight for every sample, as in scikit-learn
    weight = check_array(sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight", copy=True)
    if weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {weight.shape}, expected ({n_samples},): one weight per sample."
        )
    if (weight < 0).any():
        raise ValueError("sample_weight contains negative values; weights must be >= 0.")
    if not weight.any():
        raise ValueError("Sample weights must contain at least one non-zero number; all are zero.")
    return weight


# --------------------------------------------------------------------------- base
class _S4Base(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Shared machinery of :class:`S4Classifier` and :class:`S4Regressor`."""

    _criterion: type[nn.Module]
    _net_class: type[S4Net] = S4Net
    _architecture = (
        "d_model", "d_state", "n_layers", "kernel", "bidirectional", "dt_min", "dt_max", "dropout", "pooling", "dtype",
        "n_estimators",
    )
    # Values of parameters added after a model may have been pickled: what such a model was built with.
    _legacy_params = S4_STEP_RANGE

    def __init__(
        self,
        *,
        d_model: int = 32,
        d_state: int = 64,
        n_layers: int = 2,
        kernel: str = "diag",
        bidirectional: bool = True,
        dt_min: float = 0.01,
        dt_max: float = 1.0,
        dropout: float = 0.1,
        pooling: str = "mean",
        augment_scale: float = 0.0,
        augment_noise: float = 0.0,
        n_estimators: int = 5,
        lr: float = 0.01,
        ssm_lr: float = 0.001,
        weight_decay: float = 0.01,
        batch_size: int = 32,
        max_epochs: int = 200,
        early_stopping: bool | str = "auto",
        patience: int | None = 40,
        validation_fraction: float | None = 0.1,
        device: str = "auto",
        random_state=None,
        verbose: int = 0,
        callbacks: list | None = None,
        warm_start: bool = False,
        dtype: str = "float32",
    ):
        self.d_model = d_model
        self.d_state = d_state
        self.n_layers = n_layers
        self.kernel = kernel
        self.bidirectional = bidirectional
        self.dt_min = dt_min
        self.dt_max = dt_max
        self.dropout = dropout
        self.pooling = pooling
        self.augment_scale = augment_scale
        self.augment_noise = augment_noise
        self.n_estimators = n_estimators
        self.lr = lr
        self.ssm_lr = ssm_lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.dtype = dtype

    def __setstate__(self, state):
        # models pickled before a parameter existed were built with its legacy value
        state = {**self._legacy_params, **state}
        super().__setstate__(state)

    # ------------------------------------------------------------------ tags
    def __sklearn_is_fitted__(self) -> bool:
        # fitted means trained networks: a refit that failed (e.g. a diverging loss) removes them
        return hasattr(self, "nets_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False
        try:
            on_gpu = _resolve_device(self.device).startswith("cuda")
        except ValueError:
            on_gpu = False
        # CUDA kernels (FFT, scatter) are not bitwise reproducible.
        tags.non_deterministic = on_gpu
        return tags

    @property
    def _n_features_out(self) -> int:
        # for get_feature_names_out: transform() returns d_model features per network
        return sum(net.module_.head.in_features for net in self.nets_)

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        """Check the hyperparameters; raise before any training starts."""
        for name in ("d_model", "d_state", "n_layers", "n_estimators", "batch_size", "max_epochs"):
            _check_int(getattr(self, name), name)
        if self.d_state % 2:
            raise ValueError(
                f"d_state must be even (the state is made of conjugate pairs), got {self.d_state}; "
                f"use {self.d_state + 1}."
            )
        _check_int(self.patience, "patience", allow_none=True)
        if not (self.early_stopping == "auto" or isinstance(self.early_stopping, (bool, np.bool_))):
            raise ValueError(f"early_stopping must be 'auto', True or False, got {self.early_stopping!r}.")
        if self.early_stopping != "auto" and self.early_stopping and not self.validation_fraction:
            raise ValueError(
                "early_stopping=True needs a validation split, but validation_fraction is "
                f"{self.validation_fraction!r}. Set validation_fraction (e.g. 0.1), or early_stopping=False."
            )
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS}, got {self.kernel!r}.")
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {self.pooling!r}.")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {tuple(_DTYPES)}, got {self.dtype!r}.")
        for name in ("bidirectional", "warm_start"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}.")
        _check_step_range(self.dt_min, self.dt_max)
        _check_float(self.dropout, "dropout", 0.0, 1.0, low_open=False, high_open=True)
        _check_float(self.augment_scale, "augment_scale", 0.0, 1.0, low_open=False, high_open=True)
        _check_float(self.augment_noise, "augment_noise", 0.0, np.inf, low_open=False, high_open=True)
        _check_float(self.lr, "lr", 0.0, np.inf, low_open=True, high_open=True)
        _check_float(self.ssm_lr, "ssm_lr", 0.0, np.inf, low_open=True, high_open=True)
        _check_float(self.weight_decay, "weight_decay", 0.0, np.inf, low_open=False, high_open=True)
        if self.validation_fraction is not None:
            _check_float(self.validation_fraction, "validation_fraction", 0.0, 1.0, low_open=False, high_open=True)
        if not isinstance(self.verbose, (bool, np.bool_)):  # True / False count as 1 / 0, as in skorch
            _check_int(self.verbose, "verbose", minimum=0)
        if self.callbacks is not None:
            if not isinstance(self.callbacks, (list, tuple)):
                raise TypeError(
                    "callbacks must be None or a list of skorch callbacks (instances, or (name, callback) "
                    f"tuples), got {type(self.callbacks).__name__}."
                )
            for cb, obj in zip(self.callbacks, self._user_callback_objects()):
                if not isinstance(obj, Callback):
                    raise TypeError(f"callbacks must hold skorch.callbacks.Callback instances, got {cb!r}.")
        _resolve_device(self.device)
        check_random_state(self.random_state)

    def _validate_X(self, X, *, reset: bool) -> PaddedSeries:
        """Pad ``X`` (every accepted format) and set / check the input attributes."""
        padded = to_padded(X, dtype=np.float64, n_channels=None if reset else self.n_channels_, name="X")
        if self.dtype == "float32" and padded.values.size:
            peak = np.nanmax(np.abs(padded.values), initial=0.0)
            if peak > np.finfo(np.float32).max:
                raise ValueError(
                    f"X has values up to {peak:.3g}, too large for float32 (the network's dtype); rescale the "
                    "data (e.g. divide by a constant or take a log) or set dtype='float64'."
                )
        table = is_table(X, padded)
        # feature names of DataFrames (columns: time steps of a wide frame, channels of a long one)
        validate_data(self, X, skip_check_array=True, reset=reset, ensure_2d=False)
        if reset:
            self.n_channels_ = padded.n_channels
            if table:
                self.n_features_in_ = padded.max_length
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
        elif table and hasattr(self, "n_features_in_"):
            # fitted on a 2-D table: scikit-learn's contract of a fixed number of features
            check_input_shape(padded, n_timesteps=self.n_features_in_, estimator=self)
        return padded

    # ------------------------------------------------------------------ training
    def _seeds(self) -> np.ndarray:
        """One seed per network, drawn from ``random_state`` (the first is the seed of a single network)."""
        rng = check_random_state(self.random_state)
        return rng.randint(np.iinfo(np.int32).max, size=self.n_estimators).astype(np.int64)

    def _net_inputs(self, padded: PaddedSeries, index: np.ndarray, weight: np.ndarray | None) -> dict:
        """The dict that skorch feeds to :meth:`S4Network.forward` (and to the loss)."""
        np_dtype = np.float64 if self.dtype == "float64" else np.float32
        inputs = {
            "x": padded.values[index].astype(np_dtype),  # (n, C, L), a fresh writable copy
            "lengths": padded.lengths[index].astype(np.int64),  # (n,)
        }
        if weight is not None:
            inputs["sample_weight"] = weight[index].astype(np_dtype)  # (n,)
        return inputs

    def _member_callbacks(self) -> list[list]:
        """The user's callbacks for each network of the ensemble, prepared before any training.

        The first network gets the instances themselves, the others deep
        copies taken from them while still untrained. Callbacks that cannot
        be copied (holding a lock, a file, a logger's run, ...) are shared
        by all networks instead: they are trained one after another and
        skorch initialises the callbacks again for each.
        """
        user = list(self.callbacks or [])
        if not user or self.n_estimators == 1:
            return [user] * self.n_estimators
        try:
            copies = [copy.deepcopy(user) for _ in range(self.n_estimators - 1)]
        except Exception:  # deepcopy raises TypeError, PicklingError, ... for unpicklable state
            copies = [user] * (self.n_estimators - 1)
        return [user, *copies]

    @staticmethod
    def _named_callbacks(callbacks) -> list[tuple]:
        """``callbacks`` as ``(name or None, instance)`` pairs."""
        return [tuple(cb) if isinstance(cb, tuple) and len(cb) == 2 else (None, cb) for cb in callbacks or []]

    def _same_callbacks_as_fit(self) -> bool:
        """Whether ``callbacks`` holds the same names and instances as at the first fit (a new list may hold them)."""
        now, then = self._named_callbacks(self.callbacks), getattr(self, "_fit_callbacks_", None)
        if then is None:  # fitted by a version that did not record them
            return True
        return len(now) == len(then) and all(a == c and b is d for (a, b), (c, d) in zip(now, then))

    def _user_callback_objects(self) -> list:
        """The user's callback objects, ``(name, callback)`` tuples unpacked."""
        return [obj for _, obj in self._named_callbacks(self.callbacks)]

    def _check_no_validation_needed(self, n_samples: int, partial: bool) -> None:
        """Raise before training when a user callback monitors a validation score that some network will lack."""
        if partial:
            reason = "partial_fit trains on its batch without a validation split"
        elif not self.validation_fraction:
            reason = f"validation_fraction={self.validation_fraction!r}"
        elif self._wants_validation(n_samples):
            reason = "a network's validation split was dropped, see the warning"
        elif self.early_stopping == "auto":
            reason = f"early_stopping='auto' resolved to no validation split for {n_samples} samples"
        else:
            reason = f"early_stopping={self.early_stopping!r}"
        for obj in self._user_callback_objects():
            monitor = getattr(obj, "monitor", None)
            if isinstance(monitor, str) and monitor.startswith("valid"):
                raise ValueError(
                    f"The callback {type(obj).__name__} monitors {monitor!r}, but training has no validation split "
                    f"({reason}). Set early_stopping=True (with a validation_fraction) and call fit, or monitor "
                    "a training score such as 'train_loss'."
                )

    def _build_net(self, n_channels: int, n_outputs: int, device: str, extra: list) -> S4Net:
        ssm_groups = ssm_param_groups(self.n_layers, self.kernel, bool(self.bidirectional), self.ssm_lr)
        patience = self.patience if self.patience is not None else self.max_epochs + 1
        callbacks = [
            *training_callbacks(self.max_epochs),
            *self._early_stopping(patience),
            *extra,
        ]
        return self._net_class(
            module=S4Network,
            module__d_input=n_channels,
            module__n_outputs=n_outputs,
            module__d_model=self.d_model,
            module__d_state=self.d_state,
            module__n_layers=self.n_layers,
            module__kernel=self.kernel,
            module__bidirectional=bool(self.bidirectional),
            module__dt_min=float(self.dt_min),
            module__dt_max=float(self.dt_max),
            module__dropout=float(self.dropout),
            module__pooling=self.pooling,
            module__augment_scale=float(self.augment_scale),
            module__augment_noise=float(self.augment_noise),
            criterion=self._criterion,
            criterion__reduction="none",
            optimizer=torch.optim.AdamW,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            optimizer__param_groups=ssm_groups,
            batch_size=int(self.batch_size),  # numpy integers (a grid's values) are refused by torch
            max_epochs=self.max_epochs,
            train_split=None,
            iterator_train__shuffle=True,
            callbacks=callbacks,
            device=device,
            verbose=int(self.verbose),
        )

    def _check_continuable(self) -> None:
        """Raise when the networks' architecture (or their number) changed since the first fit."""
        fitted = {**self._legacy_params, **self._fit_architecture_}
        changed = [name for name in self._architecture if fitted[name] != getattr(self, name)]
        if changed:
            details = ", ".join(f"{n}: {fitted[n]!r} -> {getattr(self, n)!r}" for n in changed)
            raise ValueError(
                f"Cannot continue training (warm_start / partial_fit) after changing the network "
                f"({details}). Set warm_start=False (or call fit) to train a new network."
            )
        # The networks keep the device and the callback instances of their first fit: a change
        # would otherwise be ignored without a word.
        device = _resolve_device(self.device)
        if device != self.net_.device:
            raise ValueError(
                f"Cannot continue training (warm_start / partial_fit) on device {device!r}: the networks "
                f"were trained on {self.net_.device!r}. Set device={self.net_.device!r} to continue there, or "
                "warm_start=False (or call fit) to train new networks on the new device."
            )
        if not self._same_callbacks_as_fit():
            raise ValueError(
                "Cannot continue training (warm_start / partial_fit) with other callbacks than those of the "
                "first fit: the networks keep the callbacks they were built with. Set callbacks back, or "
                "warm_start=False (or call fit) to train new networks with the new callbacks."
            )

    # fitted attributes whose names do not end with "_" (see _reset_fitted_state)
    _private_fitted: tuple[str, ...] = ()

    def _reset_fitted_state(self) -> None:
        """Forget everything a previous fit learned (the attributes ending in "_", and ``_private_fitted``)."""
        for name in [name for name in vars(self) if name.endswith("_") and not name.startswith("__")]:
            delattr(self, name)
        for name in self._private_fitted:
            self.__dict__.pop(name, None)

    def _update_continued_net(self, net: S4Net) -> None:
        """Carry the current training hyperparameters over to a fitted net (warm start)."""
        ssm_names = set(ssm_parameter_patterns(self.n_layers, self.kernel, bool(self.bidirectional)))
        ssm_ids = {id(p) for name, p in net.module_.named_parameters() if name in ssm_names}
        for group in net.optimizer_.param_groups:
            is_ssm = all(id(p) in ssm_ids for p in group["params"])
            group["lr"] = self.ssm_lr if is_ssm else self.lr
            group["weight_decay"] = 0.0 if is_ssm else self.weight_decay
            group.pop("initial_lr", None)  # the schedule restarts from the current lr
        net.set_params(batch_size=int(self.batch_size), max_epochs=int(self.max_epochs), verbose=int(self.verbose))
        net.module_.augment_scale = float(self.augment_scale)
        net.module_.augment_noise = float(self.augment_noise)
        callbacks = dict(net.callbacks_)
        callbacks["lr_schedule"].n_epochs = self.max_epochs
        callbacks["early_stopping"].patience = self.patience if self.patience is not None else self.max_epochs + 1

    def _wants_validation(self, n_samples: int) -> bool:
        """Whether ``fit`` holds out a validation split (``early_stopping`` resolved for ``n_samples`` series)."""
        if not self.validation_fraction:
            return False
        if self.early_stopping == "auto":
            return int(np.ceil(self.validation_fraction * n_samples)) >= self._auto_min_validation
        return bool(self.early_stopping)

    def _split(self, n_samples: int, y_enc: np.ndarray, seed: int, partial: bool, weight: np.ndarray | None):
        """Train / validation indices; validation is ``None`` when there is none."""
        everything = np.arange(n_samples)
        if partial or not self._wants_validation(n_samples):
            return everything, None
        n_valid = int(np.ceil(self.validation_fraction * n_samples))
        n_train = n_samples - n_valid
        stratify = None
        if self._stratified_split:
            counts = np.bincount(y_enc)
            counts = counts[counts > 0]
            if counts.min() < 2 or n_valid < len(counts) or n_train < len(counts):
                reason = (
                    f"the smallest class has {counts.min()} sample(s)"
                    if counts.min() < 2
                    else f"{n_valid} validation and {n_train} training samples for {len(counts)} classes"
                )
                warnings.warn(
                    f"validation_fraction={self.validation_fraction} of {n_samples} samples does not allow a "
                    f"stratified validation split ({reason}); training on all samples without early "
                    "stopping. Change validation_fraction, or set it to None to silence this warning.",
                    UserWarning,
                    stacklevel=4,
                )
                return everything, None
            stratify = y_enc
        elif n_train < 1:
            warnings.warn(
                f"{n_samples} sample(s) are too few for a validation split; training on all samples without "
                "early stopping. Set validation_fraction=None to silence this warning.",
                UserWarning,
                stacklevel=4,
            )
            return everything, None
        train, valid = train_test_split(everything, test_size=n_valid, stratify=stratify, random_state=seed)
        if weight is not None and not weight[valid].any():
            warnings.warn(
                f"All {n_valid} series of the validation split have sample_weight 0, so the validation score "
                "cannot choose an epoch; training on all samples without early stopping. Give the series "
                "non-zero weights, or set early_stopping=False to silence this warning.",
                UserWarning,
                stacklevel=4,
            )
            return everything, None
        return np.sort(train), np.sort(valid)

    def _fit(self, X, y, sample_weight, *, partial: bool, classes=None):
        self._check_params()
        continuing = hasattr(self, "net_") and (partial or self.warm_start)
        if continuing:
            self._check_continuable()
        else:
            self._reset_fitted_state()  # a refit that fails below leaves an unfitted estimator, not a mix
        padded = self._validate_X(X, reset=not continuing)
        y_enc, n_outputs = self._prepare_y(y, padded.n_samples, continuing=continuing, classes=classes)
        # fit needs two weighted classes; a partial_fit batch may hold one (the classes are declared)
        weight = self._prepare_weight(sample_weight, y, y_enc, whole_data=not (continuing or partial))
        y_enc = self._training_targets(y_enc, weight, continuing=continuing)
        device = self.net_.device if continuing else _resolve_device(self.device)
        seeds = self._seeds()
        if not continuing:
            scaling = self._input_scaling(padded, weight)
            self._warn_float32_resolution(padded, scaling[1])
            member_callbacks = self._member_callbacks()
        if continuing:  # new shuffles and splits per call
            top = np.iinfo(np.int32).max
            seeds = [(int(seed) + 7919 * len(net.history)) % top for seed, net in zip(seeds, self.nets_)]
        # every network's split before any training: a user callback that needs one is checked up front
        splits = []
        for seed in seeds:  # a loop, not a comprehension: the splits' warnings point at the caller of fit
            splits.append(self._split(padded.n_samples, y_enc, int(seed), partial, weight))
        if any(valid is None for _, valid in splits):
            self._check_no_validation_needed(padded.n_samples, partial)
        nets, stopped_early = [], []
        for member, (seed, (train, valid)) in enumerate(zip(seeds, splits)):
            if self.verbose and self.n_estimators > 1:
                print(f"{type(self).__name__}: network {member + 1} of {self.n_estimators}", flush=True)
            if continuing:
                net = self.nets_[member]
                self._update_continued_net(net)
            with _seeded_torch(int(seed), device):
                if not continuing:
                    net = self._build_net(padded.n_channels, n_outputs, device, member_callbacks[member])
                    net.initialize()
                    # dtype first: the scaling buffers then hold the statistics at that precision
                    net.module_.to(_DTYPES[self.dtype])
                    net.module_.set_input_scaling(*scaling)
                stopped_early.append(valid is not None)
                if valid is not None:
                    valid_set = Dataset(self._net_inputs(padded, valid, weight), y_enc[valid])
                    net.set_params(train_split=predefined_split(valid_set))
                else:
                    net.set_params(train_split=None)
                try:
                    net.partial_fit(
                        self._net_inputs(padded, train, weight), y_enc[train], epochs=1 if partial else None
                    )
                finally:
                    net.set_params(train_split=None)  # do not keep (and pickle) the validation data
            nets.append(net)
        self.nets_ = nets
        self.net_ = nets[0]
        if not partial or not hasattr(self, "early_stopping_"):
            self.early_stopping_ = any(stopped_early)
        if not continuing:
            self._fit_architecture_ = {name: getattr(self, name) for name in self._architecture}
            self._fit_callbacks_ = self._named_callbacks(self.callbacks)
        return self

    def _warn_float32_resolution(self, padded: PaddedSeries, scale: np.ndarray) -> None:
        """Warn when float32 rounds a channel's values to steps above 1% of its standard deviation.

        The inputs reach the network in its dtype before they are
        standardised, so a large offset (e.g. 1e8 + small variations) is
        rounded away in float32.
        """
        if self.dtype != "float32" or not padded.values.size:
            return
        values = np.where(padded.mask()[:, None, :], padded.values, np.nan)  # (n, C, L), padding left out
        peak = np.nanmax(np.abs(values), axis=(0, 2))  # (C,)
        varies = np.nanmax(values, axis=(0, 2)) > np.nanmin(values, axis=(0, 2))  # constant channels lose nothing
        step = np.spacing(peak.astype(np.float32)).astype(np.float64)
        for channel in np.flatnonzero(varies & (step > 0.01 * scale)):
            warnings.warn(
                f"X's channel {channel} has values up to {peak[channel]:.6g} but a standard deviation of "
                f"{scale[channel]:.3g}: in float32, the network's dtype, its values are rounded to steps of "
                f"{step[channel]:.3g}, {step[channel] / scale[channel]:.2g} standard deviations, before they are "
                "standardised. Subtract the offset first (e.g. each channel's mean) or set dtype='float64'.",
                UserWarning,
                stacklevel=4,
            )

    @staticmethod
    def _input_scaling(padded: PaddedSeries, weight: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel mean and standard deviation over the valid time steps, weighted by sample."""
        mask = padded.mask()[:, None, :].astype(np.float64)  # (n, 1, L)
        if weight is not None:
            mask = mask * weight[:, None, None]
        total = mask.sum()
        shift = (padded.values * mask).sum(axis=(0, 2)) / total  # (C,)
        var = ((padded.values - shift[None, :, None]) ** 2 * mask).sum(axis=(0, 2)) / total
        scale = np.sqrt(var)
        scale[~(scale > 1e-12 * np.maximum(1.0, np.abs(shift)))] = 1.0  # constant channels
        return shift, scale

    # ------------------------------------------------------------------ inference
    def _forward(self, X, *, embed: bool) -> np.ndarray:
        """Outputs (or pooled features) of every network for ``X``, float64 of shape (n_estimators, n, dim).

        Series are grouped by length and run without padding, so a series'
        outputs never depend on the other series passed along with it.
        """
        check_is_fitted(self)
        _check_int(self.batch_size, "batch_size")  # may have been set after fit
        padded = self._validate_X(X, reset=False)
        modules = [net.module_ for net in self.nets_]
        device = self.net_.device  # all networks share device and dtype
        dtype = next(modules[0].parameters()).dtype
        dim = modules[0].head.in_features if embed else modules[0].head.out_features
        out = np.empty((len(modules), padded.n_samples, dim), dtype=np.float64)
        batch_size = 4 * self.batch_size  # no gradients: more series fit in the memory of a training step
        was_training = [module.training for module in modules]
        for module in modules:
            module.eval()
        try:
            with torch.no_grad():
                for length, same in group_by_length(padded.lengths).items():
                    for start in range(0, len(same), batch_size):
                        index = same[start : start + batch_size]
                        x = torch.as_tensor(padded.values[index, :, :length], dtype=dtype, device=device)  # (B, C, L)
                        lengths = torch.as_tensor(padded.lengths[index], dtype=torch.int64, device=device)  # (B,)
                        for k, module in enumerate(modules):
                            result = module.embed(x, lengths) if embed else module(x, lengths)  # (B, dim)
                            out[k, index] = result.cpu().numpy()
        finally:
            for module, training in zip(modules, was_training):
                module.train(training)
        return out

    def transform(self, X) -> np.ndarray:
        """Pooled S4 features of each series, usable as input to other models.

        Parameters
        ----------
        X : array-like or list of series
            Any format accepted in ``fit`` with the same number of channels.

        Returns
        -------
        ndarray of shape (n_samples, n_estimators * d_model)
            The backbones' features pooled over each series' time steps
            (``pooling``), i.e. what the final linear layers see: the
            ``d_model`` features of the first network, then those of the
            second, and so on. (Independently trained networks' features are
            not aligned, so they are concatenated rather than averaged.)

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Classifier
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> y = np.repeat([0, 1], 10)
        >>> clf = S4Classifier(d_model=8, n_layers=1, n_estimators=2, max_epochs=2, random_state=0).fit(X, y)
        >>> clf.transform(X).shape
        (20, 16)
        """
        features = self._forward(X, embed=True)  # (n_estimators, n, d_model)
        return rows_for_pandas_output(X, np.concatenate(list(features), axis=1), self)


# --------------------------------------------------------------------------- classifier
class S4Classifier(ClassifierMixin, _S4Base):
    """Time-series classifier: an S4 network trained through skorch.

    The network is a position-wise linear encoder, ``n_layers`` residual S4
    blocks (:class:`sks4.nn.S4Model`), pooling over each series' valid time
    steps and a linear layer. It is trained with AdamW (the SSM parameters
    in their own group with ``ssm_lr`` and no weight decay), a cosine
    learning-rate decay over ``max_epochs``, gradient-norm clipping at 1 and
    early stopping on the accuracy on a stratified validation split, after
    which the weights of the best validation epoch are restored (among
    equally accurate epochs, the latest). Inputs are standardised per
    channel with statistics of the training data.

    Parameters
    ----------
    d_model : int, default=32
        Width of the network (features per time step).
    d_state : int, default=64
        State size of every SSM (even).
    n_layers : int, default=2
        Number of residual S4 blocks.
    kernel : {"diag", "dplr"}, default="diag"
        S4D's diagonal SSM kernel, or S4's diagonal-plus-low-rank one
        (about 4x slower on a CPU, no better on the benchmarks).
    bidirectional : bool, default=True
        Whether each layer also reads the series backwards.
    dt_min, dt_max : float, default=0.01, 1.0
        Range of the SSMs' initial step sizes: each channel's ``dt`` is
        drawn log-uniformly from it, then learned (at ``ssm_lr``). An SSM's
        time scale is about ``1 / dt`` steps; S4's own range, 0.001 to 0.1,
        suits long sequences (see the estimators page of the docs).
    dropout : float, default=0.1
        Dropout in the S4 blocks and before the final layer.
    pooling : {"mean", "last", "max"}, default="mean"
        Summary of the features over each series' valid time steps.
    augment_scale : float, default=0.3
        Training-time magnitude scaling: at every training step each series
        (after the per-channel standardisation) is multiplied by a factor
        drawn uniformly from ``[1 - augment_scale, 1 + augment_scale]``.
        ``0`` turns it off. Prediction never augments. The default was
        chosen by cross-validation on the training splits (see the
        estimators page of the docs).
    augment_noise : float, default=0.05
        Training-time jitter: Gaussian noise of this standard deviation, in
        units of each channel's standard deviation, added to every valid
        time step of every series at every training step. ``0`` turns it
        off.
    n_estimators : int, default=5
        Number of networks trained, each with its own seed (initialisation,
        validation split, shuffling, dropout) drawn from ``random_state``;
        predictions average theirs, as InceptionTime's ensemble of five
        does. ``1`` trains a single network; fit and predict time grow in
        proportion.
    lr : float, default=0.01
        Learning rate of AdamW for all parameters but the SSM ones.
    ssm_lr : float, default=0.001
        Learning rate of the SSM parameters (``A``, ``B``, ``dt``, ``P``);
        they get no weight decay.
    weight_decay : float, default=0.01
        AdamW weight decay of the other parameters.
    batch_size : int, default=32
        Series per training step.
    max_epochs : int, default=200
        Maximum number of passes over the training data per ``fit``; also
        the length of the cosine learning-rate cycle.
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the data (stratified), stop when
        its accuracy stops improving and restore the best epoch's weights.
        ``"auto"``: only when the validation split holds at least 100
        series (from 991 training series at the default
        ``validation_fraction``); on smaller sets an accuracy measured on a handful of series
        picks epochs by chance and the held-out series are better spent on
        training (see the user guide). ``False``: train on all data for
        ``max_epochs`` and keep the final weights.
    patience : int or None, default=40
        Stop after this many epochs in which the validation accuracy stayed
        below its best. ``None``: train all ``max_epochs`` (the best epoch's
        weights are still restored).
    validation_fraction : float or None, default=0.1
        Fraction of the training data held out (stratified) to stop early
        and pick the best epoch, when early stopping is on. ``None`` or 0:
        no validation split (as ``early_stopping=False``).
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``
        or ``"cuda:<index>"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the validation split, the shuffling and
        dropout of every network (one seed each, drawn from it). The same
        integer gives identical predictions on CPU.
    verbose : int or bool, default=0
        ``1`` (or ``True``): print skorch's per-epoch table (losses, duration).
    callbacks : list of skorch callbacks, default=None
        Extra callbacks (instances or ``(name, callback)`` tuples), added
        after the built-in ones (``"lr_schedule"``, ``"gradient_clipping"``,
        ``"finite_loss"``, ``"valid_acc"``, ``"early_stopping"``). The
        first network gets these instances, the others deep copies made
        before training (shared instances when they cannot be copied).
    warm_start : bool, default=False
        When True, ``fit`` on a fitted classifier continues training the
        same networks (with a new learning-rate cycle) instead of starting
        over.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the network's parameters and computations. "float64"
        is slower; it makes results independent of rounding (e.g. integer
        sample weights then match repeated samples to 1e-7, with full-batch
        training and neither dropout nor augmentation).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, multiplied with ``sample_weight``.

    Attributes
    ----------
    nets_ : list of skorch.NeuralNet
        The ``n_estimators`` trained skorch nets (``nets_[k].module_`` is a
        torch module, ``nets_[k].history`` its per-epoch record).
    net_ : skorch.NeuralNet
        The first of ``nets_`` (the only one when ``n_estimators=1``).
    early_stopping_ : bool
        Whether the last ``fit`` held out a validation split and stopped
        early (what ``early_stopping="auto"`` resolved to).
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the columns of :meth:`predict_proba`.
    n_channels_ : int
        Number of channels of the series seen in ``fit``.
    n_features_in_ : int
        Number of time steps, defined when ``fit`` got a 2-D table
        (n_samples, n_timesteps); other inputs may have any length.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame passed to ``fit`` (when all are strings).

    See Also
    --------
    S4Regressor : the same network for regression.
    sks4.data.to_padded : the accepted input formats.

    Examples
    --------
    >>> import numpy as np
    >>> from sks4 import S4Classifier
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 1, 50)
    >>> y = np.repeat(["slow", "fast"], 20)
    >>> X = np.sin(2 * np.pi * np.where(y == "fast", 5, 1)[:, None] * t) + 0.1 * rng.randn(40, 50)
    >>> clf = S4Classifier(d_model=16, n_layers=1, max_epochs=15, random_state=0).fit(X, y)
    >>> clf.predict(X[:2])
    array(['slow', 'slow'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.score(X, y)
    1.0
    """

    _criterion = nn.CrossEntropyLoss
    _stratified_split = True
    _net_class = S4ClassifierNet
    # early_stopping="auto": the validation accuracy moves in steps of 1 / n_valid; below 100
    # validation series it picks epochs by noise (measured by cross-validation: see the docs)
    _auto_min_validation = 100

    def __init__(
        self,
        *,
        d_model: int = 32,
        d_state: int = 64,
        n_layers: int = 2,
        kernel: str = "diag",
        bidirectional: bool = True,
        dt_min: float = 0.01,
        dt_max: float = 1.0,
        dropout: float = 0.1,
        pooling: str = "mean",
        augment_scale: float = 0.3,
        augment_noise: float = 0.05,
        n_estimators: int = 5,
        lr: float = 0.01,
        ssm_lr: float = 0.001,
        weight_decay: float = 0.01,
        batch_size: int = 32,
        max_epochs: int = 200,
        early_stopping: bool | str = "auto",
        patience: int | None = 40,
        validation_fraction: float | None = 0.1,
        device: str = "auto",
        random_state=None,
        verbose: int = 0,
        callbacks: list | None = None,
        warm_start: bool = False,
        dtype: str = "float32",
        class_weight: dict | str | None = None,
    ):
        super().__init__(
            d_model=d_model,
            d_state=d_state,
            n_layers=n_layers,
            kernel=kernel,
            bidirectional=bidirectional,
            dt_min=dt_min,
            dt_max=dt_max,
            dropout=dropout,
            pooling=pooling,
            augment_scale=augment_scale,
            augment_noise=augment_noise,
            n_estimators=n_estimators,
            lr=lr,
            ssm_lr=ssm_lr,
            weight_decay=weight_decay,
            batch_size=batch_size,
            max_epochs=max_epochs,
            early_stopping=early_stopping,
            patience=patience,
            validation_fraction=validation_fraction,
            device=device,
            random_state=random_state,
            verbose=verbose,
            callbacks=callbacks,
            warm_start=warm_start,
            dtype=dtype,
        )
        self.class_weight = class_weight

    def _check_params(self) -> None:
        super()._check_params()
        _check_class_weight(self.class_weight)

    def _prepare_y(self, y, n_samples: int, *, continuing: bool, classes=None):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = column_or_1d(y, warn=True)
        check_consistent_length(np.empty(n_samples), y)
        check_classification_targets(y)
        if continuing:
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"classes={np.unique(classes).tolist()} differs from the classes of the first partial_fit call, "
                    f"{self.classes_.tolist()}. Pass the same classes (or none) to later calls, or fit anew."
                )
            unseen = np.setdiff1d(y, self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y contains classes not seen in the first fit: {unseen.tolist()}. Known classes: "
                    f"{self.classes_.tolist()}. Pass all classes to the first partial_fit call "
                    "(classes=...), or set warm_start=False to train a new network."
                )
        else:
            self.classes_ = np.unique(y if classes is None else np.concatenate([np.unique(classes), np.unique(y)]))
            if classes is not None and np.setdiff1d(y, np.unique(classes)).size:
                raise ValueError(f"y contains labels that are not in classes={np.unique(classes).tolist()}.")
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes, but the data contains only "
                    f"one class: {self.classes_[:1].tolist()[0]!r}."
                )
        y_enc = np.searchsorted(self.classes_, y).astype(np.int64)
        return y_enc, len(self.classes_)

    def _prepare_weight(self, sample_weight, y, y_enc, *, whole_data: bool) -> np.ndarray | None:
        if sample_weight is None and self.class_weight is None:
            return None
        weight = _check_sample_weight(sample_weight, len(y_enc))
        if self.class_weight is not None:
            weight = weight * compute_sample_weight(self.class_weight, column_or_1d(y))
            if not weight.any():
                raise ValueError("class_weight and sample_weight give every sample zero weight.")
        weighted_classes = np.unique(y_enc[weight > 0])
        if whole_data and len(weighted_classes) < 2:
            raise ValueError(
                "sample_weight (and class_weight) leave only one class with non-zero weight "
                f"({self.classes_[weighted_classes[:1]].tolist()[0]!r}); a classifier needs at least 2 classes."
            )
        return weight / weight.mean()

    def _training_targets(self, y_enc: np.ndarray, weight: np.ndarray | None, *, continuing: bool) -> np.ndarray:
        return y_enc

    @staticmethod
    def _early_stopping(patience: int) -> list[tuple[str, Callback]]:
        # Validation accuracy, ties going to the later epoch: on small validation sets the
        # loss is dominated by one or two overconfident mistakes and would pick an early,
        # barely trained epoch.
        return [
            ("valid_acc", ValidAccuracy()),
            ("early_stopping", ValidEarlyStopping("valid_acc", patience, lower_is_better=False, ties_improve=True)),
        ]

    def fit(self, X, y, sample_weight=None) -> S4Classifier:
        """Train the ``n_estimators`` networks on labelled series, one after the other.

        Parameters
        ----------
        X : array-like or list of series
            ``(n_samples, n_timesteps)`` univariate table,
            ``(n_samples, n_channels, n_timesteps)`` array, pandas DataFrame
            (wide, or long with a (case, timestep) MultiIndex), or a list of
            arrays ``(n_timesteps_i,)`` / ``(n_channels, n_timesteps_i)`` of
            unequal lengths. See :func:`sks4.data.to_padded`.
        y : array-like of shape (n_samples,)
            Class labels of any type (strings, integers, booleans).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss (also on the validation split).

        Returns
        -------
        self : S4Classifier

        Raises
        ------
        FloatingPointError
            If the loss becomes NaN or infinite during training.

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Classifier
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> y = np.repeat([0, 1], 10)
        >>> S4Classifier(d_model=8, n_layers=1, max_epochs=2).fit(X, y).classes_
        array([0, 1])
        """
        return self._fit(X, y, sample_weight, partial=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None) -> S4Classifier:
        """Train every network for one epoch, continuing from the current weights.

        No validation split is held out and there is no early stopping; the
        learning rate is ``lr`` (``ssm_lr`` for the SSM parameters).

        Parameters
        ----------
        X : array-like or list of series
            As in :meth:`fit`, with the same number of channels every call.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All classes that will ever appear; needed in the first call when
            ``y`` does not contain all of them.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : S4Classifier

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Classifier
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> y = np.repeat([0, 1], 10)
        >>> clf = S4Classifier(d_model=8, n_layers=1)
        >>> for _ in range(3):
        ...     clf = clf.partial_fit(X, y, classes=[0, 1])
        >>> len(clf.net_.history)
        3
        """
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: each call would balance its own batch. "
                "Pass fixed weights instead, e.g. dict(zip(classes, compute_class_weight('balanced', "
                "classes=classes, y=y_all))) from sklearn.utils.class_weight, or call fit."
            )
        return self._fit(X, y, sample_weight, partial=True, classes=classes)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: the mean of the ``n_estimators`` networks' probabilities.

        Parameters
        ----------
        X : array-like or list of series
            Any format accepted in :meth:`fit`, with the same number of channels.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Classifier
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> y = np.repeat(["a", "b"], 10)
        >>> clf = S4Classifier(d_model=8, n_layers=1, max_epochs=2, random_state=0).fit(X, y)
        >>> proba = clf.predict_proba(X)
        >>> proba.shape, bool(np.allclose(proba.sum(axis=1), 1.0))
        ((20, 2), True)
        """
        logits = self._forward(X, embed=False)  # (n_estimators, n, n_classes)
        return scipy.special.softmax(logits, axis=2).mean(axis=0)

    def predict(self, X) -> np.ndarray:
        """Most probable class of each series (the largest column of :meth:`predict_proba`).

        Parameters
        ----------
        X : array-like or list of series
            Any format accepted in :meth:`fit`, with the same number of channels.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Classifier
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> y = np.repeat([True, False], 10)
        >>> clf = S4Classifier(d_model=8, n_layers=1, max_epochs=2, random_state=0).fit(X, y)
        >>> clf.predict(X).dtype
        dtype('bool')
        """
        proba = self.predict_proba(X)  # checks that the classifier is fitted
        return self.classes_[np.argmax(proba, axis=1)]


def _check_class_weight(class_weight) -> None:
    """Raise unless ``class_weight`` is None, "balanced" or a dict of finite weights >= 0."""
    if class_weight is None or (isinstance(class_weight, str) and class_weight == "balanced"):
        return
    if isinstance(class_weight, str):
        raise ValueError(f"class_weight must be None, 'balanced' or a dict {{label: weight}}, got {class_weight!r}.")
    if not isinstance(class_weight, dict):
        raise TypeError(
            f"class_weight must be None, 'balanced' or a dict {{label: weight}}, got {type(class_weight).__name__}."
        )
    bad = {
        label: weight
        for label, weight in class_weight.items()
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not math.isfinite(weight) or weight < 0
    }
    if bad:
        raise ValueError(f"class_weight must map labels to finite weights >= 0; these are not: {bad!r}.")


# --------------------------------------------------------------------------- regressor
class S4Regressor(RegressorMixin, _S4Base):
    """Time-series regressor: an S4 network trained through skorch.

    The same network and training as :class:`S4Classifier` with a linear
    output per target and the mean squared error; the targets are
    standardised for training and predictions are returned in their units.
    Early stopping monitors the loss on a random (not stratified)
    validation split.

    Parameters
    ----------
    d_model : int, default=32
        Width of the network (features per time step).
    d_state : int, default=64
        State size of every SSM (even).
    n_layers : int, default=2
        Number of residual S4 blocks.
    kernel : {"diag", "dplr"}, default="diag"
        S4D's diagonal SSM kernel, or S4's diagonal-plus-low-rank one
        (about 4x slower on a CPU, no better on the benchmarks).
    bidirectional : bool, default=True
        Whether each layer also reads the series backwards.
    dt_min, dt_max : float, default=0.01, 1.0
        Range of the SSMs' initial step sizes: each channel's ``dt`` is
        drawn log-uniformly from it, then learned (at ``ssm_lr``). An SSM's
        time scale is about ``1 / dt`` steps; S4's own range, 0.001 to 0.1,
        suits long sequences (see the estimators page of the docs).
    dropout : float, default=0.1
        Dropout in the S4 blocks and before the final layer.
    pooling : {"mean", "last", "max"}, default="mean"
        Summary of the features over each series' valid time steps.
    augment_scale : float, default=0.0
        Training-time magnitude scaling: at every training step each series
        (after the per-channel standardisation) is multiplied by a factor
        drawn uniformly from ``[1 - augment_scale, 1 + augment_scale]``.
        ``0`` turns it off. Prediction never augments.
    augment_noise : float, default=0.0
        Training-time jitter: Gaussian noise of this standard deviation, in
        units of each channel's standard deviation, added to every valid
        time step of every series at every training step. ``0`` turns it
        off.
    n_estimators : int, default=5
        Number of networks trained, each with its own seed (initialisation,
        validation split, shuffling, dropout) drawn from ``random_state``;
        predictions average theirs, as InceptionTime's ensemble of five
        does. ``1`` trains a single network; fit and predict time grow in
        proportion.
    lr : float, default=0.01
        Learning rate of AdamW for all parameters but the SSM ones.
    ssm_lr : float, default=0.001
        Learning rate of the SSM parameters; they get no weight decay.
    weight_decay : float, default=0.01
        AdamW weight decay of the other parameters.
    batch_size : int, default=32
        Series per training step.
    max_epochs : int, default=200
        Maximum number of epochs per ``fit``; also the length of the cosine
        learning-rate cycle.
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the data, stop when its loss
        stops improving and restore the best epoch's weights. ``"auto"``:
        when the validation split holds at least 10 series (from 91
        training series at the default ``validation_fraction``). ``False``:
        train on all data for ``max_epochs`` and keep the final weights.
    patience : int or None, default=40
        Stop after this many epochs without improvement of the validation
        loss; ``None`` trains all ``max_epochs``.
    validation_fraction : float or None, default=0.1
        Fraction of the training data held out to stop early and pick the
        best epoch, when early stopping is on; ``None`` or 0: no validation
        split (as ``early_stopping=False``).
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``
        or ``"cuda:<index>"``.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, split, shuffling and dropout of every network.
    verbose : int or bool, default=0
        ``1`` (or ``True``): print skorch's per-epoch table.
    callbacks : list of skorch callbacks, default=None
        Extra callbacks, added after the built-in ones (the first network
        gets these instances, the others deep copies made before training,
        or the same instances when they cannot be copied).
    warm_start : bool, default=False
        When True, ``fit`` on a fitted regressor continues training.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the network's parameters and computations.

    Attributes
    ----------
    nets_ : list of skorch.NeuralNet
        The ``n_estimators`` trained skorch nets.
    net_ : skorch.NeuralNet
        The first of ``nets_``.
    early_stopping_ : bool
        Whether the last ``fit`` held out a validation split and stopped
        early (what ``early_stopping="auto"`` resolved to).
    n_outputs_ : int
        Number of targets.
    n_channels_ : int
        Number of channels of the series seen in ``fit``.
    n_features_in_ : int
        Number of time steps, defined when ``fit`` got a 2-D table.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame passed to ``fit`` (when all are strings).

    See Also
    --------
    S4Classifier : the same network for classification.

    Examples
    --------
    >>> import numpy as np
    >>> from sks4 import S4Regressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 40)
    >>> y = X[:, -5:].mean(axis=1)
    >>> reg = S4Regressor(d_model=16, n_layers=1, max_epochs=10, random_state=0).fit(X, y)
    >>> reg.predict(X).shape
    (60,)
    """

    _criterion = nn.MSELoss
    _stratified_split = False
    # early_stopping="auto": the validation loss is informative from a few series on
    _auto_min_validation = 10
    _private_fitted = ("_y_1d", "_y_shift", "_y_scale")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _prepare_y(self, y, n_samples: int, *, continuing: bool, classes=None):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.ndim not in (1, 2):
            raise ValueError(f"y must have shape (n_samples,) or (n_samples, n_outputs), got {y.shape}.")
        check_consistent_length(np.empty(n_samples), y)
        y2 = y.reshape(len(y), -1)  # (n, n_outputs)
        if continuing:
            if y2.shape[1] != self.n_outputs_:
                raise ValueError(
                    f"y has {y2.shape[1]} output(s), but {type(self).__name__} was fitted with "
                    f"{self.n_outputs_}; set warm_start=False to train a new network."
                )
        else:
            self.n_outputs_ = y2.shape[1]
            self._y_1d = y.ndim == 1
        return y2, self.n_outputs_

    def _prepare_weight(self, sample_weight, y, y_enc, *, whole_data: bool) -> np.ndarray | None:
        if sample_weight is None:
            return None
        weight = _check_sample_weight(sample_weight, len(y_enc))
        return weight / weight.mean()

    @staticmethod
    def _early_stopping(patience: int) -> list[tuple[str, Callback]]:
        return [("early_stopping", ValidEarlyStopping("valid_loss", patience))]

    def _training_targets(self, y2: np.ndarray, weight: np.ndarray | None, *, continuing: bool) -> np.ndarray:
        """Standardised targets (B, n_outputs); the (weighted) statistics are fixed in the first fit."""
        if not continuing:
            self._y_shift = np.average(y2, axis=0, weights=weight)
            centred = y2 - self._y_shift
            # the standard deviation of centred / its largest magnitude: no overflow for targets near 1e300
            peak = np.abs(centred).max(axis=0)
            peak = np.where(peak > 0, peak, 1.0)
            scale = peak * np.sqrt(np.average((centred / peak) ** 2, axis=0, weights=weight))
            self._y_scale = np.where(scale > 0, scale, 1.0)
        y_std = (y2 - self._y_shift) / self._y_scale
        return y_std.astype(np.float64 if self.dtype == "float64" else np.float32)

    def fit(self, X, y, sample_weight=None) -> S4Regressor:
        """Train the ``n_estimators`` networks on series with real-valued targets.

        Parameters
        ----------
        X : array-like or list of series
            Any format accepted by :func:`sks4.data.to_padded` (see
            :meth:`S4Classifier.fit`).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; :meth:`predict` returns the same shape.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : S4Regressor

        Raises
        ------
        FloatingPointError
            If the loss becomes NaN or infinite during training.

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Regressor
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> Y = np.c_[X.mean(axis=1), X.std(axis=1)]
        >>> S4Regressor(d_model=8, n_layers=1, max_epochs=2).fit(X, Y).n_outputs_
        2
        """
        return self._fit(X, y, sample_weight, partial=False)

    def partial_fit(self, X, y, sample_weight=None) -> S4Regressor:
        """Train every network for one epoch, continuing from the current weights.

        No validation split and no early stopping; the learning rate is
        ``lr`` (``ssm_lr`` for the SSM parameters). Target standardisation
        is fixed in the first call.

        Parameters
        ----------
        X : array-like or list of series
            As in :meth:`fit`, with the same number of channels every call.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : S4Regressor

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Regressor
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> reg = S4Regressor(d_model=8, n_layers=1)
        >>> for _ in range(2):
        ...     reg = reg.partial_fit(X, X.mean(axis=1))
        >>> len(reg.net_.history)
        2
        """
        return self._fit(X, y, sample_weight, partial=True)

    def predict(self, X) -> np.ndarray:
        """Predicted targets: the mean of the ``n_estimators`` networks' predictions.

        Parameters
        ----------
        X : array-like or list of series
            Any format accepted in :meth:`fit`, with the same number of channels.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The shape of ``y`` in ``fit``.

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Regressor
        >>> X = np.random.RandomState(0).randn(20, 30)
        >>> reg = S4Regressor(d_model=8, n_layers=1, max_epochs=2, random_state=0).fit(X, X[:, -1])
        >>> reg.predict(X[:3]).shape
        (3,)
        """
        out = self._forward(X, embed=False).mean(axis=0) * self._y_scale + self._y_shift  # (n, n_outputs)
        return out[:, 0] if self._y_1d else out
