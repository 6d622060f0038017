"""Fault injection: after each fault, nothing lost and nothing duplicated."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import keyring
import pytest
from sqlalchemy import delete, func, select

from desktop.models import Change, ServiceArea, SyncApplied, SyncConflict, Team
from desktop.store import Store, keys
from desktop.sync.bundle import Bundle, organisation_key, seal
from desktop.sync.engine import sync
from desktop.sync.folder import SUFFIX, FolderTarget
from desktop.sync.pause import PAUSE_ENV
from tests import forked
from tests.unit.sync.helpers import EXE, ROOT, device, folder_sync, records, until_quiet


def add_areas(store: Store, *names: str) -> None:
    with store.transaction() as session:
        for name in names:
            session.add(ServiceArea(name=name))


def count(store: Store, model: type) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def bundles_of(share: Path, store: Store) -> list[Path]:
    return sorted((share / store.device_id).glob("*" + SUFFIX))


def test_a_torn_tampered_or_foreign_bundle_is_rejected_and_the_rest_applies(
        pair: tuple[Store, Store], share: Path) -> None:
    a, b = pair
    add_areas(a, "North")
    folder_sync(a, share)
    good = bundles_of(share, a)[0]
    data = good.read_bytes()
    own = share / a.device_id
    (own / ("9999999999990-torn" + SUFFIX)).write_bytes(data[: len(data) // 2])
    flipped = bytearray(data)
    flipped[-5] ^= 0x01
    (own / ("9999999999991-tampered" + SUFFIX)).write_bytes(bytes(flipped))
    name = f"{a.device_id}/9999999999992-foreign"
    (own / ("9999999999992-foreign" + SUFFIX)).write_bytes(
        seal(os.urandom(32), name, Bundle(a.device_id, "", [])))
    # A half-written bundle under its temporary name is not a bundle at all.
    (own / "9999999999993-partial.partial").write_bytes(data[:10])
    report = folder_sync(b, share)
    assert sorted(r.rsplit("-", 1)[1] for r in report.rejected) == ["foreign", "tampered",
                                                                     "torn"]
    assert report.pulled == 1 and records(a) == records(b)
    assert report.outcome == "rejected"


def test_the_same_bundle_delivered_twice_changes_nothing(pair: tuple[Store, Store],
                                                         share: Path) -> None:
    a, b = pair
    add_areas(a, "North", "South")
    folder_sync(a, share)
    folder_sync(b, share)
    before = records(b)
    with b.transaction() as session:  # forget having applied it: delivered again
        session.execute(delete(SyncApplied))
    again = folder_sync(b, share)
    assert again.pulled == 2 and again.conflicts == 0
    assert records(b) == before == records(a)


def test_a_lost_acknowledgement_resends_harmlessly(pair: tuple[Store, Store], share: Path
                                                   ) -> None:
    """The folder holds the bundle but the change log was never marked: sent again."""
    a, b = pair
    add_areas(a, "North")
    folder_sync(a, share)
    first = bundles_of(share, a)[0]
    kept = first.read_bytes()
    # Roll a back to before the acknowledgement: its sync state as before the push.
    shutil.rmtree(share / a.device_id)
    add_areas(a, "Second")
    with a.transaction() as session:
        session.execute(Change.__table__.update().values(pushed_at=None))
    folder_sync(a, share)
    (share / a.device_id / first.name).write_bytes(kept)  # and the first copy too
    folder_sync(b, share)
    until_quiet([a, b], share)
    assert records(a) == records(b)
    assert count(b, ServiceArea) == 2 and count(b, SyncConflict) == 0


def _make_read_only(folder: Path) -> bool:
    folder.chmod(0o555)
    if not os.access(folder, os.W_OK):
        return True
    folder.chmod(0o755)
    return subprocess.run(["chattr", "+i", str(folder)], capture_output=True,
                          check=False).returncode == 0


def _make_writable(folder: Path) -> None:
    subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
    folder.chmod(0o755)


def test_a_read_only_share_still_brings_others_changes_and_keeps_ours_pending(
        pair: tuple[Store, Store], share: Path) -> None:
    a, b = pair
    add_areas(a, "North")
    folder_sync(a, share)
    add_areas(b, "South")
    (share / b.device_id).mkdir()
    if not _make_read_only(share / b.device_id):
        pytest.skip("cannot make a folder read-only here")
    try:
        report = folder_sync(b, share)
    finally:
        _make_writable(share / b.device_id)
    assert report.outcome == "push-failed" and "sync folder" in report.message
    assert report.pulled == 1 and report.pending == 1
    until_quiet([a, b], share)
    assert records(a) == records(b) and count(a, ServiceArea) == 2


def test_the_share_vanishing_loses_nothing(pair: tuple[Store, Store], tmp_path: Path) -> None:
    a, b = pair
    share = tmp_path / "share"
    share.mkdir()
    add_areas(a, "North")
    folder_sync(a, share)
    moved = tmp_path / "elsewhere"
    share.rename(moved)  # the drive is unmapped
    add_areas(b, "South")
    gone = folder_sync(b, share)
    assert gone.outcome == "offline" and gone.pending == 1 and gone.pulled == 0
    moved.rename(share)
    until_quiet([a, b], share)
    assert records(a) == records(b) and count(a, ServiceArea) == 2


def test_clocks_a_day_apart_still_keep_every_value(pair: tuple[Store, Store], share: Path
                                                   ) -> None:
    a, b = pair
    day = 24 * 3600 * 1000
    b.clock._now_ms = lambda: time.time_ns() // 1_000_000 + day
    add_areas(a, "North")
    until_quiet([a, b], share)
    with b.transaction() as session:  # b edits first, with a clock a day ahead
        session.scalar(select(ServiceArea)).name = "From B"
    with a.transaction() as session:  # a edits later in real time, without seeing b's
        session.scalar(select(ServiceArea)).name = "From A"
    until_quiet([a, b], share)
    assert records(a) == records(b)
    with a.read() as session:
        assert session.scalar(select(ServiceArea.name)) == "From B"  # the later clock
        conflict = session.scalars(select(SyncConflict)).one()
        assert conflict.loser_json == '"From A"'  # the value lost is kept for a person


def test_a_delete_never_silently_beats_a_later_edit(pair: tuple[Store, Store], share: Path
                                                    ) -> None:
    a, b = pair
    add_areas(a, "North")
    until_quiet([a, b], share)
    with a.transaction() as session:
        session.scalar(select(ServiceArea)).deleted = True
    with b.transaction() as session:
        session.scalar(select(ServiceArea)).name = "North (edited after)"
    until_quiet([a, b], share)
    assert records(a) == records(b)
    with a.read() as session:
        area = session.scalar(select(ServiceArea))
        assert not area.deleted and area.name == "North (edited after)"
        lost = session.scalars(select(SyncConflict).where(SyncConflict.field == "deleted")).one()
        assert lost.loser_json == "true"


# -- a real process killed with SIGKILL ------------------------------------------------

def _killed_at(point: str, store: Store, share: Path, home: Path) -> None:
    """Run ``dipsample sync`` on ``store``'s file and SIGKILL it at ``point``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")
           or k == "DIPSAMPLE_TEST_KEYRING"}
    env.update({"DIPSAMPLE_HOME": str(home), PAUSE_ENV: point,
                "PYTHONPATH": str(ROOT),
                "PYTHON_KEYRING_BACKEND": "tests.unit.sync.file_keyring.FileKeyring"})
    child = forked.Popen([str(EXE), "sync", "--folder", str(share), "--db",
                              str(store.path)], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=env)
    try:
        assert child.stderr is not None
        line = child.stderr.readline()
        assert line.startswith(f"paused at {point}"), line
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_killed_mid_push_and_mid_pull_then_run_again(
        tmp_path: Path, shared_keyring: Path, share: Path) -> None:
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    try:
        with a.transaction() as session:
            area = ServiceArea(name="North")
            session.add(area)
            session.flush()
            session.add_all([Team(name=f"Team {n}", service_area_id=area.id) for n in range(30)])
        a.close()
        # Killed after the bundle is in the folder, before the log is marked sent.
        _killed_at("pushed", a, share, tmp_path / "home")
        a = device(tmp_path, "a")
        assert count(a, Change) == 31  # nothing marked sent
        assert len(bundles_of(share, a)) == 1
        b.close()
        # Killed in the middle of applying: the transaction is lost as a whole.
        _killed_at("applying", b, share, tmp_path / "home")
        b = device(tmp_path, "b")
        assert count(b, ServiceArea) == 0 and count(b, SyncApplied) == 0
        until_quiet([a, b], share)
        assert records(a) == records(b)
        assert count(b, ServiceArea) == 1 and count(b, Team) == 30
        assert count(b, SyncConflict) == 0
    finally:
        a.close()
        b.close()


