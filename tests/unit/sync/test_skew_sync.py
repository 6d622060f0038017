"""A sync measures this computer's clock against the target's, and ``sync status`` says
when it is off (issue 21: "skew is measured and shown"). The measuring is
desktop/sync/skew.py's; here the engine's reading of each target's time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.store import Store, open_store
from desktop.sync import engine
from desktop.sync.bundle import organisation_key
from desktop.sync.central import DatabaseTarget
from desktop.sync.engine import sync
from desktop.sync.folder import FolderTarget
from desktop.sync.status import sync_status
from tests.unit.sync.helpers import fresh_schema

HOUR_MS = 3_600_000


def shifted(tmp_path: Path, hours: float) -> Store:
    """A laptop whose wall clock is ``hours`` off the real one."""
    engine._skew_measured.clear()
    return open_store(tmp_path / "laptop" / "dipsample.db", prompt=None, create=True,
                      wall_ms=lambda: time.time_ns() // 1_000_000 + round(hours * HOUR_MS))


def test_a_folder_sync_measures_a_laptop_three_hours_fast(
        tmp_path: Path, share: Path, capsys: pytest.CaptureFixture[str]) -> None:
    laptop = shifted(tmp_path, 3)
    try:
        assert sync(laptop, FolderTarget(share, laptop.device_id),
                    organisation_key(create=True)).outcome == "ok"
        status = sync_status(laptop)
        assert status.clock_skew_s is not None and abs(status.clock_skew_s - 3 * 3600) < 60
        assert "180 minutes fast" in status.clock_skew
        assert not list(share.rglob("*.partial"))  # the probe file went again
        laptop.close()
        assert main(["sync", "status", "--db", str(tmp_path / "laptop" / "dipsample.db")]) == 0
        assert "clock:             This computer's clock is 180 minutes fast" in \
            capsys.readouterr().out
    finally:
        laptop.close()


@pytest.fixture
def central(pg_url: str) -> Iterator[str]:
    with fresh_schema(pg_url) as url:
        yield url


@pytest.mark.pg
def test_a_database_sync_measures_a_laptop_four_hours_slow(tmp_path: Path, central: str
                                                           ) -> None:
    laptop = shifted(tmp_path, -4)
    target = DatabaseTarget.connect(central, laptop.device_id)
    try:
        assert sync(laptop, target, organisation_key(create=True)).outcome == "ok"
        status = sync_status(laptop)
        assert status.clock_skew_s is not None and abs(status.clock_skew_s + 4 * 3600) < 60
        assert "240 minutes slow" in status.clock_skew
    finally:
        target.close()
        laptop.close()
