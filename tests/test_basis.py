"""sks4._basis against naive float64 computations."""

import numpy as np
import pytest

from sks4 import _basis, hippo

LTI = ("legt", "lagt", "fout")
METHODS = ("bilinear", "zoh")


def step_lti(f, measure, N, theta, method):
    """States after each step, by an explicit loop over the discretised recurrence."""
    A, B = hippo.transition(measure, N)
    dA, dB = hippo.discretize(A, B, 1.0 / theta, method)
    c = f[0] * _basis.initial_state(measure, N)  # constant history before the start
    out = []
    for u in f:
        c = dA @ c + dB * u
        out.append(c)
    return np.array(out)  # (L, N)


def step_legs(f, N, method):
    """LegS, c' = (1/t)(A c + B f), stepped one sample at a time.

    bilinear: dt = 1/k at step k (HiPPO paper); zoh: exact in s = ln t,
    ds = ln(k / (k-1)), whose first step is c_1 = f_0 e_0.
    """
    A, B = hippo.transition("legs", N)
    c = f[0] * _basis.initial_state("legs", N)
    out = []
    for k, u in enumerate(f, start=1):
        if method == "bilinear":
            dA, dB = hippo.discretize(A, B, 1.0 / k, "bilinear")
            c = dA @ c + dB * u
        elif k == 1:
            c = u * _basis.initial_state("legs", N)
        else:
            dA, dB = hippo.discretize(A, B, np.log(k / (k - 1)), "zoh")
            c = dA @ c + dB * u
        out.append(c)
    return np.array(out)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("measure", LTI)
def test_readout_equals_stepping_the_recurrence(measure, method):
    rng = np.random.default_rng(0)
    L, N, theta = 60, 9, 13.5
    f = rng.normal(size=L)
    ends = (1, 2, 17, 59, L)
    M = _basis.readout(measure, N, L, theta, method, ends)  # (L, P, N)
    ref = step_lti(f, measure, N, theta, method)
    for j, t in enumerate(ends):
        np.testing.assert_allclose(f @ M[:, j], ref[t - 1], rtol=1e-12, atol=1e-12)
        assert not M[t:, j].any()  # samples after the reading time do not count


