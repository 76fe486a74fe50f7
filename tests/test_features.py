"""S4Features: scikit-learn citizenship, formats, and the maths against naive loops."""

import functools
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sks4 import S4Features, _basis, hippo


@functools.lru_cache(maxsize=None)
def step_matrices(measure, N, dt, method):
    A, B = hippo.transition(measure, N)
    return hippo.discretize(A, B, dt, method)


def naive_states(f, measure, N, timescale, method):
    """States after each step of one series, by an explicit float64 loop."""
    c = f[0] * _basis.initial_state(measure, N)
    out = []
    for k, u in enumerate(f, start=1):
        if measure == "legs":
            if method == "bilinear":
                dA, dB = step_matrices("legs", N, 1.0 / k, "bilinear")
            elif k == 1:
                dA, dB = np.zeros((N, N)), _basis.initial_state("legs", N)
            else:
                dA, dB = step_matrices("legs", N, np.log(k / (k - 1)), "zoh")
        else:
            dA, dB = step_matrices(measure, N, 1.0 / timescale, method)
        c = dA @ c + dB * u
        out.append(c)
    return np.array(out)  # (L, N)


def ragged(rng, lengths, n_channels=2):
    return [rng.normal(size=(n_channels, n)) for n in lengths]


@parametrize_with_checks(
    [
        S4Features(n_coefs=4),
        S4Features(measure="legs", n_coefs=3, points=3, pooling=None),
        S4Features(measure=["legs", "fout"], n_coefs=3, window=[3, None], method="bilinear", points=5),
        S4Features(n_coefs=2, window=[0.5], inputs=("raw", "diff")),
        S4Features(n_coefs=2, window=[0.5, 3], pooling=("mean", "ppv"), ppv_quantiles=3),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("method", ["zoh", "bilinear"])
def test_final_memory_matches_naive_loop(method):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 2, 30))
    est = S4Features(measure=["legs", "legt", "lagt", "fout"], n_coefs=5, window=[0.5, 7], method=method,
                     points=1, pooling=None).fit(X)
    F = est.transform(X).reshape(4, 2, len(est.blocks_), 5)
    for i in range(4):
        for c in range(2):
            for b, (m, w) in enumerate(est.blocks_):
                timescale = None if m == "legs" else (0.5 * 30 if w == 0 else 7.0)
                ref = naive_states(X[i, c], m, 5, timescale, method)[-1]
                np.testing.assert_allclose(F[i, c, b], ref, rtol=1e-10, atol=1e-12)


def test_reading_times_and_pooling_match_naive_loop():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 50))
    kw = dict(measure=["legs", "legt"], n_coefs=4, window=[0.2])
    at = S4Features(points=4, pooling=None, **kw).fit(X).transform(X).reshape(3, 2, 4, 4)
    pooled = S4Features(points="all", ppv_quantiles=None, **kw).fit(X).transform(X).reshape(3, 2, 5, 4)
    for i in range(3):
        for b, (m, ts) in enumerate([("legs", None), ("legt", 10.0)]):
            S = naive_states(X[i], m, 4, ts, "zoh")  # (50, 4)
            np.testing.assert_allclose(at[i, b], S[[12, 24, 37, 49]], rtol=1e-10, atol=1e-12)
            ppv = (S > 1e-9 * np.abs(S).max()).mean(0)  # rounding noise around 0 counts as 0
            expected = [S[-1], S.mean(0), S.min(0), S.max(0), ppv]
            np.testing.assert_allclose(pooled[i, b], np.array(expected), rtol=1e-10, atol=1e-12)


