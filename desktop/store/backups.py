"""Encrypted backups beside the store: made whole or not at all, and only a few kept.

Why a temporary name: a kill during the copy used to leave a ``.bak`` with no tables
(and a ``-journal`` beside it) that looked like a good backup. The copy is written to
``*.bak.partial`` and renamed only when SQLite's backup API has finished, so a file
named ``.bak`` is always whole. Why a bound: every retry of a failing upgrade made
another full copy of the store until the disk filled.

Why SQLite's online backup API: it copies a consistent snapshot even while another
connection reads, and with the same key the copy is encrypted too (copying the file
can catch a half-written WAL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from desktop.store.keys import DatabaseKey, kdf_path

#: Backups kept per store; the oldest beyond this are removed after a new one is made.
KEEP = 3
PARTIAL = ".partial"


def _pattern(path: Path) -> str:
    return f"{path.stem}.*{path.suffix}.bak"


def backups_of(path: Path) -> list[Path]:
    """The complete backups of ``path``, oldest first."""
    found = []
    for candidate in path.parent.glob(_pattern(path)):
        with contextlib.suppress(OSError):
            found.append((candidate.stat().st_mtime_ns, candidate.name, candidate))
    return [p for _t, _n, p in sorted(found)]


def latest_backup(path: Path) -> Path | None:
    found = backups_of(path)
    return found[-1] if found else None


def clear_partials(path: Path, suffix: str = PARTIAL) -> None:
    """Remove the temporaries (and their journals) of backups of ``path`` named so."""
    for stale in path.parent.glob(_pattern(path) + suffix + "*"):
        with contextlib.suppress(OSError):
            stale.unlink()


_clear_partials = clear_partials


def backup_name(path: Path, reason: str) -> Path:
    """``<stem>.<reason>.<UTC time><suffix>.bak`` beside ``path``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return path.with_name(f"{path.stem}.{reason}.{stamp}{path.suffix}.bak")


#: Pages copied per step of SQLite's backup API, between two calls of ``on_step``.
STEP_PAGES = 256


def snapshot(path: Path, key: DatabaseKey, dest: Path,
             on_step: Callable[[], None] | None = None) -> None:
    """Copy ``path`` into the new file ``dest`` (0600, same key), synced to disk.

    ``on_step`` is called after each :data:`STEP_PAGES` pages (a kill test's pause).
    On an error ``dest`` and its journal are removed.
    """
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    source = sqlcipher.connect(str(path))
    target = sqlcipher.connect(str(dest))
    try:
        source.execute(key.pragma())
        target.execute(key.pragma())
        if on_step is None:
            source.backup(target)
        else:
            source.backup(target, pages=STEP_PAGES,
                          progress=lambda _status, _left, _total: on_step())
    except BaseException:
        target.close()
        source.close()
        for item in (dest, dest.with_name(dest.name + "-journal")):
            with contextlib.suppress(OSError):
                item.unlink()
        raise
    target.close()
    source.close()
    with open(dest, "rb+") as handle:
        os.fsync(handle.fileno())


def make_backup(path: Path, key: DatabaseKey, reason: str) -> Path:
    """Copy ``path`` to ``<stem>.<reason>.<UTC time><suffix>.bak`` and keep the newest few."""
    clear_partials(path)
    target = backup_name(path, reason)
    partial = target.with_name(target.name + PARTIAL)
    try:
        snapshot(path, key, partial)
    except BaseException:
        clear_partials(path)
        raise
    sidecar = kdf_path(path)
    if sidecar.exists():  # a passphrase store's backup needs its salt to be opened
        shutil.copyfile(sidecar, kdf_path(target))
        kdf_path(target).chmod(0o600)
    os.replace(partial, target)
    clear_partials(path)
    prune(path)
    return target


def prune(path: Path) -> None:
    """Remove the oldest backups beyond :data:`KEEP`, each with its ``.kdf``."""
    for old in backups_of(path)[:-KEEP]:
        remove(old)


def remove(backup: Path) -> None:
    """Remove one backup and its ``.kdf``."""
    for item in (backup, kdf_path(backup)):
        with contextlib.suppress(OSError):
            item.unlink()


def backup_hint(path: Path) -> str:
    """A clause naming the latest backup, for messages about a damaged store."""
    latest = latest_backup(path)
    if latest is None:
        return "no backup of it was found beside it"
    return f"the latest backup is {latest.name}, in the same folder"
