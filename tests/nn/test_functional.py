"""sks4.nn.functional against explicit float64 loops."""

import numpy as np
import pytest
import torch

from sks4.nn import functional as Fn


def _crandn(*shape, generator=None):
    return torch.randn(*shape, dtype=torch.complex128, generator=generator)


def test_cauchy_conjugate_pairs_matches_loop(monkeypatch):
    g = torch.Generator().manual_seed(0)
    v, w = _crandn(3, 2, 5, generator=g), _crandn(3, 5, generator=g)
    t = torch.randn(7, dtype=torch.float64, generator=g)
    monkeypatch.setattr(Fn, "_CHUNK_BYTES", 3 * 5 * 16 * 2)  # force several chunks
    out = Fn.cauchy_conjugate_pairs(v, w, t).numpy()
    V, W, T = v.numpy(), w.numpy(), t.numpy()
    ref = np.zeros((3, 2, 7), complex)
    for h in range(3):
        for j in range(2):
            for k in range(7):
                s = 1j * T[k]
                ref[h, j, k] = sum(V[h, j, n] / (s - W[h, n]) + V[h, j, n].conj() / (s - W[h, n].conj())
                                   for n in range(5))
    np.testing.assert_allclose(out, ref, rtol=1e-12)


def test_cauchy_conjugate_pairs_gradcheck(monkeypatch):
    monkeypatch.setattr(Fn, "_CHUNK_BYTES", 2 * 4 * 16 * 3)
    g = torch.Generator().manual_seed(1)
    v = _crandn(2, 3, 4, generator=g).requires_grad_()
    w = _crandn(2, 4, generator=g).requires_grad_()
    t = 3 * torch.randn(9, dtype=torch.float64, generator=g)
    assert torch.autograd.gradcheck(lambda v, w: Fn.cauchy_conjugate_pairs(v, w, t), (v, w))


def test_cauchy_promotes_mixed_precisions():
    g = torch.Generator().manual_seed(0)
    v, w = _crandn(2, 3, 4, generator=g), _crandn(2, 4, generator=g)
    t = torch.randn(5, dtype=torch.float64, generator=g)
    exact = Fn.cauchy_conjugate_pairs(v, w, t)
    for args in ((v.to(torch.complex64), w, t), (v, w.to(torch.complex64), t.float()), (v.to(torch.complex64), w.to(torch.complex64), t)):
        out = Fn.cauchy_conjugate_pairs(*args)
        assert out.dtype == torch.promote_types(args[0].dtype, args[1].dtype)
        torch.testing.assert_close(out.to(exact.dtype), exact, rtol=1e-5, atol=1e-5)


def test_cauchy_rejects_differentiable_points():
    with pytest.raises(ValueError, match="constants"):
        Fn.cauchy_conjugate_pairs(_crandn(1, 1, 2), _crandn(1, 2), torch.randn(3, requires_grad=True))


@pytest.mark.parametrize("L", [1, 2, 5, 16, 37])
def test_vandermonde_matches_loop(L):
    g = torch.Generator().manual_seed(L)
    v = _crandn(2, 3, generator=g)
    w = -0.1 + 1j * torch.randn(2, 3, dtype=torch.float64, generator=g)
    out = Fn.vandermonde(v, w, L).numpy()
    ref = np.array([[sum((v[h, n] * torch.exp(l * w[h, n])).real.item() for n in range(3)) for l in range(L)]
                    for h in range(2)])
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("L", [1, 3, 8, 50])
def test_power_kernel_matches_loop(L):
    g = torch.Generator().manual_seed(L)
    dA = 0.3 * _crandn(2, 4, 4, generator=g)
    dB, dC = _crandn(2, 4, generator=g), _crandn(2, 4, generator=g)
    out = Fn.power_kernel(dA, dB, dC, L).numpy()
    A, B, C = dA.numpy(), dB.numpy(), dC.numpy()
    ref = np.array([[(C[h] @ np.linalg.matrix_power(A[h], l) @ B[h]).real for l in range(L)] for h in range(2)])
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("L", [1, 2, 9, 64])
def test_fft_conv_causal_and_bidirectional(L):
    g = torch.Generator().manual_seed(L)
    u = torch.randn(2, 3, L, dtype=torch.float64, generator=g)
    k = torch.randn(2, 3, L, dtype=torch.float64, generator=g)
    causal = Fn.fft_conv(u, k[0]).numpy()
    both = Fn.fft_conv(u, k, bidirectional=True).numpy()
    U, K = u.numpy(), k.numpy()
    ref_c = np.zeros_like(U)
    ref_b = np.zeros_like(U)
    for t in range(L):
        for j in range(t + 1):
            ref_c[..., t] += K[0, :, j] * U[..., t - j]
        ref_b[..., t] = ref_c[..., t]
        for j in range(1, L - t):
            ref_b[..., t] += K[1, :, j - 1] * U[..., t + j]
    np.testing.assert_allclose(causal, ref_c, atol=1e-10)
    np.testing.assert_allclose(both, ref_b, atol=1e-10)


