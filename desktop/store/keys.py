"""Where the database key comes from: the OS keyring, or a stretched passphrase.

Why this order: a random 256-bit key kept by the operating system's keyring (Windows
Credential Manager, macOS Keychain, Secret Service) is strongest and invisible to the
user. Headless Linux and CI have no keyring; there the key is derived from a
passphrase (``DIPSAMPLE_PASSPHRASE`` or a prompt) with scrypt, and the salt lives in
a ``.kdf`` file beside the database (not secret). With neither we refuse: never a
silent unencrypted database.

Why a plaintext keyring counts as none: ``keyrings.alt``'s ``PlaintextKeyring`` (and
the like) keeps secrets in a file anyone with the disk can read, so a key kept there
would guard nothing; it used to be accepted silently (issue 21, item 8). Where nothing
else can hold a key, the refusal is one sentence (:func:`plaintext_refusal`).
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import hmac
import json
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
import sqlcipher3.dbapi2 as sqlcipher

from desktop.errors import KeyUnavailable, WrongKey

SERVICE = "DipSample"
PASSPHRASE_ENV = "DIPSAMPLE_PASSPHRASE"
#: scrypt cost: about 0.1 s on a 2020 laptop; RFC 7914 recommends N >= 2**14 for
#: interactive logins.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

PromptFn = Callable[[str], str]


@dataclass(frozen=True)
class DatabaseKey:
    """A raw SQLCipher key and where it came from ("keyring" or "passphrase").

    Attributes:
        known_good: the key is certainly this database's (the keyring entry made for
            it, or a passphrase that matched the ``.kdf`` check value), so a file it
            cannot open is damaged rather than locked with another key.
    """

    hex: str
    source: str
    known_good: bool = False

    def pragma(self) -> str:
        return f"PRAGMA key = \"x'{self.hex}'\""


#: Why a check value: with only the database to try, a wrong passphrase and a damaged
#: first page look the same ("file is not a database"). An HMAC of a fixed label under
#: the key tells them apart without touching the file, and reveals nothing the
#: encrypted file does not already let an attacker test offline.
_CHECK_LABEL = b"DipSample key check v1"


def check_value(key_hex: str) -> str:
    return hmac.new(bytes.fromhex(key_hex), _CHECK_LABEL, hashlib.sha256).hexdigest()


def kdf_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".kdf")


def keyring_entry(db_path: Path) -> str:
    return f"db:{db_path.expanduser().resolve()}"


def keyring_available() -> bool:
    """False for keyring's fail/null backends (headless machines), and for a backend
    that keeps secrets in plain text (:func:`plaintext_keyring`)."""
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    if plaintext_keyring() is not None:
        return False
    if module.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    return getattr(backend, "priority", 1) > 0


def plaintext_keyring() -> str | None:
    """The name of the keyring backend in use (or chained in it) when it keeps secrets
    in plain text, such as ``keyrings.alt.file.PlaintextKeyring``; else None."""
    backend = keyring.get_keyring()
    for one in [backend, *getattr(backend, "backends", [])]:
        kind = type(one)
        if "plaintext" in kind.__name__.lower():
            return f"{kind.__module__}.{kind.__name__}"
    return None


def plaintext_refusal() -> str | None:
    """The one sentence refusing a plaintext keyring, when that is the keyring here."""
    name = plaintext_keyring()
    if name is None:
        return None
    return (f"The keyring here ({name}) keeps secrets in a plain file, so DipSample keeps "
            "no key in it: remove that keyring backend (keyrings.alt) or use a "
            f"passphrase ({PASSPHRASE_ENV}), which keeps the keys inside the encrypted "
            "database.")


_derived: dict[tuple[str, str, str], str] = {}


def derive(passphrase: str, salt_hex: str, n: int) -> str:
    """Why ``n`` has no default: the cost used must be the one written beside the salt,
    read from ``SCRYPT_N`` when the file is made (a default is bound once, at import)."""
    cache_key = (hashlib.sha256(passphrase.encode()).hexdigest(), salt_hex, str(n))
    if cache_key not in _derived:
        raw = hashlib.scrypt(
            passphrase.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=n, r=SCRYPT_R,
            p=SCRYPT_P, maxmem=128 * 1024 * 1024, dklen=32,
        )
        _derived[cache_key] = raw.hex()
    return _derived[cache_key]


def tty_prompt(question: str) -> str:
    """Ask on the terminal without echo; "" when there is no terminal to ask on.

    Public: the command line's ``key rotate`` asks for the current passphrase with it.
    """
    if not sys.stdin or not sys.stdin.isatty():
        return ""
    return getpass.getpass(question)


def _passphrase(given: str | None, prompt: PromptFn | None, new: bool) -> str:
    value = given or os.environ.get(PASSPHRASE_ENV, "")
    if not value and prompt is not None:
        value = prompt("New passphrase for the DipSample database: " if new
                       else "Passphrase for the DipSample database: ")
        # A typo in a new passphrase would lock the data away for good: ask twice.
        if value and new and prompt("Type the new passphrase again: ") != value:
            raise KeyUnavailable("The two passphrases differ; nothing was created. "
                                 "Run the command again and type the same one twice.")
    if not value:
        raise KeyUnavailable(plaintext_refusal() or (
            "No keyring is available and no passphrase was given: set "
            f"{PASSPHRASE_ENV} or run from a terminal to type one."
        ))
    if new and len(value) < 8:
        raise KeyUnavailable("The passphrase must be at least 8 characters long.")
    return value


def pending_entry(db_path: Path) -> str:
    """The keyring entry holding a new key while :mod:`desktop.store.rotate` re-encrypts."""
    return keyring_entry(db_path) + ":pending"


def pending_kdf_path(db_path: Path) -> Path:
    """The new passphrase's parameters while a rotation re-encrypts (see rotate.py)."""
    return db_path.with_name(db_path.name + ".kdf.pending")


