"""A snapshot: every record of a store at once, for a new laptop to start from.

Why: a laptop that joins after months would otherwise fetch and apply every bundle
ever pushed. A snapshot written by an up-to-date device (the QA install, nightly, or
``dipsample sync snapshot``) holds every record with its field histories, every case
event, and the names of the bundles it already covers; a store that never pulled
applies the newest snapshot and then only the bundles it does not cover
(:func:`desktop.sync.engine.start_from_snapshot`). It is sealed like a bundle.
"""

from __future__ import annotations

import time

from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import CaseEvent, SyncApplied
from desktop.store import Store
from desktop.store.changes import to_json_value
from desktop.sync.bundle import Bundle, seal
from desktop.sync.collect import FACT_COLUMNS, pending_count, whole_changes


def make_snapshot(store: Store) -> Bundle:
    """Every record and case event of ``store``; refused while changes wait to be sent
    (a snapshot must hold only what its target already has)."""
    with store.read() as session:
        if pending_count(session):
            raise InputProblem("Sync first: a snapshot holds only what the target has, and "
                               "this store has changes not sent yet.")
        changes = whole_changes(session, None, set())
        facts = [{c: to_json_value(v) for c, v in zip(FACT_COLUMNS, row, strict=True)}
                 for row in session.execute(select(*[getattr(CaseEvent, c)
                                                     for c in FACT_COLUMNS]))]
        covers = sorted(session.scalars(select(SyncApplied.bundle_id)))
    return Bundle(store.device_id, "", changes, facts, covers)


def write_snapshot(store: Store, target: object, key: bytes) -> str:
    """Seal a snapshot of ``store`` and put it on ``target``; its id."""
    snapshot = make_snapshot(store)
    name = f"{time.time_ns() // 1_000_000:013d}-snapshot"
    data = seal(key, f"snapshot:{store.device_id}/{name}", snapshot)
    return target.push_snapshot(name, data)  # type: ignore[attr-defined]