@pytest.mark.parametrize("L", [1, 7, 9, 16])  # FFT sizes 2, 15 (odd), 18, 32
@pytest.mark.parametrize("bidirectional", [False, True])
def test_fft_conv_gradient_matches_finite_differences(monkeypatch, L, bidirectional):
    # The hand-written backward (real transforms only) against numerical differences,
    # through the batch chunks (3 sequences at one per chunk) and the whole batch.
    g = torch.Generator().manual_seed(L)
    u = torch.randn(3, 2, L, dtype=torch.float64, generator=g, requires_grad=True)
    k = torch.randn(*((2,) if bidirectional else ()), 2, L, dtype=torch.float64, generator=g, requires_grad=True)
    assert torch.autograd.gradcheck(lambda u, k: Fn.fft_conv(u, k, bidirectional), (u, k))
    monkeypatch.setattr(Fn, "_BATCH_CHUNK_BYTES", 1)
    assert torch.autograd.gradcheck(lambda u, k: Fn.fft_conv(u, k, bidirectional, then=torch.tanh), (u, k))


def test_fft_conv_gradient_of_one_input_only():
    u = torch.randn(2, 3, 10, dtype=torch.float64, requires_grad=True)
    k = torch.randn(3, 10, dtype=torch.float64)
    (grad_u,) = torch.autograd.grad(Fn.fft_conv(u, k).sum(), u)
    k.requires_grad_(True)
    (grad_k,) = torch.autograd.grad(Fn.fft_conv(u.detach(), k).sum(), k)
    # y[t] = Σ_j k[j] u[t-j]: ∂Σy/∂u[s] = Σ_{j <= L-1-s} k[j], ∂Σy/∂k[j] = Σ_b Σ_{t >= j} u[t-j]
    K, U = k.detach().numpy(), u.detach().numpy()
    ref_u = np.stack([K[:, : 10 - s].sum(-1) for s in range(10)], -1)
    ref_k = np.stack([U[..., : 10 - j].sum((0, -1)) for j in range(10)], -1)
    np.testing.assert_allclose(grad_u.numpy(), np.broadcast_to(ref_u, (2, 3, 10)), atol=1e-12)
    np.testing.assert_allclose(grad_k.numpy(), ref_k, atol=1e-12)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_fft_conv_in_batch_chunks_matches_whole_batch(monkeypatch, bidirectional):
    torch.manual_seed(0)
    u = torch.randn(5, 3, 40, dtype=torch.float64, requires_grad=True)
    k = torch.randn(*((2,) if bidirectional else ()), 3, 40, dtype=torch.float64, requires_grad=True)
    g = torch.randn(5, 3, 40, dtype=torch.float64)
    whole = Fn.fft_conv(u, k, bidirectional)
    grads = torch.autograd.grad(whole, (u, k), g)
    one_row = 3 * (Fn.scipy.fft.next_fast_len(80, real=True) // 2 + 1) * 16  # bytes of one sequence's spectrum
    monkeypatch.setattr(Fn, "_BATCH_CHUNK_BYTES", 2 * one_row)  # chunks of 2 sequences: 2 + 2 + 1
    assert Fn.batch_chunk_rows(u, one_row // 3) == 2  # 5 rows at <= 2 per chunk: 2 + 2 + 1
    chunked = Fn.fft_conv(u, k, bidirectional)
    torch.testing.assert_close(chunked, whole, rtol=0, atol=1e-12)
    for got, expected in zip(torch.autograd.grad(chunked, (u, k), g), grads):
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_batch_chunk_rows_only_on_cpu():
    x = torch.empty(7, 4, 10, device="meta")
    assert Fn.batch_chunk_rows(x, 2**40) == 7
    assert Fn.batch_chunk_rows(torch.empty(7, 4, 10), 2**40) == 1


def test_batch_chunk_rows_balances_the_chunks(monkeypatch):
    monkeypatch.setattr(Fn, "_BATCH_CHUNK_BYTES", 15 * 10)
    assert Fn.batch_chunk_rows(torch.empty(16, 1, 3), 10) == 8  # 15 per chunk allowed: 8 + 8
    assert Fn.batch_chunk_rows(torch.empty(15, 1, 3), 10) == 15
    assert Fn.batch_chunk_rows(torch.empty(0, 1, 3), 10) == 1


def test_exp_parts_equal_the_complex_exponential():
    g = torch.Generator().manual_seed(0)
    w = torch.complex(-torch.rand(5, 7, 1, generator=g, dtype=torch.float64), 10 * torch.randn(5, 7, 1, generator=g, dtype=torch.float64))
    t = torch.arange(300, dtype=torch.float64)
    re, im = Fn._exp_parts(w, t)
    torch.testing.assert_close(torch.complex(re, im), torch.exp(w * t), rtol=1e-12, atol=1e-150)
    w = w[:2, :3].clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda w: Fn._exp_parts(w, t[:20]), (w,))


def test_vandermonde_flushes_would_be_subnormals_in_float32():
    # Fast-decaying modes: exp(l w) passes through the subnormal range of float32 over these lags.
    w = torch.complex(torch.full((1, 2), -0.5), torch.tensor([[0.3, 1.1]]))
    v = torch.ones(1, 2, dtype=torch.complex64)
    out = Fn.vandermonde(v, w, 400)
    tiny = torch.finfo(torch.float32).tiny
    assert not ((out != 0) & (out.abs() < tiny)).any()
    ref = Fn.vandermonde(v.to(torch.complex128), w.to(torch.complex128), 400)
    torch.testing.assert_close(out.double(), ref, rtol=0, atol=1e-6)


def test_flush_tiny_zeroes_only_below_sqrt_of_smallest_normal():
    tiny = torch.finfo(torch.float32).tiny
    x = torch.tensor([1.0, -1e-18, 1e-20, -1e-30, tiny / 4, 0.0])
    assert Fn.flush_tiny(x).tolist() == [1.0, pytest.approx(-1e-18), 0.0, 0.0, 0.0, 0.0]
