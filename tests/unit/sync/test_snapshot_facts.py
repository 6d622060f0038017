"""A store never applies its own snapshot; case events go once, from who recorded them.

Issue 21, item 10: after ``sync snapshot`` the next sync of the same store received its
own 25,062 changes back. Item 6: every new laptop's first push sent back every case
event it received in the snapshot, and every other store then checked each against its
own, one statement per event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from desktop.models import CaseEvent, ServiceArea, SyncApplied
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.store import Store
from desktop.store.changes import insert_facts
from desktop.sync.bundle import Bundle, open_sealed, organisation_key
from desktop.sync.folder import SUFFIX, FolderTarget
from desktop.sync.snapshot import write_snapshot
from tests.unit.sync.helpers import device, folder_sync, records

AS_OF = dt.date(2026, 11, 20)


def events(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(CaseEvent)) or 0


def bundles_of(share: Path, store: Store) -> list[Bundle]:
    key = organisation_key()
    return [open_sealed(key, f"{store.device_id}/{p.name[:-len(SUFFIX)]}", p.read_bytes())
            for p in sorted((share / store.device_id).glob("*" + SUFFIX))]


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """Every SQL statement ``store`` runs inside the block."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_a_store_never_applies_its_own_snapshot(tmp_path: Path, share: Path) -> None:
    qa = device(tmp_path, "qa")
    try:
        build_demo_county(ServiceContext(store=qa), cases=30, seed=5, as_of=AS_OF)
        assert folder_sync(qa, share).pushed > 100  # pushed, never pulled
        write_snapshot(qa, FolderTarget(share, qa.device_id), organisation_key())
        before = records(qa)
        again = folder_sync(qa, share)
        assert again.outcome == "ok" and again.pulled == 0 and again.bundles == 0
        assert records(qa) == before
        with qa.read() as session:  # nothing recorded as applied from it either
            assert session.scalar(select(func.count()).select_from(SyncApplied).where(
                SyncApplied.target != "sent")) == 0
    finally:
        qa.close()


def test_case_events_received_in_a_snapshot_are_not_sent_back(tmp_path: Path, share: Path
                                                              ) -> None:
    qa, laptop = device(tmp_path, "qa"), device(tmp_path, "laptop")
    try:
        build_demo_county(ServiceContext(store=qa), cases=30, seed=5, as_of=AS_OF)
        folder_sync(qa, share)
        write_snapshot(qa, FolderTarget(share, qa.device_id), organisation_key())
        first = folder_sync(laptop, share)  # a new laptop starts from the snapshot
        assert first.pulled > 100 and events(laptop) == events(qa) > 100
        with laptop.transaction() as session:
            session.add(ServiceArea(name="Typed on the laptop"))
        with laptop.transaction() as session:  # and one event recorded on it
            case_id = session.scalar(select(CaseEvent.case_id).limit(1))
            insert_facts(session, CaseEvent, [{
                "case_id": case_id, "kind": "visit_f2f", "occurred_on": AS_OF,
                "by": "social_worker", "worker_id": None, "rag_from": None, "rag_to": None,
                "origin": "manual", "note": ""}])
        sent = folder_sync(laptop, share)
        assert sent.pushed == 1
        pushed = bundles_of(share, laptop)
        assert [len(b.facts) for b in pushed] == [1]  # its own event only, once
        assert folder_sync(qa, share).pulled == 1
        assert events(qa) == events(laptop)
        assert folder_sync(laptop, share).pushed == 0 and len(bundles_of(share, laptop)) == 1
    finally:
        qa.close()
        laptop.close()


def test_events_already_here_are_found_a_chunk_at_a_time(tmp_path: Path, share: Path
                                                         ) -> None:
    """A bundle that brings back events a store holds costs a few statements, not one per
    event (the laptops that resent the snapshot's events made every sync a minute)."""
    qa, other = device(tmp_path, "qa"), device(tmp_path, "other")
    try:
        build_demo_county(ServiceContext(store=qa), cases=30, seed=5, as_of=AS_OF)
        folder_sync(qa, share)
        folder_sync(other, share)
        held = events(other)
        assert held > 100
        stranger = "eeeeeeee-0000-4000-8000-000000000000"
        with qa.read() as session:
            facts = [{c: getattr(e, c).isoformat() if c == "occurred_on" else getattr(e, c)
                      for c in ("case_id", "kind", "occurred_on", "by", "worker_id",
                                "rag_from", "rag_to", "origin", "note")}
                     for e in session.scalars(select(CaseEvent))]
        from desktop.sync.bundle import seal

        name = "000000000001-000000000001-resent"
        (share / stranger).mkdir()
        (share / stranger / (name + SUFFIX)).write_bytes(seal(
            organisation_key(), f"{stranger}/{name}", Bundle(stranger, "", [], facts)))
        with statements(other) as seen:
            report = folder_sync(other, share)
        assert report.outcome == "ok" and report.bundles == 1 and events(other) == held
        lookups = [s for s in seen if "FROM case_events" in s]
        assert len(lookups) <= 5, len(lookups)
    finally:
        qa.close()
        other.close()


def test_a_snapshot_brings_every_field_history_as_its_writer_holds_it(
        tmp_path: Path, share: Path) -> None:
    """Records new to a store are inserted a chunk at a time, their histories kept as
    sent (compact); each field's history must still be the writer's, field by field."""
    from desktop.sync.merge import Merger, synced_models

    qa, laptop = device(tmp_path, "qa"), device(tmp_path, "laptop")
    try:
        with qa.transaction() as session:
            session.add_all([ServiceArea(name=f"Area {n}") for n in range(3)])
        folder_sync(qa, share)
        for n in range(2):  # a field with a longer history than its record's others
            with qa.transaction() as session:
                session.scalars(select(ServiceArea)).first().name = f"Renamed {n}"
            folder_sync(qa, share)
        write_snapshot(qa, FolderTarget(share, qa.device_id), organisation_key())
        folder_sync(laptop, share)
        assert records(laptop) == records(qa)
        model = synced_models()["service_areas"]
        with qa.read() as theirs, laptop.read() as ours:
            for record_id in theirs.scalars(select(model.id)):
                assert Merger(ours).histories("service_areas", record_id) == \
                    Merger(theirs).histories("service_areas", record_id)
    finally:
        qa.close()
        laptop.close()
