"""Memory-lean primitives behind the SSM kernels and the S4 convolution.

* :func:`cauchy_conjugate_pairs` -- the Cauchy kernel of S4,
  ``Σ_n v_n / (i t_k - w_n)`` summed over conjugate pairs of poles, as an
  autograd function that never keeps the ``(H, N/2, K)`` matrix of
  reciprocals: it is rebuilt chunk by chunk in the backward pass.
* :func:`vandermonde` -- ``out[h, l] = Re Σ_n v[h, n] exp(l w[h, n])``, the
  Vandermonde product of S4D, factored into blocks of ``sqrt(L)`` lags.
* :func:`flush_tiny` -- zeroes would-be subnormal numbers, which the CPU
  computes with tens of times more slowly.
* :func:`expm1_complex` -- ``exp(z) - 1`` for complex ``z`` without
  cancellation near 0.
* :func:`power_kernel` -- ``out[h, l] = Re(C_h A_h^l B_h)`` for a dense
  ``A``, in ``O(N^3 log L + N L)`` by doubling (no loop over ``l``).
* :func:`fft_conv` -- causal or two-sided convolution of a signal with a
  kernel through ``torch.fft``.
"""

from __future__ import annotations

import functools
import math
from typing import Callable

import scipy.fft
import torch
import torch.nn.functional as F
from torch import Tensor

from sks4.nn._checks import full_precision

__all__ = [
    "batch_chunk_rows", "cauchy_conjugate_pairs", "expm1_complex", "fft_conv", "flush_tiny", "power_kernel", "vandermonde",
]

# Bytes of complex scratch that one chunk may hold (per temporary tensor).
_CHUNK_BYTES = 4 * 2**20


def _first_order_backward(name: str):
    """Decorate a hand-written ``backward``: first order only, at full precision.

    Asked to build a graph (``create_graph=True``) it raises:
    ``once_differentiable`` would raise only on a later ``.backward()`` and
    let ``torch.autograd.grad`` of chosen inputs silently skip the missing
    terms. It runs without autograd and with autocast off (a backward pass
    called under autocast would run its products in half precision).
    """

    def decorate(backward: Callable) -> Callable:
        @functools.wraps(backward)
        def first_order(ctx, grad: Tensor, *rest):
            if torch.is_grad_enabled():
                raise RuntimeError(
                    f"{name} has a first-order gradient only: double backward (create_graph=True, e.g. "
                    "gradient penalties or Hessian products) is not supported through it."
                )
            with torch.no_grad(), full_precision(grad.device.type):
                return backward(ctx, grad, *rest)

        return first_order

    return decorate


