"""What each target holds is tracked per target (issue 21, item 3).

A laptop that synced to the folder and then to the database sent the database nothing
(the change log's rows were gone once the folder held them), so a new laptop started
from that database received none of the county; a QA install bridging both passed
nothing from one to the other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desktop.cli.main import main
from desktop.models import Audit, CaseEvent, ServiceArea
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.store import Store
from desktop.sync.bundle import organisation_key
from desktop.sync.central import DatabaseTarget
from desktop.sync.collect import FACT_COLUMNS
from desktop.sync.engine import SyncReport, sync
from desktop.sync.status import sync_status
from tests.unit.sync.helpers import device, folder_sync, fresh_schema, records, settle

pytestmark = pytest.mark.pg
AS_OF = dt.date(2026, 11, 20)


@pytest.fixture
def central(pg_url: str) -> Iterator[str]:
    with fresh_schema(pg_url) as url:
        yield url


def db_sync(store: Store, url: str) -> SyncReport:
    target = DatabaseTarget.connect(url, store.device_id)
    try:
        return sync(store, target, organisation_key(create=True))
    finally:
        target.close()


def add_area(store: Store, name: str) -> None:
    with store.transaction() as session:
        session.add(ServiceArea(name=name))


def facts(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as session:
        return sorted(session.execute(select(*[getattr(CaseEvent, c)
                                               for c in FACT_COLUMNS])).all(), key=repr)


def count(store: Store, model: type) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_folder_first_then_database_a_new_laptop_from_the_database_has_everything(
        tmp_path: Path, share: Path, central: str) -> None:
    qa, laptop, new = (device(tmp_path, n) for n in ("qa", "laptop", "new"))
    try:
        build_demo_county(ServiceContext(store=qa), cases=40, seed=3, as_of=AS_OF)
        assert folder_sync(qa, share).pushed > 100
        folder_sync(laptop, share)
        add_area(laptop, "Typed on the laptop")
        folder_sync(laptop, share)
        folder_sync(qa, share)  # the laptop's work reaches QA through the folder
        assert count(qa, ServiceArea) == count(laptop, ServiceArea)

        moved = db_sync(qa, central)  # the council moves to its database
        assert moved.outcome == "ok" and moved.pushed >= sum(map(len, records(qa).values()))
        assert db_sync(qa, central).pushed == 0  # once
        db_sync(new, central)
        assert records(new) == records(qa)
        assert facts(new) == facts(qa) and facts(new)
    finally:
        for store in (qa, laptop, new):
            store.close()


def test_a_store_bridging_the_folder_and_the_database_passes_each_on(
        tmp_path: Path, share: Path, central: str) -> None:
    qa, on_folder, on_db = (device(tmp_path, n) for n in ("qa", "folder", "db"))
    try:
        build_demo_county(ServiceContext(store=qa), cases=20, seed=4, as_of=AS_OF)
        folder_sync(qa, share)
        db_sync(qa, central)
        folder_sync(on_folder, share)
        db_sync(on_db, central)
        add_area(on_folder, "Typed by the folder's laptop")
        add_area(on_db, "Typed by the database's laptop")
        with on_db.transaction() as session:  # and an edit of a record all three hold
            session.scalars(select(Audit)).first().overview = "Edited on the database side"

        def one(store: Store) -> SyncReport:
            if store is qa:
                first, second = folder_sync(qa, share), db_sync(qa, central)
                return SyncReport(target="both", pushed=first.pushed + second.pushed,
                                  pulled=first.pulled + second.pulled)
            return folder_sync(store, share) if store is on_folder else db_sync(store,
                                                                                  central)

        settle([on_folder, on_db, qa], one, rounds=8)
        assert records(on_folder) == records(qa) == records(on_db)
        with on_folder.read() as session:
            assert "Edited on the database side" in session.scalars(select(Audit.overview))
    finally:
        for store in (qa, on_folder, on_db):
            store.close()


def test_sync_status_shows_what_each_target_lacks(
        store: Store, share: Path, central: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(store.path)
    add_area(store, "North")
    assert main(["sync", "--folder", str(share), "--db", db]) == 0
    add_area(store, "South")
    assert main(["sync", "--database", central, "--db", db]) == 0
    add_area(store, "East")
    capsys.readouterr()
    assert main(["sync", "status", "--json", "--db", db]) == 0
    status = json.loads(capsys.readouterr().out)
    by_label = {t["label"].split(":")[0]: t["pending"] for t in status["targets"]}
    assert status["targets"][0]["label"].startswith("database:")  # the chosen one first
    # East is pending for both; South, sent to the database first, goes to the folder.
    assert by_label == {"database": 1, "folder": 2}
    assert status["pending"] == 1
    status_of = sync_status(store)
    assert [t.whole for t in status_of.targets] == [False, False]
    assert main(["sync", "status", "--db", db]) == 0
    assert "pending for folder:share: 2" in capsys.readouterr().out
