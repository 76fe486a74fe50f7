"""Behaviour of S4Forecaster (sks4.forecasting) and its evaluation tools (sks4.model_selection).

Tiny networks (width 8, state 4, one layer, a few epochs) keep the file fast;
the fitted forecasters that several tests read are module-scoped fixtures
and are never modified (tests that update one work on a ``copy.deepcopy``).
"""

from __future__ import annotations

import copy
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sks4 import S4Forecaster
from sks4.datasets import load_airline
from sks4.forecasting import smape
from sks4.model_selection import ForecastSplit, backtest

TINY = {"max_horizon": 6, "d_model": 8, "d_state": 4, "n_layers": 1, "max_epochs": 2, "device": "cpu", "random_state": 0}


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """Run torch on one thread (module-scoped so that the fitted fixtures use it too): tiny
    models gain nothing from intra-op threads, and oversubscribed threads are slow on a shared CPU."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture(scope="module")
def y():
    return load_airline()  # monthly PeriodIndex, 144 points


@pytest.fixture(scope="module")
def fitted(y):
    """Tiny forecaster fitted on all but the last 12 months (do not modify: deepcopy first)."""
    return S4Forecaster(**TINY).fit(y[:-12])


@pytest.fixture(scope="module")
def two_targets(y):
    values = y.to_numpy()
    return pd.DataFrame({"a": values, "b": values[::-1] * 0.5 + 10.0}, index=y.index)


@pytest.fixture(scope="module")
def fitted_two(two_targets):
    return S4Forecaster(**TINY).fit(two_targets[:-12])


@pytest.fixture(scope="module")
def exog(y):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"promo": rng.normal(size=len(y)), "trend": np.arange(len(y), dtype=float)}, index=y.index)


@pytest.fixture(scope="module")
def fitted_exog(y, exog):
    return S4Forecaster(**TINY).fit(y[:-12], exog[:-12])


def next_labels(y_train, n, freq="MS"):
    """The ``n`` index labels after ``y_train``'s last one (computed independently of sks4;
    ``freq`` for a DatetimeIndex without one)."""
    index = y_train.index
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=n, freq=index.freq)
    if isinstance(index, pd.DatetimeIndex):
        return pd.date_range(index[-1], periods=n + 1, freq=index.freq or freq)[1:]
    step = index[-1] - index[-2]
    return pd.Index(index[-1] + step * np.arange(1, n + 1))


# --------------------------------------------------------------------------- outputs and indexes
def _airline_with(index_kind, n=48):
    y = load_airline()[:n]
    values = y.to_numpy()
    if index_kind == "period":
        return y
    if index_kind == "datetime-MS":
        out = pd.Series(values, index=pd.date_range("1949-01-01", periods=n, freq="MS"), name="passengers")
        assert out.index.freq == "MS"
        return out
    if index_kind == "datetime-no-freq":
        index = pd.DatetimeIndex(list(pd.date_range("1949-01-01", periods=n, freq="MS")))
        assert index.freq is None
        return pd.Series(values, index=index, name="passengers")
    if index_kind == "range":
        return pd.Series(values, name="passengers")
    if index_kind == "integer-step-5":
        return pd.Series(values, index=pd.Index(np.arange(100, 100 + 5 * n, 5)), name="passengers")
    raise AssertionError(index_kind)


@pytest.mark.parametrize("index_kind", ["period", "datetime-MS", "datetime-no-freq", "range", "integer-step-5"])
def test_series_in_series_out_with_the_index_continued(index_kind):
    y = _airline_with(index_kind)
    model = S4Forecaster(**{**TINY, "max_epochs": 1}).fit(y)
    assert model.cutoff_ == y.index[-1]
    pred = model.predict(4)
    assert isinstance(pred, pd.Series)
    assert pred.name == "passengers"
    expected = next_labels(y, 4)
    assert list(pred.index) == list(expected)
    assert type(pred.index) is type(expected) or not isinstance(expected, (pd.PeriodIndex, pd.DatetimeIndex))
    assert np.isfinite(pred.to_numpy()).all()
    # a pandas index of future stamps selects the same forecasts
    pd.testing.assert_series_equal(model.predict(pd.Index(expected[[1, 3]])), pred.iloc[[1, 3]], check_freq=False)


def test_fh_int_list_and_index_agree(fitted, y):
    full = fitted.predict(6)
    assert list(full.index) == list(y.index[-12:-6])
    some = fitted.predict([1, 3])
    assert list(some.index) == [y.index[-12], y.index[-10]]
    np.testing.assert_allclose(some.to_numpy(), full.to_numpy()[[0, 2]])
    stamps = fitted.predict(y.index[-11:-9])
    np.testing.assert_allclose(stamps.to_numpy(), full.to_numpy()[[1, 2]])
    np.testing.assert_allclose(fitted.predict(np.array([2, 6])).to_numpy(), full.to_numpy()[[1, 5]])


def test_predict_interval_and_quantiles_single_target(fitted):
    median = fitted.predict(6)
    interval = fitted.predict_interval(6, coverage=0.9)
    assert interval.columns.tolist() == ["lower", "upper"]
    assert interval.index.equals(median.index)
    assert (interval["lower"] <= median + 1e-9).all() and (median <= interval["upper"] + 1e-9).all()
    narrow = fitted.predict_interval(6, coverage=0.5)
    assert (narrow["lower"] >= interval["lower"] - 1e-9).all() and (narrow["upper"] <= interval["upper"] + 1e-9).all()

    alpha = [0.05, 0.25, 0.5, 0.75, 0.95]
    quantiles = fitted.predict_quantiles(6, alpha=alpha)
    assert quantiles.columns.tolist() == alpha
    assert quantiles.index.equals(median.index)
    assert (np.diff(quantiles.to_numpy(), axis=1) >= -1e-9).all()  # monotone in the level
    np.testing.assert_allclose(quantiles[0.5].to_numpy(), median.to_numpy())
    np.testing.assert_allclose(quantiles[0.05].to_numpy(), interval["lower"].to_numpy())
    np.testing.assert_allclose(quantiles[0.95].to_numpy(), interval["upper"].to_numpy())


def test_two_targets_dataframe_in_dataframe_out(fitted_two, two_targets):
    pred = fitted_two.predict(3)
    assert isinstance(pred, pd.DataFrame)
    assert pred.columns.tolist() == ["a", "b"]
    assert list(pred.index) == list(two_targets.index[-12:-9])

    interval = fitted_two.predict_interval(3)
    assert isinstance(interval.columns, pd.MultiIndex)
    assert interval.columns.tolist() == [("a", "lower"), ("a", "upper"), ("b", "lower"), ("b", "upper")]
    assert interval.columns.names == ["target", "bound"]
    for target in ("a", "b"):
        assert (interval[(target, "lower")] <= pred[target] + 1e-9).all()
        assert (pred[target] <= interval[(target, "upper")] + 1e-9).all()

    quantiles = fitted_two.predict_quantiles([1, 2], alpha=[0.1, 0.5, 0.9])
    assert quantiles.columns.tolist() == [(t, q) for t in ("a", "b") for q in (0.1, 0.5, 0.9)]
    for target in ("a", "b"):
        assert (np.diff(quantiles[target].to_numpy(), axis=1) >= -1e-9).all()
        np.testing.assert_allclose(quantiles[(target, 0.5)].to_numpy(), pred[target].to_numpy()[:2])


# --------------------------------------------------------------------------- exogenous variables
def test_exogenous_variables(fitted_exog, y, exog):
    with pytest.raises(ValueError, match=r"exogenous variables \['promo', 'trend'\]: pass X"):
        fitted_exog.predict(3)
    future = exog[-12:]
    pred = fitted_exog.predict(3, X=future)  # X may cover more than the forecast steps
    assert list(pred.index) == list(y.index[-12:-9])
    np.testing.assert_allclose(fitted_exog.predict(3, X=future[:3]).to_numpy(), pred.to_numpy())
    np.testing.assert_allclose(fitted_exog.predict([3], X=future.iloc[[2]]).to_numpy(), pred.to_numpy()[[2]])
    # the exogenous values matter
    shifted = future.assign(promo=future["promo"] + 5.0)
    assert not np.allclose(fitted_exog.predict(3, X=shifted).to_numpy(), pred.to_numpy())
    with pytest.raises(ValueError, match="lacks values at 1 required time step"):
        fitted_exog.predict(3, X=future.drop(future.index[1]))
    with pytest.raises(ValueError, match="columns"):
        fitted_exog.predict(3, X=future[["trend", "promo"]])


def test_exogenous_variables_not_seen_in_fit(fitted, exog):
    with pytest.raises(ValueError, match="without exogenous variables"):
        fitted.predict(3, X=exog[-12:])


# --------------------------------------------------------------------------- errors before training
@pytest.fixture
def no_training(monkeypatch):
    """Fail loudly if a network gets built: the errors under test must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("training started before the input was checked")

    monkeypatch.setattr(S4Forecaster, "_build_net", refuse)