def key_opens(db_path: Path, key_hex: str) -> bool:
    """Whether ``key_hex`` reads the file's schema (a hot journal is rolled back first)."""
    conn = sqlcipher.connect(str(db_path))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(DatabaseKey(key_hex, "").pragma())
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher.DatabaseError:
        return False
    finally:
        conn.close()


def _finish_keyring_rotation(db_path: Path) -> None:
    """A rotation killed midway left a pending key: keep whichever key opens the file.

    Why the old key is tried first: if the re-encryption was cut short, SQLite's journal
    holds the old pages, and opening with the old key rolls them back whole.
    """
    try:
        pending = keyring.get_password(SERVICE, pending_entry(db_path))
        if not pending:
            return
        current = keyring.get_password(SERVICE, keyring_entry(db_path))
        if current and key_opens(db_path, current):
            keyring.delete_password(SERVICE, pending_entry(db_path))
        elif key_opens(db_path, pending):
            keyring.set_password(SERVICE, keyring_entry(db_path), pending)
            keyring.delete_password(SERVICE, pending_entry(db_path))
    except keyring.errors.KeyringError as exc:
        raise KeyUnavailable(f"The system keyring could not be read: {exc}") from None


def _finish_passphrase_rotation(db_path: Path, derived_new: str | None) -> None:
    """As :func:`_finish_keyring_rotation`, for a passphrase store's ``.kdf.pending``."""
    pending = pending_kdf_path(db_path)
    if derived_new is not None and key_opens(db_path, derived_new):
        os.replace(pending, kdf_path(db_path))
    else:
        pending.unlink(missing_ok=True)


def resolve_key(
    db_path: Path,
    *,
    passphrase: str | None = None,
    prompt: PromptFn | None = tty_prompt,
) -> DatabaseKey:
    """The key for ``db_path``, creating one when the database is new.

    A key rotation that a kill cut short is finished here, once the key that opens the
    file is known (``rotate.finish_interrupted``): its backups end up under that key,
    and no copy the other key opens is left.
    """
    key = _resolve_key(db_path, passphrase=passphrase, prompt=prompt)
    from desktop.store import rotate

    if rotate.interrupted(db_path):
        rotate.finish_interrupted(db_path, key.hex)
    return key


