"""SSM kernels against the naive kernel of their dense discrete system."""

import numpy as np
import pytest
import torch

from sks4 import hippo
from sks4.nn import DiagonalKernel, DPLRKernel
from sks4.nn._checks import _autocast_enabled

CASES = [
    (DPLRKernel, {"discretization": "bilinear"}),
    (DPLRKernel, {"discretization": "zoh"}),
    (DiagonalKernel, {"discretization": "zoh"}),
    (DiagonalKernel, {"discretization": "bilinear"}),
    (DiagonalKernel, {"init": "diag-lin"}),
    (DiagonalKernel, {"init": "diag-inv"}),
]
IDS = ["dplr-bilinear", "dplr-zoh", "diag-zoh", "diag-bilinear", "diag-lin", "diag-inv"]


@pytest.fixture
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def naive_kernel(dA, dB, dC, L):
    """K[h, l] = Re(C A^l B) by an explicit loop over lags."""
    dA, dB, dC = (t.detach().numpy() for t in (dA, dB, dC))
    K = np.zeros((dA.shape[0], L))
    for h in range(dA.shape[0]):
        x = dB[h].copy()
        for l in range(L):
            K[h, l] = (dC[h] @ x).real
            x = dA[h] @ x
    return K


def continuous_system(kernel):
    """The dense continuous (A, B, C) of every channel, conjugate pairs expanded, in numpy."""
    Lam = kernel.diagonal().detach().numpy()
    B = torch.view_as_complex(kernel.B).detach().numpy()
    C = torch.view_as_complex(kernel.C).detach().numpy()
    full = lambda z: np.concatenate([z, z.conj()], -1)  # noqa: E731
    A = np.stack([np.diag(full(l)) for l in Lam])
    if isinstance(kernel, DPLRKernel):
        P = full(torch.view_as_complex(kernel.P).detach().numpy())  # (r, H, N)
        A = A - np.einsum("rhn,rhm->hnm", P, P.conj())
    return A, full(B), full(C)