def test_all_steps_by_chunks_equal_readouts():
    # long series: the pooled path reads the translated memories by the chunked scan
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 300))
    est = S4Features(measure=["legt", "lagt", "fout"], n_coefs=4, window=[0.1, 45], ppv_quantiles=None).fit(X)
    F = est.transform(X).reshape(3, 6, 5, 4)  # (n, blocks, stats, N)
    every = tuple(range(1, 301))
    for b, (m, w) in enumerate(est.blocks_):
        R = _basis.readout(m, 4, 300, 30.0 if w == 0 else 45.0, "zoh", every)  # (L, L, N)
        S = np.einsum("nl,ltk->ntk", X, R)  # (n, L, N): one readout per reading time
        ppv = (S > 1e-9 * np.abs(S).max(axis=(1, 2), keepdims=True)).mean(1)
        expected = np.stack([S[:, -1], S.mean(1), S.min(1), S.max(1), ppv], axis=1)
        np.testing.assert_allclose(F[:, b], expected, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("est", [S4Features(n_coefs=4), S4Features(measure="legs", n_coefs=4, points=3, pooling=None)])
def test_results_do_not_depend_on_batch_composition(est):
    rng = np.random.default_rng(3)
    series = ragged(rng, [5, 17, 9, 17, 30, 5, 1])
    est = clone(est).fit(series)
    full = est.transform(series)
    for i, s in enumerate(series):
        np.testing.assert_allclose(est.transform([s])[0], full[i], rtol=1e-12, atol=1e-13)
    order = rng.permutation(len(series))
    np.testing.assert_allclose(est.transform([series[i] for i in order]), full[order], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(est.transform(series[2:5]), full[2:5], rtol=1e-12, atol=1e-13)


def test_input_formats_give_the_same_features():
    rng = np.random.default_rng(4)
    X3 = rng.normal(size=(4, 2, 12))
    est = S4Features(n_coefs=3).fit(X3)
    ref = est.transform(X3)
    long = pd.DataFrame(
        X3.transpose(0, 2, 1).reshape(-1, 2),
        index=pd.MultiIndex.from_product([range(4), range(12)], names=["case", "t"]),
        columns=["a", "b"],
    )
    np.testing.assert_allclose(S4Features(n_coefs=3).fit(long).transform(long), ref)
    np.testing.assert_allclose(est.transform(list(X3)), ref)
    np.testing.assert_allclose(est.transform(X3.astype(np.float32)), est.transform(X3.astype(np.float32).astype(float)))
    # 2-D table, list of rows, and a table with trailing-NaN padding
    X2 = X3[:, 0]
    uni = S4Features(n_coefs=3).fit(X2)
    np.testing.assert_allclose(uni.transform(X2.tolist()), uni.transform(X2))
    padded = np.full((2, 20), np.nan)
    padded[0, :12], padded[1, :7] = X2[0], X2[1, :7]
    table = S4Features(n_coefs=3).fit(padded)
    np.testing.assert_allclose(table.transform(padded), table.transform([X2[0], X2[1, :7]]))


def test_windows_are_fractions_of_each_series_or_steps():
    rng = np.random.default_rng(5)
    short, long_ = rng.normal(size=20), rng.normal(size=40)
    est = S4Features(measure="legt", n_coefs=4, window=[0.5, 8], points=1, pooling=None).fit([short, long_])
    F = est.transform([short, long_]).reshape(2, 2, 4)
    np.testing.assert_allclose(F[0, 0], naive_states(short, "legt", 4, 10.0, "zoh")[-1], atol=1e-12)
    np.testing.assert_allclose(F[1, 0], naive_states(long_, "legt", 4, 20.0, "zoh")[-1], atol=1e-12)
    np.testing.assert_allclose(F[1, 1], naive_states(long_, "legt", 4, 8.0, "zoh")[-1], atol=1e-12)


def test_feature_names_and_pandas_output():
    X = np.random.default_rng(6).normal(size=(5, 2, 16))
    est = S4Features(measure=["legs", "legt"], n_coefs=2, window=[0.5, 4]).set_output(transform="pandas")
    F = est.fit_transform(X)
    names = est.get_feature_names_out()
    assert isinstance(F, pd.DataFrame) and list(F.columns) == list(names)
    assert len(set(names)) == len(names) == est.n_features_out_ == 2 * 3 * 6 * 2  # ppv: 2 biases
    assert names[0] == "ch0_legs_last_c0"
    assert "ch1_legt_w1_ppv1_c1" in names
    zero_bias = S4Features(measure=["legs", "legt"], n_coefs=2, window=[0.5, 4], ppv_quantiles=None).fit(X)
    assert "ch1_legt_w1_ppv_c1" in zero_bias.get_feature_names_out()
    plain = S4Features(measure="legt", n_coefs=2, window=[0.5, 4], points=1, pooling=None).fit(X)
    assert list(plain.get_feature_names_out()[:3]) == ["ch0_legt_w0_c0", "ch0_legt_w0_c1", "ch0_legt_w1_c0"]
    at = S4Features(measure="legs", n_coefs=2, points=2, pooling=None).fit(X)
    assert list(at.get_feature_names_out()[:3]) == ["ch0_legs_t0_c0", "ch0_legs_t0_c1", "ch0_legs_t1_c0"]


def test_inverse_transform_rebuilds_smooth_series():
    L = 1000
    x = (np.arange(L) + 0.5) / L
    rng = np.random.default_rng(7)
    X = np.array([np.sin(2 * np.pi * rng.uniform(0.2, 5, 6)[:, None] * x + rng.uniform(0, 6, 6)[:, None]).sum(0)
                  for _ in range(3)])
    est = S4Features(measure="legt", n_coefs=64, window=None, points=1, pooling=None).fit(X)
    rebuilt = est.inverse_transform(est.transform(X))
    assert rebuilt.shape == X.shape
    rmse = np.sqrt(np.mean((rebuilt - X) ** 2, axis=1))
    assert np.all(rmse <= 0.01 * np.sqrt(np.mean(X**2, axis=1)))


def test_inverse_transform_shapes_and_choice_of_memory():
    X = np.random.default_rng(8).normal(size=(3, 2, 40))
    est = S4Features(measure=["legt", "legs"], n_coefs=4, window=[0.25, 10, None]).fit(X)
    F = est.transform(X)
    assert est.inverse_transform(F).shape == (3, 2, 40)  # longest window: the whole series
    assert est.inverse_transform(F, window=0).shape == (3, 2, 10)
    assert est.inverse_transform(F, measure="legs").shape == (3, 2, 40)
    # the rebuilt series is the basis evaluated at the final coefficients
    legs = est.inverse_transform(F, measure="legs")
    c = F.reshape(3, 2, 4, 6, 4)[:, :, 3, 0]  # block 3 = legs, statistic "last"
    np.testing.assert_allclose(legs, c @ _basis.synthesis("legs", 4, 40, None).T)
    with pytest.raises(ValueError, match="fitted measures"):
        est.inverse_transform(F, measure="lagt")
    with pytest.raises(ValueError, match="index into window"):
        est.inverse_transform(F, window=3)
    with pytest.raises(ValueError, match="features"):
        est.inverse_transform(F[:, :-1])
    no_last = S4Features(n_coefs=4, pooling=["max"]).fit(X)
    with pytest.raises(ValueError, match="'last'"):
        no_last.inverse_transform(no_last.transform(X))


def test_table_width_is_checked_other_inputs_may_have_any_length():
    rng = np.random.default_rng(9)
    table = S4Features(n_coefs=3).fit(rng.normal(size=(4, 20)))
    with pytest.raises(ValueError, match="X has 25 features, but S4Features is expecting 20"):
        table.transform(rng.normal(size=(4, 25)))
    assert table.transform([rng.normal(size=(1, 25))]).shape == (1, table.n_features_out_)  # a list of series
    cube = S4Features(n_coefs=3).fit(rng.normal(size=(4, 1, 20)))
    assert not hasattr(cube, "n_features_in_")
    assert cube.transform(rng.normal(size=(2, 25))).shape == (2, cube.n_features_out_)
    with pytest.raises(ValueError, match="channel"):
        cube.transform(rng.normal(size=(2, 3, 20)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"measure": "legx"}, "measure"),
        ({"measure": []}, "measure"),
        ({"measure": ["legt", "legt"]}, "measure"),
        ({"n_coefs": 0}, "n_coefs"),
        ({"n_coefs": 2.5}, "n_coefs"),
        ({"window": 0.0}, "window"),
        ({"window": 1.5}, "window"),
        ({"window": 0}, "window"),
        ({"window": [0.5, 0.5]}, "window"),
        ({"window": "half"}, "window"),
        ({"window": True}, "window"),
        ({"method": "euler"}, "method"),
        ({"points": 0}, "points"),
        ({"points": "some"}, "points"),
        ({"points": "all", "pooling": None}, "points='all'"),
        ({"pooling": ["median"]}, "pooling"),
        ({"pooling": "max"}, "pooling"),
        ({"pooling": []}, "pooling"),
        ({"inputs": "deriv"}, "inputs"),
        ({"inputs": []}, "inputs"),
        ({"inputs": ["diff", "diff"]}, "inputs"),
        ({"inputs": [None]}, "inputs"),
        ({"ppv_quantiles": 0}, "ppv_quantiles"),
        ({"ppv_quantiles": 2.0}, "ppv_quantiles"),
        ({"ppv_quantiles": True}, "ppv_quantiles"),
    ],
)
def test_bad_parameters_raise_in_fit(params, match):
    est = S4Features(**params)  # __init__ only stores
    with pytest.raises(ValueError, match=match):
        est.fit(np.zeros((3, 10)))


