"""Checking that a stage is linear in its input, without absolute timings: the same work on
an input ``factor`` times larger may cost at most ``factor * slack`` times as much CPU time
(best of a few runs, process time, garbage collector paused). A quadratic stage costs about
``factor`` squared: ten times the input, a hundred times the time."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any


def cpu(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t = time.process_time()
            fn()
            best = min(best, time.process_time() - t)
    finally:
        if enabled:
            gc.enable()
    return best


def assert_linear(small: Callable[[], Any], big: Callable[[], Any], *, factor: int,
                  slack: float = 2.0, repeat: int = 3, what: str = "") -> tuple[float, float]:
    """``big`` does ``factor`` times the work of ``small``; returns both CPU times."""
    t_small = max(cpu(small, repeat), 1e-3)  # below 1 ms the clock is the noise
    t_big = cpu(big, repeat)
    assert t_big <= factor * slack * t_small, (
        f"{what}: {factor}x the input took {t_big / t_small:.0f}x the time "
        f"({t_small * 1e3:.1f} ms -> {t_big * 1e3:.1f} ms): not linear")
    return t_small, t_big
