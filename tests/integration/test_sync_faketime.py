"""Real processes under real shifted clocks (libfaketime): a write made after seeing a
value wins everywhere, and the laptop is told its clock is off (issue 21, item 1).

Where the other clock tests move the hybrid clock's time source in-process
(``open_store(wall_ms=...)``, ``DIPSAMPLE_TEST_CLOCK_OFFSET``), here the operating
system's time itself is shifted for whole ``dipsample`` processes by ``faketime``, as a
laptop with a wrong clock would run them: every read of the time (the hybrid clock,
the services' clock, file times the process writes) is off. Skipped where ``faketime``
is not installed (``apt install faketime``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import SyncConflict, User
from desktop.store import open_store
from tests.integration.test_sync_chaos import shared_keyring  # noqa: F401  (a fixture)
from tests.unit.sync.helpers import EXE, folder_sync
from tests.unit.sync.processes import child_env

FAKETIME = shutil.which("faketime")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(FAKETIME is None, reason="faketime is not installed")]


def dipsample(home: Path, shift: str, *args: str) -> str:
    """``dipsample ARGS`` in a process whose clock is ``shift`` off (faketime -f)."""
    done = subprocess.run([str(FAKETIME), "-f", shift, str(EXE), *args],
                          capture_output=True, text=True, env=child_env(home), timeout=240,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_laptops_hours_apart_in_real_processes_keep_the_write_made_after_seeing(
        tmp_path: Path, shared_keyring: Path) -> None:  # noqa: F811
    share = tmp_path / "share"
    share.mkdir()
    home = tmp_path / "home"
    right = open_store(tmp_path / "right" / "dipsample.db", prompt=None, create=True)
    try:
        with right.transaction() as session:
            session.add(User(username="auditor1", name="Auditor One", roles="auditor"))
        assert folder_sync(right, share).outcome == "ok"
    finally:
        right.close()
    ahead = str(tmp_path / "ahead" / "dipsample.db")
    behind = str(tmp_path / "behind" / "dipsample.db")
    # Two new laptops, made from the command line, one 4 hours fast, one 3 hours slow.
    dipsample(home, "+4h", "sync", "--folder", str(share), "--db", ahead)
    dipsample(home, "-3h", "sync", "--folder", str(share), "--db", behind)
    dipsample(home, "+4h", "users", "deactivate", "auditor1", "--db", ahead)
    dipsample(home, "+4h", "sync", "--db", ahead)
    dipsample(home, "-3h", "sync", "--db", behind)  # sees it, in a process of its own
    dipsample(home, "-3h", "users", "activate", "auditor1", "--db", behind)  # after seeing
    for _ in range(2):
        for db, shift in ((behind, "-3h"), (ahead, "+4h")):
            dipsample(home, shift, "sync", "--db", db)
    right = open_store(tmp_path / "right" / "dipsample.db", prompt=None)
    try:
        folder_sync(right, share)
        for path in (tmp_path / "right" / "dipsample.db", Path(ahead), Path(behind)):
            store = right if path == right.path else open_store(path, prompt=None)
            try:
                with store.read() as session:
                    assert session.scalar(select(User.active).where(
                        User.username == "auditor1")) is True, path.parent.name
                    assert session.scalar(select(func.count()).select_from(
                        SyncConflict)) == 0
            finally:
                if store is not right:
                    store.close()
    finally:
        right.close()
    status = dipsample(home, "-3h", "sync", "status", "--db", behind)
    assert "This computer's clock is 180 minutes slow (about 3 hours)" in status
