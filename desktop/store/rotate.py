"""Changing the database key: re-encrypt in place, after a backup, crash-safe.

Why in this order: (1) a backup with the old key, (2) the new key kept where the next
open will look for it (a second keyring entry, or ``.kdf.pending`` for a passphrase
store), (3) SQLCipher's ``PRAGMA rekey``, which rewrites every page in one transaction
of a rollback journal (the store is taken out of WAL for it), (4) only then the new
key replaces the old one. A kill at any moment leaves a file that opens with the old
key (the journal rolls a cut-short rekey back) or the new one, and the next open keeps
whichever fits (``keys._finish_keyring_rotation``). After success the store's earlier
backups are re-encrypted too, so the old key opens nothing any more.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from desktop.errors import EnvironmentProblem, KeyUnavailable
from desktop.store import keys
from desktop.store.backups import backups_of, make_backup

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rotation:
    """What a rotation did.

    Attributes:
        source: "keyring" or "passphrase".
        backup: the backup made first (encrypted with the new key once done).
        backups_rekeyed: earlier backups re-encrypted with the new key.
    """

    path: Path
    source: str
    backup: Path
    backups_rekeyed: int


def _rekey(path: Path, old: keys.DatabaseKey, new_hex: str) -> None:
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
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlcipher.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise EnvironmentProblem(f"{path.name} is open in another DipSample window or "
                                     "command; close it and change the key again.") from None
        raise
    finally:
        conn.close()


def _rekey_backups(path: Path, old_hex: str, new_hex: str) -> int:
    """Earlier backups with the old key get the new one (and, for a passphrase store, a
    copy of the new ``.kdf``); one that fails is left as it was and logged by name only:
    it must not undo the store's own rotation."""
    sidecar = keys.kdf_path(path)
    done = 0
    for backup in backups_of(path):
        if not keys.key_opens(backup, old_hex):
            continue
        try:
            _rekey(backup, keys.DatabaseKey(old_hex, ""), new_hex)
        except (sqlcipher.Error, EnvironmentProblem):
            log.warning("a backup could not be re-encrypted: %s", backup.name)
            continue
        done += 1
        if sidecar.exists():
            keys._write_private(keys.kdf_path(backup), sidecar.read_text(encoding="utf-8"))
    return done


def rotate_key(path: Path, *, passphrase: str | None = None,
               new_passphrase: str | None = None,
               prompt: keys.PromptFn | None = None) -> Rotation:
    """Re-encrypt ``path`` with a new key (a new random key in the keyring, or for a
    passphrase store the key of ``new_passphrase``).

    Raises:
        KeyUnavailable / WrongKey: the current key is not there or does not fit.
        EnvironmentProblem: the store is open elsewhere (nothing changed).
    """
    path = path.expanduser().resolve()
    if not path.exists():
        raise EnvironmentProblem(f"There is no DipSample database at {path}.")
    old = keys.resolve_key(path, passphrase=passphrase, prompt=prompt)
    if not keys.key_opens(path, old.hex):
        raise EnvironmentProblem(f"{path.name} does not open with its key; nothing was "
                                 "changed.")
    backup = make_backup(path, old, "pre-rekey")
    if old.source == "keyring":
        new_hex = secrets.token_hex(32)
        keys.keyring.set_password(keys.SERVICE, keys.pending_entry(path), new_hex)
    else:
        phrase = new_passphrase or (prompt("New passphrase: ") if prompt else "")
        if len(phrase) < 8:
            raise KeyUnavailable("The new passphrase must be at least 8 characters long.")
        salt = secrets.token_hex(16)
        new_hex = keys.derive(phrase, salt)
        keys._write_private(keys.pending_kdf_path(path), json.dumps(
            {"kdf": "scrypt", "salt": salt, "n": keys.SCRYPT_N, "r": keys.SCRYPT_R,
             "p": keys.SCRYPT_P, "check": keys.check_value(new_hex)}))
    _rekey(path, old, new_hex)
    # The file now opens only with the new key: make it the key.
    if old.source == "keyring":
        keys.keyring.set_password(keys.SERVICE, keys.keyring_entry(path), new_hex)
        keys.keyring.delete_password(keys.SERVICE, keys.pending_entry(path))
    else:
        keys.pending_kdf_path(path).replace(keys.kdf_path(path))
    rekeyed = _rekey_backups(path, old.hex, new_hex)
    return Rotation(path, old.source, backup, rekeyed)
