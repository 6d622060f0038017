"""One sync per store across processes, and a bundle written but not recorded is ours.

Issue 21, item 4: two syncs of one store at once (the window's and a scheduled
``dipsample sync``), or a kill between a bundle's write and its record, made the store
take itself for a copy, take a new device id and send everything again under it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from desktop.models import ServiceArea
from desktop.store import Store
from desktop.sync.folder import SUFFIX
from tests.unit.sync.helpers import device, folder_sync, records, until_quiet
from tests.unit.sync.processes import child_env, killed_at, start_sync, wait_paused


def add_areas(store: Store, *names: str) -> None:
    with store.transaction() as session:
        session.add_all([ServiceArea(name=n) for n in names])


def areas(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(ServiceArea)) or 0


def test_two_syncs_of_one_store_at_once_one_waits_and_says_so(
        tmp_path: Path, shared_keyring: Path, share: Path) -> None:
    a = device(tmp_path, "a")
    add_areas(a, "North", "South")
    device_id, path = a.device_id, a.path
    a.close()
    home = tmp_path / "home"
    args = ["--folder", str(share), "--db", str(path)]
    first = start_sync(args, child_env(home, pause="pushed"))
    try:
        # The first has written its bundle and not yet recorded it: the moment a second
        # sync took the store for a copy of another.
        wait_paused(first, "pushed")
        second = start_sync(args, child_env(home, wait=0.5))
        out, _ = second.communicate(timeout=120)
        assert second.returncode == 1
        assert out.strip().startswith("busy: another sync of this store is running")
        assert len(out.strip().splitlines()) == 1
        assert first.stdin is not None
        first.stdin.write("\n")
        first.stdin.flush()
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        assert out.startswith("ok: sent 2")
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    try:
        assert a.device_id == device_id
        assert [p.name for p in share.iterdir()] == [device_id]
        until_quiet([a, b], share)
        assert areas(b) == 2 and records(a) == records(b)
        assert a.device_id == device_id
    finally:
        a.close()
        b.close()


def test_a_bundle_written_but_not_recorded_is_recognised_as_ours(
        tmp_path: Path, shared_keyring: Path, share: Path) -> None:
    a = device(tmp_path, "a")
    add_areas(a, "North")
    device_id, path = a.device_id, a.path
    a.close()
    killed_at("pushed", ["--folder", str(share), "--db", str(path)], tmp_path / "home")
    assert len(list((share / device_id).glob("*" + SUFFIX))) == 1
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    try:
        add_areas(a, "Typed after the kill")  # the next bundle has other content
        report = folder_sync(a, share)
        assert report.outcome == "ok" and "copy" not in report.message
        assert a.device_id == device_id
        assert [p.name for p in share.iterdir()] == [device_id]
        assert report.pushed == 2  # pending still: sent again, applied once
        until_quiet([a, b], share)
        assert areas(b) == 2 and records(a) == records(b)
        assert a.device_id == device_id
    finally:
        a.close()
        b.close()
