"""Turn every accepted time-series input into one padded float array plus lengths.

Every estimator and transformer in sks4 calls :func:`to_padded` first, so the
rules below hold everywhere in the library.

Accepted inputs
---------------
2-D array-like, shape ``(n_samples, n_timesteps)``
    A numpy array, a list of equal-length lists, or a "wide" pandas DataFrame
    (one row per series, numeric columns only). Read as univariate series.
    Validated with :func:`sklearn.utils.validation.check_array`, so sparse,
    complex, string, empty and infinite inputs are refused exactly as
    scikit-learn refuses them.
3-D array, shape ``(n_samples, n_channels, n_timesteps)``
    Channels first, the ``numpy3D`` convention of aeon and sktime.
Long-form pandas DataFrame
    A 2-level row MultiIndex ``(case, timestep)`` and one numeric column per
    channel. Cases keep the order in which they first appear; within a case the
    rows are sorted by the timestep level, whose values only give the order
    (gaps are not filled). Cases may have different lengths.
List or tuple of arrays
    Each item ``(n_timesteps_i,)`` (univariate) or ``(n_channels,
    n_timesteps_i)``; lengths may differ, channel counts may not. A 1-D numpy
    array of ``dtype=object`` holding such arrays is read the same way.

Missing values (NaN)
--------------------
* NaN at the end of a series is padding: the series is shorter. This is how
  unequal-length series are stored in UCR/UEA files and in 2-D/3-D arrays.
  For multivariate series a time step is padding when every channel is NaN.
* NaN anywhere before the last observed value of a series is a missing value
  and raises ``ValueError`` naming the sample; impute first (for example with
  ``pandas.DataFrame.interpolate(axis=1)``) or drop that series.
* A series that is entirely NaN raises ``ValueError``.
* Infinite values always raise ``ValueError``.

In the returned :class:`PaddedSeries`, ``values`` holds zeros beyond each
series' length and never shares memory with the caller's input.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_array

__all__ = [
    "PaddedSeries",
    "to_padded",
    "check_input_shape",
    "group_by_length",
    "is_table",
    "case_index",
    "rows_for_pandas_output",
]

_FORMATS_HINT = (
    "Accepted formats: a 2-D array (n_samples, n_timesteps), a 3-D array "
    "(n_samples, n_channels, n_timesteps), a long-form DataFrame with a "
    "(case, timestep) MultiIndex, or a list of arrays of shape (n_timesteps_i,) "
    "or (n_channels, n_timesteps_i)."
)
_IMPUTE_HINT = (
    "NaN is only accepted at the end of a series, where it marks padding of "
    "unequal-length series. Impute missing values first (for example "
    "`pandas.DataFrame(X).interpolate(axis=1, limit_direction='both')` for 2-D "
    "data) or drop the affected series."
)


@dataclass(frozen=True, eq=False)
class PaddedSeries:
    """A batch of time series padded to a common length.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_channels, max_length)
        Float values, channels first; zero at and beyond each series' length.
    lengths : ndarray of shape (n_samples,), dtype int64
        True length of each series, each in ``[1, max_length]``.
    """

    values: np.ndarray
    lengths: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.values, np.ndarray) or self.values.ndim != 3:
            raise ValueError(
                "values must be an ndarray of shape (n_samples, n_channels, max_length), "
                f"got {type(self.values).__name__} with shape {np.shape(self.values)}."
            )
        lengths = np.asarray(self.lengths)
        if lengths.shape != (self.values.shape[0],) or lengths.dtype.kind not in "iu":
            raise ValueError(
                f"lengths must be integers of shape ({self.values.shape[0]},), "
                f"got dtype {lengths.dtype} and shape {lengths.shape}."
            )
        if lengths.size and (lengths.min() < 1 or lengths.max() > self.values.shape[2]):
            raise ValueError(f"lengths must lie in [1, {self.values.shape[2]}] (the padded length).")
        object.__setattr__(self, "lengths", lengths.astype(np.int64, copy=False))

    @property
    def n_samples(self) -> int:
        """Number of series."""
        return int(self.values.shape[0])

    @property
    def n_channels(self) -> int:
        """Number of channels (1 for univariate series)."""
        return int(self.values.shape[1])

    @property
    def max_length(self) -> int:
        """Padded length: the width of ``values``, at least the longest series' length.

        A table whose rows all end in NaN keeps its width.
        """
        return int(self.values.shape[2])

    @property
    def equal_length(self) -> bool:
        """Whether every series has length ``max_length`` (no padding)."""
        return bool(np.all(self.lengths == self.max_length))

    def mask(self) -> np.ndarray:
        """Boolean mask of observed time steps.

        Returns
        -------
        mask : ndarray of shape (n_samples, max_length), dtype bool
            True at time steps ``t < lengths[i]``.
        """
        return np.arange(self.max_length) < self.lengths[:, None]

    def take(self, indices: Sequence[int] | np.ndarray, *, trim: bool = True) -> PaddedSeries:
        """Select series by index.

        Parameters
        ----------
        indices : array-like of int
            Indices of the series to keep, in the order wanted.
        trim : bool, default=True
            Cut the padding down to the longest selected series.

        Returns
        -------
        PaddedSeries
            A new batch (the arrays are copies).
        """
        idx = np.asarray(indices, dtype=np.intp)
        lengths = self.lengths[idx]
        stop = int(lengths.max()) if (trim and idx.size) else self.max_length
        return PaddedSeries(self.values[idx, :, :stop].copy(), lengths.copy())

    def to_list(self) -> list[np.ndarray]:
        """Unpad into a list of arrays.

        Returns
        -------
        list of ndarray
            ``n_samples`` arrays of shape ``(n_channels, lengths[i])`` (copies).
        """
        return [self.values[i, :, :n].copy() for i, n in enumerate(self.lengths.tolist())]


def to_padded(
    X: Any,
    *,
    dtype: Any = np.float64,
    n_channels: int | None = None,
    name: str = "X",
) -> PaddedSeries:
    """Validate time-series input and return it padded, with its true lengths.

    Parameters
    ----------
    X : array-like, DataFrame or list of arrays
        One of: a 2-D array-like ``(n_samples, n_timesteps)`` (univariate; numpy,
        list of equal-length lists, or a wide DataFrame of numeric columns); a
        3-D array ``(n_samples, n_channels, n_timesteps)``; a long-form
        DataFrame with a 2-level ``(case, timestep)`` MultiIndex and one column
        per channel; a list or tuple of arrays ``(n_timesteps_i,)`` or
        ``(n_channels, n_timesteps_i)`` of possibly different lengths.
    dtype : numpy float dtype, default=np.float64
        Dtype of the returned ``values``.
    n_channels : int, optional
        Expected number of channels, typically the count seen in ``fit``.
        A mismatch raises ``ValueError``.
    name : str, default="X"
        Name of the input used in error messages.

    Returns
    -------
    PaddedSeries
        ``values`` of shape ``(n_samples, n_channels, max_length)`` with zeros
        beyond each length, and ``lengths`` of shape ``(n_samples,)``.

    Raises
    ------
    TypeError
        Sparse input, or values that cannot be read as numbers (for example a
        dict inside an object array).
    ValueError
        Wrong number of dimensions, empty input, strings, complex or infinite
        values, NaN inside a series, an all-NaN series, channel counts that
        differ between series or from ``n_channels``.

    Notes
    -----
    NaN policy: trailing NaN (at the end of a series, in every channel) is
    padding and shortens that series; NaN before the last observed value is a
    missing value and raises ``ValueError`` naming the sample, suggesting
    imputation; an all-NaN series raises ``ValueError``. The input is never
    modified and ``values`` never shares memory with it.

    Examples
    --------
    >>> import numpy as np
    >>> from sks4.data import to_padded
    >>> p = to_padded([np.arange(3.0), np.arange(5.0)])
    >>> p.values.shape, p.lengths.tolist()
    ((2, 1, 5), [3, 5])
    >>> to_padded(np.array([[1.0, 2.0, np.nan]])).lengths.tolist()
    [2]
    """
    dtype = _check_dtype(dtype)
    raw = _to_raw(X, dtype, name)
    _check_not_empty_3d(raw, name)
    values, lengths = _split_nan_padding(raw, name)
    if n_channels is not None and values.shape[1] != n_channels:
        raise ValueError(
            f"{name} has {values.shape[1]} channel(s), but {n_channels} channel(s) were seen in fit. "
            "Pass series with the same channels as in fit; 2-D input (n_samples, n_timesteps) "
            "is read as 1 channel, use a 3-D array (n_samples, n_channels, n_timesteps) for "
            "multivariate series."
        )
    return PaddedSeries(values, lengths)


def check_input_shape(
    padded: PaddedSeries,
    *,
    n_channels: int | None = None,
    n_timesteps: int | None = None,
    estimator: Any = None,
    name: str = "X",
) -> None:
    """Check a padded batch against the shape seen in ``fit``.

    Parameters
    ----------
    padded : PaddedSeries
        Output of :func:`to_padded`.
    n_channels : int, optional
        Channel count seen in fit.
    n_timesteps : int, optional
        Series length seen in fit, for estimators that need one fixed length.
        Compared with ``padded.max_length``; the message follows
        scikit-learn's ``n_features_in_`` wording.
    estimator : estimator instance or str, optional
        Used to name the estimator in the message.
    name : str, default="X"
        Name of the input used in error messages.

    Raises
    ------
    ValueError
        When a given count differs from the input's.
    """
    est = _estimator_name(estimator)
    if n_channels is not None and padded.n_channels != n_channels:
        raise ValueError(
            f"{name} has {padded.n_channels} channel(s), but {est} is expecting {n_channels} "
            "channel(s) as input, as seen in fit."
        )
    if n_timesteps is not None and padded.max_length != n_timesteps:
        raise ValueError(
            f"{name} has {padded.max_length} features, but {est} is expecting {n_timesteps} "
            f"features as input (series of {n_timesteps} time steps, as seen in fit)."
        )


def group_by_length(lengths: Sequence[int] | np.ndarray) -> dict[int, np.ndarray]:
    """Group sample indices by series length.

    Parameters
    ----------
    lengths : array-like of int, shape (n_samples,)
        Series lengths, for example ``PaddedSeries.lengths``.

    Returns
    -------
    dict of int to ndarray
        Maps each distinct length (ascending) to the int64 indices (ascending)
        of the samples that have it.

    Examples
    --------
    >>> group_by_length([3, 5, 3])
    {3: array([0, 2]), 5: array([1])}
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or (lengths.size and lengths.dtype.kind not in "iu"):
        raise ValueError(f"lengths must be a 1-D array of integers, got dtype {lengths.dtype} and shape {lengths.shape}.")
    order = np.argsort(lengths, kind="stable").astype(np.int64)
    uniq, starts = np.unique(lengths[order], return_index=True)
    return {int(n): idx for n, idx in zip(uniq.tolist(), np.split(order, starts[1:]))}


