"""What a benchmark is, and how both of its sides are timed.

Why a baseline in the same run: machines here are shared and noisy; a ratio between
two timings taken minutes apart on the same machine means something, an absolute time
does not. Each ``bench_*.py`` module exposes ``BENCHMARKS: list[Benchmark]``.

Why several runs, interleaved: one timing of each side moved the ratio by a third
from one run to the next. :func:`measure` times each side ``repeats`` times and
alternates which goes first (ours then baseline, baseline then ours, ...), so a burst
of load from elsewhere lands on both sides; it reports the median, which one slow run
cannot move, with the minimum and maximum beside it.

Why one GC setting for both sides: some of our passes pause Python's cyclic garbage
collector (:mod:`desktop.services.gc_pause`, measured: half the time of a
100,000-case pass). A baseline timed with the collector running pays a cost ours has
avoided and flatters the ratio. So the runner watches our runs, and when ours paused
the collector, every baseline run is timed inside the same ``paused_gc()``. Ours goes
first in the first round, so the setting is known before the first baseline is
timed; an ours run that disagrees with the first one is an error, not a footnote.
Each timed run also starts from a collected heap, so neither side pays for garbage
the other left behind.

Why setup apart from the runs: building a 100,000-case store takes longer than the
runs themselves. A benchmark's ``setup`` builds its data once; a side whose run
changes that data (an import, a draw that saves its sample) restores it in its
untimed ``prepare`` (see :mod:`benchmarks.stores`), so every run measures the same
thing.
"""

from __future__ import annotations

import gc
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.services.gc_pause import paused_gc

#: Runs of each side: enough for a median that one disturbed run cannot move.
FULL_REPEATS = 5
QUICK_REPEATS = 3


def _nothing() -> None:
    """The default ``prepare``: a side that only reads needs no restoring."""


def _accept(result: object) -> None:
    """The default ``check``: the baseline's result needs no checking."""


@dataclass(frozen=True)
class Amount:
    """What a run returns when it measures a quantity rather than a time.

    Why: the store-size target ("at most 3 times the same rows as CSV") is a ratio like
    the others and belongs in the same table; such a side's run returns the size, and
    the runner records it instead of the run's duration.
    """

    value: float


@dataclass(frozen=True)
class Side:
    """One side of a benchmark: the timed operation and its untimed helpers.

    Attributes:
        run: the operation timed, once per repetition.
        prepare: called before every run, untimed: restores what ``run`` starts from
            (a fresh copy of a store to import into), so repetitions are alike.
        check: called with every run's result, untimed: fails loudly when a run did
            not do the work (an import that imported nothing is fast).
    """

    run: Callable[[], object]
    prepare: Callable[[], object] = _nothing
    check: Callable[[Any], None] = _accept


@dataclass(frozen=True)
class Sides:
    """What a benchmark's setup hands to the runner: ours and the baseline."""

    ours: Side
    baseline: Side


#: ``setup(workdir, quick)``: builds the data once (``quick`` shrinks it for a smoke
#: run), yields both sides, and cleans up when the runner is done with them.
SetupFn = Callable[[Path, bool], AbstractContextManager[Sides]]


@dataclass(frozen=True)
class Benchmark:
    """Attributes:
        name: short and stable (scripts compare runs by it).
        target: the highest acceptable ratio ours/baseline (the issue's figure).
        setup: prepares the data and the two sides (see :data:`SetupFn`).
    """

    name: str
    target: float
    setup: SetupFn
    description: str = ""
    #: "s" for timings; another unit (e.g. "MB") when the sides return an :class:`Amount`.
    unit: str = "s"


