"""Figures for sks4 (matplotlib, an optional dependency: ``pip install "sks4[plot]"``).

Every function imports matplotlib when called, through :func:`_pyplot`, so
``import sks4.plotting`` works without it. Each draws onto the ``axes`` it is
given or onto a new figure, and returns the figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

__all__ = ["plot_reconstruction"]


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
    memory = clone(features).set_params(points=1, pooling=None).fit(series[None])
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
