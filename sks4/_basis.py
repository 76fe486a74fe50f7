"""Orthonormal bases and HiPPO readout matrices (numpy / scipy, float64).

This module holds the mathematics behind :class:`sks4.S4Features`; the
estimator logic lives in :mod:`sks4.features`.

Time grid
---------
A series ``f_0, ..., f_{L-1}`` is read one sample per step. Sample ``f_k`` is
taken to hold on the cell ``[k, k+1)`` of the continuous time axis, so after
``t`` samples the memory describes the signal on ``[0, t]`` and sample ``k``
sits at the cell centre ``k + 1/2``. Time scales (``theta``) are in steps.

Every basis is written in terms of the *age* of a point, ``a = (t - x) /
theta``: how long ago, in units of the time scale, the point ``x`` was seen
when the memory is read at time ``t`` (``a = 0`` is now). With the
conventions of :mod:`sks4.hippo`:

* ``"legs"`` (``theta = t``, the whole history) and ``"legt"`` (window
  ``theta``): ``g_n(a) = sqrt(2n+1) P_n(1 - 2a)`` for ``0 <= a <= 1``;
* ``"fout"`` (window ``theta``): ``g_n(a) = e_n(1 - a)`` with ``e_0 = 1``,
  ``e_{2k-1}(y) = sqrt(2) cos(2 pi k y)``, ``e_{2k}(y) = sqrt(2) sin(2 pi k y)``;
* ``"lagt"`` (time scale ``theta`` of the measure ``exp(-a)``):
  ``g_n(a) = L_n(a)`` for ``a >= 0``.

Memory
------
For the translated measures the HiPPO ODE ``c' = (1/theta) (A c + B f)`` is
time-invariant; it is discretised once with step ``1/theta``
(:func:`sks4.hippo.discretize`, ``"bilinear"`` or ``"zoh"``) and stepped
``c_k = dA c_{k-1} + dB f_k``.

For ``"legs"`` the ODE ``c' = (1/t) (A c + B f)`` is time-varying:

* ``"bilinear"`` follows the HiPPO paper (Gu et al. 2020, Sec. 3.3 and App.
  B.3): step ``k = 1, 2, ...`` is the bilinear (generalised bilinear with
  alpha = 1/2) discretisation of ``c' = A c + B f`` with ``dt = 1/k``;
* ``"zoh"`` integrates the ODE exactly for a piecewise-constant input: with
  ``s = ln t`` it reads ``dc/ds = A c + B f``, so step ``k`` is the zero-order
  hold discretisation with ``ds = ln(k / (k-1))`` (the first step gives
  ``c_1 = f_0 e_0``). The final state is then exactly the projection of the
  piecewise-constant signal onto the scaled Legendre basis, which is
  computed here in closed form from ``int P_n = (P_{n+1} - P_{n-1}) / (2n+1)``.

Initial state: the memory starts as if the series had been constant, equal
to its first value, before it started: ``c_0 = f_0 e_0`` (``e_0`` is the
state of a constant unit history for every measure, the fixed point of both
discretisations). Starting from zero instead would put a jump from 0 to
``f_0`` into the window, which a translated memory only forgets
approximately; for the whole-series LegT window the constant start cuts the
reconstruction error of smooth signals by more than an order of magnitude.

Because the memory is linear in the input, its state after ``t`` samples of
a length-``L`` series is ``f @ M`` for a fixed ``(L, N)`` readout matrix
``M``; :func:`readout` computes it once in float64 and caches it. The states
after *every* step of time-invariant memories (:func:`states_many`) are
computed by chunks of ``B`` steps with two matrix products: the states at
the chunk starts, read with a readout matrix, then one product that adds a
lower-triangular Toeplitz product of the chunk's inputs with the impulse
response to ``dA^(i+1)`` applied to the state at the chunk's start. That
costs ``O(L (B + L/B + N) N)`` per series and memory instead of the
``O(L^2 N)`` of one readout per step.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import scipy.special

from sks4.hippo import MEASURES, discretize, transition

__all__ = ["evaluate_basis", "initial_state", "readout", "states", "states_many", "synthesis", "window_cells"]

_CACHE_SIZE = 128


def evaluate_basis(measure: str, n_coefs: int, age: np.ndarray) -> np.ndarray:
    """Orthonormal basis of a HiPPO measure at given ages.

    Parameters
    ----------
    measure : {"legs", "legt", "lagt", "fout"}
    n_coefs : int
        Number of basis functions ``N``.
    age : array-like of shape (n_points,)
        ``(t - x) / theta``: how far back from the reading time ``t``, in
        units of the time scale ``theta``, each point ``x`` lies.

    Returns
    -------
    G : ndarray of shape (n_points, n_coefs), float64
        ``G[i, n] = g_n(age[i])``, so a signal is rebuilt as ``G @ c``.

    Examples
    --------
    >>> evaluate_basis("legt", 3, np.array([0.0, 1.0])).round(6)
    array([[ 1.      ,  1.732051,  2.236068],
           [ 1.      , -1.732051,  2.236068]])
    """
    if measure not in MEASURES:
        raise ValueError(f"Unknown HiPPO measure {measure!r}; choose one of {MEASURES}.")
    a = np.asarray(age, dtype=np.float64)[:, None]  # (P, 1)
    n = np.arange(n_coefs)[None, :]  # (1, N)
    if measure in ("legs", "legt"):
        return np.sqrt(2 * n + 1) * scipy.special.eval_legendre(n, 1.0 - 2.0 * a)
    if measure == "lagt":
        return scipy.special.eval_laguerre(n, a) * np.ones_like(a)
    # fout: e_0 = 1, then (cos, sin) pairs of frequency k = (n + 1) // 2
    y = 1.0 - a
    k = (n + 1) // 2
    G = np.where(n % 2 == 1, np.cos(2 * np.pi * k * y), np.sin(2 * np.pi * k * y)) * np.sqrt(2.0)
    G[:, 0] = 1.0
    return G


def initial_state(measure: str, n_coefs: int) -> np.ndarray:
    """State ``e_0`` of the memory after a constant unit history.

    ``A e_0 + B = 0`` for every measure of :func:`sks4.hippo.transition`, so
    ``e_0`` is a fixed point of the ODE and of both discretisations.
    """
    e0 = np.zeros(n_coefs)
    e0[0] = 1.0
    return e0


def window_cells(measure: str, length: int, timescale: float | None) -> int:
    """Number of trailing cells of a length-``length`` series that a memory covers.

    ``"legs"`` and ``"lagt"`` cover the whole series; ``"legt"`` and
    ``"fout"`` the cells whose centre lies inside the window (at least one).
    """
    if measure in ("legs", "lagt") or timescale is None:
        return length
    # centre k + 1/2 inside (t - theta, t]  <=>  k >= t - theta - 1/2
    return int(min(length, max(1, np.floor(timescale + 0.5))))


def synthesis(measure: str, n_coefs: int, length: int, timescale: float | None) -> np.ndarray:
    """Basis on the cell centres that a memory read at the end of a series covers.

    Parameters
    ----------
    measure, n_coefs
        As in :func:`evaluate_basis`.
    length : int
        Series length ``L``; the memory is read at time ``t = L``.
    timescale : float or None
        Window (``"legt"``, ``"fout"``) or time scale (``"lagt"``) in steps;
        ignored by ``"legs"``, whose time scale is the whole history ``L``.

    Returns
    -------
    G : ndarray of shape (n_cells, n_coefs)
        Rows for the last ``n_cells = window_cells(...)`` samples, oldest
        first; ``G @ c`` rebuilds them from the coefficients ``c``.
    """
    theta = float(length) if measure == "legs" or timescale is None else float(timescale)
    cells = window_cells(measure, length, timescale)
    x = np.arange(length - cells, length) + 0.5  # (cells,) cell centres
    return evaluate_basis(measure, n_coefs, (length - x) / theta)


def readout(
    measure: str,
    n_coefs: int,
    length: int,
    timescale: float | None,
    method: str,
    ends: Sequence[int] | None = None,
) -> np.ndarray:
    """Readout matrices: the HiPPO state after ``t`` samples as a linear map.

    Parameters
    ----------
    measure : {"legs", "legt", "lagt", "fout"}
    n_coefs : int
        State size ``N``.
    length : int
        Series length ``L``.
    timescale : float or None
        Window (``"legt"``, ``"fout"``) or time scale (``"lagt"``) in steps,
        > 0; must be None for ``"legs"``.
    method : {"bilinear", "zoh"}
        Discretisation (see the module docstring).
    ends : sequence of int, optional
        Reading times ``1 <= t <= L`` (number of samples read); default
        ``(L,)``, the state after the whole series.

    Returns
    -------
    M : ndarray of shape (L, len(ends), N), float64, read-only
        ``f @ M[:, j, :]`` is the state after reading ``f_0, ..., f_{t_j - 1}``
        of a series ``f`` of shape (L,) (rows ``k >= t_j`` are zero). Cached:
        do not modify it.

    Examples
    --------
    >>> M = readout("legt", 4, 100, 25.0, "zoh")
    >>> M.shape
    (100, 1, 4)
    >>> (np.ones(100) @ M[:, 0, :]).round(12) + 0.0  # a constant series: the state e_0
    array([1., 0., 0., 0.])
    """
    if measure not in MEASURES:
        raise ValueError(f"Unknown HiPPO measure {measure!r}; choose one of {MEASURES}.")
    if measure == "legs":
        if timescale is not None:
            raise ValueError("'legs' has no time scale: its memory is the whole history.")
    elif timescale is None or not timescale > 0:
        raise ValueError(f"The time scale must be a positive number of steps, got {timescale!r}.")
    ends = (int(length),) if ends is None else tuple(int(t) for t in ends)
    if any(t < 1 or t > length for t in ends):
        raise ValueError(f"Reading times must lie in [1, {length}], got {ends}.")
    ts = None if timescale is None else float(timescale)
    N = int(n_coefs)
    if _runs_paired(measure, N):
        return _readout(measure, N + 1, int(length), ts, method, ends)[..., :N]
    return _readout(measure, N, int(length), ts, method, ends)


def _runs_paired(measure: str, N: int) -> bool:
    """Whether the memory runs on one more state than it returns: FouT with an even ``N``.

    The FouT basis is ``1, cos 1, sin 1, cos 2, ...``; for an even ``N`` its
    last cosine lacks the sine it rotates into. Truncated there, the
    operator of :func:`sks4.hippo.transition` has an eigenvalue 0 (the
    memory never forgets) and the cosine's value at the window's edge
    corrupts every coefficient. The memory therefore runs on ``N + 1``
    states (whole pairs) and returns the first ``N``, which are the
    coefficients of the same basis functions.
    """
    return measure == "fout" and N % 2 == 0


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _readout(
    measure: str, N: int, L: int, theta: float | None, method: str, ends: tuple[int, ...]
) -> np.ndarray:
    M = np.zeros((L, len(ends), N))  # (L, P, N)
    if measure == "legs" and method == "zoh":
        for j, t in enumerate(ends):
            M[:t, j, :] = _legs_projection(N, t)
    elif measure == "legs":
        dA, dB = _legs_bilinear_steps(N, max(ends))
        e0 = initial_state("legs", N)
        if len(set(ends)) * N <= max(ends):  # few reading times: O(t N^3) each
            for j, t in enumerate(ends):
                M[:t, j, :] = _legs_backward(dA[:t], dB[:t], e0)
        else:  # many: one forward pass, O(L^2 N^2)
            for t, W in _legs_forward(dA, dB, e0, set(ends)):
                for j in (j for j, s in enumerate(ends) if s == t):
                    M[:t, j, :] = W
    else:
        H = _impulse_response(measure, N, L, theta, method)  # (L+1, N, 2)
        for j, t in enumerate(ends):
            M[:t, j, :] = H[t - 1 :: -1, :, 0]  # row k: dA^(t-1-k) dB
            M[0, j, :] += H[t, :, 1]  # the constant history before the start: dA^t e_0
    M.flags.writeable = False
    return M


def _impulse_response(measure: str, N: int, L: int, theta: float, method: str) -> np.ndarray:
    """``H[j] = dA^j [dB, e_0]`` for ``j = 0..L`` by repeated doubling (log2 L products)."""
    A, B = transition(measure, N)
    dA, dB = discretize(A, B, 1.0 / theta, method)
    H = np.empty((L + 1, N, 2))
    H[0, :, 0] = dB
    H[0, :, 1] = initial_state(measure, N)
    power = dA  # dA^m
    m = 1
    while m < L + 1:
        k = min(m, L + 1 - m)
        H[m : m + k] = power @ H[:k]  # (N, N) @ (k, N, 2)
        power = power @ power
        m *= 2
    return H


def _legs_projection(N: int, t: int) -> np.ndarray:
    """Exact LegS state of a piecewise-constant series of length ``t``: (t, N).

    ``M[k, n] = (1/t) int_k^{k+1} sqrt(2n+1) P_n(2x/t - 1) dx
    = sqrt(2n+1)/2 [Q_n(z_{k+1}) - Q_n(z_k)]`` with ``z_k = 2k/t - 1`` and
    ``Q_n = (P_{n+1} - P_{n-1}) / (2n+1)`` (``Q_0 = P_1``), an antiderivative.
    """
    z = 2.0 * np.arange(t + 1) / t - 1.0  # (t+1,) cell edges
    n = np.arange(N + 1)[None, :]
    P = scipy.special.eval_legendre(n, z[:, None])  # (t+1, N+1): P_0..P_N
    Q = np.empty((t + 1, N))
    Q[:, 0] = P[:, 1]
    if N > 1:
        n1 = np.arange(1, N)
        Q[:, 1:] = (P[:, 2 : N + 1] - P[:, 0 : N - 1]) / (2 * n1 + 1)
    return np.sqrt(2 * np.arange(N) + 1) / 2 * np.diff(Q, axis=0)


def _legs_bilinear_steps(N: int, L: int) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear LegS steps ``k = 1..L`` with ``dt = 1/k``: dA (L, N, N), dB (L, N)."""
    A, B = transition("legs", N)
    h = 0.5 / np.arange(1, L + 1)[:, None, None]  # (L, 1, 1): dt / 2
    eye = np.eye(N)
    lhs = eye - h * A  # (L, N, N)
    rhs = np.concatenate([eye + h * A, 2 * h * B[:, None]], axis=2)  # (L, N, N+1)
    sol = np.linalg.solve(lhs, rhs)
    return sol[:, :, :N], sol[:, :, N]


