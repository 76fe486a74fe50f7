"""sks4.hippo against dense float64 constructions."""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

from sks4 import hippo

MEASURES = hippo.MEASURES


def test_legs_matches_formula():
    N = 7
    A, B = hippo.transition("legs", N)
    for n in range(N):
        assert B[n] == pytest.approx(np.sqrt(2 * n + 1))
        for k in range(N):
            expected = -np.sqrt((2 * n + 1) * (2 * k + 1)) if n > k else (-(n + 1) if n == k else 0.0)
            assert A[n, k] == pytest.approx(expected)


def test_legt_matches_formula():
    # HiPPO-LegT (Gu et al. 2020, App. D.1), window 1: A_nk = -sqrt((2n+1)(2k+1)) * (1 if k <= n else (-1)^(n-k))
    N = 6
    A, B = hippo.transition("legt", N)
    for n in range(N):
        for k in range(N):
            sign = 1.0 if k <= n else (-1.0) ** (n - k)
            assert A[n, k] == pytest.approx(-np.sqrt((2 * n + 1) * (2 * k + 1)) * sign)
    np.testing.assert_allclose(B, np.sqrt(2 * np.arange(N) + 1))


def test_lagt_and_fout_shapes_and_values():
    A, B = hippo.transition("lagt", 4)
    np.testing.assert_array_equal(A, [[-1, 0, 0, 0], [-1, -1, 0, 0], [-1, -1, -1, 0], [-1, -1, -1, -1]])
    np.testing.assert_array_equal(B, np.ones(4))
    A, B = hippo.transition("fout", 5)
    np.testing.assert_allclose(B, 2 * np.array([1, np.sqrt(2), 0, np.sqrt(2), 0]))
    skew = A + np.outer(B, B) / 2  # A = S - 2 e e^T with B = 2 e
    np.testing.assert_allclose(skew, -skew.T)
    assert skew[1, 2] == pytest.approx(2 * np.pi) and skew[3, 4] == pytest.approx(4 * np.pi)


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("N", [1, 2, 7, 16, 64])
def test_nplr_and_dplr_rebuild_the_matrix(measure, N):
    A, B = hippo.transition(measure, N)
    Lambda, P, Bn, V = hippo.nplr(measure, N)
    np.testing.assert_allclose(V.conj().T @ V, np.eye(N), atol=1e-10)  # unitary
    scale = max(1.0, np.abs(A).max())
    np.testing.assert_allclose(V @ np.diag(Lambda) @ V.conj().T - P.T @ P, A, atol=1e-11 * scale)
    Lambda, Pt, Bt, V = hippo.dplr(measure, N)
    # A = V (Λ - (V*P)(V*P)*) V*
    VP = V.conj().T @ P.T  # (N, rank)
    np.testing.assert_allclose(V @ (np.diag(Lambda) - VP @ VP.conj().T) @ V.conj().T, A, atol=1e-11 * scale)
    np.testing.assert_allclose(Pt.T, VP, atol=1e-12 * scale)
    np.testing.assert_allclose(V @ Bt, B, atol=1e-11 * scale)


@pytest.mark.parametrize("measure", MEASURES)
def test_eigenvalues_in_conjugate_pairs_with_stable_real_part(measure):
    Lambda, *_ = hippo.nplr(measure, 16)
    np.testing.assert_allclose(Lambda, Lambda[::-1].conj(), atol=1e-10)
    assert (Lambda.real <= 1e-12).all()


@pytest.mark.parametrize("method", ["bilinear", "zoh"])
def test_discretize_against_dense_definitions(method):
    A, B = hippo.transition("legs", 6)
    dt = 0.05
    dA, dB = hippo.discretize(A, B, dt, method)
    I = np.eye(6)
    if method == "bilinear":
        np.testing.assert_allclose(dA, np.linalg.inv(I - dt / 2 * A) @ (I + dt / 2 * A), atol=1e-12)
        np.testing.assert_allclose(dB, np.linalg.inv(I - dt / 2 * A) @ (dt * B), atol=1e-12)
    else:
        np.testing.assert_allclose(dA, scipy.linalg.expm(dt * A), atol=1e-12)
        # ∫_0^dt exp(sA) B ds by the composite trapezoid rule on a fine grid
        s = np.linspace(0, dt, 2001)
        integrand = np.stack([scipy.linalg.expm(si * A) @ B for si in s])
        np.testing.assert_allclose(dB, scipy.integrate.trapezoid(integrand, x=s, axis=0), atol=1e-9)


def test_zoh_tracks_the_ode_exactly_for_piecewise_constant_input():
    # x' = A x + B u with u constant on each step: explicit RK4 on a fine grid.
    A, B = hippo.transition("lagt", 4)
    dt, u = 0.1, [1.0, -2.0, 0.5]
    dA, dB = hippo.discretize(A, B, dt, "zoh")
    x_disc = np.zeros(4)
    x_ode = np.zeros(4)
    h = dt / 200
    for uk in u:
        x_disc = dA @ x_disc + dB * uk
        for _ in range(200):
            f = lambda x: A @ x + B * uk  # noqa: E731
            k1 = f(x_ode)
            k2 = f(x_ode + h / 2 * k1)
            k3 = f(x_ode + h / 2 * k2)
            k4 = f(x_ode + h * k3)
            x_ode = x_ode + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    np.testing.assert_allclose(x_disc, x_ode, atol=1e-10)


def test_discretize_matrix_input():
    A, B = hippo.transition("legt", 3)
    dA, dB = hippo.discretize(A, np.stack([B, 2 * B], 1), 0.1, "zoh")
    assert dB.shape == (3, 2)
    np.testing.assert_allclose(dB[:, 1], 2 * dB[:, 0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: hippo.transition("legx", 4), "Unknown HiPPO measure"),
        (lambda: hippo.transition("legs", 0), "positive integer"),
        (lambda: hippo.transition("legs", 2.5), "positive integer"),
        (lambda: hippo.discretize(np.eye(2), np.ones(2), -1.0), "positive finite"),
        (lambda: hippo.discretize(np.eye(2), np.ones(3), 0.1), "B must have shape"),
        (lambda: hippo.discretize(np.ones((2, 3)), np.ones(2), 0.1), "square"),
        (lambda: hippo.discretize(np.eye(2), np.ones(2), 0.1, "euler"), "Unknown discretisation"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("dt", [0.0, -0.1, float("nan"), np.array([0.1, 0.2]), True, None, 0.1 + 0.1j, "0.1"])
def test_discretize_refuses_a_bad_step_size(dt):
    A, B = hippo.transition("legs", 4)
    with pytest.raises(ValueError, match="step size dt must be"):
        hippo.discretize(A, B, dt)
