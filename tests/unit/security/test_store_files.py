"""The store's files are readable by their owner only, and a copy without its key file
says which file is missing (issue 13, item 8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.errors import KeyUnavailable
from desktop.store import keys, open_store
from desktop.store.backups import make_backup


def test_the_database_its_key_file_and_backups_are_private(
        db_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "synthetic phrase for modes")
    store = open_store(db_path, prompt=None, create=True)
    try:
        with store.transaction():
            pass
        make_backup(db_path, keys.resolve_key(db_path, prompt=None), "test")
        made = [p for p in db_path.parent.iterdir() if p.is_file()]
        assert {p.suffix for p in made} >= {".db", ".kdf", ".bak"}
        assert {p.name: oct(p.stat().st_mode & 0o777) for p in made} == {
            p.name: "0o600" for p in made}
    finally:
        store.close()


@pytest.mark.parametrize("keyring_here", [True, False])
def test_a_copy_without_its_key_file_names_the_missing_file(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        keyring_here: bool) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "synthetic phrase for copies")
    try:
        open_store(db_path, prompt=None, create=True).close()
    finally:
        keyring.set_keyring(previous)
    if not keyring_here:
        keyring.set_keyring(fail.Keyring())
    copy = tmp_path / "moved" / db_path.name
    copy.parent.mkdir()
    shutil.copy(db_path, copy)
    try:
        with pytest.raises(KeyUnavailable) as caught:
            open_store(copy, prompt=None)
    finally:
        keyring.set_keyring(previous)
    assert f"{copy.name}.kdf" in caught.value.message