def test_the_share_vanishing_mid_sync_loses_nothing(pair: tuple[Store, Store], tmp_path: Path
                                                    ) -> None:
    """The drive goes between sending and receiving (the engine's progress step)."""
    a, b = pair
    share = tmp_path / "share"
    share.mkdir()
    add_areas(b, "South")
    folder_sync(b, share)
    add_areas(a, "North")
    moved = tmp_path / "elsewhere"

    def unmap(done: int, total: int, stage: str) -> None:
        if stage == "receiving changes":
            share.rename(moved)

    report = sync(a, FolderTarget(share, a.device_id), organisation_key(), progress=unmap)
    assert report.outcome == "offline" and report.pushed == 1 and report.pulled == 0
    moved.rename(share)
    until_quiet([a, b], share)
    assert records(a) == records(b) and count(a, ServiceArea) == 2


def test_a_restored_copy_gets_its_own_device_id(tmp_path: Path, share: Path) -> None:
    """A copy of a store file carries its device id; the copy that finds bundles under
    that id it never sent takes a new one, and nothing is overwritten or lost."""
    a = device(tmp_path, "a")
    add_areas(a, "North")
    a.close()
    copy = tmp_path / "copy" / "dipsample.db"
    copy.parent.mkdir()
    for suffix in ("", ".kdf"):
        source = a.path.with_name(a.path.name + suffix)
        if source.exists():
            shutil.copyfile(source, copy.with_name(copy.name + suffix))
    entry = keys.keyring_entry  # the copy's key is the original's
    keyring.set_password(keys.SERVICE, entry(copy),
                         keyring.get_password(keys.SERVICE, entry(a.path)) or "")
    a, twin = device(tmp_path, "a"), device(tmp_path, "copy")
    try:
        assert twin.device_id == a.device_id
        add_areas(twin, "Made on the copy")
        folder_sync(a, share)
        report = folder_sync(twin, share)
        assert twin.device_id != a.device_id and "copy of another" in report.message
        until_quiet([a, twin], share)
        assert records(a) == records(twin) and count(a, ServiceArea) == 2
        assert len(list(share.iterdir())) == 2  # two devices' folders
    finally:
        a.close()
        twin.close()


