"""Changing the database key: re-encrypt the store and its backups, crash-safe.

What a kill at any moment must leave (issue 20, item 7): either the old key everywhere
and nothing partial, or the new key everywhere; never a partial backup, and never a
backup the old key still opens once the store has the new one. So, in this order:

1. A marker file (``<db>.rotating``, no secret in it) says a rotation is under way, and
   the new key is kept where the next open looks for it (a second keyring entry, or
   ``.kdf.pending`` for a passphrase store).
2. Every copy the new key will protect is prepared under a temporary name: the
   pre-rotation backup (a snapshot with the old key, then re-keyed) and a re-keyed copy
   of each earlier backup. Each is built as ``*.bak.rekeying`` and renamed
   ``*.bak.rekeyed`` once whole and synced. The store and its backups are untouched.
3. SQLCipher's ``PRAGMA rekey`` re-encrypts the store in one transaction of a rollback
   journal (the store is taken out of WAL for it): cut short, it is rolled back whole.
4. The new key replaces the old one (keyring entry, or ``.kdf``).
5. Each ``.rekeyed`` copy is renamed over its backup (a passphrase store's backup gets
   the new ``.kdf`` first); a backup the new key does not open is removed; the marker
   goes last.

The next open finishes whatever a kill interrupted (:func:`finish_interrupted`, called
by ``keys.resolve_key`` once it knows which key opens the store): work files are
removed; the ``.rekeyed`` copies the store's key opens are renamed into place and the
others removed; and every backup the store's key does not open is removed. Before
step 3 that leaves the old key everywhere; after it, the new key everywhere. The next
rotation does the same before it starts, and also removes a killed backup's
``.partial``.

The named pause points (``rotate-*``; desktop/sync/pause.py) let the kill test stop a
real rotation at each step.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from desktop.errors import EnvironmentProblem, KeyUnavailable
from desktop.files import sync_folder
from desktop.store import backups, keys
from desktop.store.backups import backups_of
from desktop.sync.pause import test_pause

log = logging.getLogger(__name__)

#: A copy being made or re-keyed (removed after a kill), and one whole and synced.
WORKING = ".rekeying"
READY = ".rekeyed"


@dataclass(frozen=True)
class Rotation:
    """What a rotation did.

    Attributes:
        source: "keyring" or "passphrase".
        backup: the backup made first (encrypted with the new key).
        backups_rekeyed: earlier backups re-encrypted with the new key.
        backups_removed: earlier backups that could not be re-encrypted and were
            removed rather than left openable by the old key.
    """

    path: Path
    source: str
    backup: Path
    backups_rekeyed: int
    backups_removed: int = 0


def marker_path(path: Path) -> Path:
    """The file saying a rotation of ``path`` is under way (nothing secret in it)."""
    return path.with_name(path.name + ".rotating")


class _Marker:
    """The marker file, locked by the process rotating for as long as it rotates.

    Why a lock: the next open finishes a rotation that a kill cut short, and must not
    mistake one running now in another process for one. An operating-system lock on
    the marker is released when its process dies, however it dies.
    """

    def __init__(self, path: Path, *, create: bool) -> None:
        self.path = marker_path(path)
        flags = os.O_RDWR | (os.O_CREAT if create else 0)
        self.fd = os.open(self.path, flags, 0o600)
        self.locked = False

    def lock(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(self.fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self.locked = True
        return True

    def remove(self) -> None:
        """Release the lock and remove the marker (the rotation is whole)."""
        self.close()
        self.path.unlink(missing_ok=True)
        sync_folder(self.path.parent)

    def close(self) -> None:
        if self.fd < 0:
            return
        if self.locked and os.name == "nt":
            import msvcrt

            with contextlib.suppress(OSError):
                msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        os.close(self.fd)
        self.fd = -1


def _ready_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.*{path.suffix}.bak{READY}"))


def interrupted(path: Path) -> bool:
    """Whether a rotation of ``path`` was cut short (or runs now in another process)."""
    return marker_path(path).exists() or bool(_ready_copies(path))


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _rekey(path: Path, old: keys.DatabaseKey, new_hex: str, *, wal: bool = True) -> None:
    conn = sqlcipher.connect(str(path), timeout=2.0)
    conn.isolation_level = None
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(old.pragma())
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        # A rollback journal, so that a cut-short rekey is undone whole at the next open.
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if str(mode).lower() != "delete":
            raise EnvironmentProblem(f"{path.name} is open in another DipSample window or "
                                     "command; close it and change the key again.")
        conn.execute(f"PRAGMA rekey = \"x'{new_hex}'\"")
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlcipher.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise EnvironmentProblem(f"{path.name} is open in another DipSample window or "
                                     "command; close it and change the key again.") from None
        raise
    finally:
        conn.close()


def _discard_work(path: Path) -> None:
    """Remove copies being made (and their journals) and a killed backup's ``.partial``."""
    backups.clear_partials(path, WORKING)
    backups.clear_partials(path, backups.PARTIAL)


