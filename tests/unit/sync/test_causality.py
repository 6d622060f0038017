"""Causality that does not trust wall clocks (issue 21, item 1).

A write made after seeing a value wins over it on every store, whatever the laptops'
clocks say, across restarts; a version never goes backwards on a device. The laptops
here run "hours ahead" and "hours behind" through the physical time their store's
hybrid clock reads (``open_store(wall_ms=...)``), and every restart closes the store and
opens its file again, as a person switching the laptop off would.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from desktop.models import Case, Meta, SyncConflict, SyncFieldVersion
from desktop.store import Store, open_store
from desktop.store.hlc import HIGH_WATER, Timestamp
from tests.unit.sync.helpers import folder_sync, records, until_quiet

HOUR_MS = 3_600_000


def shifted(hours: float) -> Callable[[], int]:
    """A wall clock ``hours`` away from this computer's."""
    return lambda: time.time_ns() // 1_000_000 + round(hours * HOUR_MS)


class Laptop:
    """A store whose clock runs ``hours`` off, reopened from its file on restart."""

    def __init__(self, root: Path, name: str, hours: float) -> None:
        self.path = root / name / "dipsample.db"
        self.wall = shifted(hours)
        self.store = open_store(self.path, prompt=None, create=True, wall_ms=self.wall)

    def restart(self) -> None:
        self.store.close()
        self.store = open_store(self.path, prompt=None, wall_ms=self.wall)

    def name_of(self, case_id: str) -> str:
        with self.store.read() as session:
            return session.scalar(select(Case.child_name).where(Case.id == case_id)) or ""

    def rename(self, case_id: str, value: str) -> None:
        with self.store.transaction() as session:
            session.get(Case, case_id).child_name = value  # type: ignore[union-attr]


def conflicts(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(SyncConflict)) or 0


def test_a_write_after_seeing_wins_whatever_the_clocks_say_across_restarts(
        tmp_path: Path, share: Path) -> None:
    behind = Laptop(tmp_path, "behind", -3)
    ahead = Laptop(tmp_path, "ahead", 4)
    right = Laptop(tmp_path, "right", 0)
    laptops = [behind, ahead, right]
    try:
        with right.store.transaction() as session:
            case = Case(case_ref="CAU-1", child_name="first")
            session.add(case)
            session.flush()
            case_id = case.id
        until_quiet([lap.store for lap in laptops], share)

        # 1. Hours ahead writes; the laptop hours behind sees it, restarts, writes over it.
        ahead.rename(case_id, "from the laptop ahead")
        folder_sync(ahead.store, share)
        folder_sync(behind.store, share)
        assert behind.name_of(case_id) == "from the laptop ahead"
        behind.restart()
        behind.rename(case_id, "from behind, after seeing it")
        until_quiet([lap.store for lap in laptops], share)
        for lap in laptops:
            assert lap.name_of(case_id) == "from behind, after seeing it"

        # 2. Hours ahead writes again; the laptop with a right clock sees it, restarts,
        # and overwrites it: the rest of the county keeps the overwrite.
        ahead.rename(case_id, "ahead again")
        until_quiet([lap.store for lap in laptops], share)
        right.restart()
        right.rename(case_id, "right, after seeing it")
        until_quiet([lap.store for lap in laptops], share)
        for lap in laptops:
            lap.restart()
        until_quiet([lap.store for lap in laptops], share)
        assert {lap.name_of(case_id) for lap in laptops} == {"right, after seeing it"}
        assert records(behind.store) == records(ahead.store) == records(right.store)
        assert [conflicts(lap.store) for lap in laptops] == [0, 0, 0]
    finally:
        for lap in laptops:
            lap.store.close()


def test_a_version_never_goes_backwards_on_a_device(tmp_path: Path, share: Path) -> None:
    """A laptop that only ever received a later-clocked version resumes above it."""
    ahead = Laptop(tmp_path, "ahead", 5)
    right = Laptop(tmp_path, "right", 0)
    try:
        with ahead.store.transaction() as session:
            session.add(Case(case_ref="CAU-2", child_name="x"))
        until_quiet([ahead.store, right.store], share)
        with right.store.read() as session:
            held = max(session.scalars(select(SyncFieldVersion.history)))
        received = Timestamp.parse(held.split()[-1])
        right.restart()
        assert Timestamp.parse(right.store.clock.tick()).wall_ms >= received.wall_ms
        version = right.store.clock.tick()
        assert version > held.split()[-1]
    finally:
        ahead.store.close()
        right.store.close()


def test_a_store_from_before_the_mark_resumes_above_what_it_received(
        tmp_path: Path, share: Path) -> None:
    """The first open of a store with no high-water mark reads the highest version it
    holds anywhere (once), and keeps it as its mark."""
    ahead = Laptop(tmp_path, "ahead", 6)
    right = Laptop(tmp_path, "right", 0)
    try:
        with ahead.store.transaction() as session:
            session.add(Case(case_ref="CAU-3", child_name="x"))
        until_quiet([ahead.store, right.store], share)
        with right.store.transaction() as session:
            session.execute(delete(Meta).where(Meta.key == HIGH_WATER))
            received = session.scalar(select(Case.hlc))
        right.restart()
        assert right.store.clock.tick() > received
        with right.store.read() as session:
            assert session.get(Meta, HIGH_WATER) is not None
    finally:
        ahead.store.close()
        right.store.close()


# -- the property: any clocks, any restarts, any order -----------------------------------

