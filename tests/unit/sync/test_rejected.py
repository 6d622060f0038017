"""A rejected bundle is fetched again until it applies or a person sets it aside.

Issue 21, items 2 and 7: through PostgreSQL, a byte-flipped and a truncated bundle row
were rejected and, once restored, never fetched again (the cursor had moved past
them); through either target, one foreign bundle failed every later sync of every
device for ever, with no way to set it aside.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from desktop.cli.main import main
from desktop.models import ServiceArea, SyncRejected
from desktop.store import Store
from desktop.sync.bundle import Bundle, organisation_key, seal
from desktop.sync.central import DatabaseTarget
from desktop.sync.engine import SyncReport, sync
from desktop.sync.folder import SUFFIX, FolderTarget
from desktop.sync.status import rejected_bundles, set_aside, sync_status
from tests.unit.sync.helpers import fresh_schema, plain_url, records


def add_area(store: Store, name: str) -> None:
    with store.transaction() as session:
        session.add(ServiceArea(name=name))


def areas(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ServiceArea)) or 0


def db_sync(store: Store, url: str) -> SyncReport:
    target = DatabaseTarget.connect(url, store.device_id)
    try:
        return sync(store, target, organisation_key(create=True))
    finally:
        target.close()


def folder_sync(store: Store, share: Path) -> SyncReport:
    return sync(store, FolderTarget(share, store.device_id), organisation_key(create=True))


FOREIGN_DEVICE = "ffffffff-0000-4000-8000-000000000000"


def foreign_bytes(name: str) -> bytes:
    """A bundle sealed with another council's key."""
    return seal(os.urandom(32), f"{FOREIGN_DEVICE}/{name}", Bundle(FOREIGN_DEVICE, "", []))


# -- the shared folder -------------------------------------------------------------------

