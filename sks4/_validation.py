"""Parameter checks shared by the estimators: clear errors before any training starts."""

from __future__ import annotations

import numbers
from contextlib import contextmanager

import torch

from sks4.nn._checks import check_float, check_step_range

__all__ = ["check_int", "check_float", "check_step_range", "resolve_device", "seeded_torch"]


def check_int(value, name: str, minimum: int = 1, allow_none: bool = False) -> None:
    """Raise unless ``value`` is an integer >= ``minimum`` (or None when allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r} of type {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


# S4's range of initial step sizes: what estimators pickled before dt_min / dt_max existed were built with.
S4_STEP_RANGE = {"dt_min": 1e-3, "dt_max": 1e-1}


def resolve_device(device) -> str:
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; other values are checked."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:<index>', got {device!r}."
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available (torch.cuda.is_available() is False). "
            "Use device='auto' (CUDA when available, else CPU) or device='cpu'."
        )
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:<index>', got {device!r}.")
    return str(resolved)


@contextmanager
def seeded_torch(seed: int, device: str):
    """Seed torch inside a fork of its random state; the caller's state is restored after."""
    dev = torch.device(device)
    devices = [dev.index if dev.index is not None else torch.cuda.current_device()] if dev.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