def randomize(kernel, seed=0):
    """Move the parameters away from their initial values (keeping Re A < 0)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in kernel.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=g, dtype=p.dtype))


@pytest.mark.parametrize("cls, kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("L", [1, 2, 7, 64, 101])
def test_kernel_equals_naive_kernel_of_discrete_system(float64, cls, kwargs, L):
    torch.manual_seed(0)
    kernel = cls(3, 8, dt_min=0.01, dt_max=0.5, **kwargs)
    randomize(kernel)
    K = kernel(L).detach().numpy()
    assert K.shape == (3, L)
    np.testing.assert_allclose(K, naive_kernel(*kernel.discrete_ssm(L), L), atol=1e-11)


@pytest.mark.parametrize("cls, kwargs", CASES, ids=IDS)
def test_discrete_ssm_equals_discretized_continuous_system(float64, cls, kwargs):
    torch.manual_seed(1)
    kernel = cls(2, 6, dt_min=0.01, dt_max=0.5, **kwargs)
    randomize(kernel, seed=1)
    dA, dB, dC = (t.detach().numpy() for t in kernel.discrete_ssm())
    A, B, C = continuous_system(kernel)
    dt = kernel.dt.detach().numpy()
    for h in range(2):
        ref_A, ref_B = hippo.discretize(A[h], B[h], dt[h], kernel.discretization)
        np.testing.assert_allclose(dA[h], ref_A, atol=1e-12)
        np.testing.assert_allclose(dB[h], ref_B, atol=1e-12)
        np.testing.assert_allclose(dC[h], C[h], atol=0)


def test_dplr_initialisation_is_hippo_legs(float64):
    N = 8
    kernel = DPLRKernel(2, N)
    A, B, _ = continuous_system(kernel)
    A_legs, B_legs = hippo.transition("legs", N)
    # Same system up to a change of basis: same spectrum (-1, ..., -N) and the
    # same controllability geometry (B^* A^k B are basis invariant for unitary maps).
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(A[0]).real), -np.arange(N, 0, -1), atol=1e-8)
    for k in range(3):
        ref = B_legs @ np.linalg.matrix_power(A_legs, k) @ B_legs
        np.testing.assert_allclose(B[0].conj() @ np.linalg.matrix_power(A[0], k) @ B[0], ref, rtol=1e-10)


@pytest.mark.parametrize("init, expected", [("diag-lin", lambda n, N: -0.5 + 1j * np.pi * n),
                                            ("diag-inv", lambda n, N: -0.5 + 1j * N / np.pi * (N / (2 * n + 1) - 1))])
def test_diagonal_initialisations(float64, init, expected):
    N = 8
    Lam = DiagonalKernel(1, N, init=init).diagonal().detach().numpy()[0]
    np.testing.assert_allclose(Lam, expected(np.arange(N // 2), N))


def test_diag_legs_uses_the_dplr_spectrum(float64):
    Lam = DiagonalKernel(1, 8, init="diag-legs").diagonal().detach().numpy()[0]
    ref = hippo.dplr("legs", 8).Lambda[:4]
    np.testing.assert_allclose(Lam, ref)


@pytest.mark.parametrize("cls, kwargs", CASES[:4], ids=IDS[:4])
def test_kernel_of_longer_length_extends_shorter(float64, cls, kwargs):
    kernel = cls(2, 8, **kwargs)
    np.testing.assert_allclose(kernel(300).detach()[:, :37], kernel(37).detach(), atol=1e-11)


@pytest.mark.parametrize("cls, kwargs", CASES[:4], ids=IDS[:4])
def test_gradcheck_through_kernel(float64, cls, kwargs):
    torch.manual_seed(0)
    kernel = cls(2, 4, dt_min=0.05, dt_max=0.5, **kwargs)
    names, params = zip(*kernel.named_parameters())

    def f(*ps):
        return torch.func.functional_call(kernel, dict(zip(names, ps)), (10,))

    inputs = tuple(p.detach().clone().requires_grad_() for p in params)
    assert torch.autograd.gradcheck(f, inputs)


def test_dplr_large_L_float32_matches_power_kernel():
    # Cauchy + Woodbury route against the independent doubling route, in float32.
    torch.manual_seed(0)
    kernel = DPLRKernel(4, 16)
    from sks4.nn.functional import power_kernel

    K = kernel(4096)
    ref = power_kernel(*kernel.discrete_ssm(), 4096)
    assert (K - ref).abs().max() < 1e-4 * ref.abs().max()


@pytest.mark.parametrize("cls, kwargs", CASES, ids=IDS)
def test_kernel_keeps_full_precision_under_autocast(cls, kwargs):
    # bfloat16 matrix products would round the kernel to about 1e-2 of its scale.
    torch.manual_seed(0)
    kernel = cls(4, 16, **kwargs)
    expected = kernel(700)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = kernel(700)
        assert _autocast_enabled("cpu")  # switched off only inside the kernel
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, expected, rtol=0, atol=0)


def test_kernel_gradients_stay_accurate_when_backward_runs_under_autocast():
    # The Cauchy sums' hand-written backward ran its products in bfloat16 when backward() was
    # called inside the autocast block: the log_dt gradient was 41% off.
    torch.manual_seed(0)
    kernel, weights = DPLRKernel(8, 16), torch.randn(8, 700)
    params = list(kernel.parameters())
    expected = torch.autograd.grad((kernel(700) * weights).sum(), params)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = torch.autograd.grad((kernel(700) * weights).sum(), params)
    for g, e in zip(got, expected):
        assert (g - e).norm() <= 2e-2 * e.norm()


def test_double_backward_is_refused_instead_of_silently_wrong():
    from sks4.nn import S4Layer

    kernel = DPLRKernel(4, 8)
    with pytest.raises(RuntimeError, match="first-order gradient only"):
        torch.autograd.grad(kernel(600).square().sum(), [kernel.log_dt], create_graph=True)
    layer, x = S4Layer(4, d_state=8, kernel="diag"), torch.randn(2, 4, 50, requires_grad=True)
    with pytest.raises(RuntimeError, match="first-order gradient only"):
        torch.autograd.grad(layer(x).square().sum(), [x], create_graph=True)


@pytest.mark.parametrize("cls", [DPLRKernel, DiagonalKernel])
def test_kernels_run_on_the_meta_device(cls):
    assert cls(4, 8).to("meta")(600).shape == (4, 600)


def test_diagonal_zoh_is_accurate_at_tiny_step_sizes():
    # dB = (dA - 1) / A cancelled in float32 for dt = 1e-5 (4e-4 relative error at d_state 2).
    from sks4.nn.functional import power_kernel

    torch.manual_seed(0)
    kernel = DiagonalKernel(4, 2, dt_min=1e-5, dt_max=1e-5)
    exact = DiagonalKernel(4, 2).double()
    exact.load_state_dict({name: p.double() for name, p in kernel.state_dict().items()})
    ref = power_kernel(*exact.discrete_ssm(), 200)
    assert (kernel(200).double() - ref).abs().max() <= 1e-5 * ref.abs().max()


def test_ssm_parameters_stable_and_listed():
    kernel = DPLRKernel(2, 4)
    assert set(kernel.ssm_parameters) == {"log_dt", "log_neg_A_real", "A_imag", "B", "P"}
    assert (kernel.diagonal().real < 0).all()
    with torch.no_grad():
        kernel.log_neg_A_real.fill_(-30.0)
    assert (kernel.diagonal().real < 0).all()
    assert "C" not in DiagonalKernel(2, 4).ssm_parameters


def test_dt_drawn_in_range():
    kernel = DiagonalKernel(500, 4, dt_min=0.002, dt_max=0.02)
    dt = kernel.dt.detach()
    assert dt.min() >= 0.002 * (1 - 1e-6) and dt.max() <= 0.02 * (1 + 1e-6)
    assert dt.max() / dt.min() > 5


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: DPLRKernel(2, 7), "d_state must be even"),
        (lambda: DiagonalKernel(2, 5), "d_state must be even"),
        (lambda: DiagonalKernel(0, 4), "d_model must be a positive integer"),
        (lambda: DiagonalKernel(2, 4, init="diag-foo"), "init must be one of"),
        (lambda: DPLRKernel(2, 4, discretization="euler"), "discretization must be one of"),
        (lambda: DPLRKernel(2, 4, dt_min=0.1, dt_max=0.01), "dt_min must not exceed dt_max"),
        (lambda: DiagonalKernel(2, 4, dt_min=0.0), r"dt_min must lie in \(0.0, inf\)"),
    ],
)
def test_bad_construction(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize("dt_min", [None, "0.01", torch.tensor([0.01, 0.02])])
def test_non_numeric_step_range_is_a_type_error(dt_min):
    with pytest.raises(TypeError, match="dt_min must be a real number"):
        DiagonalKernel(2, 4, dt_min=dt_min)


def test_zero_dimensional_tensors_count_as_numbers():
    kernel = DiagonalKernel(2, 4, dt_min=torch.tensor(0.01), dt_max=torch.tensor(0.1))
    assert kernel(8).shape == (2, 8)


@pytest.mark.parametrize("Kernel", [DPLRKernel, DiagonalKernel])
def test_step_and_state_after_check_their_input(Kernel):
    kernel = Kernel(3, 4)
    state = kernel.default_state(2)
    cases = [
        (lambda: kernel.step(torch.randn(2, 4), state), ValueError, r"shape \(batch, 3\)"),
        (lambda: kernel.step(np.zeros((2, 3)), state), TypeError, "must be a torch.Tensor"),
        (lambda: kernel.step(torch.full((2, 3), float("nan")), state), ValueError, "NaN"),
        (lambda: kernel.step(torch.ones(2, 3, dtype=torch.int64), state), ValueError, "integer"),
        (lambda: kernel.state_after(torch.randn(2, 4, 5)), ValueError, "4 channels"),
        (lambda: kernel.state_after(torch.randn(3, 5)), ValueError, "3 dimension|2 dimension"),
        (lambda: kernel.state_after(torch.full((1, 3, 5), float("inf"))), ValueError, "NaN or infinite"),
    ]
    for call, error, match in cases:
        with pytest.raises(error, match=match):
            call()


def test_a_kernel_made_under_inference_mode_steps():
    with torch.inference_mode():
        kernel = DiagonalKernel(3, 4)
        state = kernel.default_state(1)
        y, state = kernel.step(torch.ones(1, 3), state)
        y2, _ = kernel.step(torch.ones(1, 3), state)
    assert y.shape == y2.shape == (1, 3) and not torch.equal(y, y2)


@pytest.fixture
def small_blocks(monkeypatch):
    """Make DPLR kernels of every length use blocks of 8 lags (long kernels use them by default)."""
    from sks4.nn import kernels

    monkeypatch.setattr(kernels, "_kernel_blocks", lambda L: (-(-L // 8), 8))


@pytest.mark.parametrize("L", [8, 9, 64, 101])
def test_dplr_blocked_kernel_equals_naive_kernel(float64, small_blocks, L):
    torch.manual_seed(0)
    kernel = DPLRKernel(3, 8, dt_min=0.01, dt_max=0.5)
    randomize(kernel)
    np.testing.assert_allclose(kernel(L).detach().numpy(), naive_kernel(*kernel.discrete_ssm(), L), atol=1e-11)


def test_dplr_blocked_gradcheck(float64, small_blocks):
    torch.manual_seed(0)
    kernel = DPLRKernel(2, 4, dt_min=0.05, dt_max=0.5)
    names, params = zip(*kernel.named_parameters())

    def f(*ps):
        return torch.func.functional_call(kernel, dict(zip(names, ps)), (20,))

    inputs = tuple(p.detach().clone().requires_grad_() for p in params)
    assert torch.autograd.gradcheck(f, inputs)


@pytest.mark.parametrize("L", [513, 1000, 4096, 16384, 100_000])
def test_kernel_blocks_cover_the_lags(L):
    from sks4.nn.kernels import _kernel_blocks

    n_blocks, length = _kernel_blocks(L)
    assert n_blocks * length >= L > (n_blocks - 1) * length
    assert length & (length - 1) == 0 and length < L  # a power of two: fast FFTs


@pytest.mark.parametrize("exponent", [1, 2, 5, 64, 1000])
def test_matrix_power_matches_numpy(float64, exponent):
    from sks4.nn.kernels import _matrix_power

    M = torch.randn(3, 6, 6, generator=torch.Generator().manual_seed(exponent)) / 3
    expected = np.stack([np.linalg.matrix_power(m, exponent) for m in M.numpy()])
    np.testing.assert_allclose(_matrix_power(M, exponent).numpy(), expected, rtol=1e-10, atol=1e-150)


@pytest.mark.parametrize("cls, kwargs", CASES[:4], ids=IDS[:4])
@pytest.mark.parametrize("L", [1, 2, 7, 64, 100])
def test_state_after_equals_the_naive_recurrence_of_the_discrete_system(float64, cls, kwargs, L):
    """``state_after(u)`` holds what the dense system remembers of ``u``.

    Naive reference: ``x = dA x + dB u_t`` by an explicit loop over the dense,
    conjugate-pair expanded ``discrete_ssm`` in numpy. The state is compared
    through what it implies for the future, which does not depend on how
    the kernel stores it: with zero input afterwards, ``step`` from the
    returned state must give ``Re(dC dA^(j+1) x_L)`` for ``j = 0 .. 9``. The
    state must also equal stepping ``u`` through ``step`` itself.
    """
    torch.manual_seed(0)
    kernel = cls(3, 8, dt_min=0.01, dt_max=0.5, **kwargs)
    randomize(kernel)
    u = torch.randn(2, 3, L)
    state = kernel.state_after(u)

    dA, dB, dC = (t.detach().numpy() for t in kernel.discrete_ssm(L))
    for b in range(2):
        for h in range(3):
            x = np.zeros(dA.shape[-1], dtype=complex)
            for t in range(L):
                x = dA[h] @ x + dB[h] * u[b, h, t].item()
            expected = []
            for _ in range(10):
                x = dA[h] @ x
                expected.append((dC[h] @ x).real)
            s = state[b : b + 1].clone()
            got = []
            for _ in range(10):
                y, s = kernel.step(torch.zeros(1, 3), s)
                got.append(y[0, h].item())
            np.testing.assert_allclose(got, expected, atol=1e-10)

    stepped = kernel.default_state(2)
    for t in range(L):
        _, stepped = kernel.step(u[..., t], stepped)
    torch.testing.assert_close(state, stepped, rtol=1e-10, atol=1e-12)


def test_state_after_of_an_empty_sequence_is_the_default_state():
    kernel = DiagonalKernel(2, 4)
    torch.testing.assert_close(kernel.state_after(torch.randn(3, 2, 0)), kernel.default_state(3))