def _legs_forward(dA: np.ndarray, dB: np.ndarray, e0: np.ndarray, ends: set[int]):
    """Yield ``(t, W_t)`` for each ``t`` in ``ends``: ``c_t = f[:t] @ W_t`` (t, N).

    Steps the readout forwards: ``W_t = [W_{t-1} dA_t^T; dB_t]``, starting
    from the row ``e_0`` of ``c_0 = f_0 e_0``.
    """
    L, N = dB.shape
    W = np.zeros((L, N))
    W[0] = e0
    for t in range(1, L + 1):
        rows = max(t - 1, 1)
        W[:rows] = W[:rows] @ dA[t - 1].T
        W[t - 1] += dB[t - 1]
        if t in ends:
            yield t, W[:t].copy()


def _legs_backward(dA: np.ndarray, dB: np.ndarray, e0: np.ndarray) -> np.ndarray:
    """Readout of a time-varying recurrence ``c_k = dA_k c_{k-1} + dB_k f_{k-1}``.

    Accumulates ``Phi = dA_t ... dA_{k+1}`` backwards, so row ``k-1`` is
    ``Phi dB_k``; the start ``c_0 = f_0 e_0`` adds ``Phi(t, 0) e_0`` to row 0.
    Runs once per (length, reading time) and is cached by :func:`readout`.
    """
    t, N = dB.shape
    M = np.empty((t, N))
    phi = np.eye(N)
    for k in range(t - 1, -1, -1):
        M[k] = phi @ dB[k]
        phi = phi @ dA[k]
    M[0] += phi @ e0
    return M


