"""Three devices edit, delete and claim at random and sync in random orders; in the end
every store, and a QA install that only pulls from the central target, holds the same
records, and every value overwritten unseen is in a conflict."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.models import Case, Claim, SyncConflict, User
from desktop.store import Store
from desktop.sync.bundle import organisation_key
from desktop.sync.central import DatabaseTarget
from desktop.sync.engine import SyncReport, claim_collisions, sync
from tests.unit.sync.helpers import device, folder_sync, fresh_schema, records, settle

DEVICES = 3
CASES = 3
FLAGS = ["cp", "cla", "sgo"]

OPS = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, DEVICES - 1), st.integers(0, CASES - 1)),
    st.tuples(st.just("flag"), st.integers(0, DEVICES - 1), st.integers(0, CASES - 1),
              st.sampled_from(FLAGS)),
    st.tuples(st.just("delete"), st.integers(0, DEVICES - 1), st.integers(0, CASES - 1)),
    st.tuples(st.just("claim"), st.integers(0, DEVICES - 1), st.integers(0, CASES - 1),
              st.integers(0, 1)),
    st.tuples(st.just("sync"), st.integers(0, DEVICES - 1)),
)


@dataclass
class World:
    stores: list[Store]
    sync: Callable[[Store], SyncReport]
    cases: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    #: (case id, value) of every name written, and whether a later write saw it.
    written: list[tuple[str, str]] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    counter: int = 0
    claims: dict[str, set[str]] = field(default_factory=dict)

    @property
    def collisions(self) -> set[tuple[str, int]]:
        return {(c, len(a)) for c, a in self.claims.items() if len(a) > 1}


def _setup(root: Path, central: str | None) -> World:
    share = root / "share"
    share.mkdir()

    def sync_one(store: Store) -> SyncReport:
        if central is None:
            return folder_sync(store, share)
        target = DatabaseTarget.connect(central, store.device_id)
        try:
            return sync(store, target, organisation_key(create=True))
        finally:
            target.close()

    world = World([device(root, f"d{n}") for n in range(DEVICES)], sync_one)
    with world.stores[0].transaction() as session:
        users = [User(username=f"auditor{n}", name=f"Auditor {n}") for n in range(2)]
        cases = [Case(case_ref=f"SYN-{n}", child_name=f"Child {n}") for n in range(CASES)]
        session.add_all([*users, *cases])
        session.flush()
        world.users = [u.id for u in users]
        world.cases = [c.id for c in cases]
    settle(world.stores, world.sync)
    return world


def _do(world: World, op: tuple) -> None:  # type: ignore[type-arg]
    kind, who = op[0], world.stores[op[1]]
    if kind == "sync":
        world.sync(who)
        return
    case_id = world.cases[op[2]]
    with who.transaction() as session:
        case = session.get(Case, case_id)
        if case.deleted and kind != "claim":
            return  # the app offers no edit of a deleted record
        if kind == "edit":
            world.counter += 1
            value = f"Name {world.counter}"
            world.seen.add((case_id, case.child_name))
            world.written.append((case_id, value))
            case.child_name = value
        elif kind == "flag":
            case.flags = ",".join(sorted(set(case.flag_set) | {op[3]}))
        elif kind == "delete":
            case.deleted = True
        else:
            world.claims.setdefault(case_id, set()).add(world.users[op[3]])
            session.add(Claim(case_id=case_id, auditor_id=world.users[op[3]],
                              iso_week="2026-W48"))


SETTINGS = {"deadline": None, "derandomize": True,
            "suppress_health_check": [HealthCheck.too_slow],
            "phases": [Phase.explicit, Phase.generate]}
EXAMPLES = int(os.environ.get("DIPSAMPLE_SYNC_EXAMPLES", "8"))


@pytest.mark.slow
@settings(max_examples=EXAMPLES, **SETTINGS)
@given(st.lists(OPS, min_size=4, max_size=14))
def test_three_devices_converge_through_a_folder(ops: list[tuple]) -> None:  # type: ignore[type-arg]
    check_run(ops, None)


@pytest.mark.slow
@pytest.mark.pg
@settings(max_examples=max(EXAMPLES // 2, 1), **SETTINGS)
@given(st.lists(OPS, min_size=4, max_size=14))
def test_three_devices_converge_through_the_database(ops: list[tuple]) -> None:  # type: ignore[type-arg]
    server = os.environ.get("DIPSAMPLE_TEST_PG_URL")
    if not server:
        pytest.skip("DIPSAMPLE_TEST_PG_URL is not set")
    with fresh_schema(server) as central:
        check_run(ops, central)


def check_run(ops: list[tuple], central: str | None) -> None:  # type: ignore[type-arg]
    """Run ``ops``, sync until quiet, and check everything the test's docstring says."""
    with tempfile.TemporaryDirectory() as folder:
        world = _setup(Path(folder), central)
        try:
            for op in ops:
                _do(world, op)
            settle(world.stores, world.sync, rounds=8)
            first = records(world.stores[0])
            for other in world.stores[1:]:
                assert records(other) == first
            central = device(Path(folder), "qa")  # the QA install: only ever pulls
            try:
                world.sync(central)
                assert records(central) == first
            finally:
                central.close()
            with world.stores[0].read() as session:
                final = dict(session.execute(select(Case.id, Case.child_name)).all())
                kept = {(c.record_id, json.loads(c.loser_json)) for c in session.scalars(
                    select(SyncConflict).where(SyncConflict.field == "child_name"))}
            shown = []
            for store in world.stores:  # both auditors' claims of a case: shown to all
                with store.read() as session:
                    shown.append(claim_collisions(session))
            assert shown[0] == shown[1] == shown[2]
            assert {(c.case_id, len(c.auditor_ids)) for c in shown[0]} == world.collisions
            for case_id, value in world.written:
                if value == final[case_id] or (case_id, value) in world.seen:
                    continue
                assert (case_id, value) in kept, "a value was overwritten unseen"
        finally:
            for store in world.stores:
                store.close()