def _with_nan(y):
    y = y.copy()
    y.iloc[5] = np.nan
    return y


def _irregular_dates(y):
    """Daily dates with gaps and no freq: nothing to infer."""
    dates = pd.date_range("2000-01-01", periods=60, freq="D").delete([1, 2, 7, 30, 31, 32])
    return pd.Series(y.to_numpy()[: len(dates)], index=dates)


def _string_index(y):
    return pd.Series(y.to_numpy()[:20], index=[f"t{i}" for i in range(20)])


def _text_column(y):
    return pd.DataFrame({"a": y.to_numpy(), "b": ["x"] * len(y)}, index=y.index)


@pytest.mark.parametrize(
    "make_y, params, error, match",
    [
        (_with_nan, {}, ValueError, r"missing or infinite values at 1 time step\(s\), first at Period\('1949-06'"),
        (_irregular_dates, {}, ValueError, "without a regular frequency"),
        (_string_index, {}, TypeError, "DatetimeIndex, a PeriodIndex or an integer"),
        (_text_column, {}, TypeError, r"must hold numbers; column\(s\) \['b'\]"),
        (lambda y: y[:2], {}, ValueError, "needs at least 3"),
        (lambda y: y, {"d_state": 5}, ValueError, "d_state must be even"),
        (lambda y: y, {"kernel": "x"}, ValueError, "kernel must be one of"),
        (lambda y: y, {"quantiles": (0.0, 0.5, 0.9)}, ValueError, "quantiles must be numbers strictly between 0 and 1"),
        (lambda y: y, {"quantiles": (0.1, 1.5)}, ValueError, "quantiles must be numbers strictly between 0 and 1"),
        (lambda y: y - 200.0, {"transform": "log"}, ValueError, "transform='log' needs strictly positive"),
        (lambda y: y, {"max_horizon": 0}, ValueError, "max_horizon must be an integer >= 1"),
        (lambda y: y, {"dropout": 1.0}, ValueError, "dropout must lie in"),
        (lambda y: y, {"dt_min": 0.2, "dt_max": 0.1}, ValueError, "dt_min must not exceed dt_max"),
        (lambda y: y, {"seasonal_period": 1}, ValueError, "seasonal_period"),
        (lambda y: y, {"trend_window": 0}, ValueError, "trend_window must be 'auto', None or an integer >= 1"),
        (lambda y: y, {"trend_window": "yes"}, ValueError, "trend_window must be"),
        (lambda y: y, {"device": "tpu"}, ValueError, "device must be"),
        (lambda y: y, {"intervals": "bootstrap"}, ValueError, "intervals must be one of"),
        (lambda y: y, {"calibration_size": 0}, ValueError, "calibration_size must be an integer >= 1"),
        (lambda y: y[:20], {"calibration_size": 18}, ValueError, r"calibration_size=18 leaves 2 .* <= 17"),
    ],
    ids=[
        "nan", "irregular-datetime", "string-index", "non-numeric", "too-short", "odd-d_state", "kernel",
        "quantile-0", "quantile-1.5", "log-non-positive", "max_horizon-0", "dropout-1", "dt-range", "seasonal_period-1",
        "trend_window-0", "trend_window-str", "device",
        "intervals", "calibration_size-0", "calibration_size-too-large",
    ],
)
def test_errors_before_training(no_training, y, make_y, params, error, match):
    with pytest.raises(error, match=match):
        S4Forecaster(**{**TINY, **params}).fit(make_y(y))


def test_irregular_datetime_index_names_the_fix(no_training, y):
    index = pd.date_range("2000-01-01", periods=30, freq="D").delete([3, 17])
    with pytest.raises(ValueError, match=r"Pass freq=.*asfreq"):
        S4Forecaster(**TINY).fit(pd.Series(np.arange(28.0) + 1, index=index))
    # with freq= given, the gaps are named
    with pytest.raises(ValueError, match="not regular at frequency 'D'"):
        S4Forecaster(**{**TINY, "freq": "D"}).fit(pd.Series(np.arange(28.0) + 1, index=index))


