"""Tests for sks4.data: every accepted input format, the NaN policy and the errors."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import estimator_checks as ec
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from sks4.data import PaddedSeries, check_input_shape, group_by_length, to_padded

RNG = np.random.default_rng(0)

# --------------------------------------------------------------------------- reference data

# univariate, equal length: 3 series of length 5
UNI = RNG.normal(size=(3, 5))
# multivariate, equal length: 4 series, 2 channels, length 6
MULTI = RNG.normal(size=(4, 2, 6))
# multivariate, unequal lengths
RAGGED_LENGTHS = [4, 7, 1, 7]
RAGGED = [RNG.normal(size=(2, n)) for n in RAGGED_LENGTHS]


def _long_frame(series: list[np.ndarray], cases=None, channels=("a", "b")) -> pd.DataFrame:
    """Long-form DataFrame with a (case, timestep) MultiIndex, one column per channel."""
    cases = list(range(len(series))) if cases is None else cases
    index = pd.MultiIndex.from_tuples(
        [(c, t) for c, s in zip(cases, series) for t in range(s.shape[-1])], names=["case", "timestep"]
    )
    values = np.concatenate([np.atleast_2d(s).T for s in series])
    return pd.DataFrame(values, index=index, columns=list(channels)[: values.shape[1]])


def _padded_reference(series: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([s.shape[-1] for s in series])
    out = np.zeros((len(series), np.atleast_2d(series[0]).shape[0], lengths.max()))
    for i, s in enumerate(series):
        out[i, :, : lengths[i]] = s
    return out, lengths


def _assert_same(p: PaddedSeries, values: np.ndarray, lengths) -> None:
    assert isinstance(p, PaddedSeries)
    assert p.values.dtype == np.float64 and p.lengths.dtype == np.int64
    np.testing.assert_array_equal(p.lengths, lengths)
    np.testing.assert_array_equal(p.values, values)


# --------------------------------------------------------------------------- formats agree

UNI_FORMATS = {
    "numpy2d": lambda: UNI.copy(),
    "list_of_lists": lambda: UNI.tolist(),
    "wide_frame": lambda: pd.DataFrame(UNI, columns=[f"t{i}" for i in range(5)]),
    "numpy3d": lambda: UNI[:, None, :].copy(),
    "list_1d": lambda: list(UNI),
    "tuple_1d": lambda: tuple(UNI),
    "list_2d_items": lambda: [row[None, :] for row in UNI],
    "long_frame": lambda: _long_frame(list(UNI), channels=("value",)),
    "object_array_of_series": lambda: np.array([UNI[0], UNI[1, :4], UNI[2]], dtype=object)[[0, 2]],
    "object_dtype_numbers": lambda: UNI.astype(object),
    "float32": lambda: UNI.astype(np.float32),
}


@pytest.mark.parametrize("fmt", sorted(UNI_FORMATS))
def test_univariate_formats_agree(fmt):
    X = UNI_FORMATS[fmt]()
    p = to_padded(X)
    if fmt == "object_array_of_series":
        _assert_same(p, UNI[[0, 2], None, :], [5, 5])
    elif fmt == "float32":
        _assert_same(p, UNI.astype(np.float32).astype(np.float64)[:, None, :], [5, 5, 5])
    else:
        _assert_same(p, UNI[:, None, :], [5, 5, 5])
    assert p.n_samples == len(p.lengths) and p.n_channels == 1 and p.max_length == 5
    assert p.equal_length


@pytest.mark.parametrize(
    "make",
    [
        lambda: MULTI.copy(),
        lambda: list(MULTI),
        lambda: [m.tolist() for m in MULTI],
        lambda: _long_frame(list(MULTI)),
    ],
    ids=["numpy3d", "list_of_arrays", "nested_lists", "long_frame"],
)
def test_multivariate_formats_agree(make):
    p = to_padded(make())
    _assert_same(p, MULTI, [6] * 4)
    assert p.n_channels == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda: list(RAGGED),
        lambda: tuple(RAGGED),
        lambda: _long_frame(RAGGED),
        lambda: _nan_padded_3d(RAGGED),
    ],
    ids=["list", "tuple", "long_frame", "numpy3d_trailing_nan"],
)
def test_unequal_lengths_are_zero_padded(make):
    values, lengths = _padded_reference(RAGGED)
    p = to_padded(make())
    _assert_same(p, values, lengths)
    assert not p.equal_length
    assert p.max_length == 7
    # zeros strictly beyond each length
    assert np.all(p.values[~np.broadcast_to(p.mask()[:, None, :], p.values.shape)] == 0)


def _nan_padded_3d(series):
    values, lengths = _padded_reference(series)
    values[~(np.arange(values.shape[2]) < lengths[:, None])[:, None, :].repeat(values.shape[1], 1)] = np.nan
    return values


def test_univariate_unequal_list_and_trailing_nan_2d_agree():
    series = [np.arange(1.0, 4.0), np.arange(1.0, 6.0), np.array([7.0])]
    X2d = np.full((3, 5), np.nan)
    for i, s in enumerate(series):
        X2d[i, : len(s)] = s
    from_list = to_padded(series)
    from_2d = to_padded(X2d)
    from_wide = to_padded(pd.DataFrame(X2d))
    for p in (from_list, from_2d, from_wide):
        np.testing.assert_array_equal(p.lengths, [3, 5, 1])
        np.testing.assert_array_equal(p.values[:, 0], np.nan_to_num(X2d, nan=0.0))


def test_dtype_float32_and_bad_dtype():
    p = to_padded([np.arange(3), np.arange(2)], dtype=np.float32)
    assert p.values.dtype == np.float32
    np.testing.assert_array_equal(p.values[1, 0], [0, 1, 0])
    with pytest.raises(ValueError, match="floating point dtype"):
        to_padded(UNI, dtype=np.int64)


def test_int_and_bool_input_become_float():
    p = to_padded(np.array([[1, 2, 3]], dtype=np.int32))
    assert p.values.dtype == np.float64
    np.testing.assert_array_equal(p.values, [[[1.0, 2.0, 3.0]]])
    np.testing.assert_array_equal(to_padded(np.array([[True, False]])).values, [[[1.0, 0.0]]])


# --------------------------------------------------------------------------- long form


def test_long_frame_keeps_case_order_and_sorts_timesteps():
    frame = _long_frame(RAGGED, cases=["z", "y", "x", "w"])
    shuffled = frame.sample(frac=1.0, random_state=1)
    # cases appear in shuffled order: to_padded keeps order of first appearance
    first_seen = pd.unique(shuffled.index.get_level_values(0))
    p = to_padded(shuffled)
    order = [["z", "y", "x", "w"].index(c) for c in first_seen]
    values, lengths = _padded_reference([RAGGED[i] for i in order])
    _assert_same(p, values, lengths)


def test_long_frame_datetime_timesteps():
    times = pd.date_range("2024-01-01", periods=3, freq="D")
    index = pd.MultiIndex.from_tuples([(0, times[2]), (0, times[0]), (0, times[1]), (1, times[0])])
    frame = pd.DataFrame({"v": [3.0, 1.0, 2.0, 9.0]}, index=index)
    p = to_padded(frame)
    np.testing.assert_array_equal(p.values[:, 0], [[1, 2, 3], [9, 0, 0]])
    np.testing.assert_array_equal(p.lengths, [3, 1])


def test_long_frame_trailing_nan_rows_are_padding():
    frame = _long_frame([np.array([[1.0, 2.0, np.nan]])], channels=("v",))
    p = to_padded(frame)
    np.testing.assert_array_equal(p.lengths, [2])


def test_long_frame_errors():
    frame = _long_frame(RAGGED)
    with pytest.raises(ValueError, match="duplicate \\(case, timestep\\)"):
        to_padded(pd.concat([frame, frame.iloc[:1]]))
    three = frame.set_index(pd.Index(np.zeros(len(frame)), name="extra"), append=True)
    with pytest.raises(ValueError, match="2-level row MultiIndex"):
        to_padded(three)
    bad = frame.assign(label="x")
    with pytest.raises(ValueError, match=r"non-numeric.*\['label'\]"):
        to_padded(bad)
    with pytest.raises(ValueError, match="at least 1 row and 1 channel"):
        to_padded(frame.iloc[:0])
    with pytest.raises(ValueError, match="NaN inside a series: sample 1"):
        to_padded(frame.assign(a=np.where(np.arange(len(frame)) == 5, np.nan, frame["a"])))


# --------------------------------------------------------------------------- NaN policy


def test_trailing_nan_shortens_series_and_is_zero():
    X = np.array([[1.0, 2.0, 3.0, np.nan, np.nan], [1.0, 2.0, 3.0, 4.0, 5.0]])
    p = to_padded(X)
    np.testing.assert_array_equal(p.lengths, [3, 5])
    np.testing.assert_array_equal(p.values[0, 0], [1, 2, 3, 0, 0])
    np.testing.assert_array_equal(p.mask(), [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])


def test_trailing_nan_in_every_row_shrinks_max_length_not():
    # the padded length stays the input's length; lengths say where each ends
    p = to_padded(np.array([[1.0, np.nan, np.nan], [1.0, 2.0, np.nan]]))
    assert p.max_length == 3
    np.testing.assert_array_equal(p.lengths, [1, 2])


def test_multivariate_padding_needs_all_channels_nan():
    X = np.zeros((1, 2, 4))
    X[0, :, 3] = np.nan  # both channels end at step 3: padding
    np.testing.assert_array_equal(to_padded(X).lengths, [3])
    X[0, 1, 2] = np.nan  # channel 1 stops earlier: a missing value inside the series
    with pytest.raises(ValueError, match=r"NaN inside a series: sample 0 \(channel 1, time step 2\)"):
        to_padded(X)


@pytest.mark.parametrize("pos", [0, 2], ids=["leading", "interior"])
def test_inner_nan_raises_with_sample_index_and_hint(pos):
    X = RNG.normal(size=(4, 5))
    X[2, pos] = np.nan
    with pytest.raises(ValueError, match=rf"NaN inside a series: sample 2 .*time step {pos}.*interpolate"):
        to_padded(X)


def test_inner_nan_in_list_item_raises():
    with pytest.raises(ValueError, match="sample 1"):
        to_padded([np.arange(3.0), np.array([1.0, np.nan, 2.0])])


def test_all_nan_series_raises():
    X = RNG.normal(size=(3, 4))
    X[1] = np.nan
    with pytest.raises(ValueError, match=r"only of NaN \(sample index 1\)"):
        to_padded(X)


# --------------------------------------------------------------------------- sklearn-like errors


def test_sparse_input_raises_type_error():
    with pytest.raises(TypeError, match="Sparse data"):
        to_padded(sp.csr_matrix(np.eye(3)))
    with pytest.raises(TypeError, match="Sparse data"):
        to_padded([sp.csr_matrix(np.eye(3))])


def test_complex_raises():
    with pytest.raises(ValueError, match="Complex data not supported"):
        to_padded(np.eye(3) + 1j)
    with pytest.raises(ValueError, match="Complex data not supported"):
        to_padded([np.ones(3) + 1j])


def test_object_dtype_numbers_ok_but_dict_type_error():
    X = RNG.normal(size=(3, 4)).astype(object)
    np.testing.assert_allclose(to_padded(X).values[:, 0], X.astype(float))
    X[0, 0] = {"foo": "bar"}
    with pytest.raises(TypeError, match="argument must be .* string.* number"):
        to_padded(X)


@pytest.mark.parametrize(
    "X",
    [np.array([["a", "b"], ["c", "d"]]), np.array([["1.0", "x"]], dtype=object), [np.array(["a", "b"])]],
    ids=["unicode", "object_strings", "list_item_strings"],
)
def test_strings_raise_value_error(X):
    with pytest.raises(ValueError, match="non-numeric values"):
        to_padded(X)


def test_wide_frame_with_string_column_names_it():
    frame = pd.DataFrame({"t0": [1.0, 2.0], "t1": [3.0, 4.0], "label": ["x", "y"]})
    with pytest.raises(ValueError, match=r"Non-numeric columns: \['label'\]"):
        to_padded(frame)
    # a categorical column of strings passes check_array as objects: same message, not numpy's
    frame = pd.DataFrame({"label": pd.Categorical(["x", "y"]), "t0": [1.0, 2.0], "t1": [3.0, 4.0]})
    with pytest.raises(ValueError, match=r"non-numeric values .* Non-numeric columns: \['label'\]"):
        to_padded(frame)
    numbers = pd.DataFrame({"t0": pd.Categorical([1.0, 2.0]), "t1": [3.0, 4.0]})
    np.testing.assert_array_equal(to_padded(numbers).values[:, 0], [[1.0, 3.0], [2.0, 4.0]])


@pytest.mark.parametrize("X", [np.arange(4.0), pd.Series([1.0, 2.0]), np.float64(3.0)], ids=["1d", "series", "scalar"])
def test_low_rank_raises_reshape_message(X):
    with pytest.raises(ValueError, match="Reshape your data.*reshape\\(1, -1\\)"):
        to_padded(X)


@pytest.mark.parametrize("X", [None, {"a": [1.0, 2.0]}, "abc"], ids=["none", "dict", "str"])
def test_objects_that_hold_no_series_raise_type_error_naming_them(X):
    with pytest.raises(TypeError, match=f"array-like of series .* got {type(X).__name__}"):
        to_padded(X)


def test_text_timestep_labels_warn_when_text_order_is_not_numeric_order():
    def frame(labels):
        index = pd.MultiIndex.from_product([["a", "b"], labels], names=["case", "t"])
        return pd.DataFrame({"v": np.arange(2.0 * len(labels))}, index=index)

    with pytest.warns(UserWarning, match="ordered as text .* 't10' is not where the numbers"):
        padded = to_padded(frame([f"t{i}" for i in range(12)]))
    np.testing.assert_array_equal(padded.values[0, 0, :4], [0.0, 1.0, 10.0, 11.0])  # as documented: text order
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_padded(frame([f"t{i:02d}" for i in range(12)]))  # zero-padded: text order is numeric order
        to_padded(frame(["x", "y", "z"]))


def test_flat_list_raises_reshape_message():
    with pytest.raises(ValueError, match="Reshape your data"):
        to_padded([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    "X, match",
    [
        (np.empty((0, 3)), r"0 sample\(s\) \(shape=\(0, 3\)\) while a minimum of 1 is required"),
        (np.empty((12, 0)), r"0 feature\(s\) \(shape=\(12, 0\)\) while a minimum of 1 is required"),
        (np.empty((0, 2, 3)), r"0 sample\(s\).*minimum of 1"),
        (np.empty((2, 0, 3)), r"0 channel\(s\).*minimum of 1"),
        (np.empty((2, 3, 0)), r"0 time step\(s\).*minimum of 1"),
        ([], r"0 sample\(s\).*minimum of 1"),
        ([np.arange(3.0), np.array([])], r"X\[1\] is empty"),
    ],
    ids=["no_samples", "no_timesteps", "3d_no_samples", "3d_no_channels", "3d_no_timesteps", "empty_list", "empty_item"],
)
def test_empty_input_raises(X, match):
    with pytest.raises(ValueError, match=match):
        to_padded(X)


@pytest.mark.parametrize(
    "X",
    [np.array([[1.0, np.inf]]), np.full((1, 2, 2), -np.inf), [np.array([1.0, np.inf])], _long_frame([np.array([[np.inf]])], channels=("v",))],
    ids=["2d", "3d", "list", "long"],
)
def test_inf_raises(X):
    with pytest.raises(ValueError, match="infinity"):
        to_padded(X)


def test_float32_overflow_raises():
    with pytest.raises(ValueError, match="too large for float32"):
        to_padded(np.array([[1e300, 1.0]]), dtype=np.float32)


def test_four_dimensions_raise():
    with pytest.raises(ValueError, match=r"4 dimensions.*3-D array \(n_samples, n_channels, n_timesteps\)"):
        to_padded(np.zeros((2, 3, 4, 5)))


def test_list_item_with_bad_rank_raises():
    with pytest.raises(ValueError, match=r"X\[1\] has shape \(1, 2, 3\)"):
        to_padded([np.zeros(3), np.zeros((1, 2, 3))])


def test_mixed_channel_counts_raise():
    with pytest.raises(ValueError, match=r"different numbers of channels: X\[0\] has 2, X\[2\] has 3"):
        to_padded([np.zeros((2, 4)), np.zeros((2, 5)), np.zeros((3, 5))])


def test_n_channels_mismatch_says_fit_and_now():
    with pytest.raises(ValueError, match=r"X has 1 channel\(s\), but 2 channel\(s\) were seen in fit"):
        to_padded(UNI, n_channels=2)
    with pytest.raises(ValueError, match=r"X_test has 2 channel\(s\), but 3"):
        to_padded(MULTI, n_channels=3, name="X_test")
    assert to_padded(MULTI, n_channels=2).n_channels == 2


def test_name_used_in_messages():
    with pytest.raises(ValueError, match="Input X_val contains infinity"):
        to_padded(np.array([[np.inf]]), name="X_val")


# --------------------------------------------------------------------------- inputs untouched


INPUT_MAKERS = {
    "numpy2d_nan": lambda: np.array([[1.0, 2.0, np.nan], [1.0, 2.0, 3.0]]),
    "numpy3d_nan": lambda: _nan_padded_3d(RAGGED),
    "list": lambda: [r.copy() for r in RAGGED],
    "long_frame": lambda: _long_frame(RAGGED).iloc[::-1],
    "wide_frame": lambda: pd.DataFrame([[1.0, np.nan], [3.0, 4.0]]),
    "readonly": lambda: _readonly(MULTI.copy()),
}


def _readonly(a):
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("fmt", sorted(INPUT_MAKERS))
def test_input_not_modified_and_not_shared(fmt):
    X = INPUT_MAKERS[fmt]()
    before = copy.deepcopy(X)
    p = to_padded(X)
    p.values[...] = 12345.0  # writing to the output must not reach the input
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, before)
    elif isinstance(X, list):
        for a, b in zip(X, before):
            np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_array_equal(X, before)
        assert not np.shares_memory(X, p.values)


# --------------------------------------------------------------------------- PaddedSeries and helpers


def test_padded_series_properties_and_mask():
    p = to_padded(RAGGED)
    assert (p.n_samples, p.n_channels, p.max_length) == (4, 2, 7)
    mask = p.mask()
    assert mask.dtype == bool and mask.shape == (4, 7)
    np.testing.assert_array_equal(mask.sum(axis=1), RAGGED_LENGTHS)


def test_take_and_to_list_roundtrip():
    p = to_padded(RAGGED)
    for a, b in zip(p.to_list(), RAGGED):
        np.testing.assert_array_equal(a, b)
    sub = p.take([2, 0])
    assert sub.max_length == 4  # trimmed to the longest selected
    np.testing.assert_array_equal(sub.lengths, [1, 4])
    np.testing.assert_array_equal(sub.values[1], p.values[0, :, :4])
    assert p.take([2], trim=False).max_length == 7


def test_padded_series_validates():
    with pytest.raises(ValueError, match="n_samples, n_channels, max_length"):
        PaddedSeries(np.zeros((2, 3)), np.array([3, 3]))
    with pytest.raises(ValueError, match="lengths must be integers"):
        PaddedSeries(np.zeros((2, 1, 3)), np.array([3.0, 3.0]))
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 3\]"):
        PaddedSeries(np.zeros((2, 1, 3)), np.array([0, 3]))


def test_group_by_length():
    groups = group_by_length(np.array([5, 3, 5, 7, 3]))
    assert list(groups) == [3, 5, 7]
    np.testing.assert_array_equal(groups[3], [1, 4])
    np.testing.assert_array_equal(groups[5], [0, 2])
    np.testing.assert_array_equal(groups[7], [3])
    assert all(g.dtype == np.int64 for g in groups.values())
    assert group_by_length(to_padded(RAGGED).lengths)[7].tolist() == [1, 3]
    assert group_by_length([]) == {}
    with pytest.raises(ValueError, match="1-D array of integers"):
        group_by_length([1.5, 2.0])


def test_check_input_shape():
    p = to_padded(UNI)
    check_input_shape(p, n_channels=1, n_timesteps=5)
    with pytest.raises(ValueError, match=r"X has 5 features, but S4Classifier is expecting 4 features as input"):
        check_input_shape(p, n_timesteps=4, estimator="S4Classifier")
    with pytest.raises(ValueError, match=r"1 channel\(s\), but _Centroids is expecting 3 channel\(s\)"):
        check_input_shape(p, n_channels=3, estimator=_Centroids())


# --------------------------------------------------------------------------- sklearn's estimator checks


class _Centroids(ClassifierMixin, BaseEstimator):
    """Smallest classifier built on to_padded, to run scikit-learn's input checks."""

    def fit(self, X, y):
        p = to_padded(X)
        y = column_or_1d(y, warn=True)
        check_consistent_length(p.values, y)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.n_channels_ = p.n_channels
        self.n_features_in_ = p.max_length
        feats = self._features(p)
        self.centroids_ = np.stack([feats[codes == k].mean(axis=0) for k in range(len(self.classes_))])
        return self

    def predict(self, X):
        check_is_fitted(self)
        p = to_padded(X, n_channels=self.n_channels_)
        check_input_shape(p, n_timesteps=self.n_features_in_, estimator=self)
        d = ((self._features(p)[:, None, :] - self.centroids_[None]) ** 2).sum(-1)
        return self.classes_[d.argmin(axis=1)]

    @staticmethod
    def _features(p):
        return p.values.sum(axis=2) / p.lengths[:, None]


