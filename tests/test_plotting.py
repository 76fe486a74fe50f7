"""sks4.plotting with the Agg backend."""

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sks4 import S4Features  # noqa: E402
from sks4.plotting import plot_reconstruction  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_reconstruction_draws_series_rebuilt_and_coefficients():
    x = np.sin(np.linspace(0, 12, 120)) + np.linspace(0, 1, 120)
    features = S4Features(measure="legt", n_coefs=12, window=[0.5, None])
    fig = plot_reconstruction(features, [x])
    ax_series, ax_coefs = fig.axes
    series, rebuilt = ax_series.get_lines()[:2]
    np.testing.assert_allclose(series.get_ydata(), x)
    memory = S4Features(measure="legt", n_coefs=12, window=[0.5, None], points=1, pooling=None).fit([x])
    F = memory.transform([x])
    np.testing.assert_allclose(rebuilt.get_ydata(), memory.inverse_transform(F)[0])
    assert len(ax_coefs.patches) == 12
    assert not hasattr(features, "n_channels_")  # the caller's transformer is left unfitted


def test_plot_reconstruction_window_channel_and_given_axes():
    X = np.random.default_rng(0).normal(size=(3, 2, 60)).cumsum(axis=2)
    fig, axes = plt.subplots(1, 2)
    out = plot_reconstruction(S4Features(n_coefs=8, window=[0.25, 0.5]), X, index=2, channel=1, window=0, axes=axes)
    assert out is fig
    rebuilt = axes[0].get_lines()[1]
    assert rebuilt.get_xdata()[0] == 45  # the last quarter of the series
    legs = plot_reconstruction(S4Features(measure=["legt", "legs"], n_coefs=8), X, measure="legs")
    assert legs.axes[0].get_lines()[1].get_xdata().size == 60
    with pytest.raises(ValueError, match="channel"):
        plot_reconstruction(S4Features(), X, channel=2)
    with pytest.raises(ValueError, match="index"):
        plot_reconstruction(S4Features(), X, index=3)


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "sks4\[plot\]"'):
        plot_reconstruction(S4Features(), np.zeros((1, 10)))
