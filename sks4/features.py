"""HiPPO memory coefficients as features for classic scikit-learn models.

:class:`S4Features` reads each series into a HiPPO memory (:mod:`sks4.hippo`)
and returns its coefficients: an orthogonal-polynomial (or Fourier) summary
of the series at one or several time scales, computed without training
(only the biases of the ``"ppv"`` statistic are quantiles of the training
memories). The mathematics (bases, readout matrices) lives in
:mod:`sks4._basis`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from threadpoolctl import threadpool_info, threadpool_limits

from sks4 import _basis
from sks4.data import PaddedSeries, check_input_shape, group_by_length, is_table, rows_for_pandas_output, to_padded
from sks4.hippo import DISCRETIZATIONS, MEASURES

__all__ = ["S4Features"]

POOLING_STATS = ("last", "mean", "min", "max", "ppv")
INPUTS = ("raw", "diff")
_INPUT_SUFFIX = {"raw": "", "diff": "d"}  # in the feature names: ch0_..., ch0d_...
_CHUNK_BYTES = 16 * 2**20  # memory for the memory states of one chunk of series
_PPV_RTOL = 1e-9  # "ppv" counts values above this fraction of the series' largest |state|
_BIAS_VALUES = 2**22  # states (per signal, memory and coefficient, all together) read in fit for the biases


class S4Features(TransformerMixin, BaseEstimator):
    """HiPPO memory coefficients of time series, as features.

    Each channel of each series is read, one sample per step, into the HiPPO
    memory of every ``measure`` and time scale (``window``): ``n_coefs``
    coefficients of the orthogonal projection of the series' past onto a
    basis (Legendre for ``"legs"``/``"legt"``, Laguerre for ``"lagt"``,
    Fourier for ``"fout"``). The memory state at any step is a fixed linear
    map of the input, so the coefficients are computed as matrix products
    with float64 readout matrices cached per series length; the only thing
    learned is the biases of the ``"ppv"`` statistic (``ppv_quantiles``).
    Either the memory at some reading times is returned as is
    (``pooling=None``), or each coefficient is summarised over the reading
    times (``pooling``), which makes the features nonlinear in the series.

    Parameters
    ----------
    measure : {"legs", "legt", "lagt", "fout"} or sequence of them, default=("legt", "lagt")
        The memories to use; several give one block of features each.

        - ``"legs"``: scaled Legendre, uniform weight on the whole history
          (no time scale; ``window`` does not apply);
        - ``"legt"``: translated Legendre, uniform weight on the last
          ``window`` of the series;
        - ``"lagt"``: translated Laguerre, weight ``exp(-age / window)``
          (``window`` is the e-folding time scale of the memory);
        - ``"fout"``: translated Fourier, uniform weight on the last
          ``window``.
    n_coefs : int, default=4
        Number of coefficients ``N`` of each memory (degree ``< N``). Few
        coefficients at several time scales make better features than many
        at one; reconstruction (:meth:`inverse_transform`) wants more.
    window : float, int, None or sequence of them, default=(0.05, 0.1, 0.25, 0.5)
        Time scale(s) of ``"legt"``, ``"lagt"`` and ``"fout"``; several give
        multi-resolution features. A float in (0, 1] is a fraction of each
        series' own length, an int >= 1 a number of time steps, None the
        whole series (same as 1.0). A window longer than a series reaches
        before its start, where the series is taken to be constant at its
        first value. Ignored by ``"legs"``.
    method : {"zoh", "bilinear"}, default="zoh"
        Discretisation of the HiPPO ODE (see :func:`sks4.hippo.discretize`).
        ``"zoh"`` is exact for a piecewise-constant input (for ``"legs"`` the
        coefficients are then exactly the Legendre projection of the
        piecewise-constant series); ``"bilinear"`` is the HiPPO paper's
        choice (``dt = 1/k`` at step ``k`` for ``"legs"``).
    points : int or "all", default="all"
        Reading times: ``p`` evenly spaced times ``ceil(j L / p)``, ``j = 1..p``,
        of a series of length ``L`` (``1``: only the final memory, after the
        whole series), or ``"all"``: after every step (requires ``pooling``).
    pooling : sequence of {"last", "mean", "min", "max", "ppv"} or None, \