def test_freq_that_the_index_cannot_take_is_an_error(no_training, y):
    periods = pd.Series(np.arange(30.0) + 1, index=pd.period_range("2000-01", periods=30, freq="M"))
    with pytest.raises(ValueError, match=r"freq='Q' does not match the frequency 'M'.*asfreq"):
        S4Forecaster(**{**TINY, "freq": "Q"}).fit(periods)
    with pytest.raises(AssertionError, match="training started"):  # the index's own frequency passes the checks
        S4Forecaster(**{**TINY, "freq": "M"}).fit(periods)
    with pytest.raises(ValueError, match="integer index"):
        S4Forecaster(**{**TINY, "freq": "D"}).fit(pd.Series(np.arange(30.0) + 1))
    dates = pd.Series(np.arange(30.0) + 1, index=pd.DatetimeIndex(list(pd.date_range("2000-01-01", periods=30))))
    with pytest.raises(ValueError, match="freq='fortnightly' is not a pandas date offset alias"):
        S4Forecaster(**{**TINY, "freq": "fortnightly"}).fit(dates)


def test_target_and_exogenous_columns_must_be_named_once(no_training, y):
    values = y.to_numpy()
    with pytest.raises(ValueError, match=r"y has repeated column name\(s\) \['a'\]"):
        S4Forecaster(**TINY).fit(pd.DataFrame({"a": values, "b": values}, index=y.index).set_axis(["a", "a"], axis=1))
    with pytest.raises(ValueError, match=r"X has repeated column name\(s\) \['x'\]"):
        S4Forecaster(**TINY).fit(y, X=pd.DataFrame(np.c_[values, values], index=y.index, columns=["x", "x"]))
    with pytest.raises(ValueError, match="y has no columns"):
        S4Forecaster(**TINY).fit(pd.DataFrame(index=y.index))


def test_tags_and_display_work_for_a_device_fit_would_refuse():
    from sklearn.utils import get_tags

    for device in ("cuda:7", "tpu"):
        model = S4Forecaster(device=device)
        assert get_tags(model).non_deterministic in (False, True)
        assert "S4Forecaster" in model._repr_html_()


def test_forecasts_of_an_unnamed_series_are_unnamed(fitted, y):
    assert fitted.predict(2).name == y.name
    unnamed = S4Forecaster(**TINY).fit(pd.Series(y.to_numpy()[:40]))
    assert unnamed.predict(2).name is None


def test_fh_stamps_of_another_kind_say_why(fitted, y):
    with pytest.raises(ValueError, match="fh is a DatetimeIndex but y had a PeriodIndex"):
        fitted.predict(fitted.predict(2).index.to_timestamp())
    with pytest.raises(ValueError, match="It is not after the cutoff"):
        fitted.predict(pd.Index([fitted.cutoff_]))
    with pytest.raises(ValueError, match="Raise max_horizon"):
        fitted.predict(next_labels(y, 8)[-1:])
    daily = pd.Series(np.arange(1.0, 41.0), index=pd.date_range("2000-01-01", periods=40, freq="D", tz="UTC"))
    model = S4Forecaster(**TINY).fit(daily)
    with pytest.raises(ValueError, match=r"fh has time stamps in time zone None but y had UTC.*tz_localize\('UTC'\)"):
        model.predict(pd.date_range("2000-02-10", periods=1))
    # the same instants in another time zone: refused too, as update() and the docs do
    with pytest.raises(ValueError, match=r"time zone Europe/Paris but y had UTC.*tz_convert\('UTC'\)"):
        model.predict(pd.date_range("2000-02-10", periods=1, tz="UTC").tz_convert("Europe/Paris"))
    X_tz = pd.DataFrame({"x": np.arange(3.0)}, index=pd.date_range("2000-02-10", periods=3))
    with_exog = S4Forecaster(**{**TINY, "max_epochs": 1}).fit(daily, pd.DataFrame({"x": np.arange(40.0)}, index=daily.index))
    with pytest.raises(ValueError, match="X has time stamps in time zone None but y had UTC"):
        with_exog.predict(3, X=X_tz)
    with pytest.raises(ValueError, match="does not fall on the series' time steps"):
        model.predict(pd.DatetimeIndex(["2000-02-10 12:00"], tz="UTC"))


def test_forecast_horizon_errors(fitted, y):
    with pytest.raises(ValueError, match=r"beyond max_horizon=6"):
        fitted.predict(7)
    with pytest.raises(ValueError, match=r"beyond max_horizon=6"):
        fitted.predict([1, 8])
    with pytest.raises(ValueError, match="fh must be >= 1"):
        fitted.predict(0)
    with pytest.raises(ValueError, match="1-based"):
        fitted.predict([0, 1])
    with pytest.raises(ValueError, match="not one of the 6 steps after the cutoff"):
        fitted.predict(y.index[-3:])
    with pytest.raises(TypeError, match="fh must be an int"):
        fitted.predict(1.5)
    with pytest.raises(TypeError, match="fh must be an int"):
        fitted.predict([])


def test_conformal_levels_are_not_limited_by_the_learnt_quantiles(fitted):
    # conformal intervals are the median plus or minus out-of-sample errors: any level in (0, 1)
    wide = fitted.predict_interval(3, coverage=0.99)
    usual = fitted.predict_interval(3, coverage=0.9)
    assert (wide["lower"] <= usual["lower"]).all() and (wide["upper"] >= usual["upper"]).all()
    low = fitted.predict_quantiles(3, alpha=[0.01, 0.5])
    assert (low.iloc[:, 0] <= low.iloc[:, 1]).all()
    with pytest.raises(ValueError, match=r"coverage must lie in \(0.0, 1.0\)"):
        fitted.predict_interval(3, coverage=1.5)
    for alpha in ([np.nan], [0.0], [1.0], []):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            fitted.predict_quantiles(3, alpha=alpha)


def test_learnt_quantile_levels_outside_their_range_name_the_fix():
    narrow = S4Forecaster(**{**TINY, "max_epochs": 1, "quantiles": (0.2, 0.8), "intervals": "quantile"}).fit(
        load_airline()[:30]
    )
    assert narrow.quantiles_.tolist() == [0.2, 0.5, 0.8]  # the median is added
    narrow.predict_interval(2, coverage=0.6)
    with pytest.raises(ValueError, match=r"outside the range of the learnt quantiles \[0.2, 0.8\]") as info:
        narrow.predict_interval(2, coverage=0.9)
    assert "quantiles=(0.05, 0.2, 0.5, 0.8, 0.95)" in str(info.value)  # a fix that does reach the levels