# --------------------------------------------------------------------------- dispatch


def case_index(X: Any) -> pd.Index | None:
    """The case labels of a long-form DataFrame, in the order of its series; None for other formats.

    Examples
    --------
    >>> import pandas as pd
    >>> index = pd.MultiIndex.from_product([["b", "a"], [0, 1]], names=["case", "t"])
    >>> case_index(pd.DataFrame({"x": range(4)}, index=index)).tolist()
    ['b', 'a']
    """
    if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
        level = X.index.get_level_values(0)
        return pd.Index(pd.unique(level), name=X.index.names[0])
    return None


def rows_for_pandas_output(X: Any, features: np.ndarray, estimator: Any) -> Any:
    """``features`` (one row per series) as a DataFrame indexed by case, when that is what is needed.

    scikit-learn's ``set_output(transform="pandas")`` gives a transform's
    output the row index of its input, which for a long-form DataFrame has
    one row per (case, timestep), not per series. With pandas output
    configured and a long-form ``X``, this returns the DataFrame indexed by
    the case labels (scikit-learn keeps the index of a DataFrame it gets);
    otherwise ``features`` unchanged.
    """
    cases = case_index(X)
    if cases is None:
        return features
    from sklearn.utils._set_output import _get_output_config

    if _get_output_config("transform", estimator)["dense"] != "pandas":
        return features
    return pd.DataFrame(features, index=cases, columns=estimator.get_feature_names_out())


