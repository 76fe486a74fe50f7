"""Small public time-series datasets shipped with sks4.

=================================  ==============  =========================  ===========================
loader                             task            X                          y
=================================  ==============  =========================  ===========================
:func:`load_gunpoint`              classification  (50 | 150, 150)            int64, 2 classes
:func:`load_italy_power_demand`    classification  (67 | 1029, 24)            int64, 2 classes
:func:`load_basic_motions`         classification  (40 | 40, 6, 100)          str, 4 classes
:func:`load_japanese_vowels`       classification  270 | 370 arrays (12, L)   int64, 9 classes
:func:`load_covid3month`           regression      (140 | 61, 84)             float64
:func:`load_airline`               forecasting     Series, 144 months         --
=================================  ==============  =========================  ===========================

Shapes are train | test. Every loader except :func:`load_airline` takes
``split="train" | "test" | "both"`` and ``return_X_y`` (default True; False
gives a :class:`sklearn.utils.Bunch` with a ``DESCR`` citing the source and
published results).
"""

from __future__ import annotations

from sks4.datasets._loaders import (
    AIRLINE_DESCR,
    load_airline,
    load_basic_motions,
    load_covid3month,
    load_gunpoint,
    load_italy_power_demand,
    load_japanese_vowels,
)

__all__ = [
    "AIRLINE_DESCR",
    "load_airline",
    "load_basic_motions",
    "load_covid3month",
    "load_gunpoint",
    "load_italy_power_demand",
    "load_japanese_vowels",
]