# --------------------------------------------------------------------------- conformal intervals
def test_conformal_intervals_cover_known_noise_at_about_the_nominal_rate():
    """On level + independent N(0, 1) noise, the 80% and 90% conformal intervals cover held-out steps at
    about their nominal rates, over many origins (rolled forward with ``update``) and horizons 1..4."""
    rng = np.random.default_rng(0)
    n_train, n_test, H = 160, 120, 4
    y = pd.Series(50.0 + rng.normal(size=n_train + n_test))
    model = S4Forecaster(**{**TINY, "max_horizon": H, "transform": "none", "calibration_size": 60}).fit(y[:n_train])
    assert model.conformal_residuals_.shape == (H, 1, 60)
    inside = {0.8: [], 0.9: []}
    for origin in range(n_train, n_train + n_test - H):
        future = y[origin : origin + H]
        for coverage, hits in inside.items():
            interval = model.predict_interval(H, coverage=coverage)
            hits.extend((future >= interval["lower"]) & (future <= interval["upper"]))
        model.update(y[origin : origin + 1])
    assert 0.72 <= np.mean(inside[0.8]) <= 0.9, np.mean(inside[0.8])
    assert 0.84 <= np.mean(inside[0.9]) <= 0.97, np.mean(inside[0.9])


def test_conformal_intervals_widen_with_the_horizon_around_the_median(fitted):
    median = fitted.predict(6)
    quantiles = fitted.predict_quantiles(6, alpha=[0.05, 0.5, 0.95])
    np.testing.assert_allclose(quantiles[0.5].to_numpy(), median.to_numpy())
    # symmetric on the log scale, half-widths non-decreasing with the horizon
    upper = np.log(quantiles[0.95].to_numpy()) - np.log(median.to_numpy())
    lower = np.log(median.to_numpy()) - np.log(quantiles[0.05].to_numpy())
    np.testing.assert_allclose(upper, lower)
    assert (upper > 0).all() and (np.diff(upper) >= -1e-12).all()
    # the half-width is a conformal quantile of the stored errors of that horizon (or a shorter one)
    errors = fitted.conformal_residuals_[:, 0]
    n = np.isfinite(errors).sum(1)
    rank = np.minimum(np.ceil((n + 1) * 0.9).astype(int), n)
    per_horizon = np.array([np.sort(e[np.isfinite(e)])[k - 1] for e, k in zip(errors, rank)])
    np.testing.assert_allclose(upper, np.maximum.accumulate(per_horizon))


@pytest.mark.filterwarnings("ignore:y has 3 observations for max_horizon=2")
def test_quantile_intervals_share_the_median_and_short_series_fall_back(y):
    conformal = S4Forecaster(**{**TINY, "max_epochs": 1}).fit(y[:60])
    learnt = S4Forecaster(**{**TINY, "max_epochs": 1, "intervals": "quantile"}).fit(y[:60])
    assert learnt.conformal_residuals_ is None and conformal.conformal_residuals_.shape == (6, 1, 20)
    np.testing.assert_allclose(learnt.predict(6).to_numpy(), conformal.predict(6).to_numpy())
    assert not np.allclose(learnt.predict_interval(6).to_numpy(), conformal.predict_interval(6).to_numpy())
    with pytest.warns(UserWarning, match="too short .* for conformal calibration"):
        short = S4Forecaster(**{**TINY, "max_epochs": 1, "max_horizon": 2}).fit(y[:3])
    assert short.conformal_residuals_ is None
    assert short.predict_interval(2).shape == (2, 2)


def test_horizons_without_training_targets_are_refused_before_training(y):
    with pytest.raises(ValueError, match="max_horizon=40 needs more than 40 observations .* y has 30"):
        S4Forecaster(**{**TINY, "max_horizon": 40, "intervals": "quantile"}).fit(y[:30])
    # conformal calibration holds the last steps out: its model must learn every horizon too
    with pytest.raises(ValueError, match="y has 20 after the 10 held out for conformal calibration"):
        S4Forecaster(**{**TINY, "max_horizon": 25}).fit(y[:30])
    with pytest.warns(UserWarning, match="only 10 for the longest"):
        S4Forecaster(**{**TINY, "max_epochs": 1, "max_horizon": 20, "intervals": "quantile"}).fit(y[:30])
    # with conformal intervals: one warning, about y itself (the calibration model's fit stays quiet),
    # and none at exactly 2 * max_horizon observations
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        S4Forecaster(**{**TINY, "max_epochs": 1, "max_horizon": 14}).fit(y[:27])
        S4Forecaster(**{**TINY, "max_epochs": 1, "max_horizon": 12}).fit(y[:24])
    messages = [str(w.message) for w in caught if "observations for max_horizon" in str(w.message)]
    assert len(messages) == 1 and messages[0].startswith("y has 27 observations for max_horizon=14")


def test_predict_uses_the_horizon_of_fit_not_a_later_set_params(fitted, y):
    model = copy.deepcopy(fitted)
    before = model.predict(6)
    model.set_params(max_horizon=9)
    with pytest.raises(ValueError, match="beyond max_horizon=6"):
        model.predict(9)
    model.set_params(max_horizon=3)
    pd.testing.assert_series_equal(model.predict(6), before)
    assert model.max_horizon_ == 6


# --------------------------------------------------------------------------- update
def test_update_moves_the_cutoff_and_the_forecast(fitted, y):
    model = copy.deepcopy(fitted)
    before = model.predict(3)
    model.update(y[-12:-9])
    assert model.cutoff_ == y.index[-10]
    assert model.n_updates_ == 3
    after = model.predict(3)
    assert list(after.index) == list(y.index[-9:-6])
    assert not np.allclose(after.to_numpy(), before.to_numpy())
    model.update(y[-9:-8]).update(y[-8:-8])  # one step, then nothing
    assert model.cutoff_ == y.index[-9] and model.n_updates_ == 4
    # the fixture is untouched
    assert fitted.cutoff_ == y.index[-13]


def _reread(model, y_full):
    """The fitted networks of ``model`` reading ``y_full`` from scratch, as ``fit`` does after training.

    A deep copy of ``model`` gets the recurrent state and the bookkeeping that
    ``fit`` builds from its history (see the end of ``S4Forecaster.fit``), but
    for ``y_full`` and without retraining: same networks, same scales. There is
    no public API for this, so it mirrors ``fit``'s private steps; the attributes
    are asserted to exist so that a renaming inside ``fit`` fails here loudly
    instead of leaving stale values behind.
    """
    ref = copy.deepcopy(model)
    for name in ("_forward_transform", "_known", "_inputs", "_read", "_memory", "recent_levels_", "cutoff_",
                 "_states", "_features"):
        assert hasattr(ref, name), f"S4Forecaster has no {name} any more: adapt _reread to fit"
    values = y_full.to_frame().to_numpy(np.float64)
    z = ref._forward_transform(values)
    inputs = ref._inputs(z, ref._known(None))
    ref.cutoff_ = y_full.index[-1]
    ref.recent_levels_ = z[-ref._memory :].copy()
    ref._states, ref._features = [], []
    for net in ref.nets_:
        state, features = ref._read(net, inputs)
        ref._states.append(state)
        ref._features.append(features)
    return ref, inputs


