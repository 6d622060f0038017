"""Where the database key comes from: the OS keyring, or a stretched passphrase.

Why this order: a random 256-bit key kept by the operating system's keyring (Windows
Credential Manager, macOS Keychain, Secret Service) is strongest and invisible to the
user. Headless Linux and CI have no keyring; there the key is derived from a
passphrase (``DIPSAMPLE_PASSPHRASE`` or a prompt) with scrypt, and the salt lives in
a ``.kdf`` file beside the database (not secret). With neither we refuse: never a
silent unencrypted database.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors

from desktop.errors import KeyUnavailable

SERVICE = "DipSample"
PASSPHRASE_ENV = "DIPSAMPLE_PASSPHRASE"
#: scrypt cost: about 0.1 s on a 2020 laptop; RFC 7914 recommends N >= 2**14 for
#: interactive logins.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1

PromptFn = Callable[[str], str]


@dataclass(frozen=True)
class DatabaseKey:
    """A raw SQLCipher key and where it came from ("keyring" or "passphrase")."""

    hex: str
    source: str

    def pragma(self) -> str:
        return f"PRAGMA key = \"x'{self.hex}'\""


def kdf_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".kdf")


def keyring_entry(db_path: Path) -> str:
    return f"db:{db_path.expanduser().resolve()}"


def keyring_available() -> bool:
    """False for keyring's fail/null backends (headless machines)."""
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    if module.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    return getattr(backend, "priority", 1) > 0


_derived: dict[tuple[str, str, str], str] = {}


def derive(passphrase: str, salt_hex: str, n: int = SCRYPT_N) -> str:
    cache_key = (hashlib.sha256(passphrase.encode()).hexdigest(), salt_hex, str(n))
    if cache_key not in _derived:
        raw = hashlib.scrypt(
            passphrase.encode("utf-8"), salt=bytes.fromhex(salt_hex), n=n, r=SCRYPT_R,
            p=SCRYPT_P, maxmem=128 * 1024 * 1024, dklen=32,
        )
        _derived[cache_key] = raw.hex()
    return _derived[cache_key]


def _tty_prompt(question: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        return ""
    return getpass.getpass(question)


def _passphrase(given: str | None, prompt: PromptFn | None, new: bool) -> str:
    value = given or os.environ.get(PASSPHRASE_ENV, "")
    if not value and prompt is not None:
        value = prompt("New passphrase for the DipSample database: " if new
                       else "Passphrase for the DipSample database: ")
    if not value:
        raise KeyUnavailable(
            "No keyring is available and no passphrase was given: set "
            f"{PASSPHRASE_ENV} or run from a terminal to type one."
        )
    if new and len(value) < 8:
        raise KeyUnavailable("The passphrase must be at least 8 characters long.")
    return value


def resolve_key(
    db_path: Path,
    *,
    passphrase: str | None = None,
    prompt: PromptFn | None = _tty_prompt,
) -> DatabaseKey:
    """The key for ``db_path``, creating one when the database is new."""
    exists = db_path.exists() and db_path.stat().st_size > 0
    sidecar = kdf_path(db_path)
    if sidecar.exists():
        params = json.loads(sidecar.read_text(encoding="utf-8"))
        phrase = _passphrase(passphrase, prompt, new=False)
        return DatabaseKey(derive(phrase, params["salt"], int(params["n"])), "passphrase")
    if keyring_available() and not (passphrase and not exists):
        entry = keyring_entry(db_path)
        try:
            stored = keyring.get_password(SERVICE, entry)
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(f"The system keyring could not be read: {exc}") from None
        if stored:
            return DatabaseKey(stored, "keyring")
        if exists:
            raise KeyUnavailable(
                "The keyring holds no key for this database; it was made on another "
                "machine or by another user."
            )
        new_key = secrets.token_hex(32)
        try:
            keyring.set_password(SERVICE, entry, new_key)
        except keyring.errors.KeyringError as exc:
            raise KeyUnavailable(f"The system keyring refused to store the key: {exc}") from None
        return DatabaseKey(new_key, "keyring")
    if exists:
        raise KeyUnavailable(
            "This database's key is kept in a keyring that is not available here."
        )
    phrase = _passphrase(passphrase, prompt, new=True)
    salt = secrets.token_hex(16)
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps({"kdf": "scrypt", "salt": salt, "n": SCRYPT_N,
                                   "r": SCRYPT_R, "p": SCRYPT_P}), encoding="utf-8")
    return DatabaseKey(derive(phrase, salt), "passphrase")


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