def states(
    Z: np.ndarray, measure: str, n_coefs: int, timescale: float | None, method: str
) -> np.ndarray:
    """Memory state after every step of each series in a batch.

    Parameters
    ----------
    Z : ndarray of shape (m, L)
        ``m`` series of one length ``L``, float64.
    measure, n_coefs, timescale, method
        As in :func:`readout`.

    Returns
    -------
    C : ndarray of shape (m, L, n_coefs)
        ``C[:, t-1]`` is the state after reading ``t`` samples, equal to
        ``Z @ readout(..., ends=(t,))[:, 0]``.
    """
    m, L = Z.shape
    if measure == "legs":
        R = readout(measure, n_coefs, L, timescale, method, tuple(range(1, L + 1)))  # (L, L, N)
        return (Z @ R.reshape(L, L * n_coefs)).reshape(m, L, n_coefs)
    return states_many(Z, ((measure, timescale),), n_coefs, method)[:, :, 0, :]


def states_many(
    Z: np.ndarray, memories: Sequence[tuple[str, float]], n_coefs: int, method: str
) -> np.ndarray:
    """States after every step of several time-invariant memories at once.

    Parameters
    ----------
    Z : ndarray of shape (m, L)
        ``m`` series of one length ``L``, float64.
    memories : sequence of (measure, timescale)
        Translated measures (``"legt"``, ``"lagt"``, ``"fout"``) and their
        time scales in steps.
    n_coefs, method
        As in :func:`readout`.

    Returns
    -------
    C : ndarray of shape (m, L, len(memories), n_coefs)
        ``C[:, t-1, b]`` is the state of memory ``b`` after ``t`` samples.

    Notes
    -----
    By chunks of ``B`` steps (``B`` a power of two near ``sqrt(L)``), two
    matrix products for all memories together: the states at the chunk
    starts, read with a readout matrix; then, in one product, the inputs of
    each chunk times a lower-triangular Toeplitz matrix of the impulse
    responses plus the state before the chunk carried by ``dA^(i+1)``.
    """
    memories = tuple((m_, float(ts)) for m_, ts in memories)
    if any(m_ not in ("legt", "lagt", "fout") for m_, _ in memories):
        raise ValueError("states_many takes translated measures only ('legt', 'lagt', 'fout').")
    paired = [k for k, (m_, _) in enumerate(memories) if _runs_paired(m_, n_coefs)]
    if paired:  # those memories run on n_coefs + 1 states (see _runs_paired), the others as they are
        others = [k for k in range(len(memories)) if k not in paired]
        C = np.empty((Z.shape[0], Z.shape[1], len(memories), n_coefs))
        C[:, :, paired] = states_many(Z, [memories[k] for k in paired], n_coefs + 1, method)[..., :n_coefs]
        if others:
            C[:, :, others] = states_many(Z, [memories[k] for k in others], n_coefs, method)
        return C
    m, L = Z.shape
    N, K = n_coefs, len(memories) * n_coefs
    B = _chunk_size(L)
    nb = -(-L // B)
    W = _scan_operator(memories, N, method, B)  # (B + K, B*K)
    U = np.zeros((m, nb, B + K))  # per chunk: its inputs, then the states before it
    full = (nb - 1) * B  # steps in the chunks before the last
    U[:, :-1, :B] = Z[:, :full].reshape(m, nb - 1, B)
    U[:, -1, : L - full] = Z[:, full:]  # the last chunk, zero-padded
    U[:, 0, B:] = np.tile(Z[:, :1] * initial_state("legt", N), len(memories))  # c_0 = f_0 e_0
    if nb > 1:
        R = _chunk_starts(memories, N, L, method, B)  # (L, (nb-1)*K)
        U[:, 1:, B:] = (Z @ R).reshape(m, nb - 1, K)
    out = U.reshape(m * nb, B + K) @ W  # (m*nb, B*K): one product for every chunk and memory
    return out.reshape(m, nb * B, len(memories), N)[:, :L]


def _chunk_size(L: int) -> int:
    """A power of two near sqrt(L), in [8, 256]: balances the two chunk products."""
    return int(min(256, max(8, 2 ** round(np.log2(max(L, 1)) / 2))))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _scan_operator(memories: tuple[tuple[str, float], ...], N: int, method: str, B: int) -> np.ndarray:
    """Chunk operator of time-invariant memories, shape (B + K, B*K) with K = len(memories) * N.

    Row ``j < B`` (input ``j`` of a chunk) holds ``dA_k^(i-j) dB_k`` at column
    ``(i, k, :)`` for ``i >= j``, else 0: a lower-triangular Toeplitz block of
    the impulse responses. Row ``B + (k, a)`` (entry ``a`` of memory ``k``'s
    state before the chunk) holds ``(dA_k^(i+1))[:, a]`` at column ``(i, k, :)``.
    """
    nk = len(memories)
    W = np.zeros((B + nk * N, B, nk, N))
    lag = np.arange(B)[None, :] - np.arange(B)[:, None]  # (B, B): i - j
    for k, (measure, theta) in enumerate(memories):
        A, Bv = transition(measure, N)
        dA, dB = discretize(A, Bv, 1.0 / theta, method)
        powers = np.empty((B + 1, N, N))  # dA^0 .. dA^B
        powers[0] = np.eye(N)
        for i in range(1, B + 1):
            powers[i] = dA @ powers[i - 1]
        h = powers[:B] @ dB  # (B, N): impulse response
        W[:B, :, k, :] = np.where((lag >= 0)[:, :, None], h[np.clip(lag, 0, None)], 0.0)
        W[B + k * N : B + (k + 1) * N, :, k, :] = powers[1:].transpose(2, 0, 1)  # [a, i, n] = dA^(i+1)[n, a]
    W = W.reshape(B + nk * N, B * nk * N)
    W.flags.writeable = False
    return W


@functools.lru_cache(maxsize=32)  # (L, L/B * K) each: a few MB for L ~ 1000
def _chunk_starts(memories: tuple[tuple[str, float], ...], N: int, L: int, method: str, B: int) -> np.ndarray:
    """Readout of the states before chunks 1, 2, ...: (L, (nb-1) * len(memories) * N)."""
    ends = tuple(range(B, L, B))
    R = np.stack([_readout.__wrapped__(m_, N, L, ts, method, ends) for m_, ts in memories], axis=2)
    R = R.reshape(L, -1)  # (L, [chunk, memory, n])
    R.flags.writeable = False
    return R