@pytest.mark.parametrize("trend_window", [None, "auto"])
def test_update_equals_reading_the_whole_history(trend_window):
    """Updating with y[n:m] gives the forecasts of the same networks reading y[:m] from scratch.

    Approach: fit on y[:n] (seasonal anchoring on, two networks), then update a
    copy with y[n:m] in two chunks. The reference is another deep copy of the
    fitted forecaster whose recurrent state is rebuilt from y[:m] by the steps
    that ``fit`` takes after training (``_inputs`` then ``_read``, see
    ``_reread``). Both must forecast the same quantiles (relative max abs
    difference <= 1e-4). As an independent check of the recurrence, the
    features the update ends with must match the *convolutional* forward pass
    of each network's backbone over the whole input (``backbone(x, lengths)``
    at the last position is what the head reads).
    """
    y = load_airline()
    n, m = 100, 120
    model = S4Forecaster(
        **{**TINY, "max_horizon": 12, "seasonal_period": "auto", "trend_window": trend_window, "n_models": 2}
    ).fit(y[:n])
    assert model.trend_window_ == (12 if trend_window else None)
    updated = copy.deepcopy(model).update(y[n : n + 7]).update(y[n + 7 : m])
    reference, inputs = _reread(model, y[:m])
    assert updated.cutoff_ == reference.cutoff_ == y.index[m - 1]

    alpha = [0.025, 0.1, 0.5, 0.9, 0.975]
    got = updated.predict_quantiles(12, alpha=alpha)
    want = reference.predict_quantiles(12, alpha=alpha)
    assert got.index.equals(want.index) and list(got.index) == list(y.index[m : m + 12])
    diff = np.abs(got.to_numpy() - want.to_numpy()).max()
    assert diff <= 1e-4 * np.abs(want.to_numpy()).max(), diff

    for net, features in zip(updated.nets_, updated._features):
        module = net.module_.eval()
        with torch.no_grad():
            x = torch.as_tensor(inputs, dtype=torch.float32)[None]  # (1, C, m)
            conv = module.backbone(x, torch.tensor([m]))[0, :, -1]  # (D,)
        step = features.reshape(-1).cpu()
        assert torch.allclose(step, conv, rtol=1e-4, atol=1e-4 * float(conv.abs().max())), (step - conv).abs().max()


def test_trend_window_extrapolates_a_straight_line():
    """With a trend window the anchor is the local linear trend, so a line needs nothing learnt.

    On ``y = 100 + 2 t`` every training target (the departure from
    ``z[t] + h (z[t] - z[t - w]) / w``) is zero, so whatever the barely
    trained network outputs is multiplied by the scale floor (a thousandth of
    the level): forecasts, before and after an update, lie on the line to
    within 1%, with no intervals wider than that either.
    """
    t = np.arange(60)
    y = pd.Series(100.0 + 2.0 * t, index=pd.RangeIndex(60))
    model = S4Forecaster(**{**TINY, "transform": "none", "trend_window": 3}).fit(y[:50])
    assert model.trend_window_ == 3
    line = 100.0 + 2.0 * np.arange(50, 56)
    np.testing.assert_allclose(model.predict(6).to_numpy(), line, rtol=1e-2)
    interval = model.predict_interval(6, coverage=0.9)
    assert ((interval["upper"] - interval["lower"]).to_numpy() <= 1e-2 * line).all()
    model.update(y[50:54])
    np.testing.assert_allclose(model.predict(6).to_numpy(), 100.0 + 2.0 * np.arange(54, 60), rtol=1e-2)


def test_trend_window_longer_than_the_series_is_ignored(y):
    model = S4Forecaster(**{**TINY, "trend_window": 500, "intervals": "quantile"}).fit(y[:40])
    assert model.trend_window_ is None
    assert model.predict(3).notna().all()


def test_update_in_chunks_equals_update_at_once(fitted, y):
    """Public-API check of the recurrence: chunking the new data changes nothing."""
    once = copy.deepcopy(fitted).update(y[-12:-6])
    chunks = copy.deepcopy(fitted)
    for start in range(-12, -6, 2):
        chunks.update(y[start : start + 2])
    np.testing.assert_allclose(chunks.predict_quantiles(6).to_numpy(), once.predict_quantiles(6).to_numpy(), rtol=1e-6)


def test_update_with_exogenous_variables(fitted_exog, y, exog):
    model = copy.deepcopy(fitted_exog)
    with pytest.raises(ValueError, match="X_new"):
        model.update(y[-12:-10])
    model.update(y[-12:-10], exog[-12:-10])
    assert model.cutoff_ == y.index[-11]
    assert list(model.predict(2, X=exog[-10:]).index) == list(y.index[-10:-8])


def test_update_errors(fitted, y, two_targets):
    model = copy.deepcopy(fitted)
    with pytest.raises(ValueError, match=r"right after the cutoff Period\('1959-12', 'M'\)"):
        model.update(y[-11:-9])  # skips 1960-01
    with pytest.raises(ValueError, match="right after the cutoff"):
        model.update(y[-13:-10])  # repeats the cutoff
    with pytest.raises(ValueError, match="columns"):
        model.update(two_targets[-12:-10])
    bad = y[-12:-9].copy()
    bad.iloc[1] = np.nan
    with pytest.raises(ValueError, match="missing or infinite"):
        model.update(bad)
    with pytest.raises(ValueError, match="log"):
        model.update(y[-12:-9] * 0)
    # a failed update leaves the forecaster as it was
    assert model.cutoff_ == fitted.cutoff_ and model.n_updates_ == 0
    np.testing.assert_array_equal(model.predict(3).to_numpy(), fitted.predict(3).to_numpy())


def test_update_and_predict_after_pickle(fitted, y):
    direct = copy.deepcopy(fitted).update(y[-12:-10])
    restored = pickle.loads(pickle.dumps(fitted)).update(y[-12:-10])
    np.testing.assert_array_equal(restored.predict(4).to_numpy(), direct.predict(4).to_numpy())
    again = pickle.loads(pickle.dumps(direct))
    assert again.cutoff_ == direct.cutoff_
    np.testing.assert_array_equal(again.predict_interval(4).to_numpy(), direct.predict_interval(4).to_numpy())


