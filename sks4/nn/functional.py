"""Memory-lean primitives behind the SSM kernels and the S4 convolution.

* :func:`cauchy` -- ``out[h, j, k] = Σ_n v[h, j, n] / (z[k] - w[h, n])``, the
  Cauchy kernel of S4, as an autograd function that never keeps the
  ``(H, N, K)`` matrix of reciprocals: it is rebuilt chunk by chunk in the
  backward pass.
* :func:`vandermonde` -- ``out[h, l] = Re Σ_n v[h, n] exp(l w[h, n])``, the
  Vandermonde product of S4D, factored into blocks of ``sqrt(L)`` lags.
* :func:`power_kernel` -- ``out[h, l] = Re(C_h A_h^l B_h)`` for a dense
  ``A``, in ``O(N^3 log L + N L)`` by doubling (no loop over ``l``).
* :func:`fft_conv` -- causal or two-sided convolution of a signal with a
  kernel through ``torch.fft``.
"""

from __future__ import annotations

import math

import scipy.fft
import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ["cauchy", "vandermonde", "power_kernel", "fft_conv"]

# Bytes of complex scratch that one chunk may hold (per temporary tensor).
_CHUNK_BYTES = 16 * 2**20


def _chunk_size(batch: int, n: int, itemsize: int, total: int) -> int:
    return max(1, min(total, _CHUNK_BYTES // max(1, batch * n * itemsize)))


class _Cauchy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v: Tensor, z: Tensor, w: Tensor) -> Tensor:
        # v: (H, J, N)   z: (K,)   w: (H, N)
        H, J, N = v.shape
        K = z.shape[0]
        out = v.new_empty(H, J, K)
        step = _chunk_size(H, N, v.element_size(), K)
        for k0 in range(0, K, step):
            r = torch.reciprocal(z[k0 : k0 + step] - w.unsqueeze(-1))  # (H, N, k)
            torch.matmul(v, r, out=out[:, :, k0 : k0 + step])  # (H, J, k)
        ctx.save_for_backward(v, z, w)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        # For a holomorphic map, PyTorch's vector-Jacobian product is
        # grad_in = Σ grad_out * conj(∂out/∂in):  ∂out/∂v = r,  ∂out/∂w = v r².
        v, z, w = ctx.saved_tensors
        H, J, N = v.shape
        K = z.shape[0]
        need_v, _, need_w = ctx.needs_input_grad
        grad_v = torch.zeros_like(v) if need_v else None
        grad_w_j = torch.zeros_like(v) if need_w else None
        step = _chunk_size(H, N, v.element_size(), K)
        for k0 in range(0, K, step):
            rc = torch.reciprocal(z[k0 : k0 + step] - w.unsqueeze(-1)).conj_physical()  # (H, N, k)
            g = grad[:, :, k0 : k0 + step]  # (H, J, k)
            if need_v:
                grad_v += g @ rc.mT  # (H, J, N)
            if need_w:
                grad_w_j += g @ (rc * rc).mT
        grad_w = (grad_w_j * v.conj()).sum(1) if need_w else None
        return grad_v, None, grad_w


def cauchy(v: Tensor, z: Tensor, w: Tensor) -> Tensor:
    """Cauchy matrix-vector product ``Σ_n v[h, j, n] / (z[k] - w[h, n])``.

    Parameters
    ----------
    v : complex Tensor of shape (H, J, N)
        Numerators (several per channel).
    z : complex Tensor of shape (K,)
        Evaluation points; treated as constants (no gradient).
    w : complex Tensor of shape (H, N)
        Poles.

    Returns
    -------
    complex Tensor of shape (H, J, K)
    """
    if z.requires_grad:
        raise ValueError("cauchy() treats the evaluation points z as constants; pass z.detach().")
    return _Cauchy.apply(v, z, w)


def _block_split(L: int) -> tuple[int, int]:
    """Split lags ``l = b m + j`` into ``n_blocks`` blocks of ``m ≈ sqrt(L)`` (a power of two)."""
    m = 1 << max(0, math.ceil(math.log2(max(1, L)) / 2))
    return m, -(-L // m)


def vandermonde(v: Tensor, w: Tensor, L: int) -> Tensor:
    """Real part of the Vandermonde product ``Re Σ_n v[h, n] exp(l w[h, n])``, ``0 <= l < L``.

    With ``l = b m + j`` the product factors as
    ``Σ_n (v_n e^{b m w_n}) e^{j w_n}``: a batched matrix product of an
    (n_blocks, N) and an (N, m) matrix with ``m ≈ sqrt(L)``. Only
    ``O(N sqrt(L))`` exponentials are taken and autograd stores nothing of
    size ``N L``.

    Parameters
    ----------
    v, w : complex Tensor of shape (H, N)
    L : int

    Returns
    -------
    real Tensor of shape (H, L)
    """
    m, n_blocks = _block_split(L)
    j = torch.arange(m, device=w.device, dtype=w.real.dtype)
    b = torch.arange(n_blocks, device=w.device, dtype=w.real.dtype) * m
    inner = torch.exp(w.unsqueeze(-1) * j)  # (H, N, m)
    outer = v.unsqueeze(1) * torch.exp(w.unsqueeze(1) * b.unsqueeze(-1))  # (H, n_blocks, N)
    K = (outer @ inner).real  # (H, n_blocks, m)
    return K.reshape(K.shape[0], -1)[:, :L]


def power_kernel(dA: Tensor, dB: Tensor, dC: Tensor, L: int) -> Tensor:
    """``K[h, l] = Re(dC[h] @ dA[h]^l @ dB[h])`` for ``0 <= l < L``, for dense ``dA``.

    The lags are split into ``L/m`` blocks of ``m ≈ sqrt(L)``: the Krylov
    block ``[dB, dA dB, ..., dA^{m-1} dB]`` and the rows ``dC dA^{bm}`` are
    each built by doubling, and ``K`` is their product, so the cost is
    ``O(N^3 log L + N L)`` per channel with no Python loop over ``l``.

    Parameters
    ----------
    dA : complex Tensor of shape (H, N, N)
    dB, dC : complex Tensor of shape (H, N)
    L : int

    Returns
    -------
    real Tensor of shape (H, L)
    """
    m, n_blocks = _block_split(L)
    krylov = dB.unsqueeze(-1)  # (H, N, 1)
    power = dA  # dA^(number of Krylov columns)
    while krylov.shape[-1] < m:
        krylov = torch.cat([krylov, power @ krylov], dim=-1)
        power = power @ power
    rows = dC.unsqueeze(1)  # (H, 1, N)
    while rows.shape[1] < n_blocks:
        rows = torch.cat([rows, rows @ power], dim=1)
        if rows.shape[1] < n_blocks:
            power = power @ power
    K = (rows[:, :n_blocks] @ krylov).real  # (H, n_blocks, m)
    return K.reshape(K.shape[0], -1)[:, :L]


def fft_conv(u: Tensor, k: Tensor, bidirectional: bool = False) -> Tensor:
    """Convolve ``u`` with ``k`` along the last axis through the FFT.

    Parameters
    ----------
    u : Tensor of shape (B, H, L)
    k : Tensor of shape (H, L), or (2, H, L) when ``bidirectional``
        Causal kernel: ``y[t] = Σ_{j<=t} k[j] u[t-j]``. With
        ``bidirectional``, ``k[1]`` is the anti-causal kernel:
        ``y[t] += Σ_{j>=1} k[1, j-1] u[t+j]``.

    Returns
    -------
    Tensor of shape (B, H, L)
    """
    L = u.shape[-1]
    # n >= 2L keeps both the causal and the anti-causal lags free of wrap-around.
    n = scipy.fft.next_fast_len(2 * L, real=True)
    if bidirectional:
        causal, anticausal = k
        k = F.pad(causal, (0, n - L)) + F.pad(anticausal.flip(-1), (n - L, 0))  # (H, n)
    u_f = torch.fft.rfft(u, n=n)  # (B, H, n//2+1)
    k_f = torch.fft.rfft(k, n=n)  # (H, n//2+1)
    return torch.fft.irfft(u_f * k_f, n=n)[..., :L]
