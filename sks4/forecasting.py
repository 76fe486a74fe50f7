"""Forecasting pandas time series with S4: :class:`S4Forecaster`.

The forecaster reads the history with a *causal* S4 network and forecasts
directly up to ``max_horizon`` steps ahead, with quantiles, from its
features at the last observed step. Because the network is causal, its
state after the history is a recurrence: ``fit`` reads the history in one
convolutional pass that also returns that state, and
:meth:`S4Forecaster.update` takes new observations with O(1) work each (one
recurrent step of the network per observation), no retraining and no pass
over the old history.

How a series becomes training data
----------------------------------
1. The targets are transformed (``transform``: natural log for positive
   series, or none) and their changes from one step to the next, divided by
   their root mean square on the training data, are the network's input
   (with the exogenous variables, standardised).
2. At every time step ``t`` and for every horizon ``h`` the network
   predicts the change ``z[t + h] - z[t]`` of the transformed target,
   divided by its training root mean square for that ``h``, at each
   quantile level (pinball loss). Forecasts are therefore anchored at the
   last observed value and free of the series' level, so a trend carries
   over to values never seen in training.
3. Training windows are cut from the series at every start position; each
   contributes all of its positions whose future is known.

Quantiles map through the monotone inverse transform exactly, so the median
and intervals of the original series are those of the transformed one.

Prediction intervals
--------------------
Quantiles learnt on the training windows are overconfident: the network has
seen those windows' futures. By default (``intervals="conformal"``) the
intervals are calibrated out of sample instead, by split-conformal
prediction per horizon (Lei et al. 2018; for multi-step time series,
Stankeviciute et al. 2021): a copy of the forecaster is trained without the
last ``c`` steps of the series and forecasts them from every origin; the
absolute errors of its medians (transformed scale) for horizon ``h`` give
the half-width of horizon ``h``'s intervals around the median of the
forecaster trained on the whole series, at the ``ceil((n + 1) p)``-th
smallest of the ``n`` errors for a central interval of probability ``p``.

* J. Lei, M. G'Sell, A. Rinaldo, R. J. Tibshirani and L. Wasserman (2018).
  Distribution-free predictive inference for regression. JASA 113(523).
* K. Stankeviciute, A. M. Alaa and M. van der Schaar (2021). Conformal
  time-series forecasting. NeurIPS 34.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet

from sks4._forecast_net import PinballLoss, S4ForecastNetwork, WindowDataset
from sks4._skorch import ssm_param_groups, training_callbacks
from sks4._validation import S4_STEP_RANGE, check_float, check_int, check_step_range, resolve_device, seeded_torch
from sks4.nn.layer import KERNELS

__all__ = ["S4Forecaster", "smape"]

TRANSFORMS = ("auto", "log", "none")
INTERVALS = ("conformal", "quantile")
DEFAULT_QUANTILES = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)


def smape(y_true, y_pred) -> float:
    """Symmetric mean absolute percentage error, as a fraction: ``mean(2|y - ŷ| / (|y| + |ŷ|))``.

    Pairs where both values are 0 count as no error.

    Examples
    --------
    >>> smape([100, 200], [110, 200])
    0.047619047619047616
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred have different shapes: {y_true.shape} and {y_pred.shape}.")
    denom = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(2 * np.abs(y_true - y_pred), denom, out=np.zeros_like(denom), where=denom > 0)
    return float(ratio.mean())


# --------------------------------------------------------------------------- index helpers
def _offset(freq, is_period: bool = False):
    """``freq`` as a pandas offset; a ValueError naming the parameter when pandas does not know it."""
    try:
        return pd.tseries.frequencies.to_offset(freq, is_period=is_period)
    except (TypeError, ValueError) as error:
        kind = "period" if is_period else "date offset"
        raise ValueError(f"freq={freq!r} is not a pandas {kind} alias ('MS', 'D', 'h', ...): {error}") from None


def infer_offset(index: pd.DatetimeIndex):
    """The regular frequency of ``index`` as a pandas offset, or None (``pd.infer_freq``).

    pandas 3 announces that ``infer_freq`` will return an offset instead of
    a string; ``to_offset`` takes either, and the announcement is silenced.
    Dates a whole number of months apart on one day of the month that no
    pandas code names (the 15th, say) give ``pd.DateOffset(months=k)``.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*infer_freq.*", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*infer_freq.*", category=DeprecationWarning)
        inferred = pd.infer_freq(index)
    if inferred is not None:
        return pd.tseries.frequencies.to_offset(inferred)
    return _month_step(index)


def _month_step(index: pd.DatetimeIndex):
    """``pd.DateOffset(months=k)`` when ``index`` steps by ``k`` months on a day <= 28 at one time of day, else None."""
    if len(index) < 3 or index.day.max() > 28 or len(set(index.day)) != 1 or len(set(index.time)) != 1:
        return None
    months = np.asarray(index.year) * 12 + np.asarray(index.month)
    steps = np.unique(np.diff(months))
    if len(steps) != 1 or steps[0] < 1:
        return None
    return pd.DateOffset(months=int(steps[0]))


def _regular_index(index: pd.Index, freq, name: str):
    """Check that ``index`` is a regular time index; return its step (a pandas offset or an int)."""
    if isinstance(index, pd.PeriodIndex):
        step = index.freq
        if freq is not None and _offset(freq, is_period=True) != step:
            raise ValueError(
                f"freq={freq!r} does not match the frequency {index.freqstr!r} of {name}'s PeriodIndex, which "
                f"carries its own. Leave freq=None, or convert the index first, e.g. {name}.asfreq({freq!r})."
            )
        if len(index) > 1 and not (index[1:] == index[:-1] + 1).all():
            raise ValueError(f"{name} has a PeriodIndex with gaps or disorder; reindex it to consecutive periods.")
        return step
    if isinstance(index, pd.DatetimeIndex):
        if len(index) > 1 and not index.is_monotonic_increasing:
            # a newest-first index has a regular (negative) frequency: without this, the cutoff
            # would be the oldest date and the forecasts would run into the past
            raise ValueError(
                f"{name}'s DatetimeIndex is not in increasing order (newest first, or shuffled); sort it "
                f"first, e.g. {name}.sort_index()."
            )
        if index.has_duplicates:
            raise ValueError(
                f"{name} repeats the time stamp {index[index.duplicated()][0]!r} (each time step once): combine "
                f"the repeated rows first, e.g. {name}.groupby(level=0).mean()."
            )
        step = _offset(freq) if freq is not None else index.freq
        if step is None and len(index) >= 3:
            step = infer_offset(index)
        if step is None:
            raise ValueError(
                f"{name} has a DatetimeIndex without a regular frequency (none set, none inferable). "
                f"Pass freq= to S4Forecaster (e.g. freq='MS' for month starts, or freq=pd.DateOffset(months=1) for "
                f"another day of the month), or make the series regular first, "
                f"e.g. {name}.asfreq('D') or {name}.resample('D').mean() followed by an imputation."
            )
        if len(index) and index[0] + step <= index[0]:
            raise ValueError(f"freq={step.freqstr!r} does not step forward in time; give a positive frequency.")
        expected = pd.date_range(index[0], periods=len(index), freq=step)
        if not index.equals(expected):
            code = f"pd.DateOffset(**{step.kwds!r})" if type(step) is pd.DateOffset else repr(step.freqstr)
            raise ValueError(
                f"{name} is not regular at frequency {code}: timestamps are missing, repeated or out "
                f"of order. Resample it, e.g. {name}.asfreq({code}), and fill the gaps."
            )
        return step
    if pd.api.types.is_integer_dtype(index.dtype):
        if freq is not None:
            raise ValueError(
                f"freq={freq!r} applies to a DatetimeIndex, but {name} has an integer index (its step is the "
                "spacing of the integers). Leave freq=None, or give the series a DatetimeIndex or PeriodIndex."
            )
        values = np.asarray(index, dtype=np.int64)
        if len(values) < 2:
            return 1
        diffs = np.diff(values)
        if diffs[0] <= 0 or not (diffs == diffs[0]).all():
            raise ValueError(f"{name} has an integer index that is not evenly spaced and increasing.")
        return int(diffs[0])
    raise TypeError(
        f"{name} must be indexed by a DatetimeIndex, a PeriodIndex or an integer (Range) index, got "
        f"{type(index).__name__}. Convert it, e.g. {name}.index = pd.to_datetime({name}.index)."
    )


def _future_index(last, step, n: int, template: pd.Index) -> pd.Index:
    """The ``n`` index labels after ``last``, at ``step``, of the same kind as ``template``."""
    if isinstance(template, pd.PeriodIndex):
        return pd.period_range(last + 1, periods=n, freq=template.freq, name=template.name)
    if isinstance(template, pd.DatetimeIndex):
        return pd.date_range(last, periods=n + 1, freq=step, name=template.name, tz=template.tz)[1:]
    return pd.RangeIndex(last + step, last + step * (n + 1), step, name=template.name)


def _as_frame(y, name: str) -> tuple[pd.DataFrame, bool]:
    """``y`` as a DataFrame of float columns; also whether it was a Series."""
    if isinstance(y, pd.Series):
        return y.to_frame(name=y.name if y.name is not None else "y"), True
    if isinstance(y, pd.DataFrame):
        return y, False
    if isinstance(y, (np.ndarray, list, tuple)):
        arr = np.asarray(y)
        if arr.ndim == 1:
            return pd.Series(arr, name="y").to_frame(), True
        if arr.ndim == 2:
            return pd.DataFrame(arr), False
    raise TypeError(
        f"{name} must be a pandas Series or DataFrame (or a 1-D / 2-D array, indexed 0..n-1), "
        f"got {type(y).__name__}."
    )


def _numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Float64 values of ``frame``; no columns, repeated names, non-numeric or non-finite values are an error."""
    if frame.shape[1] == 0:
        raise ValueError(f"{name} has no columns: pass at least one numeric column.")
    repeated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if repeated:
        raise ValueError(
            f"{name} has repeated column name(s) {repeated}; every column needs its own name "
            f"(rename them, e.g. {name}.columns = [...])."
        )
    bad = [c for c in frame.columns if not (pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]))]
    if bad:
        raise TypeError(f"{name} must hold numbers; column(s) {bad} are {[str(frame[c].dtype) for c in bad]}.")
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(values).all():
        rows = frame.index[~np.isfinite(values).all(axis=1)]
        raise ValueError(
            f"{name} has missing or infinite values at {len(rows)} time step(s), first at {rows[0]!r}. "
            f"S4Forecaster needs complete data: fill them first, e.g. {name}.interpolate() or {name}.ffill()."
        )
    return values