# --------------------------------------------------------------------------- scikit-learn API
def test_clone_and_params(fitted):
    params = fitted.get_params()
    assert params["d_model"] == 8 and params["max_horizon"] == 6
    assert set(params) >= {"max_horizon", "quantiles", "transform", "context_length", "seasonal_period", "trend_window", "d_model",
                           "d_state", "n_layers", "kernel", "dropout", "lr", "ssm_lr", "weight_decay", "batch_size",
                           "max_epochs", "n_models", "intervals", "calibration_size", "freq", "device", "random_state", "verbose"}
    fresh = clone(fitted)
    assert fresh.get_params() == params
    assert not hasattr(fresh, "nets_")
    assert fresh.set_params(d_model=4, kernel="dplr") is fresh
    assert fresh.d_model == 4 and fresh.kernel == "dplr" and fitted.d_model == 8
    assert "d_model=8" in repr(fitted)


def test_pickle_and_joblib_round_trips(fitted, tmp_path):
    want = fitted.predict_quantiles(6).to_numpy()
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_quantiles(6).to_numpy(), want)
    path = tmp_path / "forecaster.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_quantiles(6).to_numpy(), want)
    assert loaded.cutoff_ == fitted.cutoff_


def test_random_state_reproducible_on_cpu(fitted, y):
    again = S4Forecaster(**TINY).fit(y[:-12])
    np.testing.assert_array_equal(again.predict_quantiles(6).to_numpy(), fitted.predict_quantiles(6).to_numpy())
    other = S4Forecaster(**{**TINY, "random_state": 1}).fit(y[:-12])
    assert not np.allclose(other.predict(6).to_numpy(), fitted.predict(6).to_numpy())


def test_score_is_negative_smape(fitted, y):
    truth = y[-12:-6]
    assert fitted.score(truth) == pytest.approx(-smape(truth.to_numpy(), fitted.predict(6).to_numpy()))
    assert fitted.score(y[-11:-9]) == pytest.approx(-smape(y[-11:-9].to_numpy(), fitted.predict([2, 3]).to_numpy()))


def test_smape_against_a_hand_computation():
    # |y - ŷ| = 10, 0, 5, 0 ; |y| + |ŷ| = 210, 400, 15, 0 (both zero: no error)
    expected = np.mean([2 * 10 / 210, 0.0, 2 * 5 / 15, 0.0])
    assert smape([100, 200, -5, 0], [110, 200, -10, 0]) == pytest.approx(expected)
    assert smape(np.array([[1.0, 2.0]]), np.array([[1.0, 2.0]])) == 0.0
    assert smape([1.0], [-1.0]) == pytest.approx(2.0)  # the largest possible error
    with pytest.raises(ValueError, match="different shapes"):
        smape([1, 2, 3], [1, 2])


# --------------------------------------------------------------------------- sks4.model_selection
def test_forecast_split_expanding_and_sliding():
    X = np.arange(20)
    folds = list(ForecastSplit(n_splits=3, horizon=4).split(X))
    assert [(tr.tolist(), te.tolist()) for tr, te in folds] == [
        (list(range(8)), [8, 9, 10, 11]),
        (list(range(12)), [12, 13, 14, 15]),
        (list(range(16)), [16, 17, 18, 19]),
    ]
    sliding = list(ForecastSplit(n_splits=3, horizon=4, window="sliding", window_length=5, step=2).split(X))
    assert [(tr.tolist(), te.tolist()) for tr, te in sliding] == [
        ([7, 8, 9, 10, 11], [12, 13, 14, 15]),
        ([9, 10, 11, 12, 13], [14, 15, 16, 17]),
        ([11, 12, 13, 14, 15], [16, 17, 18, 19]),
    ]
    # sliding without window_length: as long as the first fold allows
    default = list(ForecastSplit(n_splits=2, horizon=3, window="sliding").split(X))
    assert [tr.tolist() for tr, _ in default] == [list(range(14)), list(range(3, 17))]
    for train, test in folds + sliding + default:
        assert train.dtype.kind == "i" and test.dtype.kind == "i"
        assert train[-1] + 1 == test[0]  # the test part follows the training part
    # pandas input and the sklearn API
    cv = ForecastSplit(n_splits=2, horizon=6)
    assert cv.get_n_splits() == 2
    assert len(list(cv.split(load_airline()))) == 2
    assert repr(cv) == "ForecastSplit(horizon=6, n_splits=2, step=None, window='expanding',\n       window_length=None)"


def test_forecast_split_errors():
    with pytest.raises(ValueError, match=r"20 time steps, too few for n_splits=5 folds of horizon=4.*at least 21"):
        list(ForecastSplit(n_splits=5, horizon=4).split(np.arange(20)))
    with pytest.raises(ValueError, match="shorter window_length"):
        list(ForecastSplit(n_splits=2, horizon=4, window="sliding", window_length=15).split(np.arange(20)))
    with pytest.raises(ValueError, match="window must be one of"):
        list(ForecastSplit(window="rolling").split(np.arange(20)))
    with pytest.raises(ValueError, match="pass window='sliding'"):
        list(ForecastSplit(window_length=5).split(np.arange(20)))
    for bad in ({"n_splits": 0}, {"horizon": 1.5}, {"step": 0}, {"window": "sliding", "window_length": True}):
        with pytest.raises(ValueError, match="must be an integer >= 1"):
            ForecastSplit(**bad).get_n_splits()


@pytest.mark.parametrize("index_kind", ["period", "datetime"])
def test_grid_search_with_forecast_split(index_kind):
    """GridSearchCV subsets y with integer arrays: a DatetimeIndex loses its freq, which the forecaster infers."""
    y = load_airline()[:60]
    if index_kind == "datetime":
        y = y.to_timestamp()
    search = GridSearchCV(
        S4Forecaster(**{**TINY, "max_epochs": 1}), {"d_model": [4, 8]}, cv=ForecastSplit(n_splits=2, horizon=6),
        error_score="raise",
    ).fit(y)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,) and np.isfinite(scores).all() and (scores <= 0).all()
    assert search.best_params_["d_model"] in (4, 8)
    assert search.best_estimator_.cutoff_ == y.index[-1]
    assert len(search.predict(3)) == 3


