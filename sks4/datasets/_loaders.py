"""Loaders for the small public time-series datasets shipped with sks4."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Literal, Union

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from sks4.data import to_padded

__all__ = [
    "load_gunpoint",
    "load_italy_power_demand",
    "load_basic_motions",
    "load_japanese_vowels",
    "load_covid3month",
    "load_airline",
]

Split = Literal["train", "test", "both"]
XType = Union[np.ndarray, "list[np.ndarray]"]

# --------------------------------------------------------------------------- references

_UCR = """Dau, H. A., Bagnall, A., Kamgar, K., Yeh, C.-C. M., Zhu, Y., Gharghabi, S.,
Ratanamahatana, C. A. and Keogh, E. (2019). The UCR time series archive.
IEEE/CAA Journal of Automatica Sinica, 6(6), 1293-1305."""
_UEA = """Bagnall, A., Dau, H. A., Lines, J., Flynn, M., Large, J., Bostrom, A.,
Southam, P. and Keogh, E. (2018). The UEA multivariate time series
classification archive, 2018. arXiv:1811.00075."""
_TSER = """Tan, C. W., Bergmeir, C., Petitjean, F. and Webb, G. I. (2021). Time series
extrinsic regression. Data Mining and Knowledge Discovery, 35(3), 1032-1060."""
_RESULTS_UCR = """Results from the result files of Middlehurst, M., Schäfer, P. and
Bagnall, A. (2024), "Bake off redux" (MiniRocket, HIVE-COTE 2), and of
Ismail Fawaz, H. et al. (2020), InceptionTime."""
_RESULTS_DL = """Results from the dl-4-tsc result files of Ismail Fawaz, H. et al. (2019),
"Deep learning for time series classification: a review"."""


@dataclass(frozen=True)
class _Dataset:
    """What a loader needs to know about one shipped dataset."""

    stem: str  # file name stem, e.g. "GunPoint"
    layout: Literal["wide", "long"]
    descr: str


_GUNPOINT = _Dataset(
    "GunPoint",
    "wide",
    f"""GunPoint (UCR archive), univariate time-series classification.

Two actors were filmed either drawing a replica gun from a hip holster, pointing
it at a target and putting it back (one class), or only pointing a finger (the
other class). Each series is the horizontal coordinate of the hand's centroid
over 150 video frames.

- classes: 2 (labels 1 and 2, integers as in the file)
- train: 50 series, test: 150 series, length 150, 1 channel

Published test accuracy on the default split: InceptionTime 1.000,
MiniRocket 0.993, HIVE-COTE 2 1.000.
{_RESULTS_UCR}

Source: {_UCR}
Original data: Ratanamahatana, C. A. and Keogh, E. (2005). Three myths about
dynamic time warping data mining. SIAM International Conference on Data Mining.
""",
)

_ITALY = _Dataset(
    "ItalyPowerDemand",
    "wide",
    f"""ItalyPowerDemand (UCR archive), univariate time-series classification.

Daily profiles of Italian electrical power demand in 1997: each series holds the
24 hourly readings of one day. The class tells the winter half of the year
(October to March) from the summer half (April to September).

- classes: 2 (labels 1 and 2, integers as in the file)
- train: 67 series, test: 1029 series, length 24, 1 channel

Published test accuracy on the default split: InceptionTime 0.966,
MiniRocket 0.963, HIVE-COTE 2 0.970.
{_RESULTS_UCR}

Source: {_UCR}
""",
)

_BASIC_MOTIONS = _Dataset(
    "BasicMotions",
    "long",
    f"""BasicMotions (UEA archive), multivariate time-series classification.

Four people wore a smartwatch while standing, walking, running and playing
badminton. Each series has 6 channels (3-axis accelerometer and 3-axis
gyroscope), sampled at 10 Hz for 10 seconds.

- classes: 4 (string labels: 'standing', 'walking', 'running', 'badminton')
- train: 40 series, test: 40 series, length 100, 6 channels

Source: {_UEA}
""",
)

_JAPANESE_VOWELS = _Dataset(
    "JapaneseVowels",
    "long",
    f"""JapaneseVowels (UEA archive), multivariate, unequal-length classification.

Nine male speakers each uttered the Japanese vowels /ae/ in succession. Each
series holds 12 LPC cepstrum coefficients per analysis frame; the number of
frames varies from 7 to 29. The class is the speaker.

