"""``dipsample sync``: folder sync, status as text and JSON, the keys, refused URLs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.models import ServiceArea
from desktop.store import Store
from desktop.sync.bundle import KEY_SERVICE, KEY_USER
from tests.conftest import MemoryKeyring


def test_sync_then_status_as_json(store: Store, share: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    with store.transaction() as session:
        session.add(ServiceArea(name="North"))
    db = str(store.path)
    assert main(["sync", "--folder", str(share), "--db", db]) == 0
    assert "ok: sent 1" in capsys.readouterr().out
    assert main(["sync", "status", "--json", "--db", db]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["target"] == f"folder:{share}"
    assert status["pending"] == 0 and status["last_outcome"] == "ok"
    assert status["last_success"] is not None
    assert main(["sync", "--db", db]) == 0  # the folder remembered


def test_a_password_in_the_url_is_one_line_and_nothing_is_kept(
        store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sync", "--database", "postgresql://qa:secret@db.example/x", "--db",
                 str(store.path)])
    err = capsys.readouterr().err
    assert code != 0 and "keyring" in err and len(err.strip().splitlines()) == 1
    assert "secret" not in err
    assert main(["sync", "status", "--json", "--db", str(store.path)]) == 0
    assert json.loads(capsys.readouterr().out)["target"] == ""


def test_the_organisation_key_made_once_shown_and_set(
        memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "key", "--new"]) == 0
    assert main(["sync", "key", "--new"]) == 1  # never replaced by accident
    capsys.readouterr()
    assert main(["sync", "key", "--show"]) == 0
    shown = capsys.readouterr().out.strip()
    assert memory_keyring.get_password(KEY_SERVICE, KEY_USER) == shown
    memory_keyring.delete_password(KEY_SERVICE, KEY_USER)
    monkeypatch.setattr("sys.stdin", io.StringIO(shown + "\n"))
    assert main(["sync", "key", "--set"]) == 0
    assert memory_keyring.get_password(KEY_SERVICE, KEY_USER) == shown
    monkeypatch.setattr("sys.stdin", io.StringIO("too short\n"))
    assert main(["sync", "key", "--set"]) != 0
