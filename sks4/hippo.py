"""HiPPO mathematics in numpy (float64).

This module holds the continuous-time HiPPO operators and their structured
forms, independent of any deep-learning framework:

* :func:`transition` -- the state matrices ``(A, B)`` of the HiPPO ODE
  ``c'(t) = A c(t) + B f(t)`` for several measures;
* :func:`nplr` -- the normal-plus-low-rank form ``A = V Λ V* - P^T P``;
* :func:`dplr` -- the diagonal-plus-low-rank form
  ``A = V (Λ - P̃^T conj(P̃)) V*`` with ``P̃ = P V̄`` (the low-rank factor written
  in the eigenbasis of the normal part);
* :func:`discretize` -- bilinear and zero-order-hold discretisation.

Conventions (``N`` coefficients, orthonormal bases, ``P_n`` the Legendre
polynomials, ``L_n`` the Laguerre polynomials):

``"legs"`` (scaled Legendre, uniform measure on the whole history ``[0, t]``)
    ``c'(t) = (1/t) (A c + B f)``, ``f(x) ≈ Σ c_n sqrt(2n+1) P_n(2x/t - 1)``.
``"legt"`` (translated Legendre, uniform measure on the window ``[t-θ, t]``)
    ``c'(t) = (1/θ) (A c + B f)``,
    ``f(x) ≈ Σ c_n sqrt(2n+1) P_n(2(x-t)/θ + 1)``.
``"lagt"`` (translated Laguerre, measure ``exp(-(t-x))`` on ``(-∞, t]``)
    ``c'(t) = A c + B f``, ``f(x) ≈ Σ c_n L_n(t-x)``.
``"fout"`` (translated Fourier, uniform measure on the window ``[t-1, t]``)
    ``c'(t) = A c + B f``, ``f(x) ≈ Σ c_n g_n(x - t + 1)`` with ``g_0 = 1``,
    ``g_{2k-1}(y) = sqrt(2) cos(2πky)``, ``g_{2k}(y) = sqrt(2) sin(2πky)``.
    Differentiating ``c_n(t) = ∫_0^1 f(t-1+y) g_n(y) dy`` by parts gives
    ``c' = S c + e (f(t) - f(t-1))`` with ``S`` the skew-symmetric rotation of
    the (cos, sin) pairs and ``e = g(0) = g(1)``. The memory does not store
    ``f(t-1)``; it reads it back from itself. Periodically extended, the
    window has a jump from ``f(t)`` to ``f(t-1)`` at its edge, where a
    truncated Fourier series converges to the midpoint (Dirichlet), so
    ``e^T c ≈ (f(t) + f(t-1)) / 2`` and ``f(t-1) ≈ 2 e^T c - f(t)``:
    ``A = S - 2 e e^T``, ``B = 2 e``. (Taking ``f(t-1) ≈ e^T c`` instead, an
    earlier version of this module, keeps about ten times more
    reconstruction error on smooth non-periodic signals.)

References
----------
Gu, Dao, Ermon, Rudra, Ré. "HiPPO: Recurrent Memory with Optimal Polynomial
Projections", NeurIPS 2020 (Appendix D for the derivations).
Gu, Goel, Ré. "Efficiently Modeling Long Sequences with Structured State
Spaces", ICLR 2022 (Section 3 and Appendix C for NPLR/DPLR).
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
import scipy.linalg

__all__ = ["MEASURES", "NPLR", "DPLR", "transition", "rank_correction", "nplr", "dplr", "discretize"]

MEASURES = ("legs", "legt", "lagt", "fout")
DISCRETIZATIONS = ("bilinear", "zoh")


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"Unknown HiPPO measure {measure!r}; choose one of {MEASURES}.")


def _check_size(N: int) -> int:
    if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or N < 1:
        raise ValueError(f"The state size N must be a positive integer, got {N!r}.")
    return int(N)


def transition(measure: str, N: int) -> tuple[np.ndarray, np.ndarray]:
    """State matrices of the HiPPO ODE ``c' = A c + B f``.

    Parameters
    ----------
    measure : {"legs", "legt", "lagt", "fout"}
        The measure (and so the basis) that the memory projects onto; see the
        module docstring for the time scale and basis of each.
    N : int
        Number of coefficients (state size).

    Returns
    -------
    A : ndarray of shape (N, N), float64
    B : ndarray of shape (N,), float64

    Notes
    -----
    For ``"fout"`` with an even ``N`` the basis ends with a cosine whose
    sine is missing; truncated there, ``A`` has an eigenvalue 0 and the
    memory does not forget. :class:`sks4.S4Features` therefore runs such
    memories on ``N + 1`` states and returns the first ``N`` coefficients.

    Examples
    --------
    >>> A, B = transition("legs", 3)
    >>> A
    array([[-1.        ,  0.        ,  0.        ],
           [-1.73205081, -2.        ,  0.        ],
           [-2.23606798, -3.87298335, -3.        ]])
    >>> B
    array([1.        , 1.73205081, 2.23606798])
    """
    _check_measure(measure)
    N = _check_size(N)
    n = np.arange(N, dtype=np.float64)
    R = np.sqrt(2 * n + 1)
    if measure == "legs":
        A = np.diag(-(n + 1)) - np.tril(np.outer(R, R), -1)
        B = R.copy()
    elif measure == "legt":
        row, col = np.meshgrid(n, n, indexing="ij")
        sign = np.where(row >= col, 1.0, (-1.0) ** (row - col))
        A = -np.outer(R, R) * sign
        B = R.copy()
    elif measure == "lagt":
        A = np.tril(np.full((N, N), -1.0))
        B = np.ones(N)
    else:  # fout
        # f(t-1) is not stored: it is read back from the memory, whose series at the window's
        # edge gives the midpoint (f(t) + f(t-1)) / 2 (see the module docstring).
        e = _fourier_endpoint(N)
        A = _fourier_rotation(N) - 2.0 * np.outer(e, e)
        B = 2.0 * e
    return A, B


def _fourier_endpoint(N: int) -> np.ndarray:
    """Values of the orthonormal Fourier basis at the window's ends, g_n(0)."""
    e = np.zeros(N)
    e[0] = 1.0
    e[1::2] = np.sqrt(2.0)
    return e