def test_backtest_refit(y):
    model = S4Forecaster(**{**TINY, "max_epochs": 1})
    results, predictions = backtest(model, y[:72], n_windows=2, coverage=0.8, return_predictions=True)
    columns = ["cutoff", "n_train", "smape", "mae", "rmse", "coverage", "fit_time", "predict_time"]
    assert results.columns.tolist() == columns
    assert results["cutoff"].tolist() == [y.index[59], y.index[65]]
    assert results["n_train"].tolist() == [60, 66]
    assert ((results["coverage"] >= 0) & (results["coverage"] <= 1)).all()
    assert (results[["fit_time", "predict_time"]] > 0).all().all()
    assert not hasattr(model, "nets_")  # the forecaster passed in is only cloned
    assert predictions.columns.tolist() == ["cutoff", "step", "time", "y_true", "y_pred", "lower", "upper"]
    assert len(predictions) == 12 and predictions["step"].tolist() == list(range(1, 7)) * 2
    assert predictions["time"].tolist() == list(y.index[60:72])
    for (cutoff, group), row in zip(predictions.groupby("cutoff", sort=False), results.itertuples()):
        assert cutoff == row.cutoff
        assert row.smape == pytest.approx(smape(group["y_true"], group["y_pred"]))
        assert row.mae == pytest.approx(np.abs(group["y_true"] - group["y_pred"]).mean())
        assert row.rmse == pytest.approx(np.sqrt(((group["y_true"] - group["y_pred"]) ** 2).mean()))
        inside = (group["y_true"] >= group["lower"]) & (group["y_true"] <= group["upper"])
        assert row.coverage == pytest.approx(inside.mean())


def test_backtest_reads_an_exogenous_array_on_the_index_of_y(y):
    exog = np.random.default_rng(0).normal(size=(len(y[:60]), 1))
    results = backtest(S4Forecaster(**TINY), y[:60], X=exog, horizon=3, n_windows=2)
    frame = backtest(S4Forecaster(**TINY), y[:60], X=pd.DataFrame(exog, index=y.index[:60]), horizon=3, n_windows=2)
    pd.testing.assert_frame_equal(results.drop(columns=["fit_time", "predict_time"]),
                                  frame.drop(columns=["fit_time", "predict_time"]))


def test_backtest_update_instead_of_refit(fitted, y):
    results, predictions = backtest(fitted, y, horizon=4, n_windows=3, step=2, refit=False, return_predictions=True)
    assert results["n_train"].tolist() == [136, 138, 140]
    assert results["cutoff"].tolist() == list(y.index[[135, 137, 139]])
    # the last window equals a clone fitted on the first training part, then updated to its cutoff
    model = clone(fitted).fit(y[:136]).update(y[136:140])
    np.testing.assert_allclose(predictions["y_pred"].to_numpy()[-4:], model.predict(4).to_numpy())
    assert fitted.cutoff_ == y.index[-13]  # the forecaster passed in is untouched


def test_backtest_sliding_two_targets_and_exog(two_targets, exog):
    model = S4Forecaster(**{**TINY, "max_epochs": 1})
    results = backtest(model, two_targets[:60], horizon=3, n_windows=2, window="sliding", window_length=30)
    assert results["n_train"].tolist() == [30, 30]
    results, predictions = backtest(model, two_targets[:60], exog[:60], horizon=3, n_windows=1, return_predictions=True)
    assert predictions["target"].tolist() == ["a"] * 3 + ["b"] * 3
    assert np.isfinite(results[["smape", "mae", "rmse"]].to_numpy()).all()
    # arrays are series indexed 0..n-1
    results = backtest(model, two_targets["a"].to_numpy()[:40], horizon=3, n_windows=2, refit=False)
    assert results["cutoff"].tolist() == [33, 36] and results["n_train"].tolist() == [34, 37]


def test_backtest_errors(y):
    model = S4Forecaster(**TINY)
    with pytest.raises(ValueError, match="exceeds the forecaster's max_horizon=6"):
        backtest(model, y, horizon=12)
    with pytest.raises(ValueError, match="too few for n_windows=4 .* Use a smaller n_windows"):
        backtest(model, y[:20], n_windows=4)
    with pytest.raises(ValueError, match="n_windows must be"):
        backtest(model, y, n_windows=0)
    with pytest.raises(ValueError, match="coverage"):
        backtest(model, y, coverage=1.0)
    for bad in (np.nan, np.inf):
        broken = y.copy()
        broken.iloc[-1] = bad  # in the last test part only: the forecaster would never see it
        with pytest.raises(ValueError, match="missing or infinite values in the test parts, first at Period\\('1960-12'"):
            backtest(model, broken)
    # steps that no window reads are not checked: a sliding window starts after them
    early = y.copy()
    early.iloc[:5] = np.nan
    params = {**TINY, "max_horizon": 3, "max_epochs": 1, "intervals": "quantile"}
    results = backtest(S4Forecaster(**params), early, horizon=3, n_windows=1, window="sliding", window_length=40)
    assert len(results) == 1


def test_seasonal_period_auto_counts_steps_of_multiple_periods():
    values = np.linspace(1.0, 2.0, 40)
    cases = {"MS": 12, "2MS": 6, "QS": 4, "SMS": 24, "D": 7, "2D": None, "4h": 6}
    for freq, expected in cases.items():
        y = pd.Series(values, index=pd.date_range("2000-01-01", periods=40, freq=freq))
        model = S4Forecaster(**{**TINY, "max_epochs": 1, "seasonal_period": "auto", "intervals": "quantile"}).fit(y)
        assert model.season_length_ == expected, freq


def test_arrays_of_exogenous_values_are_read_as_the_required_steps():
    rng = np.random.default_rng(0)
    n = 40
    X = rng.normal(size=(n + 3, 2))
    y = pd.Series(np.cumsum(rng.normal(size=n)) + 50 + X[:n, 0], index=np.arange(2000, 2000 + n))
    params = {**TINY, "max_epochs": 1, "intervals": "quantile"}
    frame = S4Forecaster(**params).fit(y, pd.DataFrame(X[:n], index=y.index))
    array = S4Forecaster(**params).fit(y, X[:n])
    future = pd.DataFrame(X[n : n + 2], index=[2000 + n, 2001 + n])
    pd.testing.assert_series_equal(array.predict(2, X=X[n : n + 2]), frame.predict(2, X=future))
    with pytest.raises(ValueError, match="is an array of 3 row"):
        array.predict(2, X=X[n : n + 3])
    array.update(np.array([51.0]), X[n : n + 1])  # an integer index other than 0..n-1 takes arrays too
    assert array.cutoff_ == 2000 + n


def test_exogenous_values_with_repeated_time_steps_are_an_error(y):
    X = pd.DataFrame({"x": np.arange(len(y), dtype=float)}, index=y.index)
    with pytest.raises(ValueError, match="repeated time step"):
        S4Forecaster(**TINY).fit(y, pd.concat([X, X.iloc[:1]]))