@pytest.mark.parametrize("method", METHODS)
def test_legs_readout_equals_time_varying_recurrence(method):
    rng = np.random.default_rng(1)
    L, N = 80, 7
    f = rng.normal(size=L)
    ref = step_legs(f, N, method)
    few = _basis.readout("legs", N, L, None, method, (L, 3))  # one backward pass per time
    every = _basis.readout("legs", N, L, None, method, tuple(range(1, L + 1)))  # forward pass
    np.testing.assert_allclose(f @ few[:, 0], ref[-1], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(f @ few[:, 1], ref[2], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(np.einsum("l,ltn->tn", f, every), ref, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("measure", hippo.MEASURES)
def test_states_at_every_step_equal_readouts(measure, method):
    rng = np.random.default_rng(2)
    N = 5
    timescale = None if measure == "legs" else 6.0
    for L in (1, 7, 70):  # shorter than, and not a multiple of, the chunk size
        Z = rng.normal(size=(3, L))
        R = _basis.readout(measure, N, L, timescale, method, tuple(range(1, L + 1)))
        np.testing.assert_allclose(
            _basis.states(Z, measure, N, timescale, method),
            np.einsum("ml,ltn->mtn", Z, R),
            rtol=1e-11,
            atol=1e-12,
        )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("measure", hippo.MEASURES)
def test_constant_series_is_the_fixed_point(measure, method):
    timescale = None if measure == "legs" else 10.0
    M = _basis.readout(measure, 6, 40, timescale, method)
    np.testing.assert_allclose(np.full(40, 2.5) @ M[:, 0], 2.5 * _basis.initial_state(measure, 6), atol=1e-12)


@pytest.mark.parametrize("measure", hippo.MEASURES)
def test_bases_are_orthonormal(measure):
    N = 12
    if measure == "lagt":  # weight exp(-a) on [0, inf)
        a, w = np.polynomial.laguerre.laggauss(40)
    elif measure == "fout":  # uniform on [0, 1]: trapezoid on a periodic grid is exact
        a = np.arange(400) / 400
        w = np.full(400, 1 / 400)
    else:  # uniform on [0, 1]
        z, w = np.polynomial.legendre.leggauss(40)
        a, w = (1 - z) / 2, w / 2
    G = _basis.evaluate_basis(measure, N, a)
    np.testing.assert_allclose(G.T @ (w[:, None] * G), np.eye(N), atol=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_legt_reconstructs_band_limited_signal(method):
    # sum of sines up to 5 cycles over the window (5 Hz for a 1 s window), 64 coefficients
    L, N = 1000, 64
    rng = np.random.default_rng(0)
    freqs, phases = rng.uniform(0.2, 5.0, 6), rng.uniform(0, 2 * np.pi, 6)
    x = (np.arange(L) + 0.5) / L  # cell centres, window = the whole series
    f = np.sin(2 * np.pi * freqs[:, None] * x + phases[:, None]).sum(0)
    c = f @ _basis.readout("legt", N, L, float(L), method)[:, 0]
    rebuilt = _basis.synthesis("legt", N, L, float(L)) @ c
    rmse = np.sqrt(np.mean((rebuilt - f) ** 2))
    assert rmse <= 0.01 * np.sqrt(np.mean(f**2))


@pytest.mark.parametrize("method", METHODS)
def test_fout_memory_converges_to_the_projection_of_a_non_periodic_signal(method):
    """FouT's memory after reading a smooth, non-periodic signal approaches its best Fourier approximation.

    Naive reference: the orthogonal projection onto the first N basis
    functions over the window, by quadrature on the cells. The memory reads
    ``f(t-1)`` back from its own series, which at the window's edge
    converges to the midpoint of the jump, so its coefficients differ from
    the projection by O(1/N): the gap must shrink about as 1/N (at least 3x
    from N = 17 to N = 65) and the reconstruction from 65 coefficients must
    be within 5% of the signal's RMS. (With ``f(t-1)`` taken as the series
    value itself the gap stayed near 47% at every N.)
    """
    L = 4000
    x = (np.arange(L) + 0.5) / L
    f = np.sin(2 * np.pi * 1.3 * x + 0.4) + 0.5 * x**2 + np.cos(2 * np.pi * 3.7 * x)
    gaps = {}
    for N in (17, 65):
        G = _basis.synthesis("fout", N, L, float(L))  # (L, N), the window = the whole series
        projection = G.T @ f / L
        c = f @ _basis.readout("fout", N, L, float(L), method)[:, 0]
        gaps[N] = np.linalg.norm(c - projection) / np.linalg.norm(projection)
    assert gaps[65] <= gaps[17] / 3, gaps
    assert gaps[65] <= 0.03, gaps
    rmse = np.sqrt(np.mean((G @ c - f) ** 2))
    assert rmse <= 0.05 * np.sqrt(np.mean(f**2))


@pytest.mark.parametrize("method", METHODS)
def test_fout_memory_with_an_even_size_is_as_good_as_its_odd_neighbours(method):
    """An even N leaves the last cosine without its sine; the memory must still converge and forget.

    Naive references: the projection onto the first N basis functions (as
    above), and two series that agree on their last 30 windows, whose
    memories must then agree. (Truncated at an unpaired cosine, the
    operator has an eigenvalue 0: at N = 64 the gap was 0.5 against 0.006
    at N = 63 and 65, and the two memories stayed 3.3 apart at N = 4.)
    """
    L = 4000
    x = (np.arange(L) + 0.5) / L
    f = np.sin(2 * np.pi * 1.3 * x + 0.4) + 0.5 * x**2 + np.cos(2 * np.pi * 3.7 * x)
    gaps = {}
    for N in (63, 64, 65):
        G = _basis.synthesis("fout", N, L, float(L))
        projection = G.T @ f / L
        c = f @ _basis.readout("fout", N, L, float(L), method)[:, 0]
        gaps[N] = np.linalg.norm(c - projection) / np.linalg.norm(projection)
    assert gaps[64] <= 1.2 * max(gaps[63], gaps[65]), gaps
    tail = np.sin(np.arange(300) / 7.0)
    a, b = np.r_[np.zeros(700), tail], np.r_[5.0 * np.ones(700), tail]
    for N in (4, 5):
        for states in (
            np.stack([a, b]) @ _basis.readout("fout", N, 1000, 10.0, method)[:, 0],  # (2, N)
            _basis.states_many(np.stack([a, b]), [("legt", 10.0), ("fout", 10.0)], N, method)[:, -1, 1],
        ):
            np.testing.assert_allclose(states[0], states[1], atol=1e-9)


@pytest.mark.parametrize("method, order", [("zoh", 2), ("bilinear", 1)])
def test_legs_reconstructs_polynomials_up_to_discretisation_error(method, order):
    # degree N-1 over the whole history; the error is discretisation only and
    # shrinks as L^-order (zoh: exact projection of the piecewise-constant
    # series, second order; bilinear with dt = 1/k: first order)
    N = 16
    coef = np.random.default_rng(3).normal(size=N)
    errors = []
    for L in (500, 1000, 2000):
        x = (np.arange(L) + 0.5) / L
        f = np.polynomial.legendre.legval(2 * x - 1, coef)
        c = f @ _basis.readout("legs", N, L, None, method)[:, 0]
        rebuilt = _basis.synthesis("legs", N, L, None) @ c
        errors.append(np.sqrt(np.mean((rebuilt - f) ** 2) / np.mean(f**2)))
    assert errors[-1] < (1e-4 if method == "zoh" else 5e-3)
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(rates > order - 0.2), (errors, rates)


def test_legs_zoh_is_the_projection_of_the_piecewise_constant_series():
    # exact Legendre projection on [0, L] of the step function, by Gauss quadrature per cell
    L, N = 12, 6
    f = np.random.default_rng(4).normal(size=L)
    z, w = np.polynomial.legendre.leggauss(20)
    proj = np.zeros(N)
    for k in range(L):
        x = k + (z + 1) / 2  # nodes in the cell [k, k+1]
        proj += f[k] * (w / 2) @ _basis.evaluate_basis("legs", N, (L - x) / L) / L
    np.testing.assert_allclose(f @ _basis.readout("legs", N, L, None, "zoh")[:, 0], proj, atol=1e-13)


def test_readout_is_cached_and_read_only():
    a = _basis.readout("legt", 4, 30, 7.0, "zoh", (10, 30))
    b = _basis.readout("legt", 4, 30, 7.0, "zoh", [10, 30])
    assert a is b
    with pytest.raises(ValueError):
        a[0, 0, 0] = 1.0


def test_synthesis_grid():
    assert _basis.synthesis("legt", 5, 100, 25.0).shape == (25, 5)
    assert _basis.synthesis("fout", 5, 100, 500.0).shape == (100, 5)  # window beyond the start
    assert _basis.synthesis("legs", 5, 100, None).shape == (100, 5)
    assert _basis.synthesis("lagt", 5, 100, 10.0).shape == (100, 5)
    assert _basis.window_cells("legt", 100, 0.3) == 1  # at least one cell


@pytest.mark.parametrize(
    "args, match",
    [
        (("legs", 4, 10, 3.0, "zoh"), "no time scale"),
        (("legt", 4, 10, None, "zoh"), "positive"),
        (("legt", 4, 10, -1.0, "zoh"), "positive"),
        (("legt", 4, 10, 3.0, "zoh", (0,)), "Reading times"),
        (("nope", 4, 10, 3.0, "zoh"), "Unknown HiPPO measure"),
    ],
)
def test_readout_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        _basis.readout(*args)