def test_folder_a_torn_bundle_is_retried_until_restored_and_a_foreign_one_set_aside(
        pair: tuple[Store, Store], share: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = pair
    add_area(a, "North")
    folder_sync(a, share)
    good = next((share / a.device_id).glob("*" + SUFFIX))
    kept = good.read_bytes()
    good.write_bytes(kept[: len(kept) // 2])
    name = "000000000001-000000000000-foreign"
    (share / FOREIGN_DEVICE).mkdir()
    (share / FOREIGN_DEVICE / (name + SUFFIX)).write_bytes(foreign_bytes(name))

    first = folder_sync(b, share)
    torn = f"{a.device_id}/{good.name[:-len(SUFFIX)]}"
    foreign = f"{FOREIGN_DEVICE}/{name}"
    assert first.outcome == "rejected" and sorted(first.rejected) == sorted([torn, foreign])
    assert f"{name} from device {FOREIGN_DEVICE}" in first.message  # named, with device
    again = folder_sync(b, share)  # fetched again, not named again as new
    assert again.outcome == "rejected" and sorted(again.rejected) == sorted([torn, foreign])
    assert "from device" not in again.message
    assert {r.bundle_id for r in sync_status(b).rejected} == {torn, foreign}

    good.write_bytes(kept)  # restored
    restored = folder_sync(b, share)
    assert restored.pulled == 1 and restored.rejected == [foreign] and areas(b) == 1
    assert [r.bundle_id for r in rejected_bundles(b)] == [foreign]

    db = str(b.path)
    assert main(["sync", "ignore", "foreign", "--db", db]) == 1  # fits nothing whole
    capsys.readouterr()
    assert main(["sync", "ignore", name[:16], "--db", db]) == 0
    assert f"set aside: {foreign}" in capsys.readouterr().out
    after = folder_sync(b, share)
    assert after.outcome == "ok" and after.rejected == []
    assert main(["sync", "--folder", str(share), "--db", db]) == 0
    capsys.readouterr()
    assert main(["sync", "status", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == []
    assert records(a) == records(b)


def test_the_status_lists_a_rejected_bundle_with_its_device(
        store: Store, share: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "000000000001-000000000000-foreign"
    (share / FOREIGN_DEVICE).mkdir()
    (share / FOREIGN_DEVICE / (name + SUFFIX)).write_bytes(foreign_bytes(name))
    db = str(store.path)
    assert main(["sync", "--folder", str(share), "--db", db]) == 1
    capsys.readouterr()
    assert main(["sync", "status", "--json", "--db", db]) == 0
    status = json.loads(capsys.readouterr().out)
    assert [(r["bundle_id"], r["device"]) for r in status["rejected"]] == [
        (f"{FOREIGN_DEVICE}/{name}", FOREIGN_DEVICE)]
    assert main(["sync", "status", "--db", db]) == 0
    assert f"rejected bundle:   {FOREIGN_DEVICE}/{name} from device" in capsys.readouterr().out


# -- the central database ------------------------------------------------------------

@pytest.fixture
def central(pg_url: str) -> Iterator[str]:
    with fresh_schema(pg_url) as url:
        yield url


def _server_sql(url: str) -> Callable[[str, dict[str, object]], None]:
    """Run SQL on the central schema of ``url`` (as a person at the server would)."""
    server, schema = url.split("?schema=")

    def run(sql: str, params: dict[str, object]) -> None:
        engine = create_engine(plain_url(server))
        try:
            with engine.begin() as conn:
                conn.execute(text(sql.replace("SCHEMA", f'"{schema}"')), params)
        finally:
            engine.dispose()

    return run


@pytest.mark.pg
def test_database_a_damaged_row_is_fetched_again_once_restored(
        pair: tuple[Store, Store], central: str) -> None:
    a, b = pair
    server = _server_sql(central)
    add_area(a, "North")
    db_sync(a, central)
    add_area(a, "South")
    db_sync(a, central)
    engine = create_engine(plain_url(central.split("?schema=")[0]))
    schema = central.split("?schema=")[1]
    with engine.connect() as conn:
        rows = conn.execute(text(f'SELECT bundle_id, data FROM "{schema}".bundles '
                                 "ORDER BY server_seq")).all()
    engine.dispose()
    (first, first_data), (second, second_data) = rows
    flipped = bytearray(first_data)
    flipped[-3] ^= 0x01
    server("UPDATE SCHEMA.bundles SET data = :d WHERE bundle_id = :b",
           {"d": bytes(flipped), "b": first})
    server("UPDATE SCHEMA.bundles SET data = :d WHERE bundle_id = :b",
           {"d": bytes(second_data)[:40], "b": second})

    report = db_sync(b, central)
    assert report.outcome == "rejected" and report.rejected == [first, second]
    assert areas(b) == 0
    add_area(a, "After them")
    db_sync(a, central)  # a later bundle applies; the two stay offered
    later = db_sync(b, central)
    assert later.pulled == 1 and later.rejected == [first, second] and areas(b) == 1

    server("UPDATE SCHEMA.bundles SET data = :d WHERE bundle_id = :b",
           {"d": bytes(first_data), "b": first})
    server("UPDATE SCHEMA.bundles SET data = :d WHERE bundle_id = :b",
           {"d": bytes(second_data), "b": second})
    restored = db_sync(b, central)
    assert restored.outcome == "ok" and restored.pulled == 2 and restored.rejected == []
    assert areas(b) == 3 and records(a) == records(b)
    with b.read() as session:
        assert session.scalar(select(func.count()).select_from(SyncRejected)) == 0
    assert db_sync(b, central).pulled == 0


@pytest.mark.pg
def test_database_a_foreign_row_set_aside_lets_later_syncs_succeed(
        pair: tuple[Store, Store], central: str) -> None:
    a, b = pair
    add_area(a, "North")
    db_sync(a, central)
    name = "000000000009-000000000000-foreign"
    target = DatabaseTarget.connect(central, FOREIGN_DEVICE)
    try:
        target.check()
        foreign = target.push(name, foreign_bytes(name))
    finally:
        target.close()
    add_area(a, "South")
    db_sync(a, central)
    first = db_sync(b, central)
    assert first.rejected == [foreign] and areas(b) == 2
    assert f"from device {FOREIGN_DEVICE}" in first.message
    assert db_sync(b, central).rejected == [foreign]  # still offered, still reported
    set_aside(b, foreign)
    after = db_sync(b, central)
    assert after.outcome == "ok" and after.rejected == []
    assert db_sync(a, central).rejected == [foreign]  # a's own choice to make
