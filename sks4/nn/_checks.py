"""Input checks shared by the torch modules: clear errors before any compute."""

from __future__ import annotations

import contextlib
import math
import numbers

import torch
from torch import Tensor


def check_sequence(x, channels: int, dtype: torch.dtype, name: str = "x", min_length: int = 1) -> Tensor:
    """Check a batch of sequences of shape (batch, channels, length >= min_length)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (batch, {channels}, length), got {type(x).__name__}.")
    if x.ndim != 3:
        raise ValueError(
            f"{name} must have shape (batch, channels={channels}, length), got {x.ndim} dimension(s) "
            f"with shape {tuple(x.shape)}. Add a batch axis with {name}.unsqueeze(0) for a single sequence."
        )
    if x.shape[1] != channels:
        raise ValueError(
            f"{name} has {x.shape[1]} channels on axis 1, the module expects {channels}. "
            "Inputs are channels-first: (batch, channels, length)."
        )
    if x.shape[0] == 0 or x.shape[2] < min_length:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}): need at least one sequence of length >= 1.")
    x = _check_dtype(x, dtype, name)
    if not _all_finite(x):
        raise ValueError(f"{name} contains NaN or infinite values; impute or drop them before the model.")
    return x


def check_step_input(x, channels: int, dtype: torch.dtype, name: str = "x_t") -> Tensor:
    """Check one time step of a batch, shape (batch, channels)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (batch, {channels}), got {type(x).__name__}.")
    if x.ndim != 2 or x.shape[1] != channels:
        raise ValueError(f"{name} must have shape (batch, {channels}) for one time step, got {tuple(x.shape)}.")
    x = _check_dtype(x, dtype, name)
    if not _all_finite(x):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return x


def check_positive_int(value, name: str) -> int:
    """A positive integer (sizes, lengths, ``batch_size``); a 0-d integer tensor counts as one."""
    if isinstance(value, Tensor) and value.ndim == 0 and not value.dtype.is_floating_point and value.dtype != torch.bool:
        value = int(value)  # e.g. from x.shape under tracing
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_bool(value, name: str) -> bool:
    """``value`` as a bool: True, False, or a numpy / 0-d torch boolean; not a truthy string or number."""
    if isinstance(value, bool):
        return value
    if str(getattr(value, "dtype", "")) in ("bool", "torch.bool") and getattr(value, "ndim", 1) == 0:
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {value!r}.")


def check_float(value, name: str, low: float, high: float, *, low_open: bool, high_open: bool) -> None:
    """Raise unless ``value`` is a finite real number in the given interval (a 0-d real tensor counts as one)."""
    if isinstance(value, Tensor) and value.ndim == 0 and not (value.dtype.is_complex or value.dtype == torch.bool):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}.")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}.")


def check_step_range(dt_min, dt_max) -> None:
    """Raise unless ``0 < dt_min <= dt_max < inf`` (the range of the SSMs' initial step sizes)."""
    check_float(dt_min, "dt_min", 0.0, math.inf, low_open=True, high_open=True)
    check_float(dt_max, "dt_max", 0.0, math.inf, low_open=True, high_open=True)
    if dt_min > dt_max:
        raise ValueError(
            f"dt_min must not exceed dt_max (the range of the initial step sizes), got dt_min={dt_min!r} "
            f"and dt_max={dt_max!r}."
        )


def check_state(state, like: Tensor, batch: int, channels: int, name: str = "state") -> Tensor:
    """Check a recurrent state: a tensor of shape (batch, channels, size) with ``like``'s dtype and device."""
    expected = (batch, channels, like.shape[-1])
    if not isinstance(state, Tensor):
        raise TypeError(f"{name} must be the tensor returned by default_state() or step(), got {type(state).__name__}.")
    if tuple(state.shape) != expected or state.dtype != like.dtype or state.device != like.device:
        raise ValueError(
            f"{name} has shape {tuple(state.shape)}, dtype {state.dtype} on {state.device}; this step needs "
            f"shape {expected} (batch, channels, state size), dtype {like.dtype} on {like.device}, as returned "
            f"by default_state({batch}) or the previous step() of the same batch."
        )
    return state