def is_table(X: Any, padded: PaddedSeries) -> bool:
    """Whether ``X`` is a 2-D table (n_samples, n_timesteps) in scikit-learn's sense.

    Estimators fitted on a table take scikit-learn's contract of a fixed
    number of features (``n_features_in_`` = the series length); other
    formats (3-D arrays, long frames, lists of series) do not fix a length.
    A list is a table when it holds equal-length lists or tuples of numbers
    (``[[1, 2, 3], [4, 5, 6]]``); a list of arrays (or pandas Series) is a
    collection of series, whatever their lengths happen to be.

    Parameters
    ----------
    X : any accepted input format
        What the user passed.
    padded : PaddedSeries
        ``to_padded(X)``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.zeros((3, 5))
    >>> is_table(X, to_padded(X)), is_table(X[:, None], to_padded(X[:, None]))
    (True, False)
    """
    if isinstance(X, pd.DataFrame):
        return not isinstance(X.index, pd.MultiIndex)
    shape = getattr(X, "shape", None)
    if shape is not None:
        return len(shape) == 2
    if isinstance(X, (list, tuple)):
        # Arrays or Series as items: series that may share a length by chance, not table rows.
        return padded.n_channels == 1 and padded.equal_length and all(isinstance(row, (list, tuple)) for row in X)
    return np.asarray(X).ndim == 2


