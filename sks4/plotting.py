"""Figures for sks4 (matplotlib, an optional dependency: ``pip install "sks4[plot]"``).

Every function imports matplotlib when called, through :func:`_pyplot`, so
``import sks4.plotting`` works without it. Each draws onto the ``axes`` it is
given or onto a new figure, and returns the figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

__all__ = ["plot_forecast", "plot_reconstruction"]


def _pyplot() -> Any:
    """Import ``matplotlib.pyplot``, or explain how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            'sks4.plotting needs matplotlib, an optional dependency: pip install "sks4[plot]"'
        ) from exc
    return plt


def _one_series(X: Any, index: int) -> np.ndarray:
    """Series ``index`` of ``X`` (any format of :func:`sks4.data.to_padded`) as (C, L)."""
    from sks4.data import to_padded

    padded = to_padded(X, name="X")
    if not -padded.n_samples <= index < padded.n_samples:
        raise ValueError(f"index {index} is out of range for {padded.n_samples} series.")
    i = index % padded.n_samples
    return padded.values[i, :, : padded.lengths[i]]  # (C, L)


def plot_reconstruction(
    features: Any,
    X: Any,
    *,
    index: int = 0,
    channel: int = 0,
    measure: str | None = None,
    window: int | None = None,
    axes: Any = None,
) -> Any:
    """Draw a series, what one HiPPO memory keeps of it, and the coefficients.

    The series is read into the memory of ``features`` (an
    :class:`sks4.S4Features`, fitted or not: a copy is fitted on this one
    series); the left panel shows the series and its reconstruction from the
    final coefficients (:meth:`S4Features.inverse_transform`), with the
    memory's window shaded; the right panel shows the coefficients.

    Parameters
    ----------
    features : S4Features
        Gives ``n_coefs``, ``method`` and the time scales; only the final
        memory is used, whatever its ``points`` and ``pooling``.
    X : array-like, DataFrame or list of arrays
        Series in any format accepted by :func:`sks4.data.to_padded`.
    index : int, default=0
        Which series of ``X`` to draw.
    channel : int, default=0
        Which channel of that series.
    measure : str, optional
        The memory to draw; default the first of ``features.measure``.
    window : int, optional
        Index into ``features.window`` of the time scale; default the
        longest. Ignored for ``"legs"``.
    axes : sequence of two matplotlib Axes, optional
        Where to draw (series, coefficients); default a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sks4 import S4Features
    >>> from sks4.plotting import plot_reconstruction
    >>> x = np.sin(np.linspace(0, 12, 200)) + np.linspace(0, 1, 200)
    >>> fig = plot_reconstruction(S4Features(measure="legt", n_coefs=16, window=None), [x])
    >>> len(fig.axes)
    2
    """
    plt = _pyplot()
    series = _one_series(X, index)  # (C, L)
    if not -series.shape[0] <= channel < series.shape[0]:
        raise ValueError(f"channel {channel} is out of range for series with {series.shape[0]} channel(s).")
    # the memories of the series itself (not of its difference), read at the end
    memory = clone(features).set_params(points=1, pooling=None, inputs=("raw",)).fit(series[None])
    F = memory.transform(series[None])  # (1, C * blocks * N): the final memories
    rebuilt = memory.inverse_transform(F, measure=measure, window=window)
    rebuilt = rebuilt.reshape(series.shape[0], -1)[channel]  # (n_steps,)
    block, block_measure, timescale = memory._inverse_block(measure, window)
    N = memory.n_coefs
    coefs = F.reshape(series.shape[0], len(memory.blocks_), N)[channel, block]  # (N,)

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), gridspec_kw={"width_ratios": [3, 1]}, layout="constrained")
    ax_series, ax_coefs = axes
    fig = ax_series.figure
    L = series.shape[1]
    t = np.arange(L)
    start = L - rebuilt.size
    ax_series.plot(t, series[channel], color="0.3", lw=1.2, label="series")
    ax_series.plot(t[start:], rebuilt, color="C1", lw=1.5, label=f"rebuilt from {N} coefficients")
    if block_measure in ("legt", "fout"):
        ax_series.axvspan(start - 0.5, L - 0.5, color="C1", alpha=0.08, label="window")
    scale = "" if timescale is None else f", time scale {timescale:g} steps"
    ax_series.set(xlabel="time step", title=f"{block_measure} memory at the end of the series{scale}")
    ax_series.legend(loc="best", fontsize="small")
    ax_coefs.bar(np.arange(N), coefs, color="C1")
    ax_coefs.axhline(0, color="0.5", lw=0.8)
    ax_coefs.set(xlabel="coefficient n", title="coefficients")
    return fig


def _time_axis(index: Any) -> Any:
    """Positions of ``index`` on a matplotlib axis: timestamps for periods and dates, numbers otherwise."""
    import pandas as pd

    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    if isinstance(index, pd.DatetimeIndex):
        return index
    return np.asarray(index)


def _steps_after(index: Any, n: int, name: str) -> Any:
    """The ``n`` time stamps that follow ``index`` at its step (where an array forecast goes)."""
    from sks4.forecasting import _future_index, _regular_index

    try:
        step = _regular_index(index, None, "y_train")
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} is an array, and the index of y_train has no regular step to continue: pass {name} "
            "as a pandas Series indexed by its time stamps."
        ) from None
    return _future_index(index[-1], step, n, index)