def test_pipeline_and_pickle():
    rng = np.random.default_rng(10)
    t = np.linspace(0, 1, 60)
    y = np.repeat([0, 1], 20)
    X = np.sin(2 * np.pi * np.where(y == 1, 5, 2)[:, None] * t) + 0.3 * rng.normal(size=(40, 60))
    model = make_pipeline(S4Features(), StandardScaler(), RidgeClassifierCV()).fit(X[::2], y[::2])
    assert model.score(X[1::2], y[1::2]) >= 0.9
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.decision_function(X), model.decision_function(X))


def test_chunks_in_parallel_give_the_same_features(monkeypatch):
    import sks4.features as features

    rng = np.random.default_rng(11)
    X = rng.normal(size=(7, 3, 200))
    est = S4Features(measure=["legs", "legt"], n_coefs=3, window=[0.1, 0.5]).fit(X)
    ref = est.transform(X)  # one chunk
    monkeypatch.setattr(features, "_CHUNK_BYTES", 8 * 200 * 3 * 2 * 2)  # two series per chunk
    for workers in (1, 2):
        monkeypatch.setattr(features, "_blas_threads", lambda: workers)
        np.testing.assert_allclose(est.transform(X), ref, rtol=1e-12, atol=1e-13)


def with_leading_zero_diff(series):
    """First difference along the last axis with a leading 0, by hand."""
    return np.concatenate([np.zeros(series.shape[:-1] + (1,)), np.diff(series, axis=-1)], axis=-1)


