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


def _clear_partials(path: Path) -> None:
    for stale in path.parent.glob(_pattern(path) + PARTIAL + "*"):
        with contextlib.suppress(OSError):
            stale.unlink()


def make_backup(path: Path, key: DatabaseKey, reason: str) -> Path:
    """Copy ``path`` to ``<stem>.<reason>.<UTC time><suffix>.bak`` and keep the newest few."""
    _clear_partials(path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.stem}.{reason}.{stamp}{path.suffix}.bak")
    partial = target.with_name(target.name + PARTIAL)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    source = sqlcipher.connect(str(path))
    dest = sqlcipher.connect(str(partial))
    try:
        source.execute(key.pragma())
        dest.execute(key.pragma())
        source.backup(dest)
    except BaseException:
        dest.close()
        source.close()
        _clear_partials(path)
        raise
    dest.close()
    source.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    sidecar = kdf_path(path)
    if sidecar.exists():  # a passphrase store's backup needs its salt to be opened
        shutil.copyfile(sidecar, kdf_path(target))
        kdf_path(target).chmod(0o600)
    os.replace(partial, target)
    _clear_partials(path)
    for old in backups_of(path)[:-KEEP]:
        for item in (old, kdf_path(old)):
            with contextlib.suppress(OSError):
                item.unlink()
    return target


def backup_hint(path: Path) -> str:
    """A clause naming the latest backup, for messages about a damaged store."""
    latest = latest_backup(path)
    if latest is None:
        return "no backup of it was found beside it"
    return f"the latest backup is {latest.name}, in the same folder"
