"""One sync per store, across processes: an operating-system lock on a file beside it.

Why a lock file and not only a lock in memory: the window's background sync and a
scheduled ``dipsample sync`` are two processes. Two syncs of one store at once each
read the store's state before the other marked its bundle sent, so the second found a
bundle under its own device id that it had no record of sending, took itself for a
copy of another store and pushed everything again under a new id (issue 21, item 4).

Why an OS lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) and not a file that
exists while a sync runs: the operating system releases it when the process dies, so a
sync killed mid-way (a SIGKILL, a power cut) never leaves the store locked for ever.
The file itself stays, empty; it holds nothing.

Why not a lock inside the SQLite file: a sync holds its lock across a push to a share
or a server that can take minutes, and SQLite's write lock held that long would stop
every screen of the window from saving.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

#: The lock file's name beside the store: ``dipsample.db.sync-lock``.
SUFFIX = ".sync-lock"
#: How long a second sync waits for the first before it says so (seconds);
#: ``DIPSAMPLE_SYNC_WAIT`` changes it (tests, scripts that prefer not to wait).
WAIT_S = 10.0
WAIT_ENV = "DIPSAMPLE_SYNC_WAIT"
#: How often a waiting sync tries again (seconds).
POLL_S = 0.1
#: What a sync that found another running says (one line, for the CLI and the window).
BUSY = ("another sync of this store is running (the window's, or another 'dipsample "
        "sync'); nothing was done, try again when it has finished")


class SyncBusy(Exception):
    """Another process holds this store's sync lock, and did not let go in time."""


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + SUFFIX)


def wait_seconds() -> float:
    value = os.environ.get(WAIT_ENV)
    try:
        return max(0.0, float(value)) if value else WAIT_S
    except ValueError:
        return WAIT_S


@contextlib.contextmanager
def held(store_path: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the sync lock of the store at ``store_path`` for the block; waits up to
    ``wait`` seconds (default :func:`wait_seconds`) for another process to let it go,
    then raises :class:`SyncBusy`."""
    fd = os.open(lock_path(store_path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            deadline = time.monotonic() + (wait_seconds() if wait is None else wait)
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise SyncBusy(BUSY)
                time.sleep(POLL_S)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