def _to_raw(X: Any, dtype: np.dtype, name: str) -> np.ndarray:
    """Return a 3-D float array, NaN-padded, owned by us (never the caller's memory)."""
    if sp.issparse(X):
        # check_array raises scikit-learn's TypeError for sparse input.
        check_array(X, accept_sparse=False, input_name=name)
    if isinstance(X, pd.DataFrame):
        if isinstance(X.index, pd.MultiIndex):
            return _from_long_frame(X, dtype, name)
        return _from_2d(X, dtype, name)
    if isinstance(X, (list, tuple)):
        return _from_sequence(X, dtype, name)
    arr = X if isinstance(X, np.ndarray) else np.asarray(X)
    if arr.ndim == 1 and arr.dtype == object and arr.size and all(np.ndim(x) > 0 for x in arr):
        return _from_sequence(list(arr), dtype, name)
    if arr.ndim == 0 and not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"{name} must be an array-like of series (2-D, 3-D, a list of series or a DataFrame), got "
            f"{type(X).__name__}: {X!r:.80}."
        )
    if arr.ndim < 2:
        kind = "scalar" if arr.ndim == 0 else "1D"
        raise ValueError(
            f"Expected a 2-D {name} (n_samples, n_timesteps), got {kind} array instead "
            f"(shape {arr.shape}). Reshape your data: {name}.reshape(1, -1) for a single series, "
            f"{name}.reshape(-1, 1) for n series of length 1."
        )
    if arr.ndim == 2:
        return _from_2d(arr, dtype, name)
    if arr.ndim == 3:
        return _from_3d(arr, dtype, name)
    raise ValueError(f"{name} has {arr.ndim} dimensions (shape {arr.shape}). {_FORMATS_HINT}")


def _from_2d(X: Any, dtype: np.dtype, name: str) -> np.ndarray:
    arr = _check_numeric(X, name, ensure_2d=True)
    return _cast(arr, dtype, name)[:, None, :]