def _channel_chunks(H: int, bytes_per_channel: int) -> list[slice]:
    """Slices of at least one channel whose temporaries stay under ``_CHUNK_BYTES``."""
    rows = max(1, _CHUNK_BYTES // max(1, bytes_per_channel))
    return [slice(h0, min(H, h0 + rows)) for h0 in range(0, H, rows)]


def _pair_bytes(n: int, K: int, x: Tensor) -> int:
    """Scratch bytes per channel of one chunk of the Cauchy sums: about nine real (n, K) arrays (S, r, x, y, ...)."""
    return 9 * n * K * x.element_size()


def _interleaved(z: Tensor) -> Tensor:
    """A complex (..., K) tensor as the real (..., 2K) tensor of its (re, im) pairs (a view)."""
    return torch.view_as_real(z).flatten(-2)


def _pair_resolvent(p: Tensor, q: Tensor, t: Tensor) -> Tensor:
    """``r = 1 / ((it - w)(it - conj w)) = 1 / (q - t² - 2i p t)``, complex (h, n, K), from real arithmetic."""
    x = q.unsqueeze(-1) - t * t  # (h, n, K)
    y = 2 * p.unsqueeze(-1) * t  # minus the imaginary part of the denominator
    inv = torch.addcmul(x * x, y, y).reciprocal_()
    return torch.complex(x.mul_(inv), y.mul_(inv))


def _pair_weights(p: Tensor, q: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    """``(S, r)`` with ``S = [2i t r; -2 r]`` (h, 2n, K): ``out = a S_top + b S_bottom`` (see :class:`_CauchyPairs`)."""
    r = _pair_resolvent(p, q, t)
    n = r.shape[1]
    S = r.new_empty(r.shape[0], 2 * n, r.shape[-1])
    torch.mul(r, 2j * t, out=S[:, :n])
    torch.mul(r, -2, out=S[:, n:])
    return S, r


class _CauchyPairs(torch.autograd.Function):
    """``out[h,j,k] = Σ_n (2i t_k a[h,j,n] - 2 b[h,j,n]) / (q[h,n] - t_k² - 2i p[h,n] t_k)``.

    This is ``Σ_n v/(it - w) + conj(v)/(it - conj(w))`` written with one
    denominator per conjugate pair, in the real quantities ``a = Re v``,
    ``b = Re(v conj(w))``, ``p = Re w`` and ``q = |w|²``. With the pair
    resolvent ``r = 1/(q - t² - 2ipt)`` and ``S = [2i t r; -2 r]`` (2n, K),
    ``out = [a | b] @ S``; ``a`` and ``b`` are real, so this is one real
    matrix product with the (re, im) pairs of ``S`` as columns, written
    straight into the complex output. The backward pass rebuilds ``S``
    chunk by chunk (autograd never stores the (H, n, K) resolvent):

    * ``grad [a | b] = G @ S^T`` with the (re, im) pairs of ``G``;
    * with ``gS = [a | b]^T @ G`` (complex, PyTorch's convention
      ``∂ℒ/∂Re + i ∂ℒ/∂Im``), ``∂r/∂q = -r²`` and ``∂r/∂p = 2i t r²``:
      ``grad_D = 2 conj(r²) (i t gS_top + gS_bottom)`` for the denominator
      ``D``, ``grad_q = Σ_k Re grad_D`` and ``grad_p = -2 Σ_k t Im grad_D``,
      whose sums over ``k`` are one product with fixed weights in ``t``.
    """

    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor, p: Tensor, q: Tensor, t: Tensor) -> Tensor:
        # a, b: (H, J, n)   p, q: (H, n)   t: (K,)
        H, J, n = a.shape
        K = t.shape[0]
        ab = torch.cat([a, b], dim=-1)  # (H, J, 2n)
        out = a.new_empty(H, J, K, dtype=torch.promote_types(a.dtype, torch.complex64))
        for h in _channel_chunks(H, _pair_bytes(n, K, a)):
            S, _ = _pair_weights(p[h], q[h], t)
            torch.bmm(ab[h], _interleaved(S), out=_interleaved(out[h]))  # (h, J, 2K)
        ctx.save_for_backward(ab, p, q, t)
        return out

    @staticmethod
    @_first_order_backward("cauchy_conjugate_pairs()")
    def backward(ctx, grad: Tensor):
        ab, p, q, t = ctx.saved_tensors
        H, J, n2 = ab.shape
        n, K = n2 // 2, t.shape[0]
        grad = grad.resolve_conj().contiguous()
        ab_t = ab.mT.contiguous()  # (H, 2n, J)
        grad_ab = torch.empty_like(ab)
        grad_qp = p.new_empty(H, n, 2)
        # Weights of Σ_k over the (re, im) pairs of X = conj(r²) gS_top and Y = conj(r²) gS_bottom:
        # grad_q = Σ_k 2 Re Y - 2t Im X,  grad_p = Σ_k -4t² Re X - 4t Im Y.
        zero, one = torch.zeros_like(t), torch.ones_like(t)

        def pairs(re: Tensor, im: Tensor) -> Tensor:
            return torch.stack([re, im], dim=-1).flatten()  # (2K,)

        weights = torch.stack([
            torch.stack([pairs(zero, -2 * t), pairs(-4 * t * t, zero)], dim=-1),  # for X: (2K, [q, p])
            torch.stack([pairs(2 * one, zero), pairs(zero, -4 * t)], dim=-1),  # for Y
        ])  # (2, 2K, 2)
        for h in _channel_chunks(H, _pair_bytes(max(n, J), K, ab)):
            G = _interleaved(grad[h])  # (h, J, 2K)
            S, r = _pair_weights(p[h], q[h], t)
            torch.bmm(G, _interleaved(S).mT, out=grad_ab[h])
            gS = torch.view_as_complex((ab_t[h] @ G).unflatten(-1, (K, 2)))  # (h, 2n, K)
            XY = gS.view(-1, 2, n, K) * (r * r).conj_physical_().unsqueeze(1)  # (h, [X, Y], n, K)
            grad_qp[h] = (_interleaved(XY) @ weights).sum(1)  # (h, n, [q, p])
        grad_a, grad_b = grad_ab.split(n, dim=-1)
        return grad_a, grad_b, grad_qp[..., 1], grad_qp[..., 0], None


def cauchy_conjugate_pairs(v: Tensor, w: Tensor, t: Tensor) -> Tensor:
    """Cauchy sums over conjugate pairs of poles, on the imaginary axis.

    ``out[h, j, k] = Σ_n v[h,j,n] / (i t_k - w[h,n]) + conj(v[h,j,n]) / (i t_k - conj(w[h,n]))``

    Each pair shares one denominator, so only ``N/2`` reciprocals are taken
    per evaluation point, and the autograd function never stores the
    ``(H, N/2, K)`` matrix of them: the backward pass rebuilds it in chunks
    of channels.

    Parameters
    ----------
    v : complex Tensor of shape (H, J, n)
        Numerators, one of each conjugate pair.
    w : complex Tensor of shape (H, n)
        Poles, one of each conjugate pair.
    t : real Tensor of shape (K,)
        Evaluation points ``i t_k``; constants (no gradient).

    Returns
    -------
    complex Tensor of shape (H, J, K)
    """
    if t.requires_grad:
        raise ValueError("cauchy_conjugate_pairs() treats the evaluation points t as constants; pass t.detach().")
    dtype = torch.promote_types(v.dtype, w.dtype)
    v, w = v.to(dtype), w.to(dtype)
    t = t.to(v.real.dtype)
    a = v.real
    b = (v * w.conj().unsqueeze(1)).real
    q = w.real.square() + w.imag.square()
    return _CauchyPairs.apply(a, b, w.real, q, t)


def _block_split(L: int) -> tuple[int, int]:
    """Split lags ``l = b m + j`` into ``n_blocks`` blocks of ``m ≈ sqrt(L)`` (a power of two)."""
    m = 1 << max(0, math.ceil(math.log2(max(1, L)) / 2))
    return m, -(-L // m)


def flush_tiny(x: Tensor) -> Tensor:
    """Set entries whose magnitude is at most ``sqrt(smallest normal)`` to zero.

    Decaying powers and exponentials of a stable system fall towards zero;
    once they (or products of them) drop below the smallest normal float, the
    CPU computes with subnormal numbers, which is tens of times slower
    (measured: a 64x64 float32 matrix squared 1024 times took 5x longer, and
    the S4D Vandermonde product at L = 16384 2.5x longer, than with this
    flush). Entries this small change no kernel value by more than about
    ``N * sqrt(tiny)`` (1e-18 in float32), far below rounding.
    """
    return F.hardshrink(x, math.sqrt(torch.finfo(x.dtype).tiny))  # one pass: |x| <= threshold -> 0


def _exp_parts(w: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    """Real and imaginary parts of ``exp(w t)`` for complex ``w`` and real ``t`` (broadcast).

    Computed from one real exponential, a cosine and a sine, with the
    magnitude flushed to zero below ``sqrt(tiny)`` (see :func:`flush_tiny`).
    """
    magnitude = flush_tiny(torch.exp(w.real * t))
    phase = w.imag * t
    return magnitude * torch.cos(phase), magnitude * torch.sin(phase)


def expm1_complex(z: Tensor) -> Tensor:
    """``exp(z) - 1`` for complex ``z`` without cancellation near 0, from real functions.

    ``Re = expm1(x) cos(y) - 2 sin²(y / 2)`` and ``Im = exp(x) sin(y)`` for
    ``z = x + iy`` (``torch.expm1`` of complex numbers is missing from
    older torch releases).
    """
    x, y = z.real, z.imag
    return torch.complex(torch.expm1(x) * torch.cos(y) - 2 * torch.sin(y / 2).square(), torch.exp(x) * torch.sin(y))


def vandermonde(v: Tensor, w: Tensor, L: int) -> Tensor:
    """Real part of the Vandermonde product ``Re Σ_n v[h, n] exp(l w[h, n])``, ``0 <= l < L``.

    With ``l = b m + j`` the product factors as
    ``Σ_n (v_n e^{b m w_n}) e^{j w_n}``: a batched matrix product of an
    (n_blocks, N) and an (N, m) matrix with ``m ≈ sqrt(L)``. Only
    ``O(N sqrt(L))`` exponentials are taken and autograd stores nothing of
    size ``N L``. Only the real part is wanted, so the product runs in real
    arithmetic: ``Re(X Y) = [Re X, Im X] @ [Re Y; -Im Y]``, one real matrix
    product with twice the inner size instead of a complex one (measured on
    2 CPU cores at H = 64, N = 32, L = 16384: forward + backward 31 ms with
    the complex product and unflushed subnormals, 10 ms this way).

    Parameters
    ----------
    v, w : complex Tensor of shape (H, N)
    L : int

    Returns
    -------
    real Tensor of shape (H, L)
    """
    m, n_blocks = _block_split(L)
    real = w.real.dtype
    j = torch.arange(m, device=w.device, dtype=real)
    b = torch.arange(n_blocks, device=w.device, dtype=real).unsqueeze(-1) * m  # (n_blocks, 1)
    inner_re, inner_im = _exp_parts(w.unsqueeze(-1), j)  # (H, N, m)
    outer_re, outer_im = _exp_parts(w.unsqueeze(1), b)  # (H, n_blocks, N)
    v_re, v_im = v.real.unsqueeze(1), v.imag.unsqueeze(1)  # (H, 1, N)
    outer = torch.cat([v_re * outer_re - v_im * outer_im, v_re * outer_im + v_im * outer_re], dim=-1)
    inner = torch.cat([inner_re, -inner_im], dim=1)  # (H, 2N, m)
    K = outer @ inner  # (H, n_blocks, m)
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


class _SpectralConv(torch.autograd.Function):
    """``y = irfft(rfft(u, n) · k_f, n)[..., :L]`` for real ``u`` (B, H, L) and a spectrum ``k_f`` (H, n//2+1).

    The gradient written out as what it is, a cross-correlation computed
    with the same real transforms (``rfft`` / ``irfft``) as the forward pass:

    * ``grad_u = irfft(G · conj(k_f), n)[..., :L]`` with ``G = rfft(g, n)``;
    * ``grad_k_f = Σ_b w/n · G · conj(U)`` with ``U = rfft(u, n)`` and
      ``w = 1`` at frequency 0 and n/2, ``2`` elsewhere (the weights of the
      half spectrum in ``irfft``), in PyTorch's convention for the gradient
      of a complex tensor (``∂ℒ/∂Re + i ∂ℒ/∂Im``).

    Autograd through ``torch.fft`` instead takes the gradient of ``rfft`` as
    a complex-to-complex transform of the zero-filled full spectrum, twice
    the work of a real transform plus the zero fill: measured on 2 CPU cores
    at batch 16, 64 channels, L = 16384, forward + backward 0.30 s that way,
    0.23 s this way. ``U`` is kept for the backward pass, as autograd would.
    """

    @staticmethod
    def forward(ctx, u: Tensor, k_f: Tensor, n: int) -> Tensor:
        L = u.shape[-1]
        U = torch.fft.rfft(u, n=n)  # (B, H, n//2+1)
        ctx.save_for_backward(U, k_f)
        ctx.n, ctx.L = n, L
        # A contiguous copy: what the next operation saves is then (B, H, L), not a view
        # that keeps the whole (B, H, n) transform alive.
        return torch.fft.irfft(U * k_f, n=n)[..., :L].contiguous()  # (B, H, L)

    @staticmethod
    @_first_order_backward("fft_conv()")
    def backward(ctx, g: Tensor):
        U, k_f = ctx.saved_tensors
        n, L = ctx.n, ctx.L
        G = torch.fft.rfft(g, n=n)  # (B, H, n//2+1)
        grad_u = grad_k = None
        if ctx.needs_input_grad[0]:
            grad_u = torch.fft.irfft(G * k_f.conj(), n=n)[..., :L]
        if ctx.needs_input_grad[1]:
            grad_k = (G * U.conj()).sum(0)  # (H, n//2+1)
            grad_k[..., 1 : (n + 1) // 2] *= 2  # all but frequency 0 and (n even) n/2 count twice
            grad_k /= n
        return grad_u, grad_k, None


def fft_conv(u: Tensor, k: Tensor, bidirectional: bool = False, then: Callable[[Tensor], Tensor] | None = None) -> Tensor:
    """Convolve ``u`` with ``k`` along the last axis through the FFT.

    Parameters
    ----------
    u : Tensor of shape (B, H, L)
    k : Tensor of shape (H, L), or (2, H, L) when ``bidirectional``
        Causal kernel: ``y[t] = Σ_{j<=t} k[j] u[t-j]``. With
        ``bidirectional``, ``k[1]`` is the anti-causal kernel:
        ``y[t] += Σ_{j>=1} k[1, j-1] u[t+j]``.
    then : callable, optional
        A position-wise map (B', H, L) -> (B', H', L) applied to the
        convolution's output, chunk by chunk when the batch is processed in
        chunks (see :func:`batch_chunk_rows`), so that its temporaries are
        small too and the chunks are concatenated once.

    Returns
    -------
    Tensor of shape (B, H, L), or (B, H', L) with ``then``

    Notes
    -----
    The gradient is computed with real transforms only (see
    :class:`_SpectralConv`); it is first order (no double backward).
    """
    L = u.shape[-1]
    # n >= 2L keeps both the causal and the anti-causal lags free of wrap-around.
    n = scipy.fft.next_fast_len(2 * L, real=True)
    if bidirectional:
        causal, anticausal = k
        k = F.pad(causal, (0, n - L)) + F.pad(anticausal.flip(-1), (n - L, 0))  # (H, n)
    k_f = torch.fft.rfft(k, n=n)  # (H, n//2+1)

    def convolve(part: Tensor) -> Tensor:
        y = _SpectralConv.apply(part, k_f, n)  # (B', H, L)
        return y if then is None else then(y)

    rows = batch_chunk_rows(u, (n // 2 + 1) * 2 * u.element_size())
    if rows >= u.shape[0]:
        return convolve(u)
    return torch.cat([convolve(part) for part in u.split(rows)])


# Largest temporary that a chunk of the batch may need on the CPU (see batch_chunk_rows).
_BATCH_CHUNK_BYTES = 8 * 2**20


def batch_chunk_rows(x: Tensor, bytes_per_channel: int) -> int:
    """How many sequences of ``x`` (B, H, ...) to process at once on the CPU.

    glibc hands every block above 32 MB straight back to the operating system
    when it is freed, so each large temporary of a forward or backward pass
    is a fresh mapping whose pages the kernel must fault in and zero. For
    long sequences this took more than half of the CPU time of an FFT
    convolution (measured: 1.8 GB of page faults per forward+backward at
    batch 16, 64 channels, L = 16384). Processing the batch in chunks whose
    temporaries stay below ``_BATCH_CHUNK_BYTES`` lets the allocator reuse
    the same memory. Other devices have caching allocators: no chunking.
    """
    batch = x.shape[0]
    if x.device.type != "cpu" or batch == 0:
        return max(1, batch)
    rows = max(1, _BATCH_CHUNK_BYTES // max(1, x.shape[1] * bytes_per_channel))
    n_chunks = -(-batch // rows)
    return -(-batch // n_chunks)  # equal chunks: 16 rows at 15 per chunk -> 8 + 8, not 15 + 1
