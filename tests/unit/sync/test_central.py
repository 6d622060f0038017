"""The central PostgreSQL target against the real server (DIPSAMPLE_TEST_PG_URL)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from sqlalchemy import create_engine, func, select, text

from desktop.errors import InputProblem
from desktop.models import ServiceArea, SyncConflict
from desktop.store import Store
from desktop.sync import central_migrate
from desktop.sync.bundle import organisation_key
from desktop.sync.central import PASSWORD_SERVICE, DatabaseTarget, bundles, parse_url
from desktop.sync.engine import SyncReport, sync
from desktop.sync.pause import PAUSE_ENV
from tests import forked
from tests.unit.sync.helpers import EXE, ROOT, fresh_schema, plain_url, records, settle

pytestmark = pytest.mark.pg


@pytest.fixture
def central(pg_url: str) -> Iterator[str]:
    """A URL whose schema is new and dropped afterwards."""
    with fresh_schema(pg_url) as url:
        yield url


def db_sync(store: Store, url: str) -> SyncReport:
    target = DatabaseTarget.connect(url, store.device_id)
    try:
        return sync(store, target, organisation_key(create=True))
    finally:
        target.close()


def until_quiet(stores: list[Store], url: str) -> None:
    settle(stores, lambda store: db_sync(store, url))


def add_area(store: Store, name: str) -> None:
    with store.transaction() as session:
        session.add(ServiceArea(name=name))


def test_devices_converge_through_the_database(pair: tuple[Store, Store], central: str
                                              ) -> None:
    a, b = pair
    add_area(a, "North")
    assert db_sync(a, central).pushed == 1
    assert db_sync(b, central).pulled == 1
    with a.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North A"
    with b.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North B"
    until_quiet([a, b], central)
    assert records(a) == records(b)
    with a.read() as session:
        assert session.scalars(select(SyncConflict)).one().loser_json == '"North A"'
    target = DatabaseTarget.connect(central, b.device_id)
    try:  # the next pull asks only for what came after the cursor
        assert sync(b, target, organisation_key()).pulled == 0
        assert target.cursor == target.seen >= 3
    finally:
        target.close()


def test_push_is_idempotent(store: Store, central: str) -> None:
    target = DatabaseTarget.connect(central, store.device_id)
    try:
        target.check()
        first = target.push("000000000001-x", b"sealed")
        again = target.push("000000000001-x", b"sealed")
        assert first == again
        with target.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(bundles)) == 1
    finally:
        target.close()


def test_a_password_in_the_url_is_refused_with_a_hint() -> None:
    with pytest.raises(InputProblem, match="keyring"):
        parse_url("postgresql://qa:secret@db.council.example/dipsample")


def test_the_password_comes_from_the_keyring(pg_url: str) -> None:
    url, _ = parse_url(pg_url)
    keyring.set_password(PASSWORD_SERVICE,
                         f"{url.username or ''}@{url.host}:{url.port or 5432}/{url.database}",
                         "from-the-keyring")
    target = DatabaseTarget.connect(pg_url + "?sslmode=prefer", "device")
    try:
        assert target.engine.url.password == "from-the-keyring"
        assert target.engine.url.query["sslmode"] == "prefer"
    finally:
        target.close()


def test_the_cursor_does_not_skip_a_push_that_commits_late(central: str) -> None:
    """Pusher 1 numbers its bundle and is slow to commit; pusher 2 waits for it, so a
    reader never sees number 2 without number 1."""
    slow = DatabaseTarget.connect(central, "device-1")
    fast = DatabaseTarget.connect(central, "device-2")
    reader = DatabaseTarget.connect(central, "reader")
    try:
        slow.check()
        conn = slow.engine.connect()
        transaction = conn.begin()
        conn.execute(select(func.pg_advisory_xact_lock(0x44495053)))
        conn.execute(bundles.insert().values(server_seq=1, bundle_id="device-1/slow",
                                             device="device-1", data=b"x"))
        pushed = threading.Thread(target=fast.push, args=("fast", b"y"))
        pushed.start()
        pushed.join(0.5)
        assert pushed.is_alive()  # waiting for the slow one's commit
        assert reader.listed() == [] and reader.seen == 0
        transaction.commit()
        conn.close()
        pushed.join(10)
        assert reader.listed() == ["device-1/slow", "device-2/fast"]
    finally:
        for target in (slow, fast, reader):
            target.close()


def test_two_concurrent_pushers_and_a_polling_reader_miss_nothing(central: str) -> None:
    pushers = [DatabaseTarget.connect(central, f"device-{n}") for n in (1, 2)]
    reader = DatabaseTarget.connect(central, "reader")
    pushers[0].check()
    got: list[str] = []
    done = threading.Event()

    def push_many(target: DatabaseTarget) -> None:
        for n in range(40):
            target.push(f"{n:04d}", b"z")

    def read() -> None:
        while True:
            finished = done.is_set()
            got.extend(reader.listed())
            reader.cursor = reader.seen
            if finished:
                return

    threads = [threading.Thread(target=push_many, args=(t,)) for t in pushers]
    polling = threading.Thread(target=read)
    polling.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done.set()
    polling.join(60)
    try:
        assert sorted(got) == sorted(f"device-{d}/{n:04d}" for d in (1, 2) for n in range(40))
        assert len(got) == len(set(got))
    finally:
        for target in (*pushers, reader):
            target.close()


def test_the_database_unreachable_is_offline_and_loses_nothing(store: Store) -> None:
    add_area(store, "North")
    report = db_sync(store, "postgresql://nobody@127.0.0.1:9/none")
    assert report.outcome == "offline" and report.pending == 1


# -- real processes --------------------------------------------------------------------

def _paused(store: Store, url: str, home: Path, point: str = "central-insert"
            ) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")
           or k == "DIPSAMPLE_TEST_KEYRING"}
    env.update({"DIPSAMPLE_HOME": str(home), PAUSE_ENV: point,
                "PYTHONPATH": str(ROOT), "PGAPPNAME": "dipsample-fault-test",
                "PYTHON_KEYRING_BACKEND": "tests.unit.sync.file_keyring.FileKeyring"})
    child = forked.Popen([str(EXE), "sync", "--database", url, "--db", str(store.path)],
                             stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    assert child.stderr is not None
    line = child.stderr.readline()
    assert line.startswith(f"paused at {point}"), line
    return child


@pytest.mark.slow
def test_killed_or_cut_off_mid_transaction_then_run_again(
        tmp_path: Path, shared_keyring: Path, pg_url: str, central: str) -> None:
    from tests.unit.sync.helpers import device

    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    add_area(a, "North")
    a.close()
    try:
        # SIGKILL with the bundle inserted, not committed.
        child = _paused(a, central, tmp_path / "home")
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        # The connection dropped by the server in the middle of the transaction.
        child = _paused(a, central, tmp_path / "home")
        admin = create_engine(plain_url(pg_url))
        with admin.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = 'dipsample-fault-test'"))
        admin.dispose()
        out, err = child.communicate("go on\n", timeout=90)
        assert child.returncode == 1 and "Traceback" not in err
        assert "not reachable" in out or "push-failed" in out
        a = device(tmp_path, "a")
        assert db_sync(a, central).pushed == 1
        until_quiet([a, b], central)
        assert records(a) == records(b)
        with b.read() as session:
            assert session.scalar(select(func.count()).select_from(ServiceArea)) == 1
    finally:
        with contextlib.suppress(Exception):
            a.close()
        b.close()


@pytest.mark.slow
def test_killed_while_making_the_central_schema_then_run_again(
        tmp_path: Path, shared_keyring: Path, pg_url: str, central: str) -> None:
    """SIGKILL after the Alembic scripts ran, before their transaction committed: no
    half-made schema is left, and the next sync makes it whole and pushes."""
    from tests.unit.sync.helpers import device

    a = device(tmp_path, "a")
    add_area(a, "North")
    a.close()
    child = _paused(a, central, tmp_path / "home", "central-upgrade")
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    schema = parse_url(central)[1]
    admin = create_engine(plain_url(pg_url))
    try:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM information_schema.schemata "
                                    "WHERE schema_name = :s"), {"s": schema}) == 0
        a = device(tmp_path, "a")
        try:
            assert db_sync(a, central).pushed == 1
        finally:
            a.close()
        with admin.connect() as conn:
            assert conn.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version')
                               ) == central_migrate.head()
            assert conn.scalar(text(f'SELECT count(*) FROM "{schema}".bundles')) == 1
    finally:
        admin.dispose()


def test_a_new_device_starts_from_a_snapshot_in_the_database(
        pair: tuple[Store, Store], central: str, tmp_path: Path) -> None:
    from desktop.sync.snapshot import write_snapshot
    from tests.unit.sync.helpers import device

    a, b = pair
    add_area(a, "North")
    add_area(b, "South")
    until_quiet([a, b], central)
    target = DatabaseTarget.connect(central, a.device_id)
    try:
        write_snapshot(a, target, organisation_key())
    finally:
        target.close()
    add_area(b, "After")
    db_sync(b, central)
    c = device(tmp_path, "c")
    try:
        report = db_sync(c, central)
        assert report.bundles == 1 and report.pulled == 3  # 2 from the snapshot, 1 after
        until_quiet([a, b, c], central)
        assert records(c) == records(a) == records(b)
    finally:
        c.close()


def test_a_record_changed_twice_in_one_pull_ends_as_its_last_change(
        tmp_path: Path, central: str) -> None:
    """One device renames an area, another sees it and names it back; a third that
    pulls both in one go ends with the name given back.

    The pull reads the rows it already holds ahead of applying them (merge.py's
    prefetch); the record's second change must meet the record as its first left it.
    Here the second change restores the value read ahead, so a stale read would keep
    the first change's name."""
    from tests.unit.sync.helpers import device

    a, b, c = (device(tmp_path, name) for name in "abc")
    try:
        add_area(a, "North")
        until_quiet([a, b, c], central)
        with a.transaction() as session:
            session.scalar(select(ServiceArea)).name = "Renamed"
        db_sync(a, central)
        assert db_sync(c, central).pulled == 1
        with c.transaction() as session:
            session.scalar(select(ServiceArea)).name = "North"
        db_sync(c, central)
        assert db_sync(b, central).pulled == 2  # both changes of the area, one pull
        with b.read() as session:
            assert session.scalar(select(ServiceArea.name)) == "North"
            assert session.scalars(select(SyncConflict)).all() == []
        until_quiet([a, b, c], central)
        assert records(a) == records(b) == records(c)
    finally:
        for store in (a, b, c):
            store.close()