# --------------------------------------------------------------------------- the forecaster
class S4Forecaster(BaseEstimator):
    """Forecast pandas time series with a causal S4 network, with quantiles and cheap updates.

    Parameters
    ----------
    max_horizon : int, default=12
        Largest number of steps ahead that :meth:`predict` can forecast; the
        network forecasts all of them directly (no recursion).
    quantiles : sequence of float, default=(0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)
        Quantile levels learnt with the pinball loss. The median (0.5, added
        when missing) is the point forecast. With ``intervals="quantile"``,
        :meth:`predict_interval` and :meth:`predict_quantiles` interpolate
        between the learnt levels and reach levels from the smallest to the
        largest; conformal intervals (the default) take any level in (0, 1).
    transform : {"auto", "log", "none"}, default="auto"
        Transform of the targets before scaling: ``"log"`` models relative
        changes (multiplicative trend and seasonality), ``"auto"`` takes the
        log when every training value is positive.
    context_length : int or None, default=None
        Length of the training windows; None uses the whole series (windows
        start at every step and run to the end). Set it to bound the cost of
        training on long series. Forecasts always read the whole history.
    seasonal_period : int, "auto" or None, default=None
        Length of the seasonal cycle, in steps. With a cycle of length ``m``
        the network forecasts the change from the same season of the last
        observed cycle (``z[t + h] - z[t + h - m ceil(h/m)]``, a seasonal-naive
        anchor that it corrects) instead of the change from the last value.
        ``"auto"`` takes ``m`` from the frequency of the index (12 monthly, 4
        quarterly, 52 weekly, 7 daily, 5 business daily, 24 hourly; no cycle
        for other frequencies and integer indexes); None uses no cycle.
    trend_window : int, "auto" or None, default=None
        With a window ``w``, the anchor also carries the local slope
        ``(z[t] - z[t - w]) / w`` forward: the network forecasts the
        departure from ``z[t] + h * slope`` (with a seasonal anchor, from
        the same season of the last cycle plus the slope over the steps in
        between), a local linear trend that it corrects, so forecasts follow
        the recent growth of the series rather than its average growth over
        the training windows. ``"auto"`` takes the seasonal cycle (12 for
        monthly data, so the slope is free of the season) or, without one,
        ``max_horizon``; None: no slope (the change from the anchor).
        Ignored on series not longer than the window.
    d_model, d_state, n_layers : int, default=32, 32, 2
        Width, state size (even) and depth of the S4 backbone.
    kernel : {"diag", "dplr"}, default="diag"
        SSM kernel of the backbone (S4D diagonal, or S4's DPLR).
    dropout : float, default=0.4
        Dropout in the backbone (a strong regulariser on short series).
    lr, ssm_lr : float, default=0.003, 0.001
        AdamW learning rates of the network and of the SSM parameters.
    weight_decay : float, default=0.01
        AdamW weight decay (not applied to the SSM parameters).
    batch_size : int, default=8
        Training windows per step.
    max_epochs : int, default=100
        Passes over the training windows, with a cosine learning-rate decay.
    n_models : int, default=1
        Size of the ensemble: networks trained from different seeds, whose
        quantiles are averaged (more stable forecasts on short series).
    intervals : {"conformal", "quantile"}, default="conformal"
        How :meth:`predict_interval` and :meth:`predict_quantiles` are made.
        ``"conformal"``: split-conformal intervals around the median, from
        out-of-sample errors per horizon (see the module docstring; Lei et
        al. 2018, Stankeviciute et al. 2021); this trains a second,
        calibration model on the series without its last
        ``calibration_size`` steps (up to twice the fit time: about 1.5 times
        on short series, close to twice on long ones).
        ``"quantile"``: the learnt quantiles, which tend to be too narrow.
        The point forecast is the same either way.
    calibration_size : int or None, default=None
        Steps at the end of the series held out from the calibration model;
        each horizon gets that many out-of-sample errors. None:
        ``min(max(max_horizon, 20), len(y) // 3)``; series too short for
        that (fewer than 3 steps left to train on) fall back to the learnt
        quantiles with a warning. With ``n`` errors, probabilities above
        ``n / (n + 1)`` take the largest error, which no longer guarantees
        them (e.g. 90% needs ``n >= 9``).
    freq : str, pandas offset or None, default=None
        Frequency of a DatetimeIndex that does not carry one (``"MS"``,
        ``"D"``, ..., or an offset such as ``pd.DateOffset(months=1)`` for a
        monthly series on the 15th); inferred when None. A PeriodIndex carries its own
        (a different ``freq`` is an error), an integer index has none.
    device : str, default="auto"
        ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda"``.
    random_state : int, RandomState or None, default=None
        Seeds every network (initialisation, shuffling, dropout; one seed
        per network drawn from it) and the copy trained for conformal
        calibration. The same value gives the same forecaster on the CPU
        (with the same number of torch threads).
    verbose : int or bool, default=0
        Print skorch's per-epoch table when positive.
    dt_min, dt_max : float, default=0.01, 1.0
        Range of the SSMs' initial step sizes: each channel's ``dt`` is
        drawn log-uniformly from it, then learned (at ``ssm_lr``). An SSM's
        time scale is about ``1 / dt`` steps; S4's own range, 0.001 to 0.1,
        suits long sequences (see the forecasting page of the docs).

    Attributes
    ----------
    nets_ : list of skorch.NeuralNet
        The trained networks (``len == n_models``).
    cutoff_ : index label
        Last observed time step (moves with :meth:`update`).
    max_horizon_ : int
        The ``max_horizon`` the networks were trained for; forecasts reach
        that far even if ``max_horizon`` is changed after fit.
    transform_ : {"log", "none"}
        The transform that ``"auto"`` resolved to.
    target_names_ : list
        Column names of the targets.
    exog_names_ : list or None
        Column names of the exogenous variables used in fit.
    n_updates_ : int
        Observations taken by :meth:`update` since fit.
    conformal_residuals_ : ndarray of shape (max_horizon, n_targets, calibration_size) or None
        Absolute out-of-sample errors of the calibration model's medians on
        the transformed scale, per horizon (NaN where a horizon has fewer);
        None with ``intervals="quantile"`` or when calibration fell back.

    Examples
    --------
    >>> from sks4 import S4Forecaster
    >>> from sks4.datasets import load_airline
    >>> y = load_airline()
    >>> model = S4Forecaster(max_horizon=12, max_epochs=5, random_state=0).fit(y[:-12])
    >>> model.predict(3).index.astype(str).tolist()
    ['1960-01', '1960-02', '1960-03']
    >>> model.predict_interval(3, coverage=0.9).columns.tolist()
    ['lower', 'upper']
    """

    def __init__(
        self,
        max_horizon: int = 12,
        quantiles=DEFAULT_QUANTILES,
        transform: str = "auto",
        context_length: int | None = None,
        seasonal_period: int | str | None = None,
        trend_window: int | str | None = None,
        d_model: int = 32,
        d_state: int = 32,
        n_layers: int = 2,
        kernel: str = "diag",
        dropout: float = 0.4,
        lr: float = 0.003,
        ssm_lr: float = 0.001,
        weight_decay: float = 0.01,
        batch_size: int = 8,
        max_epochs: int = 100,
        n_models: int = 1,
        intervals: str = "conformal",
        calibration_size: int | None = None,
        freq: str | None = None,
        device: str = "auto",
        random_state=None,
        verbose: int = 0,
        dt_min: float = 0.01,
        dt_max: float = 1.0,
    ):
        self.max_horizon = max_horizon
        self.quantiles = quantiles
        self.transform = transform
        self.context_length = context_length
        self.seasonal_period = seasonal_period
        self.trend_window = trend_window
        self.d_model = d_model
        self.d_state = d_state
        self.n_layers = n_layers
        self.kernel = kernel
        self.dt_min = dt_min
        self.dt_max = dt_max
        self.dropout = dropout
        self.lr = lr
        self.ssm_lr = ssm_lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.n_models = n_models
        self.intervals = intervals
        self.calibration_size = calibration_size
        self.freq = freq
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> np.ndarray:
        for name in ("max_horizon", "d_model", "d_state", "n_layers", "batch_size", "max_epochs", "n_models"):
            check_int(getattr(self, name), name)
        check_int(self.context_length, "context_length", minimum=2, allow_none=True)
        check_int(self.calibration_size, "calibration_size", minimum=1, allow_none=True)
        if self.intervals not in INTERVALS:
            raise ValueError(f"intervals must be one of {INTERVALS}, got {self.intervals!r}.")
        if not isinstance(self.verbose, (bool, np.bool_)):  # True / False count as 1 / 0
            check_int(self.verbose, "verbose", minimum=0)
        if self.d_state % 2:
            raise ValueError(f"d_state must be even (conjugate pairs), got {self.d_state}; use {self.d_state + 1}.")
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS}, got {self.kernel!r}.")
        for name, minimum in (("seasonal_period", 2), ("trend_window", 1)):
            value = getattr(self, name)
            if not (value is None or value == "auto" or _is_int(value) and value >= minimum):
                raise ValueError(f"{name} must be 'auto', None or an integer >= {minimum}, got {value!r}.")
        if self.transform not in TRANSFORMS:
            raise ValueError(f"transform must be one of {TRANSFORMS}, got {self.transform!r}.")
        check_step_range(self.dt_min, self.dt_max)
        check_float(self.dropout, "dropout", 0.0, 1.0, low_open=False, high_open=True)
        check_float(self.lr, "lr", 0.0, np.inf, low_open=True, high_open=True)
        check_float(self.ssm_lr, "ssm_lr", 0.0, np.inf, low_open=True, high_open=True)
        check_float(self.weight_decay, "weight_decay", 0.0, np.inf, low_open=False, high_open=True)
        resolve_device(self.device)
        check_random_state(self.random_state)
        try:
            levels = np.asarray(self.quantiles, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise TypeError(f"quantiles must be a sequence of numbers in (0, 1), got {self.quantiles!r}.") from None
        if levels.size == 0 or not ((levels > 0) & (levels < 1)).all():
            raise ValueError(f"quantiles must be numbers strictly between 0 and 1, got {self.quantiles!r}.")
        return np.unique(np.append(levels, 0.5))  # sorted, with the median

    # ------------------------------------------------------------------ fit
    def fit(self, y, X=None) -> S4Forecaster:
        """Train on the history ``y`` (and exogenous variables ``X``).

        With ``intervals="conformal"`` a second, calibration model is trained
        on ``y`` without its last ``calibration_size`` steps, for the intervals.

        Parameters
        ----------
        y : pandas Series or DataFrame
            Target series (one per column), indexed by a regular
            DatetimeIndex, PeriodIndex or integer index. No missing values.
        X : pandas DataFrame or Series, optional
            Exogenous variables on the same index as ``y``. Their future
            values will be needed by :meth:`predict`.

        Returns
        -------
        self

        Examples
        --------
        >>> from sks4 import S4Forecaster
        >>> from sks4.datasets import load_airline
        >>> y = load_airline()
        >>> model = S4Forecaster(max_horizon=3, d_model=4, n_layers=1, max_epochs=1, intervals="quantile",
        ...                      random_state=0)
        >>> str(model.fit(y[:48]).cutoff_)
        '1952-12'
        """
        levels = self._check_params()
        if hasattr(self, "nets_"):
            del self.nets_  # a failed refit must not leave the old networks behind new attributes
        frame, self._series_output = _as_frame(y, "y")
        self._series_name = y.name if isinstance(y, pd.Series) else None  # forecasts carry it back
        T = len(frame)
        if T < 3:
            raise ValueError(f"y has {T} observation(s); S4Forecaster needs at least 3.")
        self._step = _regular_index(frame.index, self.freq, "y")
        values = _numeric(frame, "y")  # (T, n_targets)
        exog = self._check_exog(X, frame.index, reset=True)
        calibration_size = self._calibration_size(T)
        self._check_history_for_horizon(T, calibration_size)
        self.max_horizon_ = int(self.max_horizon)  # predict reads this, not a max_horizon set after fit
        self.season_length_ = self._season_length(frame.index)
        self.target_names_ = list(frame.columns)
        self._columns_name = frame.columns.name  # "store", say: forecasts carry it back
        self.index_template_ = frame.index[:0]
        self.quantiles_ = levels

        if self.transform == "auto":
            self.transform_ = "log" if (values > 0).all() else "none"
        else:
            self.transform_ = self.transform
        if self.transform_ == "log" and not (values > 0).all():
            raise ValueError("transform='log' needs strictly positive targets; use transform='none'.")
        z = self._forward_transform(values)  # (T, n_targets)

        # Scales: of one-step changes (inputs) and of h-step changes (targets), per target.
        H = self.max_horizon_
        m = self.season_length_
        h = np.arange(1, H + 1)
        # reference position of horizon h, relative to t: the last value, or the same season last cycle
        self.anchor_offsets_ = h - m * np.ceil(h / m).astype(np.int64) if m and m < T else np.zeros(H, np.int64)
        w = (m or H) if self.trend_window == "auto" else self.trend_window
        self.trend_window_ = int(w) if w is not None and w < T else None
        self._memory = int(max(1 - self.anchor_offsets_.min(), (self.trend_window_ or 0) + 1))  # past levels a forecast needs
        # a constant series has no changes: scale by a thousandth of its level instead
        floor = 1e-3 * np.maximum(np.abs(z).mean(0), 1e-9)  # (n_targets,)
        self.step_scale_ = _rms_scales(_anchored_changes(z, np.zeros(1, np.int64)), floor)[0]  # (n_targets,)
        targets = _anchored_changes(z, self.anchor_offsets_, self.trend_window_)  # (T, n_targets, H), NaN when unknown
        self.change_scale_ = _rms_scales(targets, floor)  # (H, n_targets)
        targets = targets / self.change_scale_.T[None]
        if exog is not None:
            self.exog_shift_ = exog.mean(0)
            scale = exog.std(0)
            self.exog_scale_ = np.where(scale > 1e-12 * np.maximum(1, np.abs(self.exog_shift_)), scale, 1.0)
        known = self._known(exog)  # (T, n_known) or None
        self.n_known_ = 0 if known is None else known.shape[1]
        inputs = self._inputs(z, known)  # (C, T)
        future = self._future(known)

        window = T if self.context_length is None else min(self.context_length, T)
        starts = np.arange(0, T - 1)
        device = resolve_device(self.device)
        dtype = np.float32
        dataset = WindowDataset(inputs.astype(dtype), targets.astype(dtype), None if future is None else future.astype(dtype), starts, window)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_models)
        calibration_seed = int(rng.randint(np.iinfo(np.int32).max))
        self.nets_ = []
        for seed in seeds:
            with seeded_torch(int(seed), device):
                net = self._build_net(inputs.shape[0], len(self.target_names_), device)
                net.fit(dataset, None)
            self.nets_.append(net)

        # Read the whole history into each network's recurrent state.
        self.cutoff_ = frame.index[-1]
        self.recent_levels_ = z[-self._memory :].copy()  # (memory, n_targets), last row = cutoff
        self.n_updates_ = 0
        self._states = []
        self._features = []
        for net in self.nets_:
            state, features = self._read(net, inputs)
            self._states.append(state)
            self._features.append(features)
        self.conformal_residuals_ = None
        if calibration_size is not None:
            self._calibrate(frame, values, exog, calibration_size, calibration_seed)
        return self

    def _future(self, known: np.ndarray | None) -> np.ndarray | None:
        """Known covariates at ``t + h`` for every step ``t`` and horizon ``h``: (T, H, n_known), zeros beyond."""
        if known is None:
            return None
        T, H = len(known), self.max_horizon_
        future = np.zeros((T, H, known.shape[1]))
        for h in range(1, min(H, T - 1) + 1):
            future[: T - h, h - 1] = known[h:]
        return future

    def _check_history_for_horizon(self, T: int, calibration_size: int | None) -> None:
        """Refuse horizons without a training target; warn when the longest have few.

        Horizon ``h`` is learnt from the ``T - h`` origins whose target lies
        in the series (the calibration model's from ``T - calibration_size``
        observations, which must also cover every horizon).
        """
        H = int(self.max_horizon)
        trained_on = T - (calibration_size or 0)
        if trained_on <= H:
            held_out = f" after the {calibration_size} held out for conformal calibration" if calibration_size else ""
            raise ValueError(
                f"max_horizon={H} needs more than {H} observations to learn every horizon; y has {trained_on}"
                f"{held_out}. Lower max_horizon (at most {trained_on - 1}) or give more history."
            )
        if T < 2 * H:
            warnings.warn(
                f"y has {T} observations for max_horizon={H}: horizon h is learnt from {T} - h examples, only "
                f"{T - H} for the longest, so forecasts that far ahead are unreliable. Lower max_horizon or give "
                "more history (at least 2 * max_horizon observations).",
                UserWarning,
                stacklevel=3,
            )

    def _calibration_size(self, T: int) -> int | None:
        """Number of last steps held out for conformal calibration; None: learnt quantiles."""
        if self.intervals != "conformal":
            return None
        size = min(max(self.max_horizon, 20), T // 3) if self.calibration_size is None else self.calibration_size
        if T - size >= 3:
            return int(size)
        if self.calibration_size is not None:
            raise ValueError(
                f"calibration_size={size} leaves {T - size} observation(s) to train the calibration model on; "
                f"it needs at least 3. Use calibration_size <= {T - 3}."
            )
        warnings.warn(f"y is too short ({T} steps) for conformal calibration: the intervals are the learnt "
                      "quantiles.", UserWarning, stacklevel=3)
        return None

    def _calibrate(
        self, frame: pd.DataFrame, values: np.ndarray, exog: np.ndarray | None, size: int, seed: int
    ) -> None:
        """Split-conformal calibration of the intervals on the last ``calibration_size`` steps.

        A copy of the forecaster (same hyperparameters) is trained on the
        series without its last ``c`` steps, then reads the whole series. Its
        forecasts of the held-out steps, from every origin and horizon ``h``
        whose target lies among them (``c`` origins per horizon), give
        out-of-sample absolute residuals on the transformed scale, stored per
        horizon and target in :attr:`conformal_residuals_`.
        """
        T, H = len(values), self.max_horizon_
        cal = clone(self).set_params(intervals="quantile", transform=self.transform_, random_state=seed, verbose=0)
        X_cal = None if exog is None else pd.DataFrame(exog[: T - size], index=frame.index[: T - size])
        with warnings.catch_warnings():  # fit has warned about y's length already
            warnings.filterwarnings("ignore", message=".* observations for max_horizon=", category=UserWarning)
            cal.fit(frame.iloc[: T - size], X_cal)
        # the calibration networks' median forecasts from every origin of the whole series
        z = cal._forward_transform(values)
        known = cal._known(exog)
        inputs, future = cal._inputs(z, known), cal._future(known)
        median = int(np.searchsorted(cal.quantiles_, 0.5))
        outputs = []
        with torch.no_grad():
            for net in cal.nets_:
                module = cal._module(net)
                param = next(module.parameters())
                x = torch.as_tensor(inputs, dtype=param.dtype, device=param.device)[None]
                fut = None if future is None else torch.as_tensor(future, dtype=param.dtype, device=param.device)[None]
                out = module(x, torch.tensor([T], device=param.device), fut)[0]  # (T, n_targets, H, Q)
                outputs.append(out.cpu().double().numpy())
        change = np.sort(np.mean(outputs, axis=0), axis=-1)[..., median] * cal.change_scale_.T[None]  # (T, n, H)
        residuals = _anchored_changes(z, cal.anchor_offsets_, cal.trend_window_) - change  # z[t + h] - forecast, NaN if unknown
        scores = np.full((H, values.shape[1], size), np.nan)
        for h in range(1, H + 1):
            origins = np.arange(max(0, T - size - h), T - h)  # the target t + h was held out
            scores[h - 1, :, : len(origins)] = np.abs(residuals[origins, :, h - 1]).T
        if not np.isfinite(scores[0]).any(axis=-1).all():
            warnings.warn("no held-out residual one step ahead (series too short for conformal calibration): "
                          "the intervals are the learnt quantiles.", UserWarning, stacklevel=3)
            return
        self.conformal_residuals_ = scores

    def _conformal_widths(self, p: np.ndarray) -> np.ndarray:
        """Half-widths (H, n_targets, len(p)) of the conformal intervals of probabilities ``p`` (transformed scale).

        The width for ``n`` residuals is their ``ceil((n + 1) p)``-th smallest
        (the largest when that rank exceeds ``n``), made non-decreasing in the
        horizon; ``p = 0`` gives 0.
        """
        scores = np.sort(self.conformal_residuals_, axis=-1)  # NaN last
        n = np.isfinite(scores).sum(-1)[..., None]  # (H, n_targets, 1)
        rank = np.clip(np.ceil((n + 1) * p - 1e-9).astype(np.int64), 1, np.maximum(n, 1))
        widths = np.take_along_axis(scores, rank - 1, axis=-1)  # (H, n_targets, P)
        widths = np.fmax.accumulate(widths, axis=0)  # wider further ahead; fills horizons without residuals
        return np.where(p > 0, widths, 0.0)

    def _build_net(self, d_input: int, n_targets: int, device: str) -> NeuralNet:
        ssm_groups = ssm_param_groups(self.n_layers, self.kernel, False, self.ssm_lr)
        return NeuralNet(
            module=S4ForecastNetwork,
            module__d_input=d_input,
            module__n_targets=n_targets,
            module__max_horizon=self.max_horizon_,
            module__n_quantiles=len(self.quantiles_),
            module__n_exog=self.n_known_,
            module__d_model=self.d_model,
            module__d_state=self.d_state,
            module__n_layers=self.n_layers,
            module__kernel=self.kernel,
            module__dt_min=float(self.dt_min),
            module__dt_max=float(self.dt_max),
            module__dropout=float(self.dropout),
            criterion=PinballLoss,
            criterion__quantiles=self.quantiles_,
            optimizer=torch.optim.AdamW,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            optimizer__param_groups=ssm_groups,
            batch_size=int(self.batch_size),  # numpy integers (a grid's values) are refused by torch
            max_epochs=self.max_epochs,
            train_split=None,
            iterator_train__shuffle=True,
            callbacks=training_callbacks(self.max_epochs),
            device=device,
            verbose=int(self.verbose),
        )

    # ------------------------------------------------------------------ transforms
    def _forward_transform(self, values: np.ndarray) -> np.ndarray:
        return np.log(values) if self.transform_ == "log" else values

    def _inverse_transform(self, z: np.ndarray) -> np.ndarray:
        return np.exp(z) if self.transform_ == "log" else z

    def _scale_exog(self, exog: np.ndarray) -> np.ndarray:
        return (exog - self.exog_shift_) / self.exog_scale_

    def _season_length(self, index: pd.Index) -> int | None:
        """The seasonal period that ``seasonal_period`` stands for on ``index``."""
        if self.seasonal_period is None:
            return None
        if not isinstance(self.seasonal_period, str):
            return int(self.seasonal_period)
        if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
            return None
        code, multiple = _step_code(self._step)  # "2ME": ("ME", 2), two months a step
        for prefixes, period in _SEASONS:
            if code in prefixes:
                # a cycle that is not a whole number of steps ("2D": 3.5 steps a week) is none
                return period // multiple if period % multiple == 0 and period // multiple >= 2 else None
        return None

    def _known(self, exog: np.ndarray | None) -> np.ndarray | None:
        """Covariates known in advance: the scaled exogenous variables, (n, n_known) or None."""
        return None if exog is None else self._scale_exog(exog)

    def _inputs(self, z: np.ndarray, known: np.ndarray | None, previous: np.ndarray | None = None) -> np.ndarray:
        """Network inputs (C, n): scaled one-step changes of the targets, then the known covariates."""
        before = np.vstack([z[:1] if previous is None else previous[None], z[:-1]])  # (n, n_targets)
        parts = [(z - before) / self.step_scale_]
        if known is not None:
            parts.append(known)
        return np.hstack(parts).T  # (C, n)

    def _check_exog(self, X, index: pd.Index, *, reset: bool, name: str = "X") -> np.ndarray | None:
        """Exogenous values aligned on ``index``, (len(index), n_exog), or None."""
        if reset:
            self.exog_names_ = None
        if X is None:
            if not reset and self.exog_names_ is not None:
                raise ValueError(
                    f"This forecaster was fitted with exogenous variables {self.exog_names_}: pass {name} with "
                    f"their values at {list(index.astype(str)[:3])}{'...' if len(index) > 3 else ''}."
                )
            return None
        if not reset and self.exog_names_ is None:
            raise ValueError(f"This forecaster was fitted without exogenous variables; do not pass {name}.")
        frame, _ = _as_frame(X, name)
        if not isinstance(X, (pd.Series, pd.DataFrame)):
            # an array holds the required time steps in order, as an array y_new does
            if len(frame) != len(index):
                raise ValueError(
                    f"{name} is an array of {len(frame)} row(s), read row by row as the time steps {index[0]!r} "
                    f"to {index[-1]!r}, which are {len(index)}. Pass that many rows, or a DataFrame indexed by "
                    "the time steps."
                )
            frame = frame.set_axis(index, axis=0)
            if not reset and self.exog_names_ is not None and frame.shape[1] == len(self.exog_names_):
                frame = frame.set_axis(self.exog_names_, axis=1)
        if not frame.index.is_unique:
            repeated = frame.index[frame.index.duplicated()].unique()
            raise ValueError(
                f"{name} has {len(repeated)} repeated time step(s), first {repeated[0]!r}; keep one row per "
                f"time step, e.g. {name}[~{name}.index.duplicated()]."
            )
        if reset:
            self.exog_names_ = list(frame.columns)
        elif list(frame.columns) != self.exog_names_:
            raise ValueError(f"{name} has columns {list(frame.columns)}, fit saw {self.exog_names_}.")
        _check_same_kind(frame.index, index, name)
        missing = index.difference(frame.index)
        if len(missing):
            raise ValueError(
                f"{name} lacks values at {len(missing)} required time step(s), first {missing[0]!r}; it must cover "
                f"{index[0]!r} to {index[-1]!r}."
            )
        return _numeric(frame.loc[index], name)

    # ------------------------------------------------------------------ recurrent state
    def _module(self, net):
        module = net.module_
        module.eval()
        return module

    @torch.no_grad()
    def _read(self, net, inputs: np.ndarray, state=None):
        """Read ``inputs`` (C, n) into the network's recurrent state; return the new state and the last features.

        A whole history (``state=None``) is read in one convolutional pass
        that also returns the state at its end (``S4Model.forward_with_state``,
        no loop over time); new observations after it advance the state one
        recurrent step each.
        """
        module = self._module(net)
        device = net.device
        dtype = next(module.parameters()).dtype
        x = torch.as_tensor(inputs, dtype=dtype, device=device)  # (C, n)
        if state is None:
            features, state = module.backbone.forward_with_state(x.unsqueeze(0))  # (1, D, n)
            return state, features[..., -1]  # (1, D)
        features = None
        for t in range(x.shape[1]):
            features, state = module.backbone.step(x[:, t].unsqueeze(0), state)  # (1, D)
        return state, features

    # ------------------------------------------------------------------ update
    def update(self, y_new, X_new=None) -> S4Forecaster:
        """Take new observations after the cutoff, without retraining.

        Each new observation costs one recurrent step of each network (O(1)
        in the length of the history); the next :meth:`predict` starts after
        the new data.

        Parameters
        ----------
        y_new : pandas Series or DataFrame
            Observations continuing ``y`` (same columns), starting one step
            after :attr:`cutoff_`.
        X_new : pandas DataFrame or Series, optional
            Exogenous values at the same time steps (required when fit used
            exogenous variables).

        Returns
        -------
        self

        Examples
        --------
        >>> from sks4 import S4Forecaster
        >>> from sks4.datasets import load_airline
        >>> y = load_airline()
        >>> model = S4Forecaster(max_horizon=3, d_model=4, n_layers=1, max_epochs=1, intervals="quantile",
        ...                      random_state=0)
        >>> model = model.fit(y[:48])
        >>> str(model.update(y[48:50]).cutoff_)  # two more months, no retraining
        '1953-02'
        >>> model.predict(1).index.astype(str).tolist()
        ['1953-03']
        """
        check_is_fitted(self, "nets_")
        frame, _ = _as_frame(y_new, "y_new")
        if not isinstance(y_new, (pd.Series, pd.DataFrame)):
            if not isinstance(self._step, numbers.Integral):
                raise TypeError(
                    "y_new must be a pandas Series or DataFrame indexed by the time steps after the cutoff "
                    f"{self.cutoff_!r}; an array is taken as the next steps only when fit had an integer index."
                )
            if frame.shape[1] != len(self.target_names_):
                raise ValueError(
                    f"y_new has {frame.shape[1]} column(s), fit saw {len(self.target_names_)}: "
                    f"{self.target_names_}."
                )
            frame.index = _future_index(self.cutoff_, self._step, len(frame), self.index_template_)
            frame.columns = self.target_names_
        if list(frame.columns) != self.target_names_ and not (self._series_output and frame.shape[1] == 1):
            raise ValueError(f"y_new has columns {list(frame.columns)}, fit saw {self.target_names_}.")
        if len(frame) == 0:
            return self
        expected = _future_index(self.cutoff_, self._step, len(frame), self.index_template_)
        if not frame.index.equals(expected):
            raise ValueError(
                f"y_new must continue the series right after the cutoff {self.cutoff_!r} at its frequency: "
                f"expected index {expected[0]!r} .. {expected[-1]!r}, got {frame.index[0]!r} .. {frame.index[-1]!r}."
            )
        values = _numeric(frame, "y_new")
        if self.transform_ == "log" and not (values > 0).all():
            raise ValueError("y_new has values <= 0 but the forecaster models the log of the series.")
        exog = self._check_exog(X_new, expected, reset=False, name="X_new")
        z = self._forward_transform(values)
        known = self._known(exog)
        inputs = self._inputs(z, known, previous=self.recent_levels_[-1])
        for i, net in enumerate(self.nets_):
            self._states[i], self._features[i] = self._read(net, inputs, self._states[i])
        self.recent_levels_ = np.vstack([self.recent_levels_, z])[-self._memory :]
        self.cutoff_ = expected[-1]
        self.n_updates_ += len(frame)
        return self

    # ------------------------------------------------------------------ predict
    def _why_not_a_step(self, fh: pd.Index, bad, horizon_index: pd.Index) -> str:
        """The fix for a time stamp of ``fh`` that is not a forecast step."""
        template = self.index_template_  # fh is of its kind and time zone (_check_same_kind)
        if isinstance(template, pd.PeriodIndex) and fh.freq != template.freq:
            return (
                f"fh has periods of frequency {fh.freqstr!r} but y had {template.freqstr!r}: pass periods of "
                f"y's frequency, e.g. fh.asfreq({template.freqstr!r})."
            )
        if bad > horizon_index[-1]:
            return "Raise max_horizon and fit again to forecast further."
        if bad <= self.cutoff_:
            return "It is not after the cutoff: forecasts start at the step after the last observation."
        return "It does not fall on the series' time steps (another frequency or offset)."

    def _steps(self, fh) -> tuple[np.ndarray, pd.Index]:
        """Steps ahead (1-based) and their index labels for a forecasting horizon ``fh``."""
        horizon_index = _future_index(self.cutoff_, self._step, self.max_horizon_, self.index_template_)
        if isinstance(fh, pd.Index):
            _check_same_kind(fh, self.index_template_, "fh")  # also the same instants in another time zone
            positions = horizon_index.get_indexer(fh)
            if (positions < 0).any():
                bad = fh[positions < 0][0]
                bad = bad.item() if isinstance(bad, np.generic) else bad  # 45, not np.int64(45)
                raise ValueError(
                    f"fh contains {bad!r}, which is not one of the {self.max_horizon_} steps after the cutoff "
                    f"{self.cutoff_!r} ({horizon_index[0]!r} .. {horizon_index[-1]!r}). "
                    + self._why_not_a_step(fh, bad, horizon_index)
                )
            steps = positions + 1
        else:
            if _is_int(fh):
                steps = np.arange(1, int(fh) + 1)
                if fh < 1:
                    raise ValueError(f"fh must be >= 1, got {fh}.")
            else:
                try:
                    steps = np.asarray(fh)
                except (TypeError, ValueError):
                    steps = np.asarray([], dtype=object)
                if steps.ndim != 1 or steps.size == 0 or not np.issubdtype(steps.dtype, np.integer):
                    raise TypeError(
                        "fh must be an int (forecast steps 1..fh), a list of 1-based steps ahead, or a pandas "
                        f"index of future time stamps, got {fh!r}."
                    )
                if (steps < 1).any():
                    raise ValueError(f"fh steps are 1-based (1 = the step after the cutoff), got {steps.tolist()}.")
            if steps.max() > self.max_horizon_:
                raise ValueError(
                    f"fh reaches {int(steps.max())} steps ahead, beyond max_horizon={self.max_horizon_}. "
                    f"Refit with S4Forecaster(max_horizon={int(steps.max())}, ...)."
                )
        steps = steps.astype(np.int64)
        if (np.diff(steps) == 1).all():  # consecutive steps: a slice keeps a DatetimeIndex's freq
            return steps, horizon_index[steps[0] - 1 : steps[-1]]
        return steps, horizon_index[steps - 1]

    @torch.no_grad()
    def _quantile_forecasts(self, fh, X) -> tuple[np.ndarray, np.ndarray, pd.Index]:
        """Forecasts at every learnt level: (n_steps, n_targets, n_levels), on the transformed scale; the steps."""
        check_is_fitted(self, "nets_")
        steps, index = self._steps(fh)
        exog = None
        if self.exog_names_ is not None or X is not None:
            exog = self._check_exog(X, index, reset=False)
        future = None
        if self.n_known_:
            future = np.zeros((self.max_horizon_, self.n_known_))
            future[steps - 1] = self._known(exog)
        outputs = []
        for net, features in zip(self.nets_, self._features):
            module = self._module(net)
            param = next(module.parameters())
            fut = None if future is None else torch.as_tensor(future, dtype=param.dtype, device=param.device)[None]
            out = module.head(features, fut)[0]  # (n_targets, Hz, Q)
            outputs.append(out.cpu().double().numpy())
        out = np.mean(outputs, axis=0)[:, steps - 1]  # (n_targets, n_steps, Q)
        out = np.sort(out, axis=-1)  # monotone rearrangement of crossing quantiles
        change = out * self.change_scale_[steps - 1].T[:, :, None]  # (n_targets, n_steps, Q)
        anchors = _anchor_levels(self.recent_levels_, self.anchor_offsets_, self.trend_window_)[-1]  # (n_targets, H)
        levels = anchors[:, steps - 1, None] + change
        return levels.transpose(1, 0, 2), steps, index  # (n_steps, n_targets, Q)

    def _at_levels(self, fh, X, alpha) -> tuple[np.ndarray, pd.Index]:
        """Forecast quantiles at levels ``alpha``: (n_steps, n_targets, len(alpha)) on the original scale.

        Conformal intervals: the median plus or minus the conformal half-width
        of probability ``|2 alpha - 1|``; learnt quantiles: interpolated
        between the learnt levels.
        """
        check_is_fitted(self, "nets_")
        try:
            alpha = np.asarray(alpha, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise TypeError(f"quantile levels must be numbers strictly between 0 and 1, got {alpha!r}.") from None
        if alpha.size == 0 or not ((alpha > 0) & (alpha < 1)).all():  # also rejects NaN
            raise ValueError(f"quantile levels must be numbers strictly between 0 and 1, got {alpha.tolist()}.")
        conformal = getattr(self, "conformal_residuals_", None) is not None
        lo, hi = self.quantiles_[0], self.quantiles_[-1]
        if not conformal and ((alpha < lo - 1e-12) | (alpha > hi + 1e-12)).any():
            wanted = np.unique(np.round(np.concatenate([alpha, self.quantiles_]), 12))
            raise ValueError(
                f"quantile levels {np.round(alpha, 12).tolist()} lie outside the range of the learnt quantiles [{lo}, {hi}]. "
                f"Fit with quantiles= that reach them, e.g. S4Forecaster(quantiles={tuple(float(q) for q in wanted)}), "
                "or with intervals='conformal'."
            )
        forecasts, steps, index = self._quantile_forecasts(fh, X)
        if conformal:
            median = forecasts[..., int(np.searchsorted(self.quantiles_, 0.5))]  # (n_steps, n_targets)
            widths = self._conformal_widths(np.abs(2 * alpha - 1))[steps - 1]  # (n_steps, n_targets, A)
            return self._inverse_transform(median[..., None] + np.sign(alpha - 0.5) * widths), index
        forecasts = self._inverse_transform(forecasts)
        flat = forecasts.reshape(-1, forecasts.shape[-1])
        result = np.stack([np.interp(alpha, self.quantiles_, row) for row in flat])
        return result.reshape(*forecasts.shape[:-1], len(alpha)), index

    def _output(self, values: np.ndarray, index: pd.Index):
        """(n_steps, n_targets) -> Series or DataFrame like ``y``."""
        if self._series_output:
            return pd.Series(values[:, 0], index=index, name=getattr(self, "_series_name", self.target_names_[0]))
        columns = pd.Index(self.target_names_, name=getattr(self, "_columns_name", None))
        return pd.DataFrame(values, index=index, columns=columns)

    def predict(self, fh, X=None):
        """Point forecasts (the median) at the horizon ``fh``.

        Parameters
        ----------
        fh : int, sequence of int, or pandas Index
            ``int``: the steps 1..fh after the cutoff; a sequence: 1-based
            steps ahead; an index: future time stamps at the series' frequency.
            At most ``max_horizon`` steps ahead.
        X : pandas DataFrame or Series, optional
            Future exogenous values at every forecast time stamp (required when
            fit used exogenous variables).

        Returns
        -------
        pandas Series or DataFrame
            Like ``y`` in fit, indexed by the forecast time stamps.

        Examples
        --------
        >>> from sks4 import S4Forecaster
        >>> from sks4.datasets import load_airline
        >>> y = load_airline()
        >>> model = S4Forecaster(max_horizon=3, d_model=4, n_layers=1, max_epochs=1, intervals="quantile",
        ...                      random_state=0)
        >>> model.fit(y[:48]).predict(3).index.astype(str).tolist()
        ['1953-01', '1953-02', '1953-03']
        >>> model.predict([3]).index.astype(str).tolist()  # the third step ahead only
        ['1953-03']
        """
        values, index = self._at_levels(fh, X, [0.5])
        return self._output(values[..., 0], index)

    def predict_quantiles(self, fh, X=None, alpha=(0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Forecast quantiles at levels ``alpha``.

        Monotone in the level, with the level 0.5 equal to :meth:`predict`.
        With conformal intervals the level ``a`` is the bound of the central
        interval of probability ``|2a - 1|`` (below the median for ``a < 0.5``).

        Returns
        -------
        pandas DataFrame
            Indexed like :meth:`predict`; one column per level, or a column
            MultiIndex (target, level) when ``y`` had several columns.

        Examples
        --------
        >>> from sks4 import S4Forecaster
        >>> from sks4.datasets import load_airline
        >>> y = load_airline()
        >>> model = S4Forecaster(max_horizon=3, d_model=4, n_layers=1, max_epochs=1, intervals="quantile",
        ...                      random_state=0)
        >>> model.fit(y[:48]).predict_quantiles(2, alpha=[0.1, 0.5, 0.9]).columns.tolist()
        [0.1, 0.5, 0.9]
        """
        try:
            alpha = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
        except (TypeError, ValueError):
            raise TypeError(f"alpha must be a number or a 1-D list of numbers, got {alpha!r}.") from None
        if alpha.ndim != 1:
            raise ValueError(f"alpha must be a number or a 1-D list of numbers, got shape {alpha.shape}.")
        values, index = self._at_levels(fh, X, alpha)  # (n_steps, n_targets, n_alpha)
        if self._series_output:
            return pd.DataFrame(values[:, 0], index=index, columns=pd.Index(alpha.tolist(), name="quantile"))
        columns = pd.MultiIndex.from_product([self.target_names_, alpha.tolist()], names=["target", "quantile"])
        return pd.DataFrame(values.reshape(len(index), -1), index=index, columns=columns)

    def predict_interval(self, fh, X=None, coverage: float = 0.9) -> pd.DataFrame:
        """Central prediction intervals of probability ``coverage``.

        Conformal by default (``intervals="conformal"``): the median, moved
        on the transformed scale by the conformal half-width of the horizon,
        which grows (never shrinks) with the horizon. They cover each future
        step with probability about ``coverage`` when the errors of the
        calibration period are representative of the future ones.

        Returns
        -------
        pandas DataFrame
            Indexed like :meth:`predict`, columns ``lower`` and ``upper``
            (a column MultiIndex (target, bound) when ``y`` had several columns).

        Examples
        --------
        >>> from sks4 import S4Forecaster
        >>> from sks4.datasets import load_airline
        >>> y = load_airline()
        >>> model = S4Forecaster(max_horizon=3, d_model=4, n_layers=1, max_epochs=1, intervals="quantile",
        ...                      random_state=0)
        >>> interval = model.fit(y[:48]).predict_interval(2, coverage=0.9)
        >>> interval.columns.tolist()
        ['lower', 'upper']
        >>> bool((interval["lower"] <= interval["upper"]).all())
        True
        """
        check_float(coverage, "coverage", 0.0, 1.0, low_open=True, high_open=True)
        values, index = self._at_levels(fh, X, [(1 - coverage) / 2, (1 + coverage) / 2])
        if self._series_output:
            return pd.DataFrame(values[:, 0], index=index, columns=["lower", "upper"])
        columns = pd.MultiIndex.from_product([self.target_names_, ["lower", "upper"]], names=["target", "bound"])
        return pd.DataFrame(values.reshape(len(index), -1), index=index, columns=columns)

    def score(self, y, X=None) -> float:
        """Negative sMAPE of the forecasts of ``y``'s time stamps (higher is better).

        ``y`` holds observations right after the cutoff (at most
        ``max_horizon`` of them), so that ``GridSearchCV`` with a time-ordered
        splitter (:class:`sks4.model_selection.ForecastSplit`) can score a
        forecaster fitted on the preceding fold.

        Examples
        --------
        >>> from sks4 import S4Forecaster
        >>> from sks4.datasets import load_airline
        >>> y = load_airline()
        >>> model = S4Forecaster(max_horizon=3, d_model=4, n_layers=1, max_epochs=1, intervals="quantile",
        ...                      random_state=0)
        >>> smape = -model.fit(y[:48]).score(y[48:51])  # the next three months
        >>> 0 <= smape <= 2
        True
        """
        frame, _ = _as_frame(y, "y")
        if isinstance(y, pd.DataFrame) and not self._series_output:
            # targets by name, as in update(): another column order must not pair them wrongly
            if set(frame.columns) != set(self.target_names_) or frame.columns.duplicated().any():
                raise ValueError(f"y has columns {list(frame.columns)}, fit saw {self.target_names_}.")
            frame = frame[self.target_names_]
        elif frame.shape[1] != len(self.target_names_):
            raise ValueError(f"y has {frame.shape[1]} column(s), fit saw {len(self.target_names_)}: {self.target_names_}.")
        truth = _numeric(frame, "y")
        # pandas input: forecast its time stamps; an array: the steps right after the cutoff
        fh = frame.index if isinstance(y, (pd.Series, pd.DataFrame)) else np.arange(1, len(frame) + 1)
        pred = self.predict(fh, X)
        pred = pred.to_frame() if isinstance(pred, pd.Series) else pred
        return -smape(truth, pred.to_numpy())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:  # tags (and the notebook display) must work for any parameter value; fit checks the device
            tags.non_deterministic = resolve_device(self.device).startswith("cuda")  # CUDA FFTs are not bitwise reproducible
        except ValueError:
            tags.non_deterministic = False
        return tags

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        state = self.__dict__.copy()
        # recurrent states and features live on the network's device: store them on the CPU
        for key in ("_states", "_features"):
            if key in state:
                state[key] = _to_cpu(state[key])
        return state

    def __setstate__(self, state):
        self.__dict__.update({**S4_STEP_RANGE, **state})  # pickled before dt_min / dt_max existed
        if "nets_" in state and "max_horizon_" not in state:  # fitted before max_horizon_ was recorded
            self.max_horizon_ = int(state["max_horizon"])
        if "nets_" in state:
            for i, net in enumerate(self.nets_):
                device = net.device
                if str(device).startswith("cuda") and not torch.cuda.is_available():
                    net.set_params(device="cpu")
                    device = "cpu"
                self._states[i] = _to_device(self._states[i], device)
                self._features[i] = _to_device(self._features[i], device)


def _to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_cpu(o) for o in obj)
    return obj


def _to_device(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(o, device) for o in obj)
    return obj


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_same_kind(given: pd.Index, expected: pd.Index, name: str) -> None:
    """Refuse time stamps of another kind (periods for dates, ...) or time zone than ``expected``'s, saying which."""
    if type(given) is not type(expected) and not (
        pd.api.types.is_integer_dtype(given.dtype) and pd.api.types.is_integer_dtype(expected.dtype)
    ):
        raise ValueError(
            f"{name} is a {type(given).__name__} but y had a {type(expected).__name__}: pass time stamps of the "
            "same kind."
        )
    if isinstance(expected, pd.DatetimeIndex) and str(given.tz) != str(expected.tz):
        if given.tz is None:
            fix = f"{name}.tz_localize({str(expected.tz)!r})"
        elif expected.tz is None:
            fix = f"{name}.tz_convert(None)"
        else:
            fix = f"{name}.tz_convert({str(expected.tz)!r})"
        raise ValueError(
            f"{name} has time stamps in time zone {given.tz} but y had {expected.tz}: convert them first, e.g. {fix}."
        )


def _step_code(step) -> tuple[str | None, int]:
    """The frequency prefix and multiple of a step: ``MonthEnd(2)`` -> ``("ME", 2)``.

    A plain ``pd.DateOffset(months=1)`` (monthly on the 15th, say) has no
    prefix in pandas; its single unit stands for one.
    """
    try:
        return step.rule_code.split("-")[0].upper(), int(step.n)
    except NotImplementedError:
        units = {unit: count for unit, count in getattr(step, "kwds", {}).items() if count}
        codes = {"years": "Y", "months": "M", "weeks": "W", "days": "D", "hours": "H", "minutes": "MIN"}
        if len(units) != 1 or next(iter(units)) not in codes:
            return None, 1
        (unit, count), = units.items()
        return codes[unit], int(count) * int(step.n)


_SEASONS = (
    (("M", "MS", "ME", "BM", "BMS", "BME"), 12),
    (("SM", "SMS", "SME"), 24),
    (("Q", "QS", "QE", "BQ", "BQS", "BQE"), 4),
    (("W",), 52),
    (("D",), 7),
    (("B", "C"), 5),
    (("H",), 24),
)


def _anchor_levels(z: np.ndarray, offsets: np.ndarray, trend_window: int | None = None) -> np.ndarray:
    """Reference level of every origin ``t`` and horizon ``h``: (T, n, len(offsets)), NaN where the past is too short.

    ``z[t + offsets[h-1]]``, plus ``(h - offsets[h-1]) * (z[t] - z[t - w]) / w``
    with a trend window ``w`` (the local slope carried over the steps between
    the reference and the target).
    """
    T, n = z.shape
    H = len(offsets)
    out = np.full((T, n, H), np.nan)
    for h, offset in enumerate(offsets, start=1):
        first = max(0, -int(offset))  # the reference must lie in the series
        out[first:, :, h - 1] = z[first + offset : T + offset]
    if trend_window:
        w = int(trend_window)
        slope = np.full((T, n), np.nan)
        slope[w:] = (z[w:] - z[:-w]) / w
        out += slope[:, :, None] * (np.arange(1, H + 1) - offsets)[None, None, :]
    return out


def _anchored_changes(z: np.ndarray, offsets: np.ndarray, trend_window: int | None = None) -> np.ndarray:
    """``out[t, :, h-1] = z[t + h] - anchor[t, :, h-1]`` (see :func:`_anchor_levels`): (T, n, H), NaN where unknown."""
    T, n = z.shape
    anchors = _anchor_levels(z, offsets, trend_window)
    out = np.full_like(anchors, np.nan)
    for h in range(1, len(offsets) + 1):
        if T > h:
            out[: T - h, :, h - 1] = z[h:] - anchors[: T - h, :, h - 1]
    return out


def _rms_scales(changes: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Root mean square over time of each horizon's changes (T, n, H): (H, n).

    Horizons with fewer than 3 known changes extrapolate the last reliable
    one as ``sqrt(h)`` (on a very short series the first horizon counts as
    reliable with any known change); scales below ``floor`` (n,) (a constant
    series) are raised to it.
    """
    _, n, H = changes.shape
    scales = np.ones((H, n))
    last = None
    for h in range(1, H + 1):
        known = changes[:, :, h - 1]
        count = np.isfinite(known).sum(0)
        if count.min() >= 3 or (last is None and count.min() >= 1):
            scales[h - 1] = np.sqrt(np.nanmean(known**2, axis=0))
            last = h
        elif last is not None:
            scales[h - 1] = scales[last - 1] * np.sqrt(h / last)
    return np.maximum(scales, floor)
