"""Key rotation: the data still opens, the old key no longer does, and a real process
killed with SIGKILL at any moment of a rotation leaves a store that opens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from sqlalchemy import func, select

from desktop.errors import WrongKey
from desktop.models.log import Meta
from desktop.store import keys, open_store
from desktop.store.backups import backups_of
from desktop.store.rotate import rotate_key
from tests.unit.security.file_keyring import FileKeyring

ROWS = 400
ROOT = Path(__file__).parents[3]


def _fill(path: Path, rows: int = ROWS) -> None:
    store = open_store(path, prompt=None, create=True)
    try:
        with store.transaction() as session:
            session.add_all(Meta(key=f"fill-{n}", value="x" * 900) for n in range(rows))
    finally:
        store.close()


def _rows(path: Path) -> int:
    store = open_store(path, prompt=None)
    try:
        assert store.integrity_problems(full=True) == []
        with store.read() as session:
            return session.scalar(select(func.count()).select_from(Meta).where(
                Meta.key.like("fill-%"))) or 0
    finally:
        store.close()


def test_keyring_rotation_keeps_the_data_and_retires_the_old_key(db_path: Path) -> None:
    _fill(db_path)
    old = keyring.get_password(keys.SERVICE, keys.keyring_entry(db_path))
    assert old is not None
    done = rotate_key(db_path)
    new = keyring.get_password(keys.SERVICE, keys.keyring_entry(db_path))
    assert new is not None and new != old
    assert keyring.get_password(keys.SERVICE, keys.pending_entry(db_path)) is None
    assert _rows(db_path) == ROWS
    assert not keys.key_opens(db_path, old) and keys.key_opens(db_path, new)
    # The backup made first now opens with the new key only, like every other one.
    assert done.backup in backups_of(db_path)
    assert all(keys.key_opens(b, new) and not keys.key_opens(b, old)
               for b in backups_of(db_path))
    assert (db_path.stat().st_mode & 0o777) == 0o600


def test_passphrase_rotation(db_path: Path, no_keyring: None,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "old synthetic phrase")
    _fill(db_path, 50)
    rotate_key(db_path, new_passphrase="new synthetic phrase")
    assert not keys.pending_kdf_path(db_path).exists()
    with pytest.raises(WrongKey):
        open_store(db_path, prompt=None)
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "new synthetic phrase")
    assert _rows(db_path) == 50


def test_the_cli_rotates(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli.main import main

    _fill(db_path, 10)
    assert main(["key", "rotate", "--db", str(db_path)]) == 0
    assert "re-encrypted with a new key" in capsys.readouterr().out
    assert _rows(db_path) == 10


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.15, 0.4, 0.9, 1.6])
def test_a_rotation_killed_at_any_moment_leaves_a_store_that_opens(
        tmp_path: Path, delay: float) -> None:
    """A child rotates the key over and over; SIGKILL lands somewhere in a rotation."""
    ring = tmp_path / "keyring.json"
    keyring.set_keyring(FileKeyring(ring))
    path = tmp_path / "store" / "crash.db"
    _fill(path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-m", "tests.unit.security.rotate_child",
                           str(path), str(ring)], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        rotations = child.stdout.read().count(b"rotated")
    assert child.returncode == -signal.SIGKILL
    print(f"killed after {rotations} whole rotations")
    assert _rows(path) == ROWS  # opened with the old or the new key, whole
    current = keyring.get_password(keys.SERVICE, keys.keyring_entry(path))
    assert current is not None and keys.key_opens(path, current)
    assert keyring.get_password(keys.SERVICE, keys.pending_entry(path)) is None