def _single_series(data: Any, name: str, after: Any = None) -> Any:
    """``data`` as a pandas Series: a Series, a one-column DataFrame or a 1-D array.

    An array is indexed by the steps right after the series ``after`` (a
    forecast, or the truth that followed the history), else 0..n-1.
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        if data.shape[1] != 1:
            raise ValueError(
                f"{name} has {data.shape[1]} columns; plot_forecast draws one series: select a column, "
                f"e.g. {name}['{data.columns[0]}']."
            )
        return data.iloc[:, 0]
    if isinstance(data, pd.Series):
        return data
    values = np.asarray(data)
    if values.ndim != 1:
        raise ValueError(f"{name} must be a pandas Series or a 1-D array, got an array of shape {values.shape}.")
    if after is None:
        return pd.Series(values)
    return pd.Series(values, index=_steps_after(after.index, len(values), name))


def plot_forecast(
    y_train: Any,
    y_pred: Any,
    intervals: Any = None,
    y_test: Any = None,
    *,
    ax: Any = None,
    last: int | None = None,
) -> Any:
    """Draw a history, its forecast, a prediction interval and the held-out truth.

    Made for the outputs of :class:`sks4.S4Forecaster`: ``y_pred`` from
    :meth:`~sks4.S4Forecaster.predict` and ``intervals`` from
    :meth:`~sks4.S4Forecaster.predict_interval`, on the time axis of the
    series' index (a PeriodIndex, a DatetimeIndex or integers).

    Parameters
    ----------
    y_train : pandas Series
        The history the forecaster saw (a one-column DataFrame works too).
    y_pred : pandas Series
        Point forecasts, indexed by the forecast time stamps (a 1-D array
        is placed at the steps right after ``y_train``).
    intervals : pandas DataFrame, optional
        Prediction interval with columns ``lower`` and ``upper``, drawn as a
        band; indexed like ``y_pred``.
    y_test : pandas Series, optional
        The observations that followed the history (held out), to compare
        (an array: the steps right after ``y_train``).
    ax : matplotlib Axes, optional
        Where to draw; default a new figure.
    last : int, optional
        Draw only the last ``last`` points of ``y_train`` (the forecast and
        the truth are always drawn in full).

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sks4.datasets import load_airline
    >>> from sks4.plotting import plot_forecast
    >>> y = load_airline()
    >>> y_train, y_test = y[:-12], y[-12:]
    >>> y_pred = y_train[-12:].set_axis(y_test.index)  # a seasonal naive forecast
    >>> band = pd.DataFrame({"lower": 0.9 * y_pred, "upper": 1.1 * y_pred})
    >>> fig = plot_forecast(y_train, y_pred, band, y_test, last=36)
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['history', 'forecast', 'held-out']
    """
    import pandas as pd

    plt = _pyplot()
    history = _single_series(y_train, "y_train")
    # arrays are placed on the steps after the whole history (before `last` cuts it)
    forecast = _single_series(y_pred, "y_pred", after=history)
    truth = None if y_test is None else _single_series(y_test, "y_test", after=history)
    if last is not None:
        if isinstance(last, bool) or not isinstance(last, (int, np.integer)) or last < 1:
            raise ValueError(f"last must be a positive integer or None, got {last!r}.")
        history = history.iloc[-int(last) :]
    is_band = isinstance(intervals, pd.DataFrame) and {"lower", "upper"} <= set(intervals.columns)
    if intervals is not None and not is_band:
        columns = list(intervals.columns) if isinstance(intervals, pd.DataFrame) else type(intervals).__name__
        raise ValueError(
            "intervals must be a DataFrame with columns 'lower' and 'upper' (from predict_interval; for "
            f"several targets select one, e.g. intervals['y']), got {columns}."
        )
    if intervals is not None and not intervals.index.equals(forecast.index):
        raise ValueError(
            "intervals must be indexed like y_pred (both from the same forecaster and fh): got "
            f"{intervals.index[:2].tolist()}... for the intervals and {forecast.index[:2].tolist()}... for y_pred."
        )

    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 3.5), layout="constrained")
    fig = ax.figure
    if intervals is not None:
        ax.fill_between(
            _time_axis(intervals.index),
            intervals["lower"].to_numpy(np.float64),
            intervals["upper"].to_numpy(np.float64),
            color="C0",
            alpha=0.2,
            lw=0,
            label="prediction interval",
        )
    ax.plot(_time_axis(history.index), history.to_numpy(np.float64), color="0.3", lw=1.3, label="history")
    ax.plot(_time_axis(forecast.index), forecast.to_numpy(np.float64), color="C0", lw=1.6, label="forecast")
    if truth is not None:
        ax.plot(_time_axis(truth.index), truth.to_numpy(np.float64), color="k", lw=1.2, ls="--", label="held-out")
    if history.name is not None:
        ax.set_ylabel(str(history.name))
    ax.legend(loc="upper left", fontsize="small")
    return fig
