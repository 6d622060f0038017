"""A new laptop starts from a snapshot, then takes only the bundles after it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.errors import InputProblem
from desktop.models import ServiceArea, SyncApplied
from desktop.store import Store
from desktop.sync.bundle import organisation_key
from desktop.sync.folder import FolderTarget
from desktop.sync.snapshot import write_snapshot
from tests.unit.sync.helpers import device, folder_sync, records, until_quiet


def add_areas(store: Store, *names: str) -> None:
    with store.transaction() as session:
        session.add_all([ServiceArea(name=n) for n in names])


def test_a_new_device_starts_from_the_snapshot(pair: tuple[Store, Store], share: Path,
                                                tmp_path: Path) -> None:
    a, b = pair
    for n in range(3):  # three bundles from a, one from b
        add_areas(a, f"Area {n}")
        folder_sync(a, share)
    add_areas(b, "From B")
    until_quiet([a, b], share)
    snapshot = write_snapshot(b, FolderTarget(share, b.device_id), organisation_key())
    assert snapshot.startswith(b.device_id)
    add_areas(a, "After the snapshot")
    folder_sync(a, share)
    c = device(tmp_path, "c")
    try:
        report = folder_sync(c, share)
        assert report.bundles == 1  # only the bundle after the snapshot was fetched
        until_quiet([a, b, c], share)
        assert records(c) == records(a) == records(b)
        with c.read() as session:
            assert session.scalar(select(func.count()).select_from(ServiceArea)) == 5
            assert session.scalar(select(func.count()).select_from(SyncApplied)) >= 5
    finally:
        c.close()


def test_a_snapshot_waits_for_changes_to_be_sent(store: Store, share: Path) -> None:
    add_areas(store, "Not sent")
    with pytest.raises(InputProblem, match="Sync first"):
        write_snapshot(store, FolderTarget(share, store.device_id), organisation_key(True))


def test_dipsample_sync_snapshot(store: Store, share: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli.main import main

    add_areas(store, "North")
    assert main(["sync", "--folder", str(share), "--db", str(store.path)]) == 0
    assert main(["sync", "snapshot", "--db", str(store.path)]) == 0
    assert "snapshot written" in capsys.readouterr().out
    assert len(list(share.glob("*/*.dss"))) == 1