- classes: 9 (labels 1 to 9, integers as in the file)
- train: 270 series (30 per speaker), test: 370 series, 12 channels,
  lengths 7 to 29

Published test accuracy on the default split (mean of 10 runs): ResNet 0.992,
FCN 0.993.
{_RESULTS_DL}

Source: {_UEA}
Original data: Kudo, M., Toyama, J. and Shimbo, M. (1999). Multidimensional
curve classification using passing-through regions. Pattern Recognition
Letters, 20(11-13), 1103-1111.
""",
)

_COVID3MONTH = _Dataset(
    "Covid3Month",
    "wide",
    f"""Covid3Month (TSER archive), univariate time-series extrinsic regression.

One series per country: daily confirmed COVID-19 cases over the three months
before 1 April 2020 (WHO data). The target is the country's COVID-19 death rate
on 1 April 2020.

- train: 140 series, test: 61 series, length 84, 1 channel; float targets

Published test RMSE on the default split: ROCKET 0.0389, FreshPRINCE 0.0402,
random forest 0.0425 (TSER archive expansion result files: Guijo-Rubio, D.,
Middlehurst, M., Arcencio, G., Furtado Silva, D. and Bagnall, A. (2024).
Unsupervised feature based algorithms for time series extrinsic regression.
Data Mining and Knowledge Discovery, 38).

Source: {_TSER}
""",
)

_AIRLINE_DESCR = """Box & Jenkins airline passengers, univariate forecasting.

Monthly totals of international airline passengers (thousands), January 1949
to December 1960: 144 months.

Published errors with the last 36 months held out (sMAPE): AutoETS 0.063,
ARIMA(0,1,1)(0,1,1)12 on the log series 0.081, Theta 0.087, seasonal naive
0.145 (computed with statsmodels on that split).