def _fourier_rotation(N: int) -> np.ndarray:
    """The skew-symmetric part of the FouT operator: (cos_k, sin_k) rotate at 2πk."""
    S = np.zeros((N, N))
    for k in range(1, (N - 1) // 2 + 1):
        c, s = 2 * k - 1, 2 * k
        S[c, s] = 2 * np.pi * k
        S[s, c] = -2 * np.pi * k
    return S


def rank_correction(measure: str, N: int) -> np.ndarray:
    """Low-rank factor ``P`` (shape (rank, N)) such that ``A + P^T P`` is normal."""
    _check_measure(measure)
    N = _check_size(N)
    n = np.arange(N, dtype=np.float64)
    if measure == "legs":
        return np.sqrt(n + 0.5)[None, :]
    if measure == "legt":
        R = np.sqrt(2 * n + 1)
        even, odd = R.copy(), R.copy()
        even[1::2] = 0.0
        odd[0::2] = 0.0
        return np.stack([even, odd])
    if measure == "lagt":
        return np.full((1, N), np.sqrt(0.5))
    return np.sqrt(2.0) * _fourier_endpoint(N)[None, :]


class NPLR(NamedTuple):
    """Normal plus low rank: ``A = V diag(Lambda) V* - P^T P``."""

    Lambda: np.ndarray  # (N,) complex
    P: np.ndarray  # (rank, N) real
    B: np.ndarray  # (N,) real
    V: np.ndarray  # (N, N) complex unitary


class DPLR(NamedTuple):
    """Diagonal plus low rank in the eigenbasis ``V`` of the normal part.

    ``A = V (diag(Lambda) - P^T conj(P)) V*`` and the input matrix is ``V B``:
    the system ``(diag(Lambda) - P^T conj(P), B)`` is ``(A, B)`` written in the
    basis ``V``.
    """

    Lambda: np.ndarray  # (N,) complex
    P: np.ndarray  # (rank, N) complex
    B: np.ndarray  # (N,) complex
    V: np.ndarray  # (N, N) complex unitary


def nplr(measure: str, N: int) -> NPLR:
    """Normal-plus-low-rank decomposition of the HiPPO matrix.

    ``S = A + P^T P`` is ``d I + (skew-symmetric)`` for every supported
    measure, so it is diagonalised stably by a Hermitian eigensolver.
    Eigenvalues are ordered by decreasing imaginary part, so that for a
    measure whose eigenvalues come in conjugate pairs the partner of ``i`` is
    ``N - 1 - i``.

    Examples
    --------
    >>> A, _ = transition("legs", 8)
    >>> Lambda, P, B, V = nplr("legs", 8)
    >>> np.allclose(V @ np.diag(Lambda) @ V.conj().T - P.T @ P, A)
    True
    """
    A, B = transition(measure, N)
    P = rank_correction(measure, N)
    S = A + P.T @ P
    d = np.mean(np.diag(S))
    skew = S - d * np.eye(N)
    # The construction guarantees this; a failure here is a bug, not bad input.
    assert np.allclose(skew, -skew.T, atol=1e-9 * max(1.0, np.abs(skew).max()))
    # i * skew is Hermitian: a stable eigensolver with unitary eigenvectors.
    e, V = np.linalg.eigh(1j * skew)
    Lambda = d - 1j * e  # ascending e -> decreasing imaginary part
    return NPLR(Lambda, P, B, V)


def dplr(measure: str, N: int) -> DPLR:
    """Diagonal-plus-low-rank form of the HiPPO matrix (see :class:`DPLR`).

    Examples
    --------
    >>> A, B = transition("legs", 8)
    >>> Lambda, P, Bt, V = dplr("legs", 8)
    >>> Ad = np.diag(Lambda) - P.T @ P.conj()
    >>> np.allclose(V @ Ad @ V.conj().T, A), np.allclose(V @ Bt, B)
    (True, True)
    """
    Lambda, P, B, V = nplr(measure, N)
    Vh = V.conj().T
    return DPLR(Lambda, P @ Vh.T, Vh @ B, V)


def discretize(
    A: np.ndarray, B: np.ndarray, dt: float, method: str = "bilinear"
) -> tuple[np.ndarray, np.ndarray]:
    """Discretise ``x' = A x + B u`` with step ``dt``.

    Parameters
    ----------
    A : ndarray of shape (N, N)
    B : ndarray of shape (N,) or (N, M)
    dt : float
        Step size, > 0.
    method : {"bilinear", "zoh"}
        ``"bilinear"`` (Tustin): ``dA = (I - dt/2 A)^-1 (I + dt/2 A)``,
        ``dB = (I - dt/2 A)^-1 dt B``. ``"zoh"`` (zero-order hold):
        ``dA = exp(dt A)``, ``dB = ∫_0^dt exp(sA) ds B``, computed from the
        exponential of an augmented matrix so that ``A`` need not be invertible.

    Returns
    -------
    dA : ndarray of shape (N, N)
    dB : ndarray, same shape as ``B``

    Examples
    --------
    >>> A, B = transition("legt", 4)
    >>> dA, dB = discretize(A, B, 0.01, "zoh")
    >>> dA.shape, dB.shape
    ((4, 4), (4,))
    """
    A = np.asarray(A)
    B = np.asarray(B)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}.")
    if B.ndim not in (1, 2) or B.shape[0] != A.shape[0]:
        raise ValueError(f"B must have shape ({A.shape[0]},) or ({A.shape[0]}, M), got {B.shape}.")
    if np.ndim(dt) != 0 or isinstance(dt, (bool, np.bool_)) or not isinstance(np.asarray(dt).item(), numbers.Real):
        raise ValueError(f"The step size dt must be one positive number (a scalar), got {dt!r}.")
    if not np.isfinite(dt) or dt <= 0:
        raise ValueError(f"The step size dt must be a positive finite number, got {dt!r}.")
    if method not in DISCRETIZATIONS:
        raise ValueError(f"Unknown discretisation {method!r}; choose one of {DISCRETIZATIONS}.")
    N = A.shape[0]
    I = np.eye(N)
    B2 = B.reshape(N, -1)
    if method == "bilinear":
        lhs = I - dt / 2 * A
        dA = np.linalg.solve(lhs, I + dt / 2 * A)
        dB = np.linalg.solve(lhs, dt * B2)
    else:
        M = B2.shape[1]
        aug = np.zeros((N + M, N + M), dtype=np.result_type(A, B2, float))
        aug[:N, :N] = A
        aug[:N, N:] = B2
        E = scipy.linalg.expm(dt * aug)
        dA, dB = E[:N, :N], E[:N, N:]
    return dA, dB.reshape(B.shape)
