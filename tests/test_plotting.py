"""sks4.plotting with the Agg backend."""

import sys

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sks4 import S4Features  # noqa: E402
from sks4.plotting import plot_forecast, plot_reconstruction  # noqa: E402


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


# --------------------------------------------------------------------------- plot_forecast
def _forecast_parts(index):
    """History (first 30 labels of ``index``), a forecast, its band and the truth (last 6)."""
    values = 100 + np.arange(len(index), dtype=float) + 5 * np.sin(np.arange(len(index)))
    y = pd.Series(values, index=index, name="sales")
    y_train, y_test = y.iloc[:30], y.iloc[30:]
    y_pred = y_test + 1.0
    band = pd.DataFrame({"lower": y_pred - 3, "upper": y_pred + 3})
    return y_train, y_pred, band, y_test


@pytest.mark.parametrize(
    "index",
    [
        pd.period_range("2000-01", periods=36, freq="M"),
        pd.date_range("2000-01-01", periods=36, freq="MS"),
        pd.RangeIndex(36),
        pd.Index(np.arange(10, 10 + 3 * 36, 3)),
    ],
    ids=["period", "datetime", "range", "integer-step-3"],
)
def test_plot_forecast_draws_history_forecast_band_and_truth(index):
    y_train, y_pred, band, y_test = _forecast_parts(index)
    fig = plot_forecast(y_train, y_pred, band, y_test)
    (ax,) = fig.axes
    history, forecast, truth = ax.get_lines()
    assert [line.get_label() for line in (history, forecast, truth)] == ["history", "forecast", "held-out"]
    np.testing.assert_allclose(history.get_ydata(), y_train.to_numpy())
    np.testing.assert_allclose(forecast.get_ydata(), y_pred.to_numpy())
    np.testing.assert_allclose(truth.get_ydata(), y_test.to_numpy())
    # the forecast continues the history on one time axis
    x_hist = ax.convert_xunits(history.get_xdata())
    x_fore = ax.convert_xunits(forecast.get_xdata())
    assert np.all(np.diff(np.asarray(x_hist, dtype=float)) > 0)
    assert float(x_fore[0]) > float(x_hist[-1])
    (collection,) = ax.collections  # the interval band
    band_y = collection.get_paths()[0].vertices[:, 1]
    assert band_y.min() == pytest.approx(band["lower"].min())
    assert band_y.max() == pytest.approx(band["upper"].max())
    assert ax.get_ylabel() == "sales"
    legend = {t.get_text() for t in ax.get_legend().get_texts()}
    assert legend >= {"history", "forecast", "held-out", "prediction interval"}


def test_plot_forecast_last_given_axes_and_optional_parts():
    y_train, y_pred, _, _ = _forecast_parts(pd.period_range("2000-01", periods=36, freq="M"))
    fig, ax = plt.subplots()
    out = plot_forecast(y_train, y_pred, ax=ax, last=12)
    assert out is fig
    history, _ = ax.get_lines()  # no truth, no band
    assert len(history.get_ydata()) == 12
    np.testing.assert_allclose(history.get_ydata(), y_train.to_numpy()[-12:])
    assert not ax.collections
    # a one-column DataFrame is a single series too
    fig = plot_forecast(y_train.to_frame(), y_pred.to_frame(), last=100)
    assert len(fig.axes[0].get_lines()[0].get_ydata()) == 30


def test_plot_forecast_with_a_fitted_forecaster():
    """The outputs of S4Forecaster plug in directly."""
    from sks4 import S4Forecaster
    from sks4.datasets import load_airline

    y = load_airline()[:48]
    model = S4Forecaster(max_horizon=6, max_epochs=1, d_model=8, d_state=4, n_layers=1, device="cpu", random_state=0)
    model.fit(y[:-6])
    fig = plot_forecast(y[:-6], model.predict(6), model.predict_interval(6), y[-6:], last=24)
    assert len(fig.axes[0].get_lines()) == 3


def test_plot_forecast_errors():
    y_train, y_pred, band, _ = _forecast_parts(pd.RangeIndex(36))
    with pytest.raises(ValueError, match="lower"):
        plot_forecast(y_train, y_pred, band.rename(columns={"lower": "lo"}))
    with pytest.raises(ValueError, match="select a column"):
        plot_forecast(pd.DataFrame({"a": y_train, "b": y_train}), y_pred)
    with pytest.raises(ValueError, match="last"):
        plot_forecast(y_train, y_pred, last=0)


def test_plot_reconstruction_with_difference_inputs():
    x = np.sin(np.linspace(0, 12, 120))
    fig = plot_reconstruction(S4Features(measure="legt", n_coefs=8, window=None, inputs=("raw", "diff")), [x])
    assert len(fig.axes) == 2


@pytest.mark.parametrize(
    "index",
    [pd.period_range("2000-01", periods=20, freq="M"), pd.date_range("2000-01-03", periods=20, freq="W-MON"),
     pd.RangeIndex(100, 200, 5)],
    ids=["period", "datetime", "range"],
)
def test_plot_forecast_places_array_forecasts_after_the_history(index):
    # a 1-D array forecast used to be drawn at 0, 1, 2 (over the start of the history, or 1970)
    history = pd.Series(np.arange(20.0), index=index)
    fig = plot_forecast(history, np.array([20.0, 21.0, 22.0]), y_test=np.array([20.5, 21.5, 22.5]))
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    expected = pd.Series([20.0, 21.0, 22.0], index=history.index[-3:].shift(3) if not isinstance(index, pd.RangeIndex)
                         else pd.RangeIndex(200, 215, 5))
    for label in ("forecast", "held-out"):
        x = lines[label].get_xdata()
        assert len(x) == 3
        np.testing.assert_array_equal(np.asarray(x), np.asarray(fig.axes[0].get_lines()[1].get_xdata()))
    reference = plot_forecast(history, expected).axes[0].get_lines()[1].get_xdata()
    np.testing.assert_array_equal(np.asarray(lines["forecast"].get_xdata()), np.asarray(reference))


def test_plot_forecast_refuses_intervals_of_another_index():
    history = pd.Series(np.arange(20.0))
    forecast = pd.Series([20.0, 21.0, 22.0], index=[20, 21, 22])
    band = pd.DataFrame({"lower": [1.0, 2, 3], "upper": [3.0, 4, 5]}, index=pd.period_range("2000-01", periods=3, freq="M"))
    with pytest.raises(ValueError, match="intervals must be indexed like y_pred"):
        plot_forecast(history, forecast, band)


@pytest.mark.parametrize(
    "index",
    [pd.RangeIndex(0, 240, 5), pd.DatetimeIndex(pd.date_range("2000-01-01", periods=48, freq="MS").tolist())],
    ids=["range-step-5", "datetime-without-freq"],
)
def test_plot_forecast_places_an_array_truth_after_the_whole_history_when_last_cuts_it(index):
    # the truth's steps used to be inferred from the cut history: x = 236, 237, 238 for a step of 5,
    # and a refusal for two timestamps without a freq
    history = pd.Series(np.arange(48.0), index=index)
    fig = plot_forecast(history, np.ones(3), y_test=np.ones(3), last=2)
    lines = {line.get_label(): np.asarray(line.get_xdata()) for line in fig.axes[0].get_lines()}
    np.testing.assert_array_equal(lines["held-out"], lines["forecast"])
    assert len(lines["history"]) == 2