def _from_3d(X: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    arr = _check_numeric(X, name, ensure_2d=False)
    return _cast(arr, dtype, name)


def _from_sequence(X: Sequence[Any], dtype: np.dtype, name: str) -> np.ndarray:
    if len(X) == 0:
        raise ValueError(f"Found 0 sample(s) in {name} while a minimum of 1 is required.")
    if all(np.ndim(x) == 0 for x in X):
        raise ValueError(
            f"Expected a 2-D {name} (n_samples, n_timesteps), got a flat list of {len(X)} numbers. "
            f"Reshape your data: pass [{name}] for a single series."
        )
    series = []
    for i, item in enumerate(X):
        if sp.issparse(item):
            check_array(item, accept_sparse=False, input_name=f"{name}[{i}]")
        arr = item if isinstance(item, np.ndarray) else np.asarray(item)
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name}[{i}] has shape {arr.shape}; each series in a list must have shape "
                "(n_timesteps,) or (n_channels, n_timesteps)."
            )
        arr = np.atleast_2d(arr)
        if arr.shape[1] == 0 or arr.shape[0] == 0:
            raise ValueError(f"{name}[{i}] is empty (shape {arr.shape}); each series needs at least 1 time step.")
        series.append(_cast(_check_numeric(arr, f"{name}[{i}]", ensure_2d=True), dtype, name))
    channels = np.array([s.shape[0] for s in series])
    if np.any(channels != channels[0]):
        j = int(np.flatnonzero(channels != channels[0])[0])
        raise ValueError(
            f"Series in {name} have different numbers of channels: {name}[0] has {channels[0]}, "
            f"{name}[{j}] has {channels[j]}. Every series must have shape (n_channels, n_timesteps_i) "
            "with the same n_channels."
        )
    lengths = [s.shape[1] for s in series]
    if min(lengths) == max(lengths):
        return np.stack(series)
    raw = np.full((len(series), channels[0], max(lengths)), np.nan, dtype=dtype)
    for i, s in enumerate(series):
        raw[i, :, : s.shape[1]] = s
    return raw