def _all_finite(x: Tensor) -> bool:
    """Whether every entry of ``x`` is finite.

    A NaN or an infinity makes the sum non-finite, so one reduction (no
    boolean temporary of the input's size) settles the common case; only a
    sum that overflowed is checked entry by entry.
    """
    if torch.isfinite(x.detach().sum()):
        return True
    return bool(torch.isfinite(x).all())


_HALF_DTYPES = (torch.float16, torch.bfloat16)


def _autocast_enabled(device_type: str) -> bool:
    """``torch.is_autocast_enabled(device_type)``, also on torch < 2.4 (no argument there).

    False for devices without autocast (``"meta"``, for which torch raises).
    """
    try:
        return torch.is_autocast_enabled(device_type)
    except TypeError:
        if device_type == "cpu":
            return torch.is_autocast_cpu_enabled()
        return torch.is_autocast_enabled()
    except RuntimeError:  # "unknown device type for autocast"
        return False


def full_precision(device_type: str) -> contextlib.AbstractContextManager:
    """A context in which autocast is off for ``device_type`` (a no-op when it is not on)."""
    if _autocast_enabled(device_type):
        return torch.autocast(device_type, enabled=False)
    return contextlib.nullcontext()


def _check_dtype(x: Tensor, dtype: torch.dtype, name: str) -> Tensor:
    """``x`` when it has the module's dtype; under autocast, a half-precision ``x`` cast to it."""
    if x.dtype == dtype:
        return x
    if x.dtype in _HALF_DTYPES and _autocast_enabled(x.device.type):
        # Mixed precision: the previous layer's matrix products ran in half precision. The SSM
        # kernels and the FFT convolution need float32 or float64 (complex arithmetic).
        return x.to(dtype)
    if x.dtype in _HALF_DTYPES:
        raise ValueError(
            f"{name} has dtype {x.dtype} but the module's parameters are {dtype}; cast the input with "
            f"{name}.to({dtype}) (the SSM kernels compute in float32 or float64 (complex numbers), so the "
            f"module cannot take {x.dtype}; for mixed precision run it under torch.autocast)."
        )
    if not x.dtype.is_floating_point:
        raise ValueError(
            f"{name} has dtype {x.dtype} but the module's parameters are {dtype}; cast the input with "
            f"{name}.to({dtype}) (integer, boolean and complex inputs are not cast silently)."
        )
    raise ValueError(
        f"{name} has dtype {x.dtype} but the module's parameters are {dtype}; "
        f"cast the input with {name}.to({dtype}) or the module with .to({x.dtype})."
    )


def check_lengths(lengths, batch: int, length: int, device: torch.device) -> Tensor:
    """Check true sequence lengths: integers in [1, length], one per sequence."""
    try:
        lengths = torch.as_tensor(lengths, device=device)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(
            f"lengths must be a tensor or sequence of integers, one per sequence, got {lengths!r:.80}."
        ) from None
    if lengths.dtype.is_floating_point or lengths.dtype.is_complex or lengths.dtype == torch.bool:
        raise ValueError(f"lengths must be integers, got dtype {lengths.dtype}.")
    if lengths.shape != (batch,):
        raise ValueError(f"lengths must have shape ({batch},), one per sequence, got {tuple(lengths.shape)}.")
    if (lengths < 1).any() or (lengths > length).any():
        raise ValueError(f"lengths must lie in [1, {length}] (the padded length), got {lengths.tolist()}.")
    return lengths.long()


def sequence_mask(lengths: Tensor, length: int) -> Tensor:
    """Boolean mask (batch, 1, length), True inside each sequence."""
    return (torch.arange(length, device=lengths.device) < lengths[:, None]).unsqueeze(1)
