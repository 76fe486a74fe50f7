"""Time-ordered evaluation of forecasters: :class:`ForecastSplit` and :func:`backtest`.

Forecasts are judged on data that come *after* the training data. A
:class:`ForecastSplit` cuts a series into folds whose test part is the
``horizon`` steps right after the training part; it is a scikit-learn
cross-validator, so ``GridSearchCV(S4Forecaster(...), grid,
cv=ForecastSplit(...)).fit(y)`` tunes a forecaster on forecasts of unseen
futures. :func:`backtest` runs the same windows and reports, per window, the
accuracy, the coverage of the prediction intervals and the time taken; with
``refit=False`` it trains once and moves the forecaster forward with
:meth:`sks4.S4Forecaster.update` (no retraining).
"""

from __future__ import annotations

import numbers
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples

__all__ = ["ForecastSplit", "backtest"]

WINDOWS = ("expanding", "sliding")
BACKTEST_COLUMNS = ["cutoff", "n_train", "smape", "mae", "rmse", "coverage", "fit_time", "predict_time"]


def _check_positive_int(value: Any, name: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")


class ForecastSplit(BaseCrossValidator):
    """Time-ordered train/test folds for forecasting: test = the steps right after train.

    The folds end at cutoffs ``step`` apart; the last fold's test part ends
    at the end of the data. Each test part holds the ``horizon`` steps right
    after its cutoff, each training part the steps before it: all of them
    from the start (``window="expanding"``) or the last ``window_length``
    (``window="sliding"``). Nothing of a test part comes before its training
    part, so scores are those of genuine forecasts.

    Use it as ``cv=`` of :class:`~sklearn.model_selection.GridSearchCV` or
    :func:`~sklearn.model_selection.cross_val_score` with a forecaster such
    as :class:`sks4.S4Forecaster`, whose ``score`` forecasts the test part
    from the end of the training part.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds.
    horizon : int, default=12
        Length of each test part (steps forecast after each cutoff).
    window : {"expanding", "sliding"}, default="expanding"
        ``"expanding"``: every training part starts at the first step.
        ``"sliding"``: every training part has ``window_length`` steps.
    window_length : int or None, default=None
        Length of the sliding training parts; None makes it as long as the
        first fold allows (the first training part starts at the first
        step). Only for ``window="sliding"``.
    step : int or None, default=None
        Steps between consecutive cutoffs; None means ``horizon`` (test
        parts that tile the end of the series without overlapping).

    See Also
    --------
    backtest : Accuracy, interval coverage and timings over the same windows.
    sklearn.model_selection.TimeSeriesSplit : scikit-learn's expanding splits.

    Examples
    --------
    >>> import numpy as np
    >>> from sks4.model_selection import ForecastSplit
    >>> cv = ForecastSplit(n_splits=3, horizon=2)
    >>> cv
    ForecastSplit(horizon=2, n_splits=3, step=None, window='expanding',
           window_length=None)
    >>> for train, test in cv.split(np.arange(10)):
    ...     print(train, test)
    [0 1 2 3] [4 5]
    [0 1 2 3 4 5] [6 7]
    [0 1 2 3 4 5 6 7] [8 9]
    >>> sliding = ForecastSplit(n_splits=2, horizon=2, window="sliding", window_length=3, step=1)
    >>> [(train.tolist(), test.tolist()) for train, test in sliding.split(np.arange(10))]
    [([4, 5, 6], [7, 8]), ([5, 6, 7], [8, 9])]
    """

    def __init__(
        self,
        n_splits: int = 5,
        horizon: int = 12,
        window: str = "expanding",
        window_length: int | None = None,
        step: int | None = None,
    ):
        self.n_splits = n_splits
        self.horizon = horizon
        self.window = window
        self.window_length = window_length
        self.step = step

    # the name of n_splits in messages (backtest calls it n_windows)
    _count_name = "n_splits"

    def _check_params(self) -> int:
        """Validate the parameters; return the step between cutoffs."""
        _check_positive_int(self.n_splits, self._count_name)
        _check_positive_int(self.horizon, "horizon")
        _check_positive_int(self.step, "step", allow_none=True)
        _check_positive_int(self.window_length, "window_length", allow_none=True)
        if self.window not in WINDOWS:
            raise ValueError(f"window must be one of {WINDOWS}, got {self.window!r}.")
        if self.window == "expanding" and self.window_length is not None:
            raise ValueError(
                "window_length is the length of sliding training windows; pass window='sliding' with it, "
                "or leave it None for expanding windows."
            )
        return self.horizon if self.step is None else int(self.step)

    def _cutoffs(self, n_samples: int) -> tuple[np.ndarray, int | None]:
        """Cutoffs (number of training steps before each test part) and the sliding length."""
        step = self._check_params()
        first = n_samples - self.horizon - (self.n_splits - 1) * step
        needed_train = 1 if self.window_length is None else self.window_length
        if first < needed_train:
            span = self.horizon + (self.n_splits - 1) * step
            raise ValueError(
                f"The data have {n_samples} time steps, too few for {self._count_name}={self.n_splits} folds of "
                f"horizon={self.horizon} with step={step}: the test parts span the last {span} steps and the "
                f"first training part needs at least {needed_train} step(s) before them, so at least "
                f"{span + needed_train} steps are needed. Use a smaller {self._count_name}, a shorter horizon or step"
                f"{', or a shorter window_length' if self.window_length is not None else ''}."
            )
        cutoffs = first + step * np.arange(self.n_splits)
        length = None
        if self.window == "sliding":
            length = first if self.window_length is None else int(self.window_length)
        return cutoffs, length

    def split(self, X, y=None, groups=None):
        """Generate the indices of the training and test part of each fold, in time order.

        Parameters
        ----------
        X : array-like, pandas Series or DataFrame of shape (n_samples, ...)
            The series, time steps along the first axis (only its length is used).
        y : object, optional
            Ignored; present for scikit-learn's API.
        groups : object, optional
            Ignored; present for scikit-learn's API.

        Yields
        ------
        train : ndarray of int
            Positions of the training part.
        test : ndarray of int
            Positions of the test part: the ``horizon`` steps after ``train``.
        """
        X, y, groups = indexable(X, y, groups)
        cutoffs, length = self._cutoffs(_num_samples(X))
        for cutoff in cutoffs:
            start = 0 if length is None else cutoff - length
            yield np.arange(start, cutoff), np.arange(cutoff, cutoff + self.horizon)

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """Number of folds: ``n_splits``.

        Parameters
        ----------
        X, y, groups : object, optional
            Ignored; present for scikit-learn's API.

        Returns
        -------
        int
        """
        self._check_params()
        return int(self.n_splits)


# --------------------------------------------------------------------------- backtest
def _as_pandas(data: Any, name: str) -> pd.Series | pd.DataFrame | None:
    """Arrays become a Series / DataFrame indexed 0..n-1, as S4Forecaster reads them."""
    if data is None or isinstance(data, (pd.Series, pd.DataFrame)):
        return data
    arr = np.asarray(data)
    if arr.ndim == 1:
        return pd.Series(arr, name="y" if name == "y" else None)
    if arr.ndim == 2:
        return pd.DataFrame(arr)
    raise ValueError(f"{name} must be 1-D or 2-D (time steps first), got an array of shape {arr.shape}.")


def _check_finite_targets(y: pd.Series | pd.DataFrame, scored: np.ndarray) -> None:
    """Refuse missing or infinite values at the ``scored`` positions of ``y`` (the forecaster checks what it trains on)."""
    frame = _as_frame(y).iloc[scored]
    if not all(pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes):
        return  # the forecaster names non-numeric columns
    bad = ~np.isfinite(frame.to_numpy(dtype=np.float64, na_value=np.nan)).all(axis=1)
    if bad.any():
        raise ValueError(
            f"y has {int(bad.sum())} time step(s) with missing or infinite values in the test parts, first at "
            f"{frame.index[bad][0]!r}; the forecasts would be scored against them, so impute them first "
            "(e.g. y.interpolate())."
        )


def _as_frame(data: pd.Series | pd.DataFrame) -> pd.DataFrame:
    return data.to_frame() if isinstance(data, pd.Series) else data


def _bounds(intervals: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``predict_interval``'s output as (n_steps, n_targets) arrays."""
    if isinstance(intervals.columns, pd.MultiIndex):
        lower = intervals.xs("lower", axis=1, level=-1)
        upper = intervals.xs("upper", axis=1, level=-1)
        return lower.to_numpy(np.float64), upper.to_numpy(np.float64)
    return intervals[["lower"]].to_numpy(np.float64), intervals[["upper"]].to_numpy(np.float64)


def backtest(
    forecaster: Any,
    y: Any,
    X: Any = None,
    *,
    horizon: int | None = None,
    n_windows: int = 3,
    window: str = "expanding",
    window_length: int | None = None,
    step: int | None = None,
    refit: bool = True,
    coverage: float = 0.9,
    return_predictions: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast from several cutoffs of ``y`` and score each forecast against what followed.

    The windows are those of :class:`ForecastSplit` with the same
    parameters: the last one's forecast ends at the end of ``y``. With
    ``refit=True`` each window trains a fresh clone of ``forecaster`` on its
    training part. With ``refit=False`` a clone is trained once, on the first
    training part, and then moved forward to each next cutoff with
    ``update`` (no retraining): cheap, and the way a deployed forecaster
    takes new data. ``forecaster`` itself is left untouched.

    Parameters
    ----------
    forecaster : S4Forecaster
        A forecaster with ``fit``, ``predict``, ``predict_interval`` (and
        ``update`` for ``refit=False``); fitted or not, it is cloned.
    y : pandas Series or DataFrame, or array of shape (n_steps,) or (n_steps, n_targets)
        The whole series; arrays are indexed 0..n-1.
    X : pandas DataFrame or Series, or array of shape (n_timesteps, n_exog), optional
        Exogenous variables on the index of ``y`` (an array's rows are
        ``y``'s time steps, in order); each window passes their future values
        to ``predict``.
    horizon : int or None, default=None
        Steps forecast from each cutoff; None takes ``forecaster.max_horizon``.
    n_windows : int, default=3
        Number of cutoffs (folds).
    window : {"expanding", "sliding"}, default="expanding"
        Training parts from the start of ``y``, or of ``window_length`` steps
        (see :class:`ForecastSplit`). With ``refit=False`` only the first
        training part follows it: the updates keep the whole history.
    window_length : int or None, default=None
        Length of the sliding training parts (see :class:`ForecastSplit`).
    step : int or None, default=None
        Steps between cutoffs; None means ``horizon``.
    refit : bool, default=True
        Train a fresh clone at each window, or train once and ``update``.
    coverage : float, default=0.9
        Probability of the central prediction intervals whose empirical
        coverage is reported.
    return_predictions : bool, default=False
        Also return the forecasts, intervals and truth of every window.

    Returns
    -------
    results : pandas DataFrame
        One row per window, in time order, with columns

        - ``cutoff``: last time step of the training data (the forecaster's ``cutoff_``);
        - ``n_train``: number of observations the forecaster had read;
        - ``smape``, ``mae``, ``rmse``: errors of the point forecasts
          (all targets together; sMAPE as a fraction, see :func:`sks4.forecasting.smape`);
        - ``coverage``: fraction of the test values inside the intervals;
        - ``fit_time``, ``predict_time``: seconds spent in ``fit`` (or
          ``update`` with ``refit=False``, after the first window) and in the
          forecasts.
    predictions : pandas DataFrame
        Only with ``return_predictions=True``: one row per window, forecast
        step (and target, in a ``target`` column, when ``y`` is a DataFrame),
        with columns ``cutoff``, ``step`` (1-based), ``time``
        (the forecast time stamp), ``y_true``, ``y_pred``, ``lower`` and
        ``upper``.

    See Also
    --------
    ForecastSplit : The windows.

    Examples
    --------
    >>> from sks4 import S4Forecaster
    >>> from sks4.datasets import load_airline
    >>> from sks4.model_selection import backtest
    >>> y = load_airline()
    >>> tiny = S4Forecaster(max_horizon=6, max_epochs=2, d_model=8, d_state=4, n_layers=1,
    ...                     device="cpu", random_state=0)
    >>> results = backtest(tiny, y, n_windows=2, refit=False)
    >>> results.columns.tolist()
    ['cutoff', 'n_train', 'smape', 'mae', 'rmse', 'coverage', 'fit_time', 'predict_time']
    >>> results["cutoff"].astype(str).tolist(), results["n_train"].tolist()
    (['1959-12', '1960-06'], [132, 138])
    """
    from sks4.forecasting import smape  # torch loads only when a backtest runs

    if not isinstance(refit, (bool, np.bool_)):
        raise TypeError(f"refit must be True or False, got {refit!r}.")
    if isinstance(coverage, bool) or not isinstance(coverage, numbers.Real) or not 0 < coverage < 1:
        raise ValueError(f"coverage must be a number in (0, 1), got {coverage!r}.")
    if horizon is None:
        horizon = getattr(forecaster, "max_horizon", None)
        if horizon is None:
            raise ValueError("horizon is None and the forecaster has no max_horizon: pass horizon=.")
    _check_positive_int(horizon, "horizon")
    max_horizon = getattr(forecaster, "max_horizon", None)
    if isinstance(max_horizon, numbers.Integral) and horizon > max_horizon:
        raise ValueError(
            f"horizon={horizon} exceeds the forecaster's max_horizon={max_horizon}; "
            f"set max_horizon={horizon} on the forecaster or forecast fewer steps."
        )
    y = _as_pandas(y, "y")
    X_is_array = X is not None and not isinstance(X, (pd.Series, pd.DataFrame))
    X = _as_pandas(X, "X")
    if X is not None and len(X) != len(y):
        raise ValueError(f"X has {len(X)} time steps but y has {len(y)}; they must share the index.")
    if X_is_array:
        X = X.set_axis(y.index, axis=0)  # an array's rows are y's time steps, in order
    cv = ForecastSplit(n_splits=n_windows, horizon=horizon, window=window, window_length=window_length, step=step)
    cv._count_name = "n_windows"
    folds = list(cv.split(y))  # checks the parameters and the length of y
    _check_finite_targets(y, np.unique(np.concatenate([test for _, test in folds])))

    def part(data, start, stop):
        return None if data is None else data.iloc[start:stop]  # contiguous: a slice keeps the index's freq

    rows, predictions = [], []
    model = None
    n_read = 0
    for i, (train, test) in enumerate(folds):
        cutoff = int(test[0])
        start = time.perf_counter()
        if refit or model is None:
            model = clone(forecaster).fit(part(y, train[0], cutoff), part(X, train[0], cutoff))
            n_read = len(train)
        else:
            previous = int(folds[i - 1][1][0])
            model.update(part(y, previous, cutoff), part(X, previous, cutoff))
            n_read += cutoff - previous
        fit_time = time.perf_counter() - start

        y_test = part(y, cutoff, cutoff + horizon)
        X_test = part(X, cutoff, cutoff + horizon)
        start = time.perf_counter()
        fh = y_test.index  # the forecaster checks that these stamps follow its cutoff
        y_pred = model.predict(fh, X_test)
        intervals = model.predict_interval(fh, X_test, coverage=coverage)
        predict_time = time.perf_counter() - start

        truth = _as_frame(y_test).to_numpy(np.float64)  # (horizon, n_targets)
        point = _as_frame(y_pred).to_numpy(np.float64)
        lower, upper = _bounds(intervals)
        error = truth - point
        rows.append(
            {
                "cutoff": y.index[cutoff - 1],
                "n_train": n_read,
                "smape": smape(truth, point),
                "mae": float(np.abs(error).mean()),
                "rmse": float(np.sqrt((error**2).mean())),
                "coverage": float(((truth >= lower) & (truth <= upper)).mean()),
                "fit_time": fit_time,
                "predict_time": predict_time,
            }
        )
        if return_predictions:
            names = list(_as_frame(y_test).columns)
            for j, name in enumerate(names):
                block = {
                    "cutoff": y.index[cutoff - 1],
                    "step": np.arange(1, horizon + 1),
                    "time": y_test.index,
                    "y_true": truth[:, j],
                    "y_pred": point[:, j],
                    "lower": lower[:, j],
                    "upper": upper[:, j],
                }
                if isinstance(y, pd.DataFrame):
                    block = {"target": name, **block}
                predictions.append(pd.DataFrame(block))

    results = pd.DataFrame(rows, columns=BACKTEST_COLUMNS)
    if not return_predictions:
        return results
    return results, pd.concat(predictions, ignore_index=True)
