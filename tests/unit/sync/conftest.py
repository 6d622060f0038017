"""Fixtures of the sync tests: a shared folder and two devices."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from desktop.store import Store
from tests.unit.sync.file_keyring import FileKeyring
from tests.unit.sync.helpers import device


@pytest.fixture
def share(tmp_path: Path) -> Path:
    folder = tmp_path / "share"
    folder.mkdir()
    return folder


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    a, b = device(tmp_path, "a"), device(tmp_path, "b")
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def shared_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Secrets in a file that this test and a real child process both read."""
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("DIPSAMPLE_TEST_KEYRING", str(path))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(previous)