SKLEARN_CHECKS = [
    ec.check_estimators_nan_inf,
    ec.check_fit2d_predict1d,
    ec.check_estimators_empty_data_messages,
    ec.check_complex_data,
    ec.check_dtype_object,
    ec.check_estimator_sparse_array,
    ec.check_estimator_sparse_matrix,
    ec.check_estimators_dtypes,
    ec.check_fit2d_1sample,
    ec.check_fit2d_1feature,
    ec.check_n_features_in_after_fitting,
]


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_input_checks_pass(check):
    check("_Centroids", _Centroids())


@pytest.mark.parametrize("obj_type", ["NotAnArray", "PandasDataframe"])
def test_sklearn_data_not_an_array(obj_type):
    X = RNG.uniform(size=(20, 6))
    y = np.repeat([0, 1], 10)
    ec.check_estimators_data_not_an_array("_Centroids", _Centroids(), X, y, obj_type)


def test_long_frames_give_one_output_row_per_case_with_pandas_output():
    from sks4 import S4Classifier, S4Features

    rng = np.random.RandomState(0)
    index = pd.MultiIndex.from_product([["c", "a", "b", "d"], range(12)], names=["case", "t"])
    X = pd.DataFrame({"x": rng.randn(48), "z": rng.randn(48)}, index=index)
    y = np.array([0, 1, 0, 1])
    features = S4Features().set_output(transform="pandas").fit(X)
    clf = S4Classifier(d_model=4, d_state=4, n_layers=1, n_estimators=1, max_epochs=1, random_state=0)
    clf.set_output(transform="pandas").fit(X, y)
    for est in (features, clf):
        out = est.transform(X)
        assert isinstance(out, pd.DataFrame)
        assert out.index.tolist() == ["c", "a", "b", "d"] and out.index.name == "case"
        assert out.columns.tolist() == est.get_feature_names_out().tolist()
        plain = clone(est).set_output(transform="default").fit(X, y).transform(X)
        assert isinstance(plain, np.ndarray)
        np.testing.assert_allclose(out.to_numpy(), plain)
