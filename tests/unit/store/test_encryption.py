"""The store is encrypted at rest and its key comes only from keyring or passphrase."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.errors import KeyUnavailable, NetworkPathRefused, WrongKey
from desktop.models import Case
from desktop.store import keys, open_store


def _plain_sqlite_refuses(path: Path) -> None:
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()


def test_file_is_unreadable_without_the_key(store, db_path: Path) -> None:
    with store.transaction() as session:
        session.add(Case(case_ref="SYN-0001", child_name="Testchild Alpha"))
    store.close()
    _plain_sqlite_refuses(db_path)
    assert b"Testchild Alpha" not in db_path.read_bytes()
    assert b"SQLite format 3" not in db_path.read_bytes()[:16]


def test_key_is_generated_once_and_kept_in_the_keyring(db_path: Path, memory_keyring) -> None:
    first = open_store(db_path, prompt=None, create=True)
    first.close()
    entry = keys.keyring_entry(db_path)
    stored = memory_keyring.secrets[(keys.SERVICE, entry)]
    assert len(bytes.fromhex(stored)) == 32
    second = open_store(db_path, prompt=None, create=True)
    assert second.key_source == "keyring"
    assert memory_keyring.secrets[(keys.SERVICE, entry)] == stored
    second.close()


def test_a_lost_keyring_entry_is_a_clear_error(db_path: Path, memory_keyring) -> None:
    open_store(db_path, prompt=None, create=True).close()
    memory_keyring.secrets.clear()
    with pytest.raises(KeyUnavailable, match="the keyring holds none for it"):
        open_store(db_path, prompt=None, create=True)


def test_passphrase_fallback_without_keyring(db_path: Path, no_keyring, monkeypatch) -> None:
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "a long enough passphrase")
    store = open_store(db_path, prompt=None, create=True)
    assert store.key_source == "passphrase"
    with store.transaction() as session:
        session.add(Case(case_ref="SYN-1"))
    store.close()
    assert keys.kdf_path(db_path).exists()
    _plain_sqlite_refuses(db_path)
    again = open_store(db_path, prompt=None, create=True)
    with again.read() as session:
        assert session.query(Case).one().case_ref == "SYN-1"
    again.close()
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "not the passphrase")
    with pytest.raises(WrongKey, match="passphrase is wrong"):
        open_store(db_path, prompt=None)


def test_no_keyring_and_no_passphrase_is_refused(db_path: Path, no_keyring) -> None:
    with pytest.raises(KeyUnavailable, match="DIPSAMPLE_PASSPHRASE"):
        open_store(db_path, prompt=None, create=True)
    assert not db_path.exists()


def test_the_prompt_is_used_when_no_environment(db_path: Path, no_keyring) -> None:
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return "typed at the prompt"

    open_store(db_path, prompt=prompt, create=True).close()
    open_store(db_path, prompt=prompt, create=True).close()
    assert asked[0].startswith("New passphrase")
    assert asked[1].startswith("Type the new passphrase again")
    assert asked[2].startswith("Passphrase") and len(asked) == 3


def test_short_new_passphrase_is_refused(db_path: Path, no_keyring, monkeypatch) -> None:
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "short")
    with pytest.raises(KeyUnavailable, match="at least 8"):
        open_store(db_path, prompt=None, create=True)


def test_kdf_is_scrypt_and_deterministic() -> None:
    salt = "00" * 16
    a = keys.derive("passphrase one", salt, n=2**10)
    assert a == keys.derive("passphrase one", salt, n=2**10)
    assert a != keys.derive("passphrase two", salt, n=2**10)
    import hashlib

    expected = hashlib.scrypt(b"passphrase one", salt=bytes(16), n=2**10, r=8, p=1, dklen=32)
    assert a == expected.hex()


def test_a_plain_sqlite_file_is_refused(db_path: Path, memory_keyring) -> None:
    """Even with a key at hand, an unencrypted SQLite file is named as such, untouched."""
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE t (a)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    memory_keyring.secrets[(keys.SERVICE, keys.keyring_entry(db_path))] = "ab" * 32
    with pytest.raises(WrongKey, match="unencrypted SQLite database"):
        open_store(db_path, prompt=None)
    assert db_path.read_bytes() == before


def test_network_share_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NetworkPathRefused, match="network drive"):
        open_store(Path("//fileserver/share/dipsample.db"), prompt=None, create=True)