def _natural_key(label: str) -> list:
    """``"t10"`` -> ``["t", 10, ""]``: text with the numbers inside it compared as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label)]


def _warn_text_order(labels, name: str) -> None:
    """Warn when text timestep labels sort differently as text than by the numbers inside them."""
    labels = list(labels)
    if not labels or not all(isinstance(label, str) for label in labels):
        return
    natural = sorted(labels, key=_natural_key)
    if natural != labels:
        first = next(a for a, b in zip(labels, natural) if a != b)
        warnings.warn(
            f"The timestep labels of {name}'s MultiIndex are text and are ordered as text ({labels[:4]!r}...; "
            f"e.g. {first!r} is not where the numbers in the labels would put it). Convert them to integers "
            "or timestamps (e.g. df.index.set_levels(...)) if they count time steps.",
            UserWarning,
            stacklevel=4,
        )


def _from_long_frame(X: pd.DataFrame, dtype: np.dtype, name: str) -> np.ndarray:
    if X.index.nlevels != 2:
        raise ValueError(
            f"A long-form {name} needs a 2-level row MultiIndex (case, timestep), got "
            f"{X.index.nlevels} levels {list(X.index.names)}. Use a wide DataFrame (one row per "
            "series) or set the index with df.set_index(['case', 'timestep'])."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"Found long-form {name} with shape {X.shape}: need at least 1 row and 1 channel column."
        )
    data = _cast(_check_numeric(X, name, ensure_2d=True), dtype, name)
    case_codes, _ = pd.factorize(X.index.get_level_values(0), sort=False)
    try:
        time_codes, time_labels = pd.factorize(X.index.get_level_values(1), sort=True)
    except TypeError as exc:
        raise TypeError(
            f"The timestep level of {name}'s MultiIndex cannot be sorted ({exc}); use integers "
            "or timestamps for the second index level."
        ) from exc
    _warn_text_order(time_labels, name)
    if (case_codes < 0).any() or (time_codes < 0).any():
        raise ValueError(f"{name}'s MultiIndex contains missing (NaN) case or timestep labels.")
    order = np.lexsort((time_codes, case_codes))
    cases, times = case_codes[order], time_codes[order]
    dup = (np.diff(cases) == 0) & (np.diff(times) == 0)
    if dup.any():
        k = int(np.flatnonzero(dup)[0]) + 1
        raise ValueError(
            f"{name} has duplicate (case, timestep) rows, e.g. {X.index[order[k]]!r}; each "
            "timestep must appear once per case."
        )
    counts = np.bincount(cases)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(cases.size) - starts[cases]
    raw = np.full((counts.size, data.shape[1], int(counts.max())), np.nan, dtype=dtype)
    raw[cases, :, position] = data[order]
    return raw


# --------------------------------------------------------------------------- checks


def _check_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"dtype must be a floating point dtype such as np.float64 or np.float32, got {dt}.")
    return dt


def _check_numeric(X: Any, name: str, *, ensure_2d: bool) -> np.ndarray:
    """scikit-learn's check_array, NaN allowed (handled by the NaN policy), nicer string errors."""
    try:
        arr = check_array(
            X,
            dtype="numeric",
            ensure_all_finite="allow-nan",
            ensure_2d=ensure_2d,
            allow_nd=not ensure_2d,
            ensure_min_samples=1,
            ensure_min_features=1,
            input_name=name,
        )
        if arr.dtype == object:  # e.g. a categorical column of strings, which check_array passes through
            arr = arr.astype(np.float64)
        return arr
    except ValueError as exc:
        msg = str(exc)
        if "convert string" in msg or "bytes/strings" in msg:
            where = ""
            if isinstance(X, pd.DataFrame):
                bad = [c for c, t in X.dtypes.items() if not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
                where = f" Non-numeric columns: {bad}."
            raise ValueError(
                f"{name} contains non-numeric values (strings): {msg.rstrip('.')}.{where} Time series must be "
                "numeric; convert them, e.g. with .astype(float), or drop those columns."
            ) from exc
        raise


def _cast(arr: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    """Copy ``arr`` into ``dtype`` (always a new C-contiguous array)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.array(arr, dtype=dtype, order="C", copy=True)
    if out.dtype.itemsize < arr.dtype.itemsize and arr.dtype.kind == "f" and np.isinf(out).any():
        raise ValueError(f"{name} contains values too large for {dtype}; rescale the data or use dtype=np.float64.")
    return out


def _check_not_empty_3d(raw: np.ndarray, name: str) -> None:
    for axis, what in ((0, "sample(s)"), (1, "channel(s)"), (2, "time step(s)")):
        if raw.shape[axis] == 0:
            raise ValueError(f"Found array with 0 {what} (shape={raw.shape}) while a minimum of 1 is required.")


def _split_nan_padding(raw: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Apply the NaN policy: trailing NaN is padding, inner NaN is an error."""
    n, _, length = raw.shape
    isnan = np.isnan(raw)
    if not isnan.any():
        return raw, np.full(n, length, dtype=np.int64)
    observed = ~isnan.all(axis=1)  # (n, L): a step is observed if any channel is
    empty = ~observed.any(axis=1)
    if empty.any():
        bad = np.flatnonzero(empty)
        raise ValueError(
            f"{name} has {bad.size} series made only of NaN (sample index {_first(bad)}); "
            "every series needs at least one observed value. Drop those series."
        )
    lengths = (length - np.argmax(observed[:, ::-1], axis=1)).astype(np.int64)
    inside = np.arange(length) < lengths[:, None]
    inner_nan = isnan & inside[:, None, :]
    if inner_nan.any():
        i, c, t = (int(v) for v in np.argwhere(inner_nan)[0])
        samples = np.flatnonzero(inner_nan.any(axis=(1, 2)))
        raise ValueError(
            f"{name} contains NaN inside a series: sample {i} (channel {c}, time step {t}) is NaN "
            f"while the series has observed values up to time step {lengths[i] - 1}; "
            f"{samples.size} series are affected (sample index {_first(samples)}). "
            f"{_IMPUTE_HINT} In multivariate series all channels must end at the same time step."
        )
    raw[isnan] = 0.0
    return raw, lengths


def _first(idx: np.ndarray, k: int = 10) -> str:
    shown = ", ".join(str(int(v)) for v in idx[:k])
    return shown + (", ..." if idx.size > k else "")


def _estimator_name(estimator: Any) -> str:
    if estimator is None:
        return "the estimator"
    if isinstance(estimator, str):
        return estimator
    return type(estimator).__name__