@pytest.mark.parametrize(
    "kw",
    [
        # pooled, every step (chunked scan for the translated memories); ppv above 0: the
        # biases learned from a series and from its difference differ
        {"n_coefs": 3, "window": [0.1, 0.5], "ppv_quantiles": None},
        {"measure": ["legs", "legt"], "n_coefs": 3, "window": [0.25], "points": 4, "pooling": None},
        {"measure": "lagt", "n_coefs": 2, "window": [6], "points": 5, "pooling": ["mean", "ppv"], "ppv_quantiles": None},
    ],
)
def test_diff_memories_are_the_memories_of_the_difference(kw):
    rng = np.random.default_rng(12)
    X = rng.normal(size=(4, 2, 60)).cumsum(axis=-1)
    raw = S4Features(**kw).fit(X)
    both = S4Features(inputs=("raw", "diff"), **kw).fit(X)
    diff = S4Features(inputs="diff", **kw).fit(X)
    K = raw.n_features_out_ // 2  # per channel
    assert both.n_features_out_ == 2 * raw.n_features_out_ and diff.n_features_out_ == raw.n_features_out_
    F_raw = raw.transform(X).reshape(4, 2, K)
    F_diff = raw.transform(with_leading_zero_diff(X)).reshape(4, 2, K)  # the existing transform of np.diff
    F_both = both.transform(X).reshape(4, 2, 2, K)  # (n, channel, input, features)
    np.testing.assert_allclose(F_both[:, :, 0], F_raw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F_both[:, :, 1], F_diff, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(diff.transform(X).reshape(4, 2, K), F_diff, rtol=1e-12, atol=1e-12)
    # ... and the inputs in the other order swap the two halves
    swapped = S4Features(inputs=["diff", "raw"], **kw).fit(X).transform(X).reshape(4, 2, 2, K)
    np.testing.assert_allclose(swapped[:, :, ::-1], F_both, rtol=1e-12, atol=1e-12)


def test_diff_of_unequal_lengths_and_one_step_series():
    rng = np.random.default_rng(13)
    series = ragged(rng, [9, 1, 20, 9])
    est = S4Features(n_coefs=3, window=[0.5, 3], inputs=("raw", "diff"), ppv_quantiles=None).fit(series)
    F = est.transform(series)
    ref = S4Features(n_coefs=3, window=[0.5, 3], ppv_quantiles=None).fit(series)
    K = ref.n_features_out_ // 2
    for i, s in enumerate(series):
        expected = np.stack([ref.transform([s]).reshape(2, K), ref.transform([with_leading_zero_diff(s)]).reshape(2, K)],
                            axis=1)
        np.testing.assert_allclose(F[i].reshape(2, 2, K), expected, rtol=1e-12, atol=1e-12)
    # a constant series (and a one-step one) has a zero difference: zero memories
    np.testing.assert_array_equal(F[1].reshape(2, 2, K)[:, 1], 0.0)


def test_diff_feature_names_and_inverse_transform():
    X = np.random.default_rng(14).normal(size=(3, 2, 30))
    est = S4Features(measure="legt", n_coefs=2, window=[0.5, None], pooling=["last", "max"], inputs=("raw", "diff"))
    F = est.fit_transform(X)
    names = est.get_feature_names_out()
    assert len(set(names)) == len(names) == F.shape[1] == est.n_features_out_ == 2 * 2 * 2 * 2 * 2
    assert list(names[:2]) == ["ch0_legt_w0_last_c0", "ch0_legt_w0_last_c1"]
    assert names[8] == "ch0d_legt_w0_last_c0" and names[15] == "ch0d_legt_w1_max_c1" and names[16] == "ch1_legt_w0_last_c0"
    # inverse_transform rebuilds the raw series from the raw memories, ignoring the diff ones
    raw = S4Features(measure="legt", n_coefs=2, window=[0.5, None], pooling=["last", "max"]).fit(X)
    np.testing.assert_allclose(est.inverse_transform(F), raw.inverse_transform(raw.transform(X)))
    np.testing.assert_allclose(est.inverse_transform(F, window=0), raw.inverse_transform(raw.transform(X), window=0))
    only_diff = S4Features(measure="legt", n_coefs=2, inputs="diff").fit(X)
    with pytest.raises(ValueError, match="needs 'raw' in inputs"):
        only_diff.inverse_transform(only_diff.transform(X))


# ---------------------------------------------------------------------- ppv above learned biases
def naive_trajectories(series, est):
    """States of every (signal, memory) of each series at every step, by the naive loop.

    Returns a list over series of arrays (C * n_inputs, blocks, L, N).
    """
    out = []
    for x in series:
        x = np.atleast_2d(x)
        L = x.shape[1]
        signals = [with_leading_zero_diff(row) if inp == "diff" else row for row in x for inp in est.inputs_]
        out.append(np.array([
            [naive_states(sig, m, est.n_coefs, est._timescale(m, w, L), est.method) for m, w in est.blocks_]
            for sig in signals
        ]))
    return out


@pytest.mark.parametrize(
    "kw, lengths",
    [
        ({"measure": ["legs", "legt", "lagt"], "window": [0.5, 7]}, [20, 31, 20, 9]),  # readouts, unequal lengths
        ({"measure": ["legt", "fout"], "window": [0.1, 40], "inputs": ("raw", "diff")}, [300, 300, 300]),  # scan
    ],
)
def test_ppv_biases_are_training_quantiles_and_features_count_above_them(kw, lengths):
    rng = np.random.default_rng(13)
    series = ragged(rng, lengths)
    q = 3
    est = S4Features(n_coefs=3, pooling=("ppv", "last", "max"), ppv_quantiles=q, **kw).fit(series)
    traj = naive_trajectories(series, est)  # per series (signals, blocks, L, N)
    values = np.concatenate([t for t in traj], axis=2)  # (signals, blocks, sum L, N): all series, all steps
    expected = np.moveaxis(np.quantile(values, [1 / 6, 1 / 2, 5 / 6], axis=2), 0, -1)  # (signals, blocks, N, q)
    margin = 1e-9 * np.abs(values).max(axis=(2, 3))[:, :, None, None]  # ties with a bias count as below it
    np.testing.assert_allclose(est.ppv_biases_, expected + margin, rtol=1e-9, atol=1e-10)
    F = est.transform(series).reshape(len(series), len(traj[0]), len(est.blocks_), q + 2, 3)
    for i, t in enumerate(traj):
        # a training value may equal a bias (a quantile at a data point, or a coefficient that is 0
        # in exact arithmetic at several steps): rounding decides those
        tol = 1e-9 * np.abs(values).max()
        bias = est.ppv_biases_[:, :, None]  # (signals, blocks, 1, N, q)
        surely = np.moveaxis((t[..., None] > bias + tol).mean(axis=2), -1, 2)  # (signals, blocks, q, N)
        maybe = np.moveaxis((t[..., None] > bias - tol).mean(axis=2), -1, 2)
        assert np.all(surely <= F[i, :, :, :q]) and np.all(F[i, :, :, :q] <= maybe)
        np.testing.assert_allclose(F[i, :, :, q], t[:, :, -1], rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(F[i, :, :, q + 1], t.max(axis=2), rtol=1e-9, atol=1e-10)
    # a series' features do not depend on the batch
    np.testing.assert_array_equal(est.transform(series[1:2]), est.transform(series)[1:2])


def test_ppv_biases_read_evenly_spaced_series_beyond_the_budget(monkeypatch):
    from sks4 import features

    X = np.random.default_rng(14).normal(size=(9, 40))
    kw = {"measure": "legt", "n_coefs": 2, "window": [0.25], "pooling": ["ppv"], "ppv_quantiles": 2}
    monkeypatch.setattr(features, "_BIAS_VALUES", 3 * 40 * 2)  # three series' states
    est = S4Features(**kw).fit(X)
    np.testing.assert_array_equal(est.ppv_biases_, S4Features(**kw).fit(X[[0, 4, 8]]).ppv_biases_)
    monkeypatch.setattr(features, "_CHUNK_BYTES", 8 * 40 * 2 * 2)  # transform by chunks of two series
    for workers in (1, 2):
        monkeypatch.setattr(features, "_blas_threads", lambda w=workers: w)
        F = est.transform(X)
        monkeypatch.undo()
        np.testing.assert_array_equal(F, est.transform(X))


def test_ppv_quantiles_names_pandas_and_inverse_transform():
    X = np.sin(np.linspace(0, 3, 64))[None, None, :] * np.random.default_rng(15).normal(size=(6, 2, 1))
    kw = {"measure": "legt", "n_coefs": 4, "window": [0.25, 1.0]}
    est = S4Features(pooling=("ppv", "last"), ppv_quantiles=2, **kw).set_output(transform="pandas").fit(X)
    names = est.get_feature_names_out()
    assert est.n_features_out_ == len(names) == len(set(names)) == 2 * 2 * 3 * 4
    assert list(names[:5]) == ["ch0_legt_w0_ppv0_c0", "ch0_legt_w0_ppv0_c1", "ch0_legt_w0_ppv0_c2",
                               "ch0_legt_w0_ppv0_c3", "ch0_legt_w0_ppv1_c0"]
    assert "ch1_legt_w1_last_c3" in names
    F = est.transform(X)
    assert list(F.columns) == list(names)
    # the final memory sits after the ppv columns: the same reconstruction as from the plain coefficients
    plain = S4Features(points=1, pooling=None, **kw).fit(X)
    np.testing.assert_allclose(est.inverse_transform(F.to_numpy()), plain.inverse_transform(plain.transform(X)),
                               rtol=1e-12, atol=1e-12)
    only_ppv = S4Features(pooling=["ppv"], ppv_quantiles=2, **kw).fit(X)
    with pytest.raises(ValueError, match="include 'last' in pooling"):
        only_ppv.inverse_transform(only_ppv.transform(X))
    # refitting without ppv_quantiles, or without "ppv", forgets the biases
    assert not hasattr(est.set_params(ppv_quantiles=None).fit(X), "ppv_biases_")
    est.set_params(ppv_quantiles=2).fit(X)
    no_ppv = est.set_params(pooling=["max"]).fit(X)
    assert not hasattr(no_ppv, "ppv_biases_") and no_ppv.n_features_out_ == 2 * 2 * 1 * 4


@pytest.mark.parametrize(
    "change",
    [{"pooling": ("mean", "ppv")}, {"ppv_quantiles": 3}, {"ppv_quantiles": None}, {"window": (0.2,)}, {"n_coefs": 2}],
    ids=["pooling", "ppv_quantiles-3", "ppv_quantiles-None", "window", "n_coefs"],
)
def test_parameters_changed_after_fit_ask_for_a_refit(change):
    """Biases, memories and names were built for fit's parameters: other values need a new fit, not a crash."""
    X = np.random.default_rng(0).normal(size=(5, 30))
    est = S4Features(pooling=("mean",), window=(0.5,), n_coefs=3).fit(X)
    before = est.transform(X)
    est.set_params(**change)
    name = next(iter(change))
    with pytest.raises(ValueError, match=rf"changed since fit \({name}\).*Call fit again"):
        est.transform(X)
    with pytest.raises(ValueError, match="changed since fit"):
        est.get_feature_names_out()
    refit = est.fit(X).transform(X)
    assert refit.shape[0] == 5 and est.get_feature_names_out().shape == (refit.shape[1],)
    est.set_params(**{k: v for k, v in S4Features(pooling=("mean",), window=(0.5,), n_coefs=3).get_params().items()})
    np.testing.assert_array_equal(est.fit(X).transform(X), before)


def test_list_of_arrays_takes_any_length_even_when_the_training_lengths_agree():
    # a list of arrays is a collection of series, not a table, whatever the lengths in fit
    rng = np.random.RandomState(0)
    feat = S4Features().fit([rng.randn(15) for _ in range(6)])
    assert not hasattr(feat, "n_features_in_")
    assert feat.transform([rng.randn(10)]).shape == (1, feat.transform([rng.randn(15)]).shape[1])
    table = S4Features().fit([rng.randn(15).tolist() for _ in range(6)])
    assert table.n_features_in_ == 15


def test_a_one_step_window_next_to_the_whole_series():
    # 1 == 1.0 in Python, but window=1 is one step and 1.0 (or None) the whole series
    X = np.random.default_rng(0).standard_normal((3, 40))
    for window in [(1, None), (1, 1.0), [None, 1]]:
        assert S4Features(window=window).fit_transform(X).shape[0] == 3
    one = S4Features(window=1, measure="legt", pooling=None, points=1).fit_transform(X)
    whole = S4Features(window=None, measure="legt", pooling=None, points=1).fit_transform(X)
    both = S4Features(window=(1, None), measure="legt", pooling=None, points=1).fit_transform(X)
    assert np.abs(one - whole).max() > 0.1
    np.testing.assert_allclose(both, np.hstack([one, whole]), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="must not repeat a time scale"):
        S4Features(window=(None, 1.0)).fit(X)


@pytest.mark.filterwarnings("ignore:invalid value encountered in reduce")  # scikit-learn's check_array sums X
def test_inputs_near_the_float64_maximum_raise_instead_of_infinite_features():
    X = np.random.default_rng(0).uniform(-1, 1, (3, 40)) * 1.5e308
    with pytest.raises(ValueError, match="S4Features overflowed: .* rescale X first"):
        S4Features().fit_transform(X)
    assert np.isfinite(S4Features().fit_transform(X / 1e300)).all()


def test_n_timesteps_is_the_longest_series_not_the_padded_width():
    rng = np.random.RandomState(0)
    series = np.cumsum(rng.randn(3, 60), axis=1)
    table = np.full((3, 80), np.nan)
    table[:, :60] = series  # every row padded with NaN at the end
    from_list = S4Features(measure="legt", n_coefs=16, window=None, points=1, pooling=None).fit(list(series))
    from_table = S4Features(measure="legt", n_coefs=16, window=None, points=1, pooling=None).fit(table)
    assert from_list.n_timesteps_ == from_table.n_timesteps_ == 60
    rebuilt_table = from_table.inverse_transform(from_table.transform(table))
    np.testing.assert_allclose(rebuilt_table, from_list.inverse_transform(from_list.transform(series)))


def test_small_numpy_integer_parameters_give_the_same_features():
    X = np.random.RandomState(0).randn(10, 30)
    expected = S4Features(n_coefs=4, points=5).fit_transform(X)
    np.testing.assert_array_equal(S4Features(n_coefs=np.int16(4), points=np.int8(5)).fit_transform(X), expected)