def _prepare_copy(work: Path, old: keys.DatabaseKey, new_hex: str,
                  mtime_ns: int | None = None) -> Path:
    """Re-key the whole copy ``work`` and rename it ``*.rekeyed``; the ready name.

    ``mtime_ns``: the original backup's time, kept because backups are ordered by it
    (the newest few are kept).
    """
    _rekey(work, old, new_hex, wal=False)
    _fsync(work)
    if mtime_ns is not None:
        os.utime(work, ns=(mtime_ns, mtime_ns))
    ready = work.with_name(work.name[: -len(WORKING)] + READY)
    os.replace(work, ready)
    return ready


def _prepare(path: Path, old: keys.DatabaseKey, new_hex: str) -> Path:
    """Step 2: the pre-rotation backup and a copy of each earlier backup, under the new
    key and temporary names; the pre-rotation backup's final name. A backup that cannot
    be copied is left to step 5, which removes it."""
    target = backups.backup_name(path, "pre-rekey")
    work = target.with_name(target.name + WORKING)
    paused: list[bool] = []

    def step() -> None:
        if not paused:  # the kill test stops the copy once, part way
            paused.append(True)
            test_pause("rotate-backup-copying")

    backups.snapshot(path, old, work, on_step=step)
    test_pause("rotate-backup-copied")
    _prepare_copy(work, old, new_hex)
    for backup in backups_of(path):
        if backup == target or not keys.key_opens(backup, old.hex):
            continue
        work = backup.with_name(backup.name + WORKING)
        try:
            fd = os.open(work, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, open(backup, "rb") as source:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            _prepare_copy(work, old, new_hex, backup.stat().st_mtime_ns)
        except (OSError, sqlcipher.Error, EnvironmentProblem):
            log.warning("a backup could not be re-encrypted and will be removed: %s",
                        backup.name)
            backups.clear_partials(path, WORKING)
            continue
        test_pause("rotate-copy-ready")
    sync_folder(path.parent)
    return target


def _install(path: Path, key_hex: str) -> tuple[int, int]:
    """Step 5 (and the next open's finishing): rename each ``.rekeyed`` copy the key
    opens over its backup, remove the others, then remove every backup the key does
    not open; (copies installed, backups removed)."""
    _discard_work(path)
    sidecar = keys.kdf_path(path)
    installed = removed = 0
    for ready in _ready_copies(path):
        final = ready.with_name(ready.name[: -len(READY)])
        if not keys.key_opens(ready, key_hex):
            ready.unlink(missing_ok=True)
            continue
        if sidecar.exists():  # a passphrase store's backup opens with its own .kdf copy
            keys.write_private(keys.kdf_path(final), sidecar.read_text(encoding="utf-8"))
        os.replace(ready, final)
        installed += 1
        test_pause("rotate-backup-installed")
    for backup in backups_of(path):
        if not keys.key_opens(backup, key_hex):
            log.warning("a backup the database's key does not open was removed: %s",
                        backup.name)
            backups.remove(backup)
            removed += 1
    backups.prune(path)  # the newest few, as make_backup keeps
    sync_folder(path.parent)
    return installed, removed


def finish_interrupted(path: Path, key_hex: str) -> None:
    """Finish a rotation a kill cut short, now that ``key_hex`` is known to be the key
    that opens ``path`` (see the module docstring). Does nothing when none was, or
    while another process still rotates (it holds the marker's lock)."""
    if not interrupted(path):
        return
    try:
        marker = _Marker(path, create=True)
    except OSError:
        return  # a folder we cannot write: nothing could be finished anyway
    try:
        if not marker.lock() or not keys.key_opens(path, key_hex):
            return
        installed, removed = _install(path, key_hex)
        marker.remove()
    finally:
        marker.close()
    log.info("an interrupted key rotation was finished: %d backups installed, %d removed",
             installed, removed)


def _new_key(path: Path, old: keys.DatabaseKey, new_passphrase: str | None,
             prompt: keys.PromptFn | None) -> str:
    """Step 1's second half: the new key, kept where the next open looks for it."""
    if old.source == "keyring":
        new_hex = secrets.token_hex(32)
        keys.keyring.set_password(keys.SERVICE, keys.pending_entry(path), new_hex)
        return new_hex
    phrase = new_passphrase or (prompt("New passphrase: ") if prompt else "")
    if len(phrase) < 8:
        raise KeyUnavailable("The new passphrase must be at least 8 characters long.")
    salt = secrets.token_hex(16)
    new_hex = keys.derive(phrase, salt, keys.SCRYPT_N)
    keys.write_private(keys.pending_kdf_path(path), json.dumps(
        {"kdf": "scrypt", "salt": salt, "n": keys.SCRYPT_N, "r": keys.SCRYPT_R,
         "p": keys.SCRYPT_P, "check": keys.check_value(new_hex)}))
    return new_hex


def _forget_new_key(path: Path, old: keys.DatabaseKey) -> None:
    if old.source == "keyring":
        with contextlib.suppress(keys.keyring.errors.PasswordDeleteError):
            keys.keyring.delete_password(keys.SERVICE, keys.pending_entry(path))
    else:
        keys.pending_kdf_path(path).unlink(missing_ok=True)


def rotate_key(path: Path, *, passphrase: str | None = None,
               new_passphrase: str | None = None,
               prompt: keys.PromptFn | None = None) -> Rotation:
    """Re-encrypt ``path`` and its backups with a new key (a new random key in the
    keyring, or for a passphrase store the key of ``new_passphrase``).

    Raises:
        KeyUnavailable / WrongKey: the current key is not there or does not fit.
        EnvironmentProblem: the store is open elsewhere (nothing changed).
    """
    path = path.expanduser().resolve()
    if not path.exists():
        raise EnvironmentProblem(f"There is no DipSample database at {path}.")
    old = keys.resolve_key(path, passphrase=passphrase, prompt=prompt)  # finishes a
    if not keys.key_opens(path, old.hex):                               # killed one
        raise EnvironmentProblem(f"{path.name} does not open with its key; nothing was "
                                 "changed.")
    marker = _Marker(path, create=True)
    try:
        if not marker.lock():
            raise EnvironmentProblem(f"The key of {path.name} is being changed by another "
                                     "DipSample command; wait for it to finish.")
        _discard_work(path)
        try:
            new_hex = _new_key(path, old, new_passphrase, prompt)
        except BaseException:
            marker.remove()
            raise
        test_pause("rotate-started")
        try:
            backup = _prepare(path, old, new_hex)
            test_pause("rotate-copies-ready")
            _rekey(path, old, new_hex)
        except BaseException:
            if keys.key_opens(path, old.hex):  # the store kept the old key: undo the rest
                _forget_new_key(path, old)
                _install(path, old.hex)
                marker.remove()
            raise
        test_pause("rotate-store-rekeyed")
        # The file now opens only with the new key: make it the key.
        if old.source == "keyring":
            keys.keyring.set_password(keys.SERVICE, keys.keyring_entry(path), new_hex)
            keys.keyring.delete_password(keys.SERVICE, keys.pending_entry(path))
        else:
            keys.pending_kdf_path(path).replace(keys.kdf_path(path))
        test_pause("rotate-key-swapped")
        _installed, removed = _install(path, new_hex)
        marker.remove()
    finally:
        marker.close()
    test_pause("rotate-finished")
    earlier = [b for b in backups_of(path) if b != backup]
    return Rotation(path, old.source, backup, len(earlier), removed)