Source: Box, G. E. P. and Jenkins, G. M. (1976). Time Series Analysis:
Forecasting and Control. Holden-Day, Series G.
"""


# --------------------------------------------------------------------------- public loaders


def load_gunpoint(split: Split = "train", *, return_X_y: bool = True) -> tuple[np.ndarray, np.ndarray] | Bunch:
    """Load the GunPoint dataset (UCR archive): 2-class univariate classification.

    Parameters
    ----------
    split : {"train", "test", "both"}, default="train"
        Which part of the published train/test split to load. ``"both"``
        concatenates train then test.
    return_X_y : bool, default=True
        Return ``(X, y)``; if False, return a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    X : ndarray of shape (n_samples, 150), float64
        50 series for ``"train"``, 150 for ``"test"``, 200 for ``"both"``.
    y : ndarray of shape (n_samples,), int64
        Class labels 1 and 2, as stored in the file.
    data : Bunch
        When ``return_X_y=False``: ``data``, ``target``, ``target_names``
        (sorted class labels), ``n_train`` (the first ``n_train`` rows come
        from the train split), ``split``, ``DESCR`` and ``filenames``.

    Notes
    -----
    Source: Dau et al. (2019), "The UCR time series archive", IEEE/CAA Journal
    of Automatica Sinica 6(6). See ``load_gunpoint(return_X_y=False).DESCR``
    for published results.

    Examples
    --------
    >>> from sks4.datasets import load_gunpoint
    >>> X, y = load_gunpoint()
    >>> X.shape, y.shape
    ((50, 150), (50,))
    """
    return _load(_GUNPOINT, split, return_X_y, task="classification")


def load_italy_power_demand(
    split: Split = "train", *, return_X_y: bool = True
) -> tuple[np.ndarray, np.ndarray] | Bunch:
    """Load the ItalyPowerDemand dataset (UCR archive): 2-class univariate classification.

    Parameters
    ----------
    split : {"train", "test", "both"}, default="train"
        Which part of the published train/test split to load. ``"both"``
        concatenates train then test.
    return_X_y : bool, default=True
        Return ``(X, y)``; if False, return a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    X : ndarray of shape (n_samples, 24), float64
        67 series for ``"train"``, 1029 for ``"test"``, 1096 for ``"both"``.
    y : ndarray of shape (n_samples,), int64
        Class labels 1 and 2, as stored in the file.
    data : Bunch
        When ``return_X_y=False``: ``data``, ``target``, ``target_names``,
        ``n_train``, ``split``, ``DESCR`` and ``filenames``.

    Notes
    -----
    Source: Dau et al. (2019), "The UCR time series archive".

    Examples
    --------
    >>> from sks4.datasets import load_italy_power_demand
    >>> X, y = load_italy_power_demand("test")
    >>> X.shape
    (1029, 24)
    """
    return _load(_ITALY, split, return_X_y, task="classification")


def load_basic_motions(
    split: Split = "train", *, return_X_y: bool = True
) -> tuple[np.ndarray, np.ndarray] | Bunch:
    """Load the BasicMotions dataset (UEA archive): 4-class multivariate classification.

    Parameters
    ----------
    split : {"train", "test", "both"}, default="train"
        Which part of the published train/test split to load. ``"both"``
        concatenates train then test.
    return_X_y : bool, default=True
        Return ``(X, y)``; if False, return a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    X : ndarray of shape (n_samples, 6, 100), float64
        Channels first; 40 series for ``"train"`` and for ``"test"``.
    y : ndarray of shape (n_samples,), str
        Labels ``'standing'``, ``'walking'``, ``'running'``, ``'badminton'``.
    data : Bunch
        When ``return_X_y=False``: ``data``, ``target``, ``target_names``,
        ``n_train``, ``split``, ``DESCR`` and ``filenames``.

    Notes
    -----
    Source: Bagnall et al. (2018), "The UEA multivariate time series
    classification archive, 2018", arXiv:1811.00075.

    Examples
    --------
    >>> from sks4.datasets import load_basic_motions
    >>> X, y = load_basic_motions()
    >>> X.shape
    (40, 6, 100)
    """
    return _load(_BASIC_MOTIONS, split, return_X_y, task="classification")


def load_japanese_vowels(
    split: Split = "train", *, return_X_y: bool = True
) -> tuple[list[np.ndarray], np.ndarray] | Bunch:
    """Load the JapaneseVowels dataset (UEA archive): 9-class, unequal-length, 12 channels.

    Parameters
    ----------
    split : {"train", "test", "both"}, default="train"
        Which part of the published train/test split to load. ``"both"``
        concatenates train then test.
    return_X_y : bool, default=True
        Return ``(X, y)``; if False, return a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    X : list of ndarray
        One float64 array of shape ``(12, length_i)`` per series, lengths 7 to
        29; 270 series for ``"train"``, 370 for ``"test"``.
    y : ndarray of shape (n_samples,), int64
        Speaker labels 1 to 9, as stored in the file.
    data : Bunch
        When ``return_X_y=False``: ``data``, ``target``, ``target_names``,
        ``lengths`` (int64, one per series), ``n_train``, ``split``, ``DESCR``
        and ``filenames``.

    Notes
    -----
    Source: Bagnall et al. (2018), "The UEA multivariate time series
    classification archive, 2018"; original data Kudo, Toyama and Shimbo
    (1999), Pattern Recognition Letters 20.

    Examples
    --------
    >>> from sks4.datasets import load_japanese_vowels
    >>> X, y = load_japanese_vowels()
    >>> len(X), X[0].shape[0]
    (270, 12)
    """
    return _load(_JAPANESE_VOWELS, split, return_X_y, task="classification")


def load_covid3month(
    split: Split = "train", *, return_X_y: bool = True
) -> tuple[np.ndarray, np.ndarray] | Bunch:
    """Load the Covid3Month dataset (TSER archive): univariate extrinsic regression.

    Parameters
    ----------
    split : {"train", "test", "both"}, default="train"
        Which part of the published train/test split to load. ``"both"``
        concatenates train then test.
    return_X_y : bool, default=True
        Return ``(X, y)``; if False, return a :class:`~sklearn.utils.Bunch`.

    Returns
    -------
    X : ndarray of shape (n_samples, 84), float64
        Daily confirmed cases per country; 140 series for ``"train"``, 61 for
        ``"test"``.
    y : ndarray of shape (n_samples,), float64
        COVID-19 death rate on 1 April 2020.
    data : Bunch
        When ``return_X_y=False``: ``data``, ``target``, ``n_train``,
        ``split``, ``DESCR`` and ``filenames``.

    Notes
    -----
    Source: Tan et al. (2021), "Time series extrinsic regression", Data Mining
    and Knowledge Discovery 35(3).

    Examples
    --------
    >>> from sks4.datasets import load_covid3month
    >>> X, y = load_covid3month()
    >>> X.shape, y.dtype
    ((140, 84), dtype('float64'))
    """
    return _load(_COVID3MONTH, split, return_X_y, task="regression")


def load_airline() -> pd.Series:
    """Load the Box & Jenkins monthly airline passengers series (1949-1960).

    Returns
    -------
    y : pandas.Series of shape (144,), float64
        Named ``"passengers"`` (thousands of passengers), indexed by a monthly
        :class:`pandas.PeriodIndex` (``freq="M"``) named ``"month"``, from
        1949-01 to 1960-12.

    Notes
    -----
    Source: Box, G. E. P. and Jenkins, G. M. (1976), Time Series Analysis:
    Forecasting and Control, Series G. The description and published
    forecasting errors are in ``sks4.datasets.AIRLINE_DESCR``.

    Examples
    --------
    >>> from sks4.datasets import load_airline
    >>> y = load_airline()
    >>> len(y), str(y.index[0])
    (144, '1949-01')
    """
    df = _read_csv("airline")
    index = pd.PeriodIndex(df["month"].astype(str), freq="M", name="month")
    return pd.Series(df["passengers"].to_numpy(dtype=np.float64), index=index, name="passengers")


AIRLINE_DESCR = _AIRLINE_DESCR


# --------------------------------------------------------------------------- internals


def _data_file(filename: str):
    return resources.files("sks4.datasets").joinpath("data", filename)


def _read_csv(stem: str) -> pd.DataFrame:
    with _data_file(f"{stem}.csv.gz").open("rb") as fh:
        return pd.read_csv(fh, compression="gzip")


def _check_split(split: str) -> list[str]:
    parts = {"train": ["TRAIN"], "test": ["TEST"], "both": ["TRAIN", "TEST"]}
    if not isinstance(split, str) or split not in parts:
        raise ValueError(f"split must be 'train', 'test' or 'both', got {split!r}.")
    return parts[split]


def _load(ds: _Dataset, split: str, return_X_y: bool, *, task: str):
    parts = _check_split(split)
    if not isinstance(return_X_y, (bool, np.bool_)):
        raise TypeError(f"return_X_y must be True or False, got {return_X_y!r}.")
    read = _read_wide if ds.layout == "wide" else _read_long
    loaded = [read(ds.stem, part) for part in parts]
    X = _concat([x for x, _ in loaded])
    y = np.concatenate([y for _, y in loaded])
    if return_X_y:
        return X, y
    n_train = len(loaded[0][1]) if parts[0] == "TRAIN" else 0
    bunch = Bunch(
        data=X,
        target=y,
        n_train=n_train,
        split=split,
        DESCR=ds.descr,
        filenames=tuple(_file_names(ds, part) for part in parts),
    )
    if task == "classification":
        bunch.target_names = np.unique(y)
    if isinstance(X, list):
        bunch.lengths = np.array([x.shape[1] for x in X], dtype=np.int64)
    return bunch


def _file_names(ds: _Dataset, part: str) -> str | tuple[str, str]:
    if ds.layout == "wide":
        return f"{ds.stem}_{part}.csv.gz"
    return (f"{ds.stem}_{part}_X.csv.gz", f"{ds.stem}_{part}_y.csv.gz")


def _concat(parts: list[XType]) -> XType:
    if isinstance(parts[0], list):
        return [x for part in parts for x in part]
    return np.concatenate(parts)


def _labels(target: pd.Series) -> np.ndarray:
    """Keep the file's label type: int64 or float64 numbers, else str."""
    if pd.api.types.is_integer_dtype(target.dtype):
        return target.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(target.dtype):
        return target.to_numpy(dtype=np.float64)
    return target.astype(str).to_numpy().astype(str)


def _read_wide(stem: str, part: str) -> tuple[np.ndarray, np.ndarray]:
    df = _read_csv(f"{stem}_{part}")
    X = df.drop(columns="target").to_numpy(dtype=np.float64)
    return X, _labels(df["target"])


def _read_long(stem: str, part: str) -> tuple[XType, np.ndarray]:
    long = _read_csv(f"{stem}_{part}_X")
    frame = long.pivot(index=["case", "t"], columns="channel", values="value")
    padded = to_padded(frame, name=f"{stem}_{part}")
    target = _read_csv(f"{stem}_{part}_y").sort_values("case")
    cases = frame.index.get_level_values("case").unique().to_numpy()
    if not np.array_equal(cases, target["case"].to_numpy()):
        raise RuntimeError(f"{stem}_{part}: the cases in the X and y files do not match.")
    y = _labels(target["target"])
    X = padded.values if padded.equal_length else padded.to_list()
    return X, y
