"""Tests for the dataset loaders in sks4.datasets."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import Bunch

from sks4.data import to_padded
from sks4.datasets import (
    AIRLINE_DESCR,
    load_airline,
    load_basic_motions,
    load_covid3month,
    load_gunpoint,
    load_italy_power_demand,
    load_japanese_vowels,
)

# loader, split -> (n_samples, shape of one series or None when unequal)
EQUAL_LENGTH = {
    (load_gunpoint, "train"): (50, 150),
    (load_gunpoint, "test"): (150, 150),
    (load_italy_power_demand, "train"): (67, 24),
    (load_italy_power_demand, "test"): (1029, 24),
    (load_covid3month, "train"): (140, 84),
    (load_covid3month, "test"): (61, 84),
}


@pytest.mark.parametrize("loader, split", list(EQUAL_LENGTH), ids=lambda v: getattr(v, "__name__", v))
def test_univariate_loaders_shapes(loader, split):
    X, y = loader(split)
    assert isinstance(X, np.ndarray) and X.dtype == np.float64
    assert X.shape == EQUAL_LENGTH[(loader, split)]
    assert y.shape == (X.shape[0],)
    assert np.isfinite(X).all()


@pytest.mark.parametrize("loader", [load_gunpoint, load_italy_power_demand])
def test_ucr_labels_are_ints_from_file(loader):
    _, y = loader("both")
    assert y.dtype == np.int64
    assert set(np.unique(y).tolist()) == {1, 2}


def test_gunpoint_matches_source_csv():
    X, y = load_gunpoint("train")
    with resources.files("sks4.datasets").joinpath("data", "GunPoint_TRAIN.csv.gz").open("rb") as fh:
        raw = pd.read_csv(fh, compression="gzip")
    np.testing.assert_array_equal(X, raw.drop(columns="target").to_numpy())
    np.testing.assert_array_equal(y, raw["target"].to_numpy())


def test_covid3month_float_targets():
    X, y = load_covid3month("both")
    assert X.shape == (201, 84)
    assert y.dtype == np.float64 and y.shape == (201,)
    assert (y >= 0).all() and (y <= 1).all()


def test_basic_motions():
    X, y = load_basic_motions("train")
    assert X.shape == (40, 6, 100) and X.dtype == np.float64
    assert y.dtype.kind == "U"
    assert set(y.tolist()) == {"standing", "walking", "running", "badminton"}
    Xt, yt = load_basic_motions("test")
    assert Xt.shape == (40, 6, 100) and yt.shape == (40,)


def test_basic_motions_channel_layout_matches_long_file():
    X, _ = load_basic_motions("train")
    with resources.files("sks4.datasets").joinpath("data", "BasicMotions_TRAIN_X.csv.gz").open("rb") as fh:
        long = pd.read_csv(fh, compression="gzip")
    sample = long.sample(50, random_state=0)
    np.testing.assert_array_equal(
        X[sample["case"], sample["channel"], sample["t"]], sample["value"].to_numpy()
    )


@pytest.mark.parametrize("split, n", [("train", 270), ("test", 370)])
def test_japanese_vowels_unequal_lengths(split, n):
    X, y = load_japanese_vowels(split)
    assert isinstance(X, list) and len(X) == n
    assert all(x.ndim == 2 and x.shape[0] == 12 and x.dtype == np.float64 for x in X)
    lengths = np.array([x.shape[1] for x in X])
    assert lengths.min() >= 7 and lengths.max() <= 29
    assert not np.isnan(np.concatenate(X, axis=1)).any()
    assert y.dtype == np.int64 and set(np.unique(y).tolist()) == set(range(1, 10))
    # the list feeds straight into the data adapter
    p = to_padded(X)
    np.testing.assert_array_equal(p.lengths, lengths)
    assert p.n_channels == 12


def test_japanese_vowels_length_range_over_both_splits():
    bunch = load_japanese_vowels("both", return_X_y=False)
    assert bunch.lengths.min() == 7 and bunch.lengths.max() == 29
    assert bunch.n_train == 270 and len(bunch.data) == 640
    np.testing.assert_array_equal(np.bincount(bunch.target[:270])[1:], [30] * 9)


def test_both_concatenates_train_then_test():
    Xtr, ytr = load_gunpoint("train")
    Xte, yte = load_gunpoint("test")
    X, y = load_gunpoint("both")
    np.testing.assert_array_equal(X, np.concatenate([Xtr, Xte]))
    np.testing.assert_array_equal(y, np.concatenate([ytr, yte]))


def test_bunch():
    bunch = load_basic_motions("test", return_X_y=False)
    assert isinstance(bunch, Bunch)
    assert bunch.data.shape == (40, 6, 100) and bunch.target.shape == (40,)
    assert bunch.n_train == 0 and bunch.split == "test"
    assert sorted(bunch.target_names.tolist()) == ["badminton", "running", "standing", "walking"]
    assert "UEA" in bunch.DESCR and "arXiv:1811.00075" in bunch.DESCR
    assert bunch.filenames == (("BasicMotions_TEST_X.csv.gz", "BasicMotions_TEST_y.csv.gz"),)
    reg = load_covid3month(return_X_y=False)
    assert "target_names" not in reg and "RMSE" in reg.DESCR and reg.n_train == 140


def test_bad_split():
    with pytest.raises(ValueError, match="split must be 'train', 'test' or 'both'"):
        load_gunpoint("validation")


def test_airline():
    y = load_airline()
    assert isinstance(y, pd.Series) and y.name == "passengers"
    assert len(y) == 144 and y.dtype == np.float64
    assert isinstance(y.index, pd.PeriodIndex) and y.index.freqstr == "M"
    assert y.index[0] == pd.Period("1949-01", freq="M")
    assert y.index[-1] == pd.Period("1960-12", freq="M")
    assert y.iloc[0] == 112.0
    assert y.index.is_monotonic_increasing and y.index.is_unique
    assert "Box" in AIRLINE_DESCR


def test_data_files_are_gzipped_package_data():
    names = {p.name for p in resources.files("sks4.datasets").joinpath("data").iterdir()}
    assert "airline.csv.gz" in names and len([n for n in names if n.endswith(".csv.gz")]) == 15
    assert not any(n.endswith(".csv") for n in names)


@pytest.mark.parametrize("split", [["train"], None, 1])
def test_split_of_another_type_is_refused_clearly(split):
    with pytest.raises(ValueError, match="split must be 'train', 'test' or 'both'"):
        load_gunpoint(split=split)


@pytest.mark.parametrize("return_X_y", ["yes", None, 1])
def test_return_X_y_must_be_a_boolean(return_X_y):
    with pytest.raises(TypeError, match="return_X_y must be True or False"):
        load_gunpoint(return_X_y=return_X_y)
