"""What a benchmark is: our operation and a baseline, timed in the same run.

Why a baseline in the same run: machines here are shared and noisy; a ratio between
two timings taken minutes apart on the same machine means something, an absolute time
does not. Each ``bench_*.py`` module exposes ``BENCHMARKS: list[Benchmark]``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Timings:
    ours_s: float
    baseline_s: float


@dataclass(frozen=True)
class Benchmark:
    """Attributes:
        name: short and stable (scripts compare runs by it).
        target: the highest acceptable ratio ours/baseline (the issue's figure).
        run: ``run(workdir, quick)`` prepares its data, then times ours and the
            baseline on the same data and returns both. ``quick`` shrinks the data
            for a smoke run.
    """

    name: str
    target: float
    run: Callable[[Path, bool], Timings]
    description: str = ""


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
