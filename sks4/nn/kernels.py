"""SSM convolution kernels: ``forward(L)`` returns ``K`` of shape (H, L).

Each kernel holds ``H`` independent single-input single-output state space
models ``x' = A x + B u, y = Re(C x)`` with complex state of size ``N``
(``d_state``) made of ``N/2`` conjugate pairs, of which one half is stored.
The discrete kernel is ``K[h, l] = Re(dC[h] dA[h]^l dB[h])`` with the full
(conjugate-pair expanded) system returned by :meth:`SSMKernel.discrete_ssm`.

* :class:`DPLRKernel` -- S4: ``A = Λ - P P*`` (diagonal plus low rank, from
  HiPPO-LegS). Bilinear kernels are computed with the S4 algorithm: the
  truncated generating function at the roots of unity, reduced by the
  Woodbury identity to Cauchy kernels, then an inverse FFT. Zero-order-hold
  kernels are computed from the dense ``exp(dt A)`` by doubling (the resolvent
  of a matrix exponential has no Cauchy form).
* :class:`DiagonalKernel` -- S4D: ``A = Λ`` diagonal, kernel by a Vandermonde
  product.

References
----------
Gu, Goel, Ré. "Efficiently Modeling Long Sequences with Structured State
Spaces", ICLR 2022 (Algorithm 1). Gu, Gupta, Goel, Ré. "On the
Parameterization and Initialization of Diagonal State Space Models",
NeurIPS 2022 (S4D-Lin, S4D-Inv, S4D-LegS).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor, nn

from sks4 import hippo
from sks4.nn._checks import (
    check_positive_int,
    check_sequence,
    check_state,
    check_step_input,
    check_step_range,
    full_precision,
)
from sks4.nn.functional import cauchy_conjugate_pairs, expm1_complex, flush_tiny, power_kernel, vandermonde

__all__ = ["SSMKernel", "DPLRKernel", "DiagonalKernel", "DIAGONAL_INITS", "DISCRETIZATIONS"]

DIAGONAL_INITS = ("diag-legs", "diag-lin", "diag-inv")
DISCRETIZATIONS = ("bilinear", "zoh")


def _check_state_size(d_state) -> int:
    d_state = check_positive_int(d_state, "d_state")
    if d_state % 2:
        raise ValueError(
            f"d_state must be even: the state is made of conjugate pairs, got d_state={d_state}. "
            f"Use d_state={d_state + 1} or {max(2, d_state - 1)}."
        )
    return d_state


def _as_real_parameter(z: np.ndarray) -> nn.Parameter:
    """Store a complex array as a real parameter with a trailing (re, im) axis."""
    dtype = torch.get_default_dtype()
    return nn.Parameter(torch.view_as_real(torch.as_tensor(np.array(z), dtype=torch.complex128)).to(dtype).contiguous())


class SSMKernel(nn.Module):
    """Base class: step size, discretisation and the recurrent view.

    Subclasses set ``A``'s parameters and implement ``_kernel(L)`` (the
    kernel that :meth:`forward` returns) and :meth:`discrete_ssm`. The names in ``ssm_parameters`` are the parameters
    that should get their own learning rate and no weight decay.
    """

    ssm_parameters: tuple[str, ...] = ("log_dt", "log_neg_A_real", "A_imag", "B")

    def __init__(self, d_model: int, d_state: int, discretization: str, dt_min: float, dt_max: float):
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.d_state = _check_state_size(d_state)
        if discretization not in DISCRETIZATIONS:
            raise ValueError(f"discretization must be one of {DISCRETIZATIONS}, got {discretization!r}.")
        check_step_range(dt_min, dt_max)
        self.discretization = discretization
        u = torch.rand(self.d_model, dtype=torch.float64)
        log_dt = math.log(dt_min) + u * (math.log(dt_max) - math.log(dt_min))
        self.log_dt = nn.Parameter(log_dt.to(torch.get_default_dtype()))
        self._step_cache: tuple | None = None

    # --- continuous parameters -------------------------------------------------
    def _set_diagonal(self, Lambda: np.ndarray) -> None:
        """Store the N/2 eigenvalues, one per conjugate pair, for every channel."""
        Lambda = np.array(np.broadcast_to(Lambda, (self.d_model, self.d_state // 2)))
        dtype = torch.get_default_dtype()
        self.log_neg_A_real = nn.Parameter(torch.as_tensor(np.log(-Lambda.real), dtype=dtype).clone())
        self.A_imag = nn.Parameter(torch.as_tensor(Lambda.imag, dtype=dtype).clone())

    @property
    def dt(self) -> Tensor:
        """The step sizes ``exp(log_dt)``, one per channel: (H,)."""
        return self.log_dt.exp()  # (H,)

    def diagonal(self) -> Tensor:
        """The stored eigenvalues ``Λ`` (one per conjugate pair), real part < 0. Shape (H, N/2)."""
        return torch.complex(-self.log_neg_A_real.exp(), self.A_imag)

    # --- views ------------------------------------------------------------------
    def forward(self, L: int) -> Tensor:
        """The convolution kernel ``K[h, l] = Re(dC[h] dA[h]^l dB[h])``, ``0 <= l < L``: (H, L).

        Always computed at the parameters' precision: under ``torch.autocast``
        the kernel's matrix products would otherwise run in half precision,
        whose rounding (about 1e-2 of the kernel's scale in bfloat16) the long
        memory of an SSM cannot afford. Only the layers' position-wise
        products use the lower precision.
        """
        L = check_positive_int(L, "L")
        with full_precision(self.log_dt.device.type):
            return self._kernel(L)

    def _kernel(self, L: int) -> Tensor:
        raise NotImplementedError

    def discrete_ssm(self, L: int | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """The discrete system behind the kernel, conjugate pairs expanded.

        Returns complex ``(dA, dB, dC)`` of shapes (H, N, N), (H, N), (H, N) with
        ``K[h, l] == Re(dC[h] @ dA[h]^l @ dB[h])`` for every lag ``l``. The
        system does not depend on ``L`` (the kernel of a longer sequence
        extends that of a shorter one); ``L`` is accepted for symmetry with
        :meth:`forward`.
        """
        raise NotImplementedError

    def default_state(self, batch_size: int) -> Tensor:
        """Zero state for :meth:`step`, complex of shape (batch_size, H, state size)."""
        batch_size = check_positive_int(batch_size, "batch_size")
        dA, _, _ = self._step_matrices()
        return dA.new_zeros(batch_size, self.d_model, dA.shape[-1])

    def step(self, u: Tensor, state: Tensor) -> tuple[Tensor, Tensor]:
        """One step of the recurrence: ``x = dA x + dB u``, ``y = Re(C x)``.

        ``u`` has shape (B, H); returns ``y`` (B, H) and the new state.
        """
        u = check_step_input(u, self.d_model, self.log_dt.dtype, "u")
        dA, dB, dC = self._step_matrices()
        check_state(state, dB, u.shape[0], self.d_model)
        state = self._advance(dA, state) + dB * u.unsqueeze(-1).to(dB.dtype)
        y = torch.einsum("hn,bhn->bh", dC, state).real
        return y.to(u.dtype), state

    @torch.no_grad()
    def state_after(self, u: Tensor) -> Tensor:
        """The state that :meth:`step` reaches from :meth:`default_state` after reading ``u``.

        ``x_L = Σ_k dA^(L-1-k) dB u_k`` for ``u`` of shape (B, H, L), computed
        without a loop over time: the lags are split into blocks of
        ``m ≈ sqrt(L)``, each block's sum is one product with the Krylov
        matrix ``[dB, dA dB, ..., dA^(m-1) dB]``, and the blocks are combined
        by Horner's rule with ``dA^m`` (``O(sqrt(L))`` steps of size N).
        Inference only: no gradient flows through it.

        Returns
        -------
        complex Tensor of shape (B, H, state size), as :meth:`default_state`.
        """
        u = check_sequence(u, self.d_model, self.log_dt.dtype, "u", min_length=0)
        dA, dB, _ = self._step_matrices()
        B, H, L = u.shape
        state = dA.new_zeros(B, H, dA.shape[-1])
        if L == 0:
            return state
        m = 1 << max(0, math.ceil(math.log2(L) / 2))
        krylov = dB.unsqueeze(0)  # (1, H, N): dA^j dB along the first axis
        power = dA  # dA^(number of Krylov rows), so dA^m at the end (m is a power of two)
        while krylov.shape[0] < m:
            krylov = torch.cat([krylov, self._advance(power, krylov)])
            power = self._power(power, 2)
        krylov = krylov.flip(0)  # (m, H, N): row j is dA^(m-1-j) dB
        n_full, rest = divmod(L, m)
        u = u.to(dB.dtype)
        if n_full:
            blocks = u[..., : n_full * m].reshape(B, H, n_full, m)
            sums = torch.einsum("bhcj,jhn->cbhn", blocks, krylov)  # (n_full, B, H, N)
            for block_sum in sums:
                state = self._advance(power, state) + block_sum
        if rest:
            tail = torch.einsum("bhj,jhn->bhn", u[..., n_full * m :], krylov[m - rest :])
            state = self._advance(self._power(dA, rest), state) + tail
        return state

    def _step_matrices(self) -> tuple[Tensor, Tensor, Tensor]:
        # Cached until a parameter changes. Optimizer steps bump tensor versions, but writes
        # through .data (EMA, clipping, older optimizers) do not: the cache also keeps a copy
        # of the parameters and compares values (small tensors, a few microseconds a step).
        params = list(self.parameters())
        # parameters made under torch.inference_mode() have no version counter: their values decide
        key = (self.discretization, *((p.data_ptr(), None if p.is_inference() else p._version, p.dtype, p.device)
                                      for p in params))
        cache = self._step_cache
        if cache is None or cache[0] != key or not all(torch.equal(p, c) for p, c in zip(params, cache[1])):
            # normal tensors even when the first step runs under torch.inference_mode()
            with torch.inference_mode(False), torch.no_grad():
                self._step_cache = (key, [p.detach().clone() for p in params], self._recurrence())
        return self._step_cache[2]

    def _recurrence(self) -> tuple[Tensor, Tensor, Tensor]:
        raise NotImplementedError

    @staticmethod
    def _advance(dA: Tensor, state: Tensor) -> Tensor:
        """``dA x`` for states ``x`` of shape (..., H, state size)."""
        raise NotImplementedError

    @staticmethod
    def _power(dA: Tensor, exponent: int) -> Tensor:
        """``dA^exponent`` in the form that :meth:`_advance` takes."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, d_state={self.d_state}, discretization={self.discretization!r}"


class DiagonalKernel(SSMKernel):
    """S4D kernel: diagonal ``A`` per channel, computed by a Vandermonde product.

    Parameters
    ----------
    d_model : int
        Number of independent channels ``H``.
    d_state : int, default=64
        State size ``N`` (even: ``N/2`` conjugate pairs are stored).
    init : {"diag-legs", "diag-lin", "diag-inv"}, default="diag-legs"
        ``"diag-legs"``: the diagonal part of the DPLR form of HiPPO-LegS, with
        its ``B``; ``"diag-lin"``: ``-1/2 + iπn``; ``"diag-inv"``:
        ``-1/2 + i N/π (N/(2n+1) - 1)``; ``B = 1`` for the last two.
    discretization : {"zoh", "bilinear"}, default="zoh"
    dt_min, dt_max : float
        Range of the log-uniform initial step size.

    Examples
    --------
    >>> kernel = DiagonalKernel(d_model=4, d_state=8)
    >>> kernel(100).shape
    torch.Size([4, 100])
    """

    def __init__(
        self,
        d_model: int,
        d_state: int = 64,
        init: str = "diag-legs",
        discretization: str = "zoh",
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
    ):
        super().__init__(d_model, d_state, discretization, dt_min, dt_max)
        if init not in DIAGONAL_INITS:
            raise ValueError(f"init must be one of {DIAGONAL_INITS}, got {init!r}.")
        self.init = init
        half = self.d_state // 2
        n = np.arange(half)
        if init == "diag-legs":
            Lambda, _, B, _ = hippo.dplr("legs", self.d_state)
            Lambda, B = Lambda[:half], B[:half]  # Im > 0: one of each conjugate pair
        elif init == "diag-lin":
            Lambda, B = -0.5 + 1j * np.pi * n, np.ones(half)
        else:
            N = self.d_state
            Lambda, B = -0.5 + 1j * N / np.pi * (N / (2 * n + 1) - 1), np.ones(half)
        self._set_diagonal(Lambda)
        self.B = _as_real_parameter(np.broadcast_to(B, (self.d_model, half)))
        C = torch.randn(self.d_model, half, dtype=torch.complex128).numpy()
        self.C = _as_real_parameter(C)

    def _discrete_diagonal(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """``(log dA, dA, dB, C)``, each (H, N/2), for the stored half of the pairs."""
        dt = self.dt.unsqueeze(-1)  # (H, 1)
        A = self.diagonal()  # (H, N/2)
        B = torch.view_as_complex(self.B)
        C = torch.view_as_complex(self.C)
        if self.discretization == "zoh":
            log_dA = dt * A
            dA = log_dA.exp()
            dB = expm1_complex(log_dA) / A * B  # (dA - 1) / A would cancel for small dt
        else:
            denom = 1 - dt * A / 2
            dA = (1 + dt * A / 2) / denom
            log_dA = dA.log()
            dB = dt * B / denom
        return log_dA, dA, dB, C

    def _kernel(self, L: int) -> Tensor:
        log_dA, _, dB, C = self._discrete_diagonal()
        # The conjugate half contributes the complex conjugate: K = 2 Re(...).
        return vandermonde(2 * C * dB, log_dA, L)  # (H, L)

    def discrete_ssm(self, L: int | None = None) -> tuple[Tensor, Tensor, Tensor]:
        _, dA, dB, C = self._discrete_diagonal()
        dA = torch.diag_embed(torch.cat([dA, dA.conj()], -1))
        return dA, torch.cat([dB, dB.conj()], -1), torch.cat([C, C.conj()], -1)

    def _recurrence(self):
        _, dA, dB, C = self._discrete_diagonal()
        return dA, dB, 2 * C  # state keeps one of each pair; 2 Re(...) restores the sum

    @staticmethod
    def _advance(dA: Tensor, state: Tensor) -> Tensor:
        return dA * state

    @staticmethod
    def _power(dA: Tensor, exponent: int) -> Tensor:
        return dA**exponent


def _times_powers(c: Tensor, dA: Tensor, step: int, count: int) -> Tensor:
    """``C dA^(m step)`` for ``m = 0, ..., count - 1``, for a conjugate-pair expanded system.

    The system's second half of states is the conjugate of the first:
    ``dA = [[X, Y], [conj Y, conj X]]`` and ``C = [c, conj c]``. In the basis
    ``T = [[I, I], [-iI, iI]] / sqrt(2)`` (unitary) the system is real,

        ``T dA T* = [[Re X + Re Y, Im Y - Im X], [Im X + Im Y, Re X - Re Y]]``,
        ``C T* = sqrt(2) [Re c, -Im c]``,

    so every matrix power runs in real arithmetic (a quarter of the complex
    cost), on blocks taken apart and put together without any product with
    ``T``. ``dA^step`` takes ``log2(step)`` squarings; the ``count`` rows are
    built by doubling, ``log2(count)`` more.

    Parameters
    ----------
    c : complex Tensor of shape (H, N/2)
        The first half of ``C``.
    dA : complex Tensor of shape (H, N, N)

    Returns
    -------
    complex Tensor of shape (H, count, N/2)
        The first half of each row ``C dA^(m step)`` (the second half is its conjugate).
    """
    h = dA.shape[-1] // 2
    X, Y = dA[..., :h, :h], dA[..., :h, h:]
    M = torch.cat([torch.cat([X.real + Y.real, Y.imag - X.imag], -1),
                   torch.cat([X.imag + Y.imag, X.real - Y.real], -1)], -2)  # (H, N, N): T dA T*
    power = _matrix_power(M, step)  # dA^step, in the real basis
    rows = torch.cat([c.real, -c.imag], -1).unsqueeze(1)  # (H, 1, N): C T* / sqrt(2)
    while rows.shape[1] < count:
        rows = torch.cat([rows, flush_tiny(rows @ power)], dim=1)
        if rows.shape[1] < count:
            power = flush_tiny(power @ power)
    rows = rows[:, :count]
    # back to the original basis: (sqrt(2) r) T = [r1 - i r2, r1 + i r2] for r = [r1, r2]
    return torch.complex(rows[..., :h], -rows[..., h:])  # (H, count, N/2)


def _matrix_power(M: Tensor, exponent: int) -> Tensor:
    """``M ** exponent`` (``exponent >= 1``) for square matrices by repeated squaring, flushing subnormals."""
    exponent = int(exponent)  # a copy: the caller's value is left alone
    if exponent < 1:
        raise ValueError(f"_matrix_power needs an exponent >= 1, got {exponent}.")
    result = None
    while exponent:
        if exponent & 1:
            result = M if result is None else flush_tiny(result @ M)
        exponent >>= 1
        if exponent:
            M = flush_tiny(M @ M)
    return result


# Kernels up to this length are computed in one block (see _kernel_blocks).
_ONE_BLOCK_MAX_LENGTH = 512


def _kernel_blocks(L: int) -> tuple[int, int]:
    """Split lags ``0 <= l < L`` into ``n_blocks`` blocks of ``length`` (``n_blocks * length >= L``).

    Blocks of about ``sqrt(8 L)`` lags (a power of two) cut the Cauchy
    reciprocals per pole from ``L / 2`` to ``length / 2``, at the price of
    ``2 n_blocks + 2`` numerators instead of 4, which only enlarge matrix
    products. (Measured on 2 CPU cores at 64 channels, ``d_state`` 64:
    forward + backward at L = 4096 / 16384 / 65536 took 23 / 37 / 103 ms with
    ``sqrt(8 L)``, 25 / 42 / 123 ms with ``sqrt(32 L)``, and at L = 16384
    41 ms with ``sqrt(2 L)`` and 53 ms with ``sqrt(128 L)``.)
    """
    if L <= _ONE_BLOCK_MAX_LENGTH:
        return 1, L
    length = 1 << math.ceil(math.log2(math.sqrt(8 * L)))
    return -(-L // length), length


class DPLRKernel(SSMKernel):
    """S4 kernel: ``A = Λ - P P*`` per channel, initialised from HiPPO-LegS.

    Parameters
    ----------
    d_model : int
        Number of independent channels ``H``.
    d_state : int, default=64
        State size ``N`` (even: ``N/2`` conjugate pairs are stored).
    discretization : {"bilinear", "zoh"}, default="bilinear"
        ``"bilinear"`` uses the S4 algorithm (Cauchy kernel + Woodbury
        correction + inverse FFT); ``"zoh"`` uses the dense matrix exponential.
    dt_min, dt_max : float
        Range of the log-uniform initial step size.

    Examples
    --------
    >>> kernel = DPLRKernel(d_model=4, d_state=8)
    >>> kernel(100).shape
    torch.Size([4, 100])
    """

    ssm_parameters = SSMKernel.ssm_parameters + ("P",)

    def __init__(
        self,
        d_model: int,
        d_state: int = 64,
        discretization: str = "bilinear",
        dt_min: float = 1e-3,
        dt_max: float = 1e-1,
    ):
        super().__init__(d_model, d_state, discretization, dt_min, dt_max)
        half = self.d_state // 2
        Lambda, P, B, _ = hippo.dplr("legs", self.d_state)
        # Eigenvalues come in conjugate pairs ordered by decreasing imaginary part:
        # the first half holds one of each pair.
        self._set_diagonal(Lambda[:half])
        self.P = _as_real_parameter(np.broadcast_to(P[:, None, :half], (P.shape[0], self.d_model, half)))
        self.B = _as_real_parameter(np.broadcast_to(B[:half], (self.d_model, half)))
        C = torch.randn(self.d_model, half, dtype=torch.complex128).numpy()
        self.C = _as_real_parameter(C)

    # --- the full (conjugate-pair expanded) continuous system ---------------------
    def _continuous(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """``(Λ, P, B, C)`` expanded to all N states: (H, N), (r, H, N), (H, N), (H, N)."""

        def expand(z: Tensor) -> Tensor:
            return torch.cat([z, z.conj()], dim=-1)

        Lambda = expand(self.diagonal())
        P = expand(torch.view_as_complex(self.P))
        B = expand(torch.view_as_complex(self.B))
        C = expand(torch.view_as_complex(self.C))
        return Lambda, P, B, C

    def _dense(self) -> tuple[Tensor, Tensor, Tensor]:
        """Dense discrete ``(dA, dB, C)``: (H, N, N), (H, N), (H, N)."""
        Lambda, P, B, C = self._continuous()
        A = torch.diag_embed(Lambda) - torch.einsum("rhn,rhm->hnm", P, P.conj())  # (H, N, N)
        dt = self.dt.to(A.dtype)[:, None, None]  # (H, 1, 1)
        eye = torch.eye(A.shape[-1], dtype=A.dtype, device=A.device)
        if self.discretization == "bilinear":
            # dA = (I - dt/2 A)^{-1} (I + dt/2 A) = 2 R - I with R = (I - dt/2 A)^{-1}, and
            # I - dt/2 A = E^{-1} + (dt/2) P P* with E = diag(1 / (1 - dt/2 Λ)), so by Woodbury
            # R = E - E P (I_r + dt/2 P* E P)^{-1} (dt/2) P* E: no N x N solve.
            e = 1 / (1 - dt[..., 0] / 2 * Lambda)  # (H, N)
            EP = (e * P).movedim(0, -1)  # (H, N, r)
            PE = (P.conj() * e).movedim(0, 1)  # (H, r, N)
            small = torch.eye(P.shape[0], dtype=A.dtype, device=A.device) + dt / 2 * (P.conj().movedim(0, 1) @ EP)
            R = torch.diag_embed(e) - EP @ torch.linalg.solve(small, dt / 2 * PE)  # (H, N, N)
            dA = 2 * R - eye
            dB = (R @ (dt[..., 0] * B).unsqueeze(-1)).squeeze(-1)
        else:
            # exp(dt [[A, B], [0, 0]]) = [[exp(dt A), ∫ exp(sA) ds B], [0, 1]]
            H, N = B.shape
            aug = A.new_zeros(H, N + 1, N + 1)
            aug[:, :N, :N] = A
            aug[:, :N, N] = B
            expo = torch.linalg.matrix_exp(dt * aug)
            dA, dB = expo[:, :N, :N], expo[:, :N, N]
        return dA, dB, C

    def _kernel(self, L: int) -> Tensor:
        if self.discretization == "zoh":
            return power_kernel(*self._dense(), L)  # (H, L)
        return self._bilinear_kernel(L)

    def _bilinear_kernel(self, L: int) -> Tensor:
        half = self.d_state // 2
        H = self.d_model
        Lambda = self.diagonal()  # (H, n): one eigenvalue of each conjugate pair
        P = torch.view_as_complex(self.P)[0]  # (H, n): HiPPO-LegS has rank 1, A = Λ - p p*
        B = torch.view_as_complex(self.B)  # (H, n)
        dA, _, C = self._dense()
        dt = self.dt.to(Lambda.dtype)  # (H,)
        # Lags are cut into blocks l = m L0 + j (0 <= j < L0). Block m is the
        # length-L0 kernel of the same system read out by C_m = C dA^(m L0), and at
        # the L0-th roots of unity (z^L0 = 1) its truncated generating function
        # Σ_{j<L0} C_m dA^j dB z^j equals C̃_m (I - z dA)^{-1} dB with
        # C̃_m = C_m (I - dA^L0) = C_m - C_(m+1). All blocks share the poles, so one
        # set of Cauchy reciprocals serves them all.
        n_blocks, L0 = _kernel_blocks(L)
        readouts = _times_powers(C[:, :half], dA, L0, n_blocks + 1)  # (H, M+1, n): C dA^(m L0), first half
        C_tilde = readouts[:, :-1] - readouts[:, 1:]  # (H, M, n); the other half is its conjugate

        # (I - z dA)^{-1} dB = 2/(1+z) (g(z) - A)^{-1} B with g(z) = 2/dt (1-z)/(1+z),
        # and 1/(g - λ) = (dt/2) / (s - dt λ / 2) with s = (1-z)/(1+z) = i tan(πk/L0).
        nyquist = L0 % 2 == 0 and L0 > 1
        k = torch.arange(L0 // 2 + 1 - nyquist, device=Lambda.device, dtype=torch.float64)
        t = torch.tan(math.pi * k / L0).to(Lambda.real.dtype)  # (K,)
        z = torch.polar(torch.ones_like(k), -2 * math.pi * k / L0).to(Lambda.dtype)  # (K,)
        w = dt[:, None] * Lambda / 2  # (H, n)
        # Cauchy sums k_ab = Σ_n a_n b_n / (g - λ_n) for a ∈ {C̃_m, conj p}, b ∈ {B, p}
        v = torch.cat([C_tilde * B.unsqueeze(1), C_tilde * P.unsqueeze(1), (P.conj() * B).unsqueeze(1),
                       (P.conj() * P).unsqueeze(1)], dim=1)  # (H, 2M+2, n)
        sums = cauchy_conjugate_pairs(dt[:, None, None] / 2 * v, w, t)  # (H, 2M+2, K)
        # split (not slicing): its backward concatenates instead of zero-filling per piece
        k00, k01, k10, k11 = sums.split([n_blocks, n_blocks, 1, 1], dim=1)  # (H, M, K) and (H, 1, K)
        # Woodbury: (R^{-1} + p p*)^{-1} = R - R p (1 + p* R p)^{-1} p* R
        K_hat = 2 / (1 + z) * (k00 - k01 * (k10 / (1 + k11)))  # (H, M, K)
        if nyquist:
            # At z = -1: (I + dA)^{-1} dB = dt/2 B exactly; sum over both halves of each pair.
            K_nyquist = dt[:, None] * (C_tilde * B.unsqueeze(1)).sum(-1).real  # (H, M)
            K_hat = torch.cat([K_hat, K_nyquist.unsqueeze(-1).to(K_hat.dtype)], dim=-1)
        K = torch.fft.irfft(K_hat, n=L0)  # (H, M, L0)
        return K.reshape(H, n_blocks * L0)[:, :L]  # (H, L)

    def discrete_ssm(self, L: int | None = None) -> tuple[Tensor, Tensor, Tensor]:
        return self._dense()

    def _recurrence(self):
        return self._dense()

    @staticmethod
    def _advance(dA: Tensor, state: Tensor) -> Tensor:
        return torch.einsum("hnm,...hm->...hn", dA, state)

    @staticmethod
    def _power(dA: Tensor, exponent: int) -> Tensor:
        return torch.linalg.matrix_power(dA, exponent)