#: Hours each laptop's clock is off: behind, right, ahead.
OFFSETS = (-3.0, 0.0, 4.0)
CASES = 2
OPS = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, len(OFFSETS) - 1), st.integers(0, CASES - 1)),
    st.tuples(st.just("sync"), st.integers(0, len(OFFSETS) - 1)),
    st.tuples(st.just("restart"), st.integers(0, len(OFFSETS) - 1)),
)


@dataclass
class Ledger:
    """Every name written, the names a later write saw, each laptop's last version."""

    written: list[tuple[str, str]] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    last: dict[int, str] = field(default_factory=dict)
    counter: int = 0


def _edit(laptop: Laptop, n: int, case_id: str, ledger: Ledger) -> None:
    ledger.counter += 1
    value = f"Name {ledger.counter}"
    with laptop.store.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        ledger.seen.add((case_id, case.child_name))
        case.child_name = value
        session.flush()
        version = case.hlc
    assert version > ledger.last.get(n, ""), "a version went backwards on a device"
    ledger.last[n] = version
    ledger.written.append((case_id, value))


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("DIPSAMPLE_SYNC_EXAMPLES", "10")), deadline=None,
          derandomize=True, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.generate])
@given(st.lists(OPS, min_size=4, max_size=16))
def test_writes_after_seeing_win_and_unseen_ones_are_kept_whatever_the_clocks(
        ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        share = root / "share"
        share.mkdir()
        laptops = [Laptop(root, f"d{n}", hours) for n, hours in enumerate(OFFSETS)]
        ledger = Ledger()
        try:
            with laptops[1].store.transaction() as session:
                cases = [Case(case_ref=f"PRO-{n}", child_name="start") for n in range(CASES)]
                session.add_all(cases)
                session.flush()
                case_ids = [c.id for c in cases]
            until_quiet([lap.store for lap in laptops], share)
            for op in ops:
                laptop = laptops[op[1]]
                if op[0] == "edit":
                    _edit(laptop, op[1], case_ids[op[2]], ledger)
                elif op[0] == "sync":
                    folder_sync(laptop.store, share)
                else:
                    laptop.restart()
            until_quiet([lap.store for lap in laptops], share, rounds=8)
            first = records(laptops[0].store)
            assert all(records(lap.store) == first for lap in laptops[1:])
            with laptops[0].store.read() as session:
                final = dict(session.execute(select(Case.id, Case.child_name)).all())
                kept = {(c.record_id, json.loads(c.loser_json)) for c in session.scalars(
                    select(SyncConflict))}
            for case_id, value in final.items():
                assert (case_id, value) not in ledger.seen, \
                    "a value won over a write made after seeing it"
            for case_id, value in ledger.written:
                if value == final[case_id] or (case_id, value) in ledger.seen:
                    continue
                assert (case_id, value) in kept, "a value was overwritten unseen"
        finally:
            for lap in laptops:
                lap.store.close()


def test_a_write_after_seeing_what_another_process_applied_sorts_after_it(
        tmp_path: Path, share: Path) -> None:
    """The window (a clock 3 hours behind) stays open while a scheduled sync, another
    process with a clock of its own, applies a later-clocked value to the same file;
    the person then edits that value in the window: the edit wins everywhere."""
    ahead = Laptop(tmp_path, "ahead", 4)
    behind = Laptop(tmp_path, "behind", -3)
    try:
        with ahead.store.transaction() as session:
            case = Case(case_ref="CAU-4", child_name="start")
            session.add(case)
            session.flush()
            case_id = case.id
        until_quiet([ahead.store, behind.store], share)
        ahead.rename(case_id, "from ahead")
        folder_sync(ahead.store, share)
        scheduled = open_store(behind.path, prompt=None, wall_ms=behind.wall)
        try:
            folder_sync(scheduled, share)  # the other process applies it
        finally:
            scheduled.close()
        assert behind.name_of(case_id) == "from ahead"  # the window reads it
        behind.rename(case_id, "from behind, after seeing it")
        until_quiet([ahead.store, behind.store], share)
        assert ahead.name_of(case_id) == behind.name_of(case_id) == \
            "from behind, after seeing it"
        assert conflicts(ahead.store) == conflicts(behind.store) == 0
    finally:
        ahead.store.close()
        behind.store.close()


def test_a_conflict_stamped_lower_than_the_last_write_does_not_set_the_clock_back(
        tmp_path: Path, share: Path) -> None:
    """Found by the chaos run: a store whose clock runs on another laptop's later wall
    (by counter) writes, then receives a clash it wins with an older write; the conflict,
    stamped with that older version, becomes its newest change-log row once sync deletes
    the rows it sent. After a restart its next write must still sort after its last."""
    ahead = Laptop(tmp_path, "ahead", 4)
    qa = Laptop(tmp_path, "qa", 0)
    other = Laptop(tmp_path, "other", 0)
    laptops = [ahead, qa, other]
    try:
        with ahead.store.transaction() as session:
            cases = [Case(case_ref=f"CAU-5{n}", child_name="start") for n in range(2)]
            session.add_all(cases)
            session.flush()
            first, second = (c.id for c in cases)
        until_quiet([lap.store for lap in laptops], share)
        other.rename(second, "other's, unseen by qa")
        qa.rename(second, "qa's, unseen by other")
        qa.rename(first, "qa's last write")
        folder_sync(other.store, share)
        folder_sync(qa.store, share)  # sends both, receives the clash: a conflict
        folder_sync(qa.store, share)  # sends the conflict; its row is the newest kept
        assert conflicts(qa.store) == 1
        qa.restart()
        qa.rename(first, "qa's next write")
        until_quiet([lap.store for lap in laptops], share)
        assert {lap.name_of(first) for lap in laptops} == {"qa's next write"}
    finally:
        for lap in laptops:
            lap.store.close()
