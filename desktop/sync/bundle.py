"""A bundle: the changes one device pushes at once, as sealed bytes.

Why AES-GCM under one organisation key: the shared folder is readable by council IT and
anyone with the drive; a bundle must say nothing to them and must not be alterable.
GCM authenticates the whole bundle and its name (the associated data), so a tampered,
truncated, renamed or foreign bundle (another organisation's key) fails to open and is
reported, never half applied. The key lives in the keyring, never in a file (or,
on a computer with no keyring, inside a store keyed by a passphrase).
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from dataclasses import dataclass, field
from typing import Any

import keyring
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from desktop.errors import EnvironmentProblem, InputProblem
from desktop.models import Meta
from desktop.store import Store, keys

#: The keyring entry of the organisation key (service, user).
KEY_SERVICE = "DipSample sync"
KEY_USER = "organisation-key"
MAGIC = b"DSB1"
NONCE_BYTES = 12


class BundleRejected(Exception):
    """A bundle that cannot be trusted: reported by name, the rest of the sync goes on."""


@dataclass
class RecordChange:
    """The current state of one changed record, as pushed.

    ``fields`` maps each field this push changed to the version of that field it
    replaced (its ancestry); an insert lists every field with "". ``row`` is the whole
    record (JSON values), so a device that never saw it can make it.
    """

    table: str
    id: str
    version: str
    device: str
    fields: dict[str, str]
    row: dict[str, Any]
    #: The version of each changed field as pushed (a field keeps its own version when
    #: a merge took it from elsewhere).
    field_versions: dict[str, str] = field(default_factory=dict)


@dataclass
class Bundle:
    device: str
    made_at: str
    changes: list[RecordChange]
    #: Case events (append-only facts) as JSON rows.
    facts: list[dict[str, Any]] = field(default_factory=list)
    #: A snapshot's: the bundles whose changes it already holds.
    covers: list[str] = field(default_factory=list)
    #: The device's event-log chain head, then its current hashes at the heads it sent
    #: before, each ``[seq, hash, key id]`` (desktop/store/events.py, 'anchors'); empty
    #: for a snapshot and for a device whose log is empty.
    heads: list[list[Any]] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        """Compressed JSON; the same bundle always makes the same bytes (its name is
        their hash). Level 1: a first sync is dominated by compressing, and level 6 made
        bundles only a little smaller."""
        data = {"device": self.device, "made_at": self.made_at, "facts": self.facts,
                "covers": self.covers,
                "changes": [[c.table, c.id, c.version, c.device, c.fields, c.row,
                             c.field_versions] for c in self.changes]}
        if self.heads:
            data["heads"] = self.heads
        return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)

    @classmethod
    def from_bytes(cls, raw: bytes) -> Bundle:
        data = json.loads(zlib.decompress(raw))
        return cls(data["device"], data["made_at"],
                   [RecordChange(*c) for c in data["changes"]], data.get("facts", []),
                   data.get("covers", []), _heads(data.get("heads", [])))


def _heads(value: Any) -> list[list[Any]]:
    """Chain heads as sent, or ValueError: a bundle from a newer or a broken sender must
    be refused whole, never half read."""
    if not isinstance(value, list):
        raise ValueError("heads")
    for head in value:
        if not (isinstance(head, list) and len(head) == 3 and type(head[0]) is int
                and head[0] > 0 and isinstance(head[1], str) and len(head[1]) <= 64
                and isinstance(head[2], str) and len(head[2]) <= 16):
            raise ValueError("heads")
    return value


#: Why a sync cannot start on a computer with no keyring and a store keyed by the keyring.
NO_KEYRING = ("Sync needs the system keyring to keep the organisation's sync key, and none "
              "is available on this computer (on Linux: GNOME Keyring or KWallet, unlocked); "
              "a database keyed by a passphrase keeps the key inside itself instead.")
#: ``store_meta`` key of the organisation key in a passphrase-keyed store with no keyring.
STORE_KEY = "sync.organisation_key"


def organisation_key(create: bool = False, store: Store | None = None) -> bytes:
    """The organisation key; with ``create``, made when there is none.

    Where it lives: the keyring (never a plaintext one); or, where there is none, inside
    ``store`` when that is keyed by a passphrase (issue 21, item 8). Why that is safe:
    the store is encrypted under a key derived from the passphrase, so the sync key is
    no easier to read there than anything else in it, and a laptop with no keyring can
    then sync from the command line, as IT scripts it.
    """
    inside = _inside(store)
    if inside is not None:
        held = _stored(inside)
        if held is not None:
            return _decode_key(held)
    if keys.keyring_available():
        try:
            text = keyring.get_password(KEY_SERVICE, KEY_USER)
        except keyring.errors.KeyringError:
            text = None
            if inside is None:
                raise EnvironmentProblem(NO_KEYRING) from None
        if text is not None:
            return _decode_key(text)
    elif inside is None:
        raise EnvironmentProblem(keys.plaintext_refusal() or NO_KEYRING)
    if not create:
        raise EnvironmentProblem(
            "There is no organisation sync key here; 'dipsample sync key --new' makes one, "
            "'dipsample sync key --set' takes the council's.")
    key = AESGCM.generate_key(bit_length=256)
    set_organisation_key(base64.urlsafe_b64encode(key).decode(), store)
    return key


def _inside(store: Store | None) -> Store | None:
    """``store`` when the organisation key may live inside it (keyed by a passphrase)."""
    return store if store is not None and store.key_source == "passphrase" else None


def _stored(store: Store) -> str | None:
    with store.read() as session:
        return session.scalar(select(Meta.value).where(Meta.key == STORE_KEY))


def _decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise InputProblem("An organisation sync key is 44 characters of base64 (256 bits).")
    return key


def set_organisation_key(text: str, store: Store | None = None) -> str:
    """Keep the organisation key ``text``: in the keyring, or where there is none inside
    ``store`` (keyed by a passphrase). Returns where: "keyring" or "store"."""
    _decode_key(text)
    if keys.keyring_available():
        try:
            keyring.set_password(KEY_SERVICE, KEY_USER, text.strip())
            return "keyring"
        except keyring.errors.KeyringError:
            if _inside(store) is None:
                raise EnvironmentProblem(NO_KEYRING) from None
    inside = _inside(store)
    if inside is None:
        raise EnvironmentProblem(keys.plaintext_refusal() or NO_KEYRING)
    with inside.transaction() as session:
        row = session.get(Meta, STORE_KEY)
        if row is None:
            session.add(Meta(key=STORE_KEY, value=text.strip()))
        else:
            row.value = text.strip()
    return "store"


def seal(key: bytes, name: str, bundle: Bundle | bytes) -> bytes:
    """``bundle`` (or its bytes, already made) sealed under ``name``."""
    plain = bundle if isinstance(bundle, bytes) else bundle.to_bytes()
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plain, name.encode())


def open_sealed(key: bytes, name: str, data: bytes) -> Bundle:
    """The bundle in ``data``; :class:`BundleRejected` if it is not whole and ours."""
    if len(data) < len(MAGIC) + NONCE_BYTES + 16 or not data.startswith(MAGIC):
        raise BundleRejected("not a sync bundle, or cut short")
    nonce = data[len(MAGIC):len(MAGIC) + NONCE_BYTES]
    try:
        plain = AESGCM(key).decrypt(nonce, data[len(MAGIC) + NONCE_BYTES:], name.encode())
    except InvalidTag:
        raise BundleRejected("altered, cut short, or sealed with another key") from None
    try:
        return Bundle.from_bytes(plain)
    except (ValueError, KeyError, TypeError, zlib.error):
        raise BundleRejected("sealed correctly but not readable") from None