@dataclass(frozen=True)
class Runs:
    """The timings of one side, in the order they were taken."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        return min(self.seconds)

    @property
    def high(self) -> float:
        return max(self.seconds)


@dataclass(frozen=True)
class Result:
    """Both sides of one benchmark; the ratio compares their medians.

    Attributes:
        gc_paused: whether ours paused the cyclic GC, and so the baseline was timed
            with it paused too.
    """

    name: str
    target: float
    ours: Runs
    baseline: Runs
    gc_paused: bool
    unit: str = "s"

    @property
    def repeats(self) -> int:
        return len(self.ours.seconds)

    @property
    def ratio(self) -> float:
        return self.ours.median / self.baseline.median if self.baseline.median else float("inf")

    @property
    def ok(self) -> bool:
        return self.ratio <= self.target

    def as_json(self) -> dict[str, object]:
        """``ours_s`` and ``baseline_s`` are medians, as the printed figures are."""
        out: dict[str, object] = {"name": self.name}
        for label, runs in (("ours", self.ours), ("baseline", self.baseline)):
            out |= {f"{label}_s": round(runs.median, 4), f"{label}_min_s": round(runs.low, 4),
                    f"{label}_max_s": round(runs.high, 4)}
        return out | {"ratio": round(self.ratio, 3), "target": self.target, "ok": self.ok,
                      "repeats": self.repeats, "gc": "paused" if self.gc_paused else "enabled",
                      "unit": self.unit}


def default_repeats(quick: bool) -> int:
    return QUICK_REPEATS if quick else FULL_REPEATS


@contextmanager
def watch_gc_pauses() -> Iterator[list[int]]:
    """Yield a list that gets an entry each time anything calls ``gc.disable()``.

    Why watch instead of asking each benchmark: a declaration drifts from the code it
    describes (a service that starts pausing the collector would silently turn its
    benchmark unfair); ``paused_gc`` calls ``gc.disable()`` whenever it pauses.

    Only pauses on the thread that times the run count: a window's worker thread may
    pause the collector for its own background search, which starts around the end of
    a GUI run by a race, and would otherwise make the rule flip between runs.
    """
    calls: list[int] = []
    original = gc.disable
    timing_thread = threading.get_ident()

    def disable() -> None:
        if threading.get_ident() == timing_thread:
            calls.append(1)
        original()

    gc.disable = disable
    try:
        yield calls
    finally:
        gc.disable = original


def timed_run(side: Side, pause_gc: bool) -> float:
    """Prepare, collect, time one run (with the cyclic GC paused if asked), check."""
    side.prepare()
    gc.collect()
    with paused_gc() if pause_gc else nullcontext():
        start = time.perf_counter()
        result = side.run()
        elapsed = time.perf_counter() - start
    side.check(result)
    return result.value if isinstance(result, Amount) else elapsed


#: Which side goes first in even and odd rounds.
ORDER = (("ours", "baseline"), ("baseline", "ours"))


def _time_ours(name: str, side: Side, paused_before: bool | None) -> tuple[float, bool]:
    """One timed run of ours, and whether it paused the cyclic GC (as before, if known)."""
    with watch_gc_pauses() as pauses:
        elapsed = timed_run(side, pause_gc=False)
    paused = bool(pauses)
    if paused_before is not None and paused != paused_before:
        raise RuntimeError(f"{name}: ours paused the cyclic GC in some runs and not in "
                           "others, so no baseline setting matches it")
    return elapsed, paused


def measure(bench: Benchmark, workdir: Path, quick: bool, repeats: int) -> Result:
    """Set ``bench`` up once, then time each side ``repeats`` times, interleaved."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    ours: list[float] = []
    baseline: list[float] = []
    gc_paused: bool | None = None  # known after ours' first run, which opens round 0
    with bench.setup(workdir, quick) as sides:
        for round_ in range(repeats):
            for side in ORDER[round_ % 2]:
                if side == "ours":
                    elapsed, gc_paused = _time_ours(bench.name, sides.ours, gc_paused)
                    ours.append(elapsed)
                else:
                    baseline.append(timed_run(sides.baseline, pause_gc=bool(gc_paused)))
    return Result(bench.name, bench.target, Runs(tuple(ours)), Runs(tuple(baseline)),
                  bool(gc_paused), bench.unit)
