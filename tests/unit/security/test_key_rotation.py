"""Key rotation: the data still opens, the old key no longer does, and a real process
killed with SIGKILL at each named step of a rotation leaves one key everywhere (the old
one, or the new one) and no partial backup, once the store is opened again."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from sqlalchemy import func, select

from desktop.errors import WrongKey
from desktop.models.log import Meta
from desktop.store import keys, open_store
from desktop.store.backups import backups_of, make_backup
from desktop.store.rotate import rotate_key
from desktop.sync.pause import PAUSE_ENV
from tests import forked
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


# -- a real rotating process killed with SIGKILL at each step ----------------------------

#: Every named step of a rotation (desktop/store/rotate.py), and how many times the
#: child passes it before it is killed there.
STEPS = [("rotate-started", 0), ("rotate-backup-copying", 0), ("rotate-backup-copied", 0),
         ("rotate-copy-ready", 0), ("rotate-copy-ready", 1), ("rotate-copies-ready", 0),
         ("rotate-store-rekeyed", 0), ("rotate-key-swapped", 0),
         ("rotate-backup-installed", 0), ("rotate-backup-installed", 2),
         ("rotate-finished", 0)]
KILL_ROWS = 1500  # more pages than one step of the backup copies: killed part way
#: What may be beside the store after a kill and the next open: nothing partial.
WHOLE = re.compile(r"^crash\.db(-wal|-shm|\.kdf)?$|^crash\.[^.]+\.[0-9TZ]+\.db\.bak(\.kdf)?$")


def _killed_at(point: str, passes: int, args: list[str], env: dict[str, str]) -> None:
    with forked.Popen([sys.executable, "-m", "tests.unit.security.rotate_child", *args],
                          cwd=ROOT, env={**env, PAUSE_ENV: point}, stdin=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True) as child:
        assert child.stdin is not None and child.stderr is not None
        try:
            for passed in range(passes + 1):
                line = child.stderr.readline()
                assert line.startswith(f"paused at {point}"), line
                if passed < passes:
                    child.stdin.write("\n")
                    child.stdin.flush()
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
    assert child.returncode == -signal.SIGKILL


def _with_backups(path: Path) -> None:
    _fill(path, KILL_ROWS)
    key = keys.resolve_key(path, prompt=None)
    for reason in ("first", "second"):
        make_backup(path, key, reason)


def _one_key_everywhere(path: Path, current: str, others: set[str]) -> None:
    """The store and every backup open with ``current`` and with no other key, and
    nothing partial is left beside them."""
    assert _rows(path) == KILL_ROWS  # opened (and any interrupted rotation finished)
    left = sorted(p.name for p in path.parent.iterdir())
    assert all(WHOLE.match(name) for name in left), left
    found = backups_of(path)
    assert len(found) >= 2
    for backup in found:
        assert keys.key_opens(backup, current), backup.name
        assert not any(keys.key_opens(backup, other) for other in others), backup.name
    assert keys.key_opens(path, current)


@pytest.mark.slow
@pytest.mark.parametrize(("point", "passes"), STEPS)
def test_a_rotation_killed_at_each_step_leaves_one_key_everywhere(
        tmp_path: Path, point: str, passes: int) -> None:
    ring = tmp_path / "keyring.json"
    keyring.set_keyring(FileKeyring(ring))
    path = tmp_path / "store" / "crash.db"
    _with_backups(path)
    old = keyring.get_password(keys.SERVICE, keys.keyring_entry(path))
    assert old is not None
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    _killed_at(point, passes, [str(path), str(ring)], env)
    seen = {old, *(v for v in json.loads(ring.read_text(encoding="utf-8")).values())}
    keys.resolve_key(path, prompt=None)  # the next open: finishes what the kill cut short
    current = keyring.get_password(keys.SERVICE, keys.keyring_entry(path))
    assert current is not None and current in seen
    assert keyring.get_password(keys.SERVICE, keys.pending_entry(path)) is None
    if point in ("rotate-key-swapped", "rotate-backup-installed", "rotate-finished",
                 "rotate-store-rekeyed"):
        assert current != old  # the store had its new key: so has everything now
    else:
        assert current == old  # killed before the store changed: the old key everywhere
    _one_key_everywhere(path, current, seen - {current})


@pytest.mark.slow
@pytest.mark.parametrize("point", ["rotate-backup-copying", "rotate-copies-ready",
                                   "rotate-store-rekeyed", "rotate-key-swapped",
                                   "rotate-backup-installed"])
def test_a_passphrase_rotation_killed_at_a_step(tmp_path: Path, no_keyring: None,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 point: str) -> None:
    old_phrase, new_phrase = "old synthetic phrase", "new synthetic phrase"
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", old_phrase)
    path = tmp_path / "store" / "crash.db"
    _with_backups(path)
    old = keys.resolve_key(path, prompt=None).hex
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    _killed_at(point, 0, [str(path), "-", new_phrase], env)
    pending = keys.pending_kdf_path(path)
    params = json.loads(pending.read_text(encoding="utf-8")) if pending.exists() else None
    new = keys.derive(new_phrase, params["salt"], params["n"]) if params else None
    try:
        current = keys.resolve_key(path, prompt=None).hex  # the old phrase still opens
    except WrongKey:
        monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", new_phrase)
        current = keys.resolve_key(path, prompt=None).hex
    assert not pending.exists()
    others = {old, new} - {current, None}
    if point in ("rotate-store-rekeyed", "rotate-key-swapped", "rotate-backup-installed"):
        assert current != old
    _one_key_everywhere(path, current, others)  # type: ignore[arg-type]
    for backup in backups_of(path):  # each backup's own .kdf fits the key it holds
        params = json.loads(keys.kdf_path(backup).read_text(encoding="utf-8"))
        assert params["check"] == keys.check_value(current)