def test_a_bundle_that_cannot_be_applied_here_is_reported_and_the_rest_applies(
        pair: tuple[Store, Store], share: Path) -> None:
    """Sealed with the right key, but its team's service area never came: it is kept
    for later, the other bundles apply."""
    from desktop.sync.bundle import RecordChange
    from desktop.sync.merge import ALL

    a, b = pair
    add_areas(a, "North")
    folder_sync(a, share)
    stranger = "eeeeeeee-0000-4000-8000-000000000000"
    version = "m1795000000000.a0.eeeeeeee"
    at = "2026-11-20T00:00:00+00:00"
    orphan = RecordChange("teams", "t-orphan", version, stranger, {ALL: ""}, {
        "id": "t-orphan", "name": "Orphan team", "service_area_id": "missing-area",
        "created_at": at, "updated_at": at, "hlc": version, "device_id": stranger,
        "deleted": False})
    name = "000000000001-000000000000-orphan"
    (share / stranger).mkdir()
    (share / stranger / (name + SUFFIX)).write_bytes(
        seal(organisation_key(), f"{stranger}/{name}", Bundle(stranger, "", [orphan])))
    report = folder_sync(b, share)
    assert report.rejected == [f"{stranger}/{name}"] and report.pulled == 1
    assert count(b, ServiceArea) == 1 and count(b, Team) == 0
    assert folder_sync(b, share).rejected == [f"{stranger}/{name}"]  # tried again


def test_what_a_killed_push_left_half_written_is_removed_by_the_next_sync(
        pair: tuple[Store, Store], tmp_path: Path) -> None:
    """A push killed while writing leaves ``<name>.partial`` in the device's own folder;
    the next sync of that device removes it, and never another device's."""
    a, b = pair
    share = tmp_path / "share"
    share.mkdir()
    add_areas(a, "North")
    add_areas(b, "South")
    folder_sync(a, share)
    folder_sync(b, share)
    own, theirs = share / a.device_id, share / b.device_id
    (own / "0000000001-torn.partial").write_bytes(b"half a bundle")
    (theirs / "0000000001-torn.partial").write_bytes(b"half of b's bundle")
    report = folder_sync(a, share)
    assert report.outcome == "ok", report
    assert not list(own.glob("*.partial"))
    assert (theirs / "0000000001-torn.partial").exists()  # b's to tidy, not a's
    folder_sync(b, share)
    assert not list(theirs.glob("*.partial"))
