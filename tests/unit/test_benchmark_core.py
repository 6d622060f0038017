"""The benchmark runner's bookkeeping, with tiny fake workloads and no timing asserts.

Why test it at all: a runner that times the wrong thing (a baseline with the cyclic GC
running while ours pauses it, one side repeated and not the other, a repeat on a store
the previous run filled) prints plausible numbers that are wrong.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.core import (
    Benchmark,
    Result,
    Runs,
    Side,
    Sides,
    default_repeats,
    measure,
    watch_gc_pauses,
)
from benchmarks.stores import StoreCopies, create_store
from desktop.models import ServiceArea
from desktop.services.gc_pause import paused_gc


def bench_of(ours: Side, baseline: Side, log: list[str] | None = None) -> Benchmark:
    """A benchmark whose setup hands out ``ours`` and ``baseline`` (and logs setup)."""

    @contextmanager
    def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
        if log is not None:
            log.append("setup")
        yield Sides(ours=ours, baseline=baseline)
        if log is not None:
            log.append("teardown")

    return Benchmark(name="fake", target=2.0, setup=setup)


def gc_recorder(states: list[bool], pause: bool = False) -> Callable[[], None]:
    """A workload that notes whether the cyclic GC runs while it works."""

    def run() -> None:
        if pause:
            with paused_gc():
                states.append(gc.isenabled())
        else:
            states.append(gc.isenabled())

    return run


def test_runs_report_median_min_and_max() -> None:
    runs = Runs((3.0, 1.0, 2.0, 9.0, 4.0))
    assert (runs.median, runs.low, runs.high) == (3.0, 1.0, 9.0)


def test_repeats_default_to_five_and_three_quick() -> None:
    assert (default_repeats(quick=False), default_repeats(quick=True)) == (5, 3)


def test_each_side_is_prepared_run_and_checked_per_repeat_interleaved(tmp_path: Path) -> None:
    log: list[str] = []
    counter = iter(range(100))

    def side(label: str) -> Side:
        def run() -> int:
            n = next(counter)
            log.append(f"run {label} {n}")
            return n

        return Side(run=run, prepare=lambda: log.append(f"prepare {label}"),
                    check=lambda n: log.append(f"check {label} {n}"))

    result = measure(bench_of(side("ours"), side("base"), log), tmp_path, True, repeats=3)

    assert log == ["setup",
                   "prepare ours", "run ours 0", "check ours 0",
                   "prepare base", "run base 1", "check base 1",
                   "prepare base", "run base 2", "check base 2",
                   "prepare ours", "run ours 3", "check ours 3",
                   "prepare ours", "run ours 4", "check ours 4",
                   "prepare base", "run base 5", "check base 5",
                   "teardown"]
    assert len(result.ours.seconds) == len(result.baseline.seconds) == result.repeats == 3
    assert set(result.as_json()) == {
        "name", "ours_s", "ours_min_s", "ours_max_s", "baseline_s", "baseline_min_s",
        "baseline_max_s", "ratio", "target", "ok", "repeats", "gc", "unit"}


@pytest.mark.parametrize("ours_pauses", [True, False])
def test_baseline_runs_under_the_gc_setting_ours_used(tmp_path: Path,
                                                      ours_pauses: bool) -> None:
    ours_states: list[bool] = []
    baseline_states: list[bool] = []
    bench = bench_of(Side(run=gc_recorder(ours_states, pause=ours_pauses)),
                     Side(run=gc_recorder(baseline_states)))

    result = measure(bench, tmp_path, False, repeats=4)

    assert ours_states == baseline_states == [not ours_pauses] * 4
    assert result.gc_paused is ours_pauses
    assert result.as_json()["gc"] == ("paused" if ours_pauses else "enabled")
    assert gc.isenabled()


def test_ours_pausing_only_sometimes_is_refused(tmp_path: Path) -> None:
    runs = iter([True, False])

    def ours() -> None:
        with paused_gc() if next(runs) else nullcontext():
            pass

    with pytest.raises(RuntimeError, match="paused the cyclic GC in some runs"):
        measure(bench_of(Side(run=ours), Side(run=lambda: None)), tmp_path, True, repeats=2)
    assert gc.isenabled()


def test_gc_watch_counts_pauses_and_restores_gc_disable() -> None:
    original = gc.disable
    with watch_gc_pauses() as pauses, paused_gc(), paused_gc():  # nested: one pause
        pass
    assert pauses == [1]
    assert gc.disable is original and gc.isenabled()


def test_ratio_compares_medians() -> None:
    result = Result("fake", 2.0, Runs((1.0, 4.0, 5.0)), Runs((2.0, 2.0, 100.0)), False)
    assert result.ratio == 2.0 and result.ok
    assert Result("fake", 2.0, Runs((1.0,)), Runs((0.0,)), False).ratio == float("inf")


def test_repeats_below_one_are_refused(tmp_path: Path) -> None:
    noop = Side(run=lambda: None)
    with pytest.raises(ValueError):
        measure(bench_of(noop, noop), tmp_path, True, repeats=0)


def test_every_fresh_copy_starts_from_the_pristine_store(tmp_path: Path) -> None:
    pristine = tmp_path / "pristine.db"
    create_store(pristine).close()

    def areas(copies: StoreCopies) -> int:
        with copies.store.read() as session:
            return session.scalar(select(func.count()).select_from(ServiceArea)) or 0

    with StoreCopies(pristine, "run") as copies:
        first = copies.fresh()
        with first.transaction() as session:
            session.add(ServiceArea(name="Filled by the first run"))
        assert areas(copies) == 1
        copies.fresh()
        assert areas(copies) == 0
        assert not first.path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pristine.db", "pristine.db.kdf"]


def test_a_side_that_returns_an_amount_is_recorded_as_that_amount(tmp_path: Path) -> None:
    """The store-size benchmark: sizes, not durations, go into the ratio."""
    from contextlib import contextmanager

    from benchmarks.core import Amount, Benchmark, Side, Sides, measure

    @contextmanager
    def setup(_workdir: Path, _quick: bool):  # type: ignore[no-untyped-def]
        yield Sides(ours=Side(lambda: Amount(6.0)), baseline=Side(lambda: Amount(3.0)))

    result = measure(Benchmark("size", 3.0, setup, unit="MB"), tmp_path, True, 3)
    assert result.ours.seconds == (6.0, 6.0, 6.0) and result.ratio == 2.0
    assert result.as_json()["unit"] == "MB" and result.ok