def _resolve_key(
    db_path: Path,
    *,
    passphrase: str | None,
    prompt: PromptFn | None,
) -> DatabaseKey:
    exists = db_path.exists() and db_path.stat().st_size > 0
    sidecar = kdf_path(db_path)
    if exists and keyring_available() and not sidecar.exists():
        _finish_keyring_rotation(db_path)
    if exists and pending_kdf_path(db_path).exists():
        return _passphrase_mid_rotation(db_path, passphrase, prompt)
    if sidecar.exists():
        params = _read_kdf(sidecar)
        phrase = _passphrase(passphrase, prompt, new=False)
        derived = derive(phrase, params["salt"], int(params["n"]))
        expected = params.get("check")
        if expected is not None and not hmac.compare_digest(expected, check_value(derived)):
            raise WrongKey(f"The passphrase is wrong for {db_path.name}; nothing was changed.")
        return DatabaseKey(derived, "passphrase", known_good=expected is not None)
    if keyring_available() and not (passphrase and not exists):
        entry = keyring_entry(db_path)
        try:
            stored = keyring.get_password(SERVICE, entry)
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(f"The system keyring could not be read: {exc}") from None
        if stored:
            return DatabaseKey(stored, "keyring", known_good=True)
        if exists:
            raise KeyUnavailable(
                f"No key for {db_path.name}: the keyring holds none for it and there is no "
                f"passphrase file ({sidecar.name}) beside it. It was made on another machine "
                f"or by another user, or its {sidecar.name} file was removed."
            )
        new_key = secrets.token_hex(32)
        try:
            keyring.set_password(SERVICE, entry, new_key)
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(f"The system keyring refused to store the key: {exc}") from None
        return DatabaseKey(new_key, "keyring")
    if exists:
        raise KeyUnavailable(plaintext_refusal() or (
            f"No key for {db_path.name}: there is no passphrase file ({sidecar.name}) beside "
            "it, and no keyring is available here. If it was made with a passphrase, "
            f"restore its {sidecar.name} file; if its key is in a keyring, open it where "
            "that keyring is."
        ))
    phrase = _passphrase(passphrase, prompt, new=True)
    salt = secrets.token_hex(16)
    derived = derive(phrase, salt, SCRYPT_N)
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    _write_private(sidecar, json.dumps({"kdf": "scrypt", "salt": salt, "n": SCRYPT_N,
                                        "r": SCRYPT_R, "p": SCRYPT_P,
                                        "check": check_value(derived)}))
    return DatabaseKey(derived, "passphrase", known_good=True)


def _passphrase_mid_rotation(db_path: Path, passphrase: str | None,
                             prompt: PromptFn | None) -> DatabaseKey:
    """The typed passphrase may be the old or the new one: whichever ``.kdf`` it fits and
    whose key opens the file wins, and the other ``.kdf`` goes."""
    phrase = _passphrase(passphrase, prompt, new=False)
    for sidecar in (kdf_path(db_path), pending_kdf_path(db_path)):
        if not sidecar.exists():
            continue
        params = _read_kdf(sidecar)
        derived = derive(phrase, params["salt"], int(params["n"]))
        if hmac.compare_digest(params.get("check", ""), check_value(derived)) and \
                key_opens(db_path, derived):
            _finish_passphrase_rotation(
                db_path, derived if sidecar == pending_kdf_path(db_path) else None)
            return DatabaseKey(derived, "passphrase", known_good=True)
    raise WrongKey(f"The passphrase is wrong for {db_path.name} (its key was being "
                   "changed: the old or the new passphrase opens it); nothing was changed.")


def _read_kdf(sidecar: Path) -> dict[str, str]:
    try:
        params = json.loads(sidecar.read_text(encoding="utf-8"))
        bytes.fromhex(params["salt"])
        int(params["n"])
    except (OSError, ValueError, KeyError, TypeError):
        raise KeyUnavailable(
            f"{sidecar.name} (the passphrase file beside the database) is damaged; restore "
            "it from a backup of that folder.") from None
    if not isinstance(params, dict):
        raise KeyUnavailable(f"{sidecar.name} is damaged; restore it from a backup.")
    return params


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file only its owner can read, atomically."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


#: For a file of personal data written elsewhere (a subject access export).
write_private = _write_private


def key_present(db_path: Path) -> str | None:
    """Where this database's key would come from, without prompting: for ``check``."""
    if kdf_path(db_path).exists():
        return "passphrase" if os.environ.get(PASSPHRASE_ENV) else None
    if keyring_available():
        try:
            return "keyring" if keyring.get_password(SERVICE, keyring_entry(db_path)) else None
        except keyring.errors.KeyringError:
            return None
    return None


def forget_key(db_path: Path) -> None:
    """Remove a keyring entry (used when a database file is deleted by the user)."""
    if keyring_available():
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(SERVICE, keyring_entry(db_path))
