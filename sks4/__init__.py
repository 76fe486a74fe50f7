"""sks4: Structured State Space sequence models (S4) for scikit-learn users.

The estimators are imported lazily, so ``import sks4`` stays cheap and
``sks4.hippo`` can be used without loading torch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0.dev0"

# public name -> module that defines it
_LAZY = {
    "S4Classifier": "sks4.estimators",
    "S4Regressor": "sks4.estimators",
    "S4Features": "sks4.features",
    "S4Forecaster": "sks4.forecasting",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sks4' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