# --------------------------------------------------------------------------- review fixes (2026-12-01)
def test_newest_first_or_backward_datetime_index_is_refused():
    # A newest-first daily index has a regular frequency (-1D); it used to be accepted, with the
    # oldest date as the cutoff and "forecasts" running into the past.
    index = pd.date_range("2024-01-01", periods=30, freq="D")
    y_new_first = pd.Series(np.arange(30.0)[::-1] + 100, index=index[::-1])
    with pytest.raises(ValueError, match=r"not in increasing order .*sort_index\(\)"):
        S4Forecaster(**TINY).fit(y_new_first)
    with pytest.raises(ValueError, match="does not step forward"):
        S4Forecaster(**{**TINY, "freq": "-1D"}).fit(pd.Series([1.0, 2.0, 3.0], index=index[:3]))
    # an empty series with a frequency used to fail with an IndexError
    with pytest.raises(ValueError, match="y has 0 observation"):
        S4Forecaster(**{**TINY, "freq": "D"}).fit(pd.Series([], dtype=float, index=pd.DatetimeIndex([])))


def test_score_pairs_targets_by_name(fitted_two, two_targets):
    test = two_targets[-12:-6]
    reference = fitted_two.score(test)
    assert fitted_two.score(test[["b", "a"]]) == pytest.approx(reference)
    with pytest.raises(ValueError, match=r"y has columns \['foo', 'bar'\], fit saw \['a', 'b'\]"):
        fitted_two.score(test.set_axis(["foo", "bar"], axis=1))
    with pytest.raises(ValueError, match=r"y has 1 column\(s\), fit saw 2"):
        fitted_two.score(test["a"])
    np.testing.assert_allclose(fitted_two.score(test.to_numpy()), reference)  # an array: by position


@pytest.mark.filterwarnings("ignore:y has 3 observations for max_horizon=2")
def test_three_point_series_gets_the_scale_of_its_changes():
    # Two known one-step changes used to leave every scale at 1 (a log change of e^±1 a step).
    with pytest.warns(UserWarning, match="too short"):
        model = S4Forecaster(**{**TINY, "max_horizon": 2}).fit(pd.Series([100.0, 101.0, 102.0]))
    np.testing.assert_allclose(model.step_scale_, np.sqrt(np.mean(np.diff(np.log([100.0, 101.0, 102.0])) ** 2)), rtol=1e-6)
    assert model.change_scale_.max() < 0.05
    interval = model.predict_interval(2)
    assert (interval["upper"] / interval["lower"]).max() < 1.5


def test_forecast_stamps_and_levels_of_the_wrong_kind_get_clear_errors(fitted):
    with pytest.raises(ValueError, match=r"frequency 'Q-DEC' but y had 'M'.*asfreq\('M'\)"):
        fitted.predict(pd.period_range("1960-03", periods=2, freq="Q"))
    with pytest.raises(ValueError, match=r"alpha must be a number or a 1-D list of numbers, got shape \(1, 2\)"):
        fitted.predict_quantiles(2, alpha=[[0.1, 0.5]])
    with pytest.raises(TypeError, match="alpha must be a number"):
        fitted.predict_quantiles(2, alpha="low")


def test_update_with_an_array_of_the_wrong_width_names_the_columns():
    y = pd.Series(np.arange(40.0) + 100, index=pd.RangeIndex(100, 300, 5))
    model = S4Forecaster(**TINY).fit(y)
    with pytest.raises(ValueError, match=r"y_new has 2 column\(s\), fit saw 1"):
        model.update(np.ones((2, 2)))


def test_step_size_range_reaches_the_backbone(y):
    model = S4Forecaster(**{**TINY, "n_layers": 2, "n_models": 2, "max_epochs": 1}, dt_min=0.25, dt_max=0.25).fit(y)
    assert len(model.nets_) == 2
    for net in model.nets_:
        kernels = [m for m in net.module_.modules() if hasattr(m, "log_dt")]
        assert len(kernels) == 2
        for k in kernels:  # all drawn at 0.25; one short epoch at ssm_lr moves them by far less than 10%
            assert torch.allclose(k.dt, torch.full_like(k.dt, 0.25), rtol=0.1)


def test_forecaster_pickled_before_the_step_size_parameters_loads():
    model = S4Forecaster(**TINY).fit(load_airline()[:40])
    del model.dt_min, model.dt_max
    loaded = pickle.loads(pickle.dumps(model))
    assert (loaded.dt_min, loaded.dt_max) == (1e-3, 1e-1)
    assert repr(loaded) and clone(loaded).get_params()["dt_min"] == 1e-3


def test_monthly_series_on_another_day_of_the_month_are_regular():
    # billing dates on the 15th: no pandas frequency code names them; a DateOffset(months=1) step
    index = pd.DatetimeIndex(pd.date_range("2000-01-15", periods=40, freq=pd.DateOffset(months=1)).tolist())
    y = pd.Series(np.arange(1.0, 41.0), index=index)
    params = {**TINY, "max_horizon": 3, "max_epochs": 1, "intervals": "quantile"}
    model = S4Forecaster(**params).fit(y)
    assert list(model.predict(3).index) == list(pd.to_datetime(["2003-05-15", "2003-06-15", "2003-07-15"]))
    seasonal = S4Forecaster(**params, freq=pd.DateOffset(months=1), seasonal_period="auto").fit(y)
    assert seasonal.season_length_ == 12
    uneven = y.drop(y.index[5])
    with pytest.raises(ValueError, match=r"freq=pd.DateOffset\(months=1\) for another day of the month"):
        S4Forecaster(**params).fit(uneven)


def test_forecasts_keep_the_frequency_and_the_columns_name():
    index = pd.date_range("2020-01-31", periods=30, freq="ME")
    params = {**TINY, "max_horizon": 3, "max_epochs": 1, "intervals": "quantile"}
    model = S4Forecaster(**params).fit(pd.Series(np.arange(1.0, 31.0), index=index))
    assert model.predict(3).index.freq == index.freq
    assert model.predict_interval(3).index.freq == index.freq
    frame = pd.DataFrame({"a": np.arange(1.0, 31.0), "b": np.arange(2.0, 32.0)}, index=index)
    frame.columns.name = "store"
    assert S4Forecaster(**params).fit(frame).predict(2).columns.name == "store"


def test_repeated_time_stamps_are_named_with_a_fix_that_works():
    index = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-02", "2020-01-03", "2020-01-04"])
    y = pd.Series(np.arange(5.0), index=index)
    with pytest.raises(ValueError, match=r"repeats the time stamp .*2020-01-02.* y.groupby\(level=0\).mean\(\)"):
        S4Forecaster(**TINY).fit(y)
    assert y.groupby(level=0).mean().index.is_unique


def test_the_forecaster_takes_numpy_batch_sizes_and_boolean_verbose(y):
    params = {**TINY, "max_epochs": 1, "intervals": "quantile", "batch_size": np.int64(8), "verbose": False}
    assert S4Forecaster(**params).fit(y[:40]).predict(2).shape == (2,)