default=("last", "mean", "min", "max", "ppv")
        None returns the coefficients at each reading time. Otherwise each
        coefficient is summarised over the reading times by these
        statistics: ``"last"`` (the final memory), ``"mean"``, ``"min"``,
        ``"max"`` and ``"ppv"`` (proportion of positive values; values below
        ``1e-9`` times the largest ``|coefficient|`` of that memory over the
        series count as 0, so that rounding noise does not flip them; with
        ``ppv_quantiles`` the proportions of values above biases learned in
        ``fit`` instead).
    inputs : {"raw", "diff"} or sequence of them, default=("raw",)
        The signals read into the memories, one per entry for each channel:
        ``"raw"`` the series itself, ``"diff"`` its first difference
        ``d[0] = 0, d[k] = x[k] - x[k-1]``, of the same length ``L`` (the
        leading 0 is the difference of the constant past that the memories
        assume, see Notes), so that windows and reading times are the same
        as for the raw series. The memories of the difference describe the
        series' local slopes (a change of level becomes a spike). Each
        input costs one full set of memories: ``("raw", "diff")`` doubles
        the features and the transform time.
    ppv_quantiles : int or None, default=2
        Biases of ``"ppv"`` learned from the training series, as MiniRocket
        does for its convolutions (Dempster et al. 2021). None: ``"ppv"``
        is the proportion of positive values (bias 0, nothing learned). An
        integer ``q >= 1``: ``fit`` reads the training series (at most about
        4 million states, evenly spaced series beyond that) and, for each
        channel, input, memory and coefficient, takes the quantiles at levels
        ``(j + 1/2) / q``, ``j = 0..q-1``, of that coefficient's values over
        all series and reading times as biases (``ppv_biases_``, raised by
        ``1e-9`` times the memory's largest ``|coefficient|`` so that values
        equal to a bias up to rounding count as below it); ``"ppv"``
        then gives ``q`` features per coefficient, the proportion of reading
        times at which the coefficient exceeds each bias. Ignored (nothing
        learned) without ``"ppv"`` in ``pooling``.

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in ``fit``.
    n_timesteps_ : int
        Length of the longest series seen in ``fit``: the time grid on which
        :meth:`inverse_transform` rebuilds series.
    measures_ : tuple of str
        The measures, in feature order.
    windows_ : tuple
        The time scales of the windowed measures (``window`` as a tuple; None
        replaced by 1.0).
    blocks_ : list of tuple (measure, window index or None)
        One entry per memory, in feature order.
    inputs_ : tuple of str
        The inputs, in feature order.
    ppv_biases_ : ndarray of shape (n_channels * n_inputs, n_memories, n_coefs, ppv_quantiles)
        The biases of ``"ppv"`` learned in ``fit`` (only with
        ``ppv_quantiles`` and ``"ppv"`` in ``pooling``); rows by channel,
        then input, memories in the order of ``blocks_``.
    n_features_in_ : int
        Series length, defined only when ``fit`` got a 2-D table
        ``(n_samples, n_timesteps)``; then :meth:`transform` requires tables
        of that width, like every scikit-learn transformer. Other inputs
        (3-D arrays, lists, long DataFrames) may have any length.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame passed to ``fit`` (when all are strings).

    See Also
    --------
    sks4.hippo.transition : the HiPPO operators.
    sks4.plotting.plot_reconstruction : draw a series and its memory.
    sks4.data.to_padded : the accepted input formats.

    Notes
    -----
    Features are ordered by channel, then input (``inputs`` in order), then
    memory (``measure`` in order, and for the windowed measures each window
    in order), then reading time or statistic, then coefficient;
    :meth:`get_feature_names_out` spells this out, e.g. ``ch0_legt_w1_c3``
    (channel 0, LegT with ``window[1]``, coefficient 3),
    ``ch0_legt_w1_t2_c3`` (at the third reading time),
    ``ch0_legt_w1_max_c3`` (pooled), ``ch0_legt_w1_ppv2_c3`` (above the
    third bias, ``ppv_quantiles``) or ``ch0d_legt_w1_max_c3`` (the same
    for the first difference of channel 0, ``inputs`` with ``"diff"``).

    Series of unequal lengths are grouped by length; a series' features
    depend on it alone, not on the batch it comes in. With ``pooling=None``
    a group is one matrix product with the concatenated readout matrices of
    all memories (``points=1`` is the fastest setting, about the cost of one
    dense ``(n, L) @ (L, K)`` product); pooled features of translated
    memories read at every step come from a chunked scan, two matrix
    products per chunk of series (:func:`sks4._basis.states_many`).

    The defaults were chosen by repeated 5-fold cross-validation of a
    ``StandardScaler`` + ``RidgeClassifierCV`` pipeline on the training sets
    of GunPoint, ItalyPowerDemand, BasicMotions, JapaneseVowels and
    Covid3Month (``benchmarks/cv_features_defaults.py``). With the default
    ``ppv_quantiles=2`` the features depend on the training series through
    the biases of ``"ppv"`` (fitted once in ``fit``); everything else is fixed.

    The memory starts as if the series had been constant, equal to its first
    value, before it began (the fixed point of every measure), which avoids
    an artificial jump from zero into the windows. See :mod:`sks4._basis`
    for the time grid and the discretisation of each measure.

    References
    ----------
    Gu, Dao, Ermon, Rudra, Ré. "HiPPO: Recurrent Memory with Optimal
    Polynomial Projections", NeurIPS 2020.

    Dempster, Schmidt, Webb. "MiniRocket: A Very Fast (Almost)
    Deterministic Transform for Time Series Classification", KDD 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sks4 import S4Features
    >>> X = np.sin(np.linspace(0, 6, 50))[None, :] * np.arange(1, 4)[:, None]  # 3 series
    >>> memory = S4Features(measure="legt", n_coefs=4, window=None, points=1, pooling=None)
    >>> F = memory.fit_transform(X)
    >>> F.shape
    (3, 4)
    >>> memory.get_feature_names_out()
    array(['ch0_legt_w0_c0', 'ch0_legt_w0_c1', 'ch0_legt_w0_c2',
           'ch0_legt_w0_c3'], dtype=object)
    >>> memory.inverse_transform(F).shape  # the series rebuilt from 4 coefficients
    (3, 50)

    The default pools several time scales of LegT and LagT memories,
    features for a linear model:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import RidgeClassifierCV
    >>> y = np.array([0, 1, 1])
    >>> model = make_pipeline(S4Features(), StandardScaler(), RidgeClassifierCV()).fit(X, y)
    >>> model[0].n_features_out_  # 2 measures x 4 windows x (4 statistics + 2 ppv biases) x 4 coefficients
    192
    """

    def __init__(
        self,
        measure: str | Sequence[str] = ("legt", "lagt"),
        n_coefs: int = 4,
        window: float | int | None | Sequence[float | int | None] = (0.05, 0.1, 0.25, 0.5),
        method: str = "zoh",
        points: int | str = "all",
        pooling: Sequence[str] | None = ("last", "mean", "min", "max", "ppv"),
        inputs: str | Sequence[str] = ("raw",),
        ppv_quantiles: int | None = 2,
    ):
        self.measure = measure
        self.n_coefs = n_coefs
        self.window = window
        self.method = method
        self.points = points
        self.pooling = pooling
        self.inputs = inputs
        self.ppv_quantiles = ppv_quantiles

    # ------------------------------------------------------------------ scikit-learn API
    def fit(self, X: Any, y: Any = None) -> S4Features:
        """Check the parameters, learn the number of channels, the time grid and the biases.

        Nothing else depends on the data; with ``ppv_quantiles`` the biases
        of ``"ppv"`` are quantiles of the training series' memories.

        Parameters
        ----------
        X : array-like, DataFrame or list of arrays
            Series in any format accepted by :func:`sks4.data.to_padded`:
            a 2-D table ``(n_samples, n_timesteps)`` (univariate), a 3-D
            array ``(n_samples, n_channels, n_timesteps)``, a long DataFrame
            with a ``(case, timestep)`` MultiIndex, or a list of arrays of
            shape ``(n_timesteps_i,)`` or ``(n_channels, n_timesteps_i)``.
        y : None
            Ignored.

        Returns
        -------
        self : S4Features
            The fitted transformer.

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Features
        >>> X = np.cumsum(np.random.RandomState(0).randn(4, 60), axis=1)
        >>> S4Features().fit(X).n_timesteps_
        60
        """
        self._check_params()
        padded = self._validate_X(X, reset=True)
        self.n_timesteps_ = int(padded.lengths.max())  # not the padded width: a table may pad every row
        if hasattr(self, "ppv_biases_"):
            del self.ppv_biases_
        if self._ppv_quantiles is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                biases = self._learn_biases(padded)
            if not np.isfinite(biases).all():
                raise ValueError(_OVERFLOW_MESSAGE)
            self.ppv_biases_ = biases
        self._fitted_params = self._params_signature()
        return self

    def _params_signature(self) -> dict[str, str]:
        return {name: repr(value) for name, value in self.get_params(deep=False).items()}

    def _check_unchanged(self) -> None:
        """The time grid, memories and biases were built for the parameters of ``fit``: refuse others."""
        fitted = getattr(self, "_fitted_params", None)
        if fitted is None:
            return
        changed = [name for name, value in self._params_signature().items() if fitted.get(name) != value]
        if changed:
            raise ValueError(
                f"S4Features parameters changed since fit ({', '.join(changed)}); the features were set up "
                "for the old values. Call fit again with the new ones."
            )

    def transform(self, X: Any) -> np.ndarray:
        """HiPPO memory coefficients of each series.

        Parameters
        ----------
        X : array-like, DataFrame or list of arrays
            Series with the channels seen in ``fit``; see :meth:`fit`.

        Returns
        -------
        F : ndarray of shape (n_samples, n_features_out), float64
            Per channel and per memory, the coefficients at each reading
            time or their pooled statistics (see :meth:`get_feature_names_out`).

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Features
        >>> X = np.cumsum(np.random.RandomState(0).randn(4, 60), axis=1)
        >>> S4Features().fit(X).transform(X).shape
        (4, 192)
        """
        check_is_fitted(self)
        self._check_unchanged()
        padded = self._validate_X(X, reset=False)
        n, C = padded.n_samples, padded.n_channels
        with np.errstate(over="ignore", invalid="ignore"):  # checked below, with a message that says why
            if padded.equal_length:
                F = self._transform_length(padded.values, padded.max_length).reshape(n, -1)
            else:
                F = np.empty((n, C, len(self.inputs_) * len(self.blocks_) * self._n_block_features))  # (n, C, K)
                for length, idx in group_by_length(padded.lengths).items():
                    F[idx] = self._transform_length(padded.values[idx, :, :length], length)
                F = F.reshape(n, -1)
        if not np.isfinite(F).all():
            raise ValueError(_OVERFLOW_MESSAGE)
        return rows_for_pandas_output(X, F, self)

    def inverse_transform(self, X: Any, *, measure: str | None = None, window: int | None = None) -> np.ndarray:
        """Rebuild series from their final memory by evaluating its basis.

        The series is rebuilt on the time grid seen in ``fit`` (series of
        ``n_timesteps_`` steps, read at their end) from the final
        coefficients of one memory: for ``"legt"`` and ``"fout"`` the last
        ``window`` steps, for ``"legs"`` and ``"lagt"`` the whole series
        (a LagT memory fades with age, so its oldest part is rough).
        Only the raw series is rebuilt: the memories of ``"diff"`` in
        ``inputs`` are ignored, and without ``"raw"`` in ``inputs`` this
        raises a ValueError.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Features from :meth:`transform`. They must hold the final
            memory: ``pooling=None`` (its last reading time is the end of the
            series) or ``"last"`` in ``pooling``.
        measure : str, optional
            Which memory to rebuild from; default the first of ``measure``.
        window : int, optional
            Index into ``window`` of the time scale to use; default the
            longest at ``n_timesteps_`` steps. Ignored for ``"legs"``.

        Returns
        -------
        X_rebuilt : ndarray of shape (n_samples, n_steps) or (n_samples, n_channels, n_steps)
            2-D for univariate series, 3-D (channels first) otherwise;
            ``n_steps`` is the number of steps the memory covers (see above),
            the last ``n_steps`` of the fitted time grid.

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Features
        >>> X = np.cumsum(np.random.RandomState(0).randn(4, 60), axis=1)
        >>> memory = S4Features(measure="legs", n_coefs=32, pooling=None, points=1).fit(X)
        >>> X_rebuilt = memory.inverse_transform(memory.transform(X))
        >>> X_rebuilt.shape
        (4, 60)
        >>> bool(np.abs(X_rebuilt - X).max() < 0.1 * np.abs(X).max())  # 32 coefficients for 60 steps
        True
        """
        check_is_fitted(self)
        self._check_unchanged()
        F = check_array(X, dtype=np.float64, input_name="X")
        if F.shape[1] != self.n_features_out_:
            raise ValueError(
                f"X has {F.shape[1]} features, but {type(self).__name__}.inverse_transform is expecting "
                f"{self.n_features_out_} features (the output of transform)."
            )
        if "raw" not in self.inputs_:
            raise ValueError(
                f"inverse_transform rebuilds the raw series from its memories: it needs 'raw' in inputs, "
                f"got inputs={self.inputs!r} (a series is not determined by its first difference alone)."
            )
        b, block_measure, timescale = self._inverse_block(measure, window)
        N = self._n_coefs
        C = self.n_channels_
        F = F.reshape(len(F), C, len(self.inputs_), len(self.blocks_), self._n_block_features)
        F = F[:, :, self.inputs_.index("raw"), b]  # (n, C, block)
        if self.pooling is None:
            coefs = F[:, :, -N:]  # the last reading time is the end of the series
        elif "last" in self.pooling:
            j = self._stat_offsets()["last"]
            coefs = F[:, :, j * N : (j + 1) * N]
        else:
            raise ValueError(
                "inverse_transform needs the final memory in the features: use pooling=None or "
                f"include 'last' in pooling, got pooling={self.pooling!r}."
            )
        G = _basis.synthesis(block_measure, N, self.n_timesteps_, timescale)  # (n_steps, N)
        out = coefs @ G.T  # (n, C, n_steps)
        return out[:, 0, :] if C == 1 else out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output features.

        ``ch{c}[d]_{measure}[_w{i}][_t{j} | _{stat}]_c{n}``: channel ``c``
        (``ch{c}d``: its first difference, ``"diff"`` in ``inputs``),
        measure, index ``i`` of its window in ``window`` (windowed measures),
        reading time ``j`` (when ``pooling=None`` and ``points > 1``) or
        pooling statistic (``ppv{j}`` for the ``j``-th bias with
        ``ppv_quantiles``), coefficient ``n``.

        Parameters
        ----------
        input_features : array-like of str, optional
            Checked against the input seen in ``fit`` as scikit-learn does;
            not used in the names (the inputs are time steps).

        Returns
        -------
        feature_names_out : ndarray of str objects

        Examples
        --------
        >>> import numpy as np
        >>> from sks4 import S4Features
        >>> X = np.cumsum(np.random.RandomState(0).randn(4, 60), axis=1)
        >>> S4Features().fit(X).get_feature_names_out()[:2].tolist()
        ['ch0_legt_w0_last_c0', 'ch0_legt_w0_last_c1']
        """
        check_is_fitted(self)
        self._check_unchanged()
        self._check_input_features(input_features)
        N = self._n_coefs
        if self.pooling is not None:
            q = self._ppv_quantiles
            middles = [
                name
                for stat in self.pooling
                for name in ([f"_ppv{j}" for j in range(q)] if stat == "ppv" and q is not None else [f"_{stat}"])
            ]
        elif self.points == 1:
            middles = [""]
        else:
            middles = [f"_t{j}" for j in range(self.points)]
        names = [
            f"ch{c}{_INPUT_SUFFIX[inp]}_{m}{'' if w is None else f'_w{w}'}{mid}_c{k}"
            for c in range(self.n_channels_)
            for inp in self.inputs_
            for m, w in self.blocks_
            for mid in middles
            for k in range(N)
        ]
        return np.asarray(names, dtype=object)

    def _check_input_features(self, input_features: Any) -> None:
        """scikit-learn's rules for ``input_features``: consistent with what ``fit`` saw."""
        if input_features is None:
            return
        input_features = np.asarray(input_features, dtype=object)
        names_in = getattr(self, "feature_names_in_", None)
        if names_in is not None and not np.array_equal(names_in, input_features):
            raise ValueError("input_features is not equal to feature_names_in_")
        n_in = getattr(self, "n_features_in_", None)
        if n_in is not None and len(input_features) != n_in:
            raise ValueError(
                f"input_features should have length equal to number of features ({n_in}), "
                f"got {len(input_features)}"
            )

    @property
    def n_features_out_(self) -> int:
        """Number of output features."""
        check_is_fitted(self)
        return self.n_channels_ * len(self.inputs_) * len(self.blocks_) * self._n_block_features

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = False  # NaN only as trailing padding (see sks4.data)
        return tags

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        """Validate the parameters and set ``measures_``, ``windows_``, ``blocks_``."""
        measures = (self.measure,) if isinstance(self.measure, str) else self.measure
        if not isinstance(measures, (list, tuple)) or not measures:
            raise ValueError(f"measure must be one of {MEASURES} or a non-empty list of them, got {self.measure!r}.")
        for m in measures:
            if m not in MEASURES:
                raise ValueError(f"measure must be one of {MEASURES} or a list of them, got {m!r}.")
        if len(set(measures)) != len(measures):
            raise ValueError(f"measure must not repeat a measure, got {self.measure!r}.")
        if isinstance(self.n_coefs, bool) or not isinstance(self.n_coefs, numbers.Integral) or self.n_coefs < 1:
            raise ValueError(f"n_coefs must be an integer >= 1, got {self.n_coefs!r}.")
        windows = tuple(self.window) if isinstance(self.window, (list, tuple)) else (self.window,)
        if not windows:
            raise ValueError("window must not be an empty list.")
        windows = tuple(_check_window(w) for w in windows)
        # 1 (one step) and 1.0 (the whole series) are equal numbers but different time scales
        if len({(isinstance(w, numbers.Integral), w) for w in windows}) != len(windows):
            raise ValueError(f"window must not repeat a time scale, got {self.window!r}.")
        if self.method not in DISCRETIZATIONS:
            raise ValueError(f"method must be one of {DISCRETIZATIONS}, got {self.method!r}.")
        if isinstance(self.points, str):
            if self.points != "all":
                raise ValueError(f"points must be a positive integer or 'all', got {self.points!r}.")
        elif isinstance(self.points, bool) or not isinstance(self.points, numbers.Integral) or self.points < 1:
            raise ValueError(f"points must be a positive integer or 'all', got {self.points!r}.")
        if self.pooling is not None:
            pooling = self.pooling
            if isinstance(pooling, str):
                raise ValueError(f"pooling must be None or a list of statistics, e.g. [{pooling!r}].")
            if (
                not isinstance(pooling, (list, tuple))
                or not pooling
                or any(s not in POOLING_STATS for s in pooling)
                or len(set(pooling)) != len(pooling)
            ):
                raise ValueError(
                    f"pooling must be None or a list of distinct statistics among {POOLING_STATS}, "
                    f"got {self.pooling!r}."
                )
        elif self.points == "all":
            raise ValueError(
                "points='all' needs pooling (the number of steps varies between series); "
                "use an integer points or set pooling, e.g. pooling=('last', 'mean', 'max')."
            )
        q = self.ppv_quantiles
        if q is not None and (isinstance(q, bool) or not isinstance(q, numbers.Integral) or q < 1):
            raise ValueError(f"ppv_quantiles must be None or an integer >= 1, got {q!r}.")
        inputs = (self.inputs,) if isinstance(self.inputs, str) else self.inputs
        if (
            not isinstance(inputs, (list, tuple))
            or not inputs
            or any(not isinstance(i, str) or i not in INPUTS for i in inputs)
            or len(set(inputs)) != len(inputs)
        ):
            raise ValueError(f"inputs must be one of {INPUTS} or a list of distinct ones, got {self.inputs!r}.")
        self.inputs_ = tuple(inputs)
        self.measures_ = tuple(measures)
        self.windows_ = windows
        self.blocks_ = [
            (m, None) if m == "legs" else (m, i) for m in self.measures_ for i in (range(len(windows)) if m != "legs" else [None])
        ]

    def _validate_X(self, X: Any, *, reset: bool) -> PaddedSeries:
        """Pad ``X`` and set (``reset``) or check the input attributes."""
        padded = _fast_padded(X)
        if padded is None:
            padded = to_padded(X, dtype=np.float64, n_channels=None if reset else self.n_channels_, name="X")
        table = is_table(X, padded)
        # feature names of DataFrames (time steps of a wide frame, channels of a long one)
        validate_data(self, X, skip_check_array=True, reset=reset, ensure_2d=False)
        if reset:
            self.n_channels_ = padded.n_channels
            if table:
                self.n_features_in_ = padded.max_length
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
        else:
            check_input_shape(padded, n_channels=self.n_channels_, estimator=self)
            if table and hasattr(self, "n_features_in_"):
                check_input_shape(padded, n_timesteps=self.n_features_in_, estimator=self)
        return padded

    # ------------------------------------------------------------------ computation
    @property
    def _n_block_features(self) -> int:
        """Features per channel and memory."""
        if self.pooling is not None:
            return sum(self._stat_widths()) * self._n_coefs
        return int(self.points) * self._n_coefs  # a Python int, as _n_coefs

    @property
    def _n_coefs(self) -> int:
        """``n_coefs`` as a Python int: numpy int8 / int16 values (a grid's) would overflow in index arithmetic."""
        return int(self.n_coefs)

    @property
    def _ppv_quantiles(self) -> int | None:
        """``ppv_quantiles`` where it applies (``"ppv"`` in ``pooling``), else None."""
        return self.ppv_quantiles if self.pooling is not None and "ppv" in self.pooling else None

    def _stat_widths(self) -> list[int]:
        """Features per coefficient of each pooling statistic (``ppv_quantiles`` for ``"ppv"`` with biases)."""
        q = self._ppv_quantiles
        return [q if stat == "ppv" and q is not None else 1 for stat in self.pooling]

    def _stat_offsets(self) -> dict[str, int]:
        """Position (in units of ``n_coefs``) of each statistic in a pooled block."""
        return dict(zip(self.pooling, np.cumsum([0] + self._stat_widths()[:-1]).tolist()))

    def _timescale(self, measure: str, w: int | None, length: int) -> float | None:
        """Time scale in steps of block ``(measure, w)`` for a series of ``length`` steps."""
        if measure == "legs":
            return None
        spec = self.windows_[w]
        return spec * length if isinstance(spec, float) else float(spec)

    def _ends(self, length: int) -> tuple[int, ...]:
        """Reading times (numbers of samples read) for a series of ``length`` steps."""
        if self.points == "all":
            return tuple(range(1, length + 1))
        p = int(self.points)
        return tuple(int(-(-(j + 1) * length // p)) for j in range(p))

    def _transform_length(self, V: np.ndarray, length: int) -> np.ndarray:
        """Features of series of one length: V (m, C, length) -> (m, C, K)."""
        m, n_channels, _ = V.shape
        Z, C = self._signals(V, length)  # (m*C, L), C signals per series
        ends = self._ends(length)
        N = self._n_coefs
        if self.pooling is None:
            R = np.concatenate(
                [
                    _basis.readout(meas, N, length, self._timescale(meas, w, length), self.method, ends).reshape(length, -1)
                    for meas, w in self.blocks_
                ],
                axis=1,
            )  # (L, K): every memory at every reading time
            return (Z @ R).reshape(m, n_channels, -1)
        plan = self._pooled_plan(length, ends)
        n_cols = sum(self._stat_widths())
        out = np.empty((m * C, len(self.blocks_), n_cols, N))  # (m*C, blocks, statistics, N)
        rows = max(1, _CHUNK_BYTES // (8 * max(length, len(ends)) * N * max(len(plan[0]), 1)))
        biases = getattr(self, "ppv_biases_", None)  # (C, blocks, N, q) or None

        def pool_chunk(start: int) -> None:
            chunk = Z[start : start + rows]  # (r, L)
            chunk_biases = None if biases is None else biases[np.arange(start, start + len(chunk)) % C]
            for blocks, S in self._chunk_states(chunk, plan, ends):  # S (r, P, k, N)
                out[start : start + rows, blocks] = _pool(
                    S, self.pooling, None if chunk_biases is None else chunk_biases[:, blocks]
                )

        # The chunks' products are small: BLAS threads inside each cost more than they
        # give, so the chunks run in parallel instead, as many as BLAS has threads.
        starts = range(0, m * C, rows)
        workers = min(_blas_threads(), len(starts))
        with threadpool_limits(limits=1, user_api="blas"):
            if workers > 1:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    list(pool.map(pool_chunk, starts))
            else:
                for start in starts:
                    pool_chunk(start)
        return out.reshape(m, n_channels, -1)

    def _signals(self, V: np.ndarray, length: int) -> tuple[np.ndarray, int]:
        """The signals read into the memories, one row each: (m * C, length), and C per series."""
        if self.inputs_ != ("raw",):
            V = _inputs(V, self.inputs_)  # (m, C * n_inputs, L), the inputs of each channel together
        return V.reshape(-1, length), V.shape[1]

    def _pooled_plan(self, length: int, ends: tuple[int, ...]) -> tuple[list[int], list, dict[int, np.ndarray]]:
        """How the pooled path reads the memories at ``ends``: (scanned blocks, their memories, readouts).

        Translated memories read at many times go through the chunked scan (all
        at once, cost L*(B + L/B) per coefficient); the others through one
        readout per reading time (cost L*P per coefficient), ``(L, P*N)`` each.
        """
        B = _basis._chunk_size(length)
        N = self._n_coefs
        many = len(ends) > B + length // B + N
        scan = [b for b, (meas, _) in enumerate(self.blocks_) if many and meas != "legs"]
        memories = [(self.blocks_[b][0], self._timescale(*self.blocks_[b], length)) for b in scan]
        readouts = {
            b: _basis.readout(m_, N, length, self._timescale(m_, w, length), self.method, ends).reshape(length, -1)
            for b, (m_, w) in enumerate(self.blocks_)
            if b not in scan
        }
        return scan, memories, readouts

    def _chunk_states(self, chunk: np.ndarray, plan: tuple, ends: tuple[int, ...]):
        """Yield ``(blocks, S)``: the states ``S`` (r, P, len(blocks), N) of some memories at ``ends``."""
        scan, memories, readouts = plan
        length = chunk.shape[1]
        if scan:
            S = _basis.states_many(chunk, memories, self._n_coefs, self.method)  # (r, L, k, N)
            yield scan, (S if ends == tuple(range(1, length + 1)) else S[:, np.asarray(ends) - 1])
        for b, R in readouts.items():
            yield [b], (chunk @ R).reshape(len(chunk), len(ends), 1, self._n_coefs)

    def _learn_biases(self, padded: PaddedSeries) -> np.ndarray:
        """Biases of ``"ppv"``: quantiles of each memory coefficient over (a subset of) the series.

        Returns an array (C, blocks, N, q), C signals per series (channels x inputs).
        """
        n = padded.n_samples
        C = padded.n_channels * len(self.inputs_)
        K = len(self.blocks_) * self._n_coefs
        n_read = max(1, min(n, _BIAS_VALUES // (padded.max_length * C * K)))
        chosen = np.unique(np.linspace(0, n - 1, n_read).round().astype(np.int64))  # evenly spaced series
        values = []  # (C, blocks, N, m*P) per length
        with threadpool_limits(limits=1, user_api="blas"):
            for length, idx in group_by_length(padded.lengths[chosen]).items():
                Z, _ = self._signals(padded.values[chosen[idx], :, :length], length)  # (m*C, L)
                ends = self._ends(length)
                S = np.empty((len(Z), len(ends), len(self.blocks_), self._n_coefs))  # (m*C, P, blocks, N)
                for blocks, states in self._chunk_states(Z, self._pooled_plan(length, ends), ends):
                    S[:, :, blocks] = states
                S = S.reshape(len(idx), C, len(ends), len(self.blocks_), self._n_coefs)
                values.append(S.transpose(1, 3, 4, 0, 2).reshape(C, len(self.blocks_), self._n_coefs, -1))
        values = np.concatenate(values, axis=-1)  # (C, blocks, N, n_values)
        levels = (np.arange(self._ppv_quantiles) + 0.5) / self._ppv_quantiles
        biases = np.moveaxis(np.quantile(values, levels, axis=-1), 0, -1)  # (C, blocks, N, q)
        # A quantile may be a training value (or a coefficient that is 0 in exact arithmetic):
        # raised by a rounding margin, such values count as below it whatever the rounding
        # of the batch they come in.
        scale = np.abs(values).max(axis=(2, 3))  # (C, blocks): largest |state| of each memory
        return np.ascontiguousarray(biases + _PPV_RTOL * scale[:, :, None, None])

    def _inverse_block(self, measure: str | None, window: int | None) -> tuple[int, str, float | None]:
        """Index, measure and time scale (steps at ``n_timesteps_``) of the memory to rebuild from."""
        measure = self.measures_[0] if measure is None else measure
        if measure not in self.measures_:
            raise ValueError(f"measure must be one of the fitted measures {self.measures_}, got {measure!r}.")
        L = self.n_timesteps_
        if measure == "legs":
            return self.blocks_.index(("legs", None)), measure, None
        if window is None:
            window = int(np.argmax([self._timescale(measure, i, L) for i in range(len(self.windows_))]))
        elif isinstance(window, bool) or not isinstance(window, numbers.Integral) or not 0 <= window < len(self.windows_):
            raise ValueError(f"window must be an index into window (0..{len(self.windows_) - 1}), got {window!r}.")
        return self.blocks_.index((measure, int(window))), measure, self._timescale(measure, int(window), L)


# ---------------------------------------------------------------------- helpers
_OVERFLOW_MESSAGE = (
    "S4Features overflowed: X holds values so close to the float64 maximum "
    f"({np.finfo(np.float64).max:.3g}) that its memory coefficients are infinite; rescale X first "
    "(e.g. divide by its largest absolute value)."
)


def _check_window(w: Any) -> float | int:
    """One time scale: None -> 1.0, a float in (0, 1] or an int >= 1."""
    if w is None:
        return 1.0
    if isinstance(w, (bool, np.bool_)):
        raise ValueError(f"window must be None, a float in (0, 1] or an integer >= 1, got {w!r}.")
    if isinstance(w, numbers.Integral):
        if w < 1:
            raise ValueError(f"window must be None, a float in (0, 1] or an integer >= 1 (steps), got {w!r}.")
        return int(w)
    if isinstance(w, numbers.Real):
        if not 0.0 < w <= 1.0:
            raise ValueError(
                f"window must be None, a float in (0, 1] (fraction of the series) or an integer >= 1 "
                f"(steps), got {w!r}."
            )
        return float(w)
    raise ValueError(f"window must be None, a float in (0, 1] or an integer >= 1, got {w!r}.")


def _inputs(V: np.ndarray, inputs: Sequence[str]) -> np.ndarray:
    """The signals read into the memories: V (m, C, L) -> (m, C * len(inputs), L).

    ``"raw"`` is the series, ``"diff"`` its first difference with a leading 0.
    """
    m, C, L = V.shape
    out = np.empty((m, C, len(inputs), L))
    for j, name in enumerate(inputs):
        if name == "raw":
            out[:, :, j] = V
        else:
            out[:, :, j, 0] = 0.0
            np.subtract(V[:, :, 1:], V[:, :, :-1], out=out[:, :, j, 1:])
    return out.reshape(m, C * len(inputs), L)


def _pool(S: np.ndarray, stats: Sequence[str], biases: np.ndarray | None = None) -> np.ndarray:
    """Statistics over the reading times: S (m, P, k, N) -> (m, k, n_columns, N).

    One column per statistic, except ``"ppv"`` with ``biases`` (m, k, N, q):
    ``q`` columns, the proportions of reading times above each bias.
    """
    m, P, k, N = S.shape
    q = 1 if biases is None else biases.shape[-1]
    out = np.empty((m, k, len(stats) - 1 + q if "ppv" in stats else len(stats), N))
    top = bottom = None
    col = 0
    for stat in stats:
        if stat == "last":
            out[:, :, col] = S[:, -1]
        elif stat == "mean":
            out[:, :, col] = S.mean(axis=1)
        elif stat == "min":
            out[:, :, col] = bottom = S.min(axis=1)
        elif stat == "max":
            out[:, :, col] = top = S.max(axis=1)
        elif biases is not None:  # ppv above learned biases
            above = np.empty(S.shape, dtype=bool)  # reused: about twice as fast as count_nonzero(S > b)
            for j in range(q):
                np.greater(S, biases[:, None, :, :, j], out=above)
                out[:, :, col + j] = np.add.reduce(above.view(np.uint8), axis=1, dtype=np.int32) / P
            col += q - 1
        else:
            ppv_col = col
        col += 1
    if "ppv" in stats and biases is None:
        # values within rounding of 0 (e.g. coefficients that are 0 in exact arithmetic)
        # count as 0, so that the feature does not flip with rounding noise
        top = S.max(axis=1) if top is None else top  # (m, k, N)
        bottom = S.min(axis=1) if bottom is None else bottom
        scale = np.maximum(top, -bottom).max(axis=2)  # (m, k): largest |state| of each memory
        tol = _PPV_RTOL * scale[:, None, :, None]
        out[:, :, ppv_col] = (S > tol).mean(axis=1)
    return out


def _blas_threads() -> int:
    """Threads BLAS would use here (honours OPENBLAS_NUM_THREADS, threadpool_limits, ...)."""
    counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts) if counts else 1


def _fast_padded(X: Any) -> PaddedSeries | None:
    """Skip the copy of :func:`sks4.data.to_padded` for a finite float64 2-D/3-D array.

    Returns what ``to_padded`` would (the same values, all lengths full) as a
    read-only view, or None to let ``to_padded`` validate (and explain) any
    other input. S4Features never writes into ``values``.
    """
    if type(X) is not np.ndarray or X.dtype != np.float64 or X.ndim not in (2, 3) or X.size == 0:
        return None
    with np.errstate(all="ignore"):
        total = X.sum()  # finite only if every value is (NaN and inf propagate); one cheap pass
    if not np.isfinite(total):
        return None  # NaN padding, inf, or an overflowing sum: to_padded decides
    values = X[:, None, :] if X.ndim == 2 else X
    values = values.view()
    values.flags.writeable = False
    return PaddedSeries(values, np.full(X.shape[0], X.shape[-1], dtype=np.int64))
