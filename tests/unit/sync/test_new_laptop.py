"""A new laptop from the command line, with and without a keyring (issue 21, item 8).

Every case runs real ``dipsample`` processes, as IT's script would: a keyring shared
through a file, keyring's own fail backend (headless Linux), or a backend that keeps
secrets in a plain file like ``keyrings.alt``'s ``PlaintextKeyring``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from desktop.store import Store, open_store
from tests import forked
from tests.unit.sync.helpers import EXE, device, folder_sync, records
from tests.unit.sync.processes import child_env

PASSPHRASE = "a passphrase for the new laptop"
NO_KEYRING = "keyring.backends.fail.Keyring"
PLAINTEXT = "tests.unit.sync.plaintext_keyring.PlaintextKeyring"

pytestmark = pytest.mark.timeout(300)


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return forked.run([str(EXE), *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=240, check=False)


def environment(tmp_path: Path, backend: str, *, passphrase: bool) -> dict[str, str]:
    env = child_env(tmp_path / "home", extra={
        "PYTHON_KEYRING_BACKEND": backend,
        "DIPSAMPLE_TEST_KEYRING": str(tmp_path / "plain-keyring.json")})
    if passphrase:
        env["DIPSAMPLE_PASSPHRASE"] = PASSPHRASE
    return env


def opened(path: Path) -> Store:
    return open_store(path, passphrase=PASSPHRASE, prompt=None)


def test_a_new_laptop_is_one_command_with_a_keyring(
        tmp_path: Path, shared_keyring: Path, share: Path) -> None:
    qa = device(tmp_path, "qa")
    try:
        from desktop.models import ServiceArea

        with qa.transaction() as session:
            session.add_all([ServiceArea(name=f"Area {n}") for n in range(5)])
        assert folder_sync(qa, share).pushed == 5
        new = tmp_path / "new" / "dipsample.db"
        env = child_env(tmp_path / "home")
        done = run(["sync", "--folder", str(share), "--db", str(new)], env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ok: sent 0, received 5")
        assert f"a new database was made at {new}" in done.stdout
        laptop = device(tmp_path, "new")
        try:
            assert records(laptop) == records(qa)
        finally:
            laptop.close()
        # A bare sync on a mistyped path still makes nothing.
        typo = tmp_path / "typo" / "dipsample.db"
        refused = run(["sync", "--db", str(typo)], env)
        assert refused.returncode != 0 and not typo.exists()
    finally:
        qa.close()


def test_no_keyring_a_passphrase_store_keeps_the_sync_key_inside_and_syncs(
        tmp_path: Path, share: Path) -> None:
    env = environment(tmp_path, NO_KEYRING, passphrase=True)
    first, second = tmp_path / "qa" / "dipsample.db", tmp_path / "laptop" / "dipsample.db"
    made = run(["demo", "--cases", "30", "--seed", "2", "--as-of", "2026-11-20", "--db",
                str(first)], env)
    assert made.returncode == 0, made.stderr
    pushed = run(["sync", "--folder", str(share), "--db", str(first)], env)
    assert pushed.returncode == 0 and pushed.stdout.startswith("ok: sent"), pushed.stderr
    shown = run(["sync", "key", "--show", "--db", str(first)], env)
    assert shown.returncode == 0, shown.stderr
    key = shown.stdout.strip()
    assert len(key) == 44

    # A new laptop without the key: refused in one line, nothing left behind.
    bare = run(["sync", "--folder", str(share), "--db", str(second)], env)
    assert bare.returncode != 0 and len(bare.stderr.strip().splitlines()) == 1
    assert "organisation sync key" in bare.stderr and not second.exists()
    # IT's two commands: the council's key, then the first sync.
    given = run(["sync", "key", "--set", "--db", str(second)], env, stdin=key + "\n")
    assert given.returncode == 0 and "inside the database" in given.stdout, given.stderr
    pulled = run(["sync", "--folder", str(share), "--db", str(second)], env)
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stdout.startswith("ok: sent 0, received")
    status = run(["sync", "status", "--json", "--db", str(second)], env)
    assert json.loads(status.stdout)["pending"] == 0

    qa, laptop = opened(first), opened(second)
    try:
        assert records(laptop) == records(qa)
    finally:
        qa.close()
        laptop.close()
    assert not (tmp_path / "plain-keyring.json").exists()
    assert key not in "".join(p.read_text(errors="replace") for p in share.rglob("*")
                              if p.is_file() and p.suffix != ".dsb")


def test_a_plaintext_keyring_is_refused_for_both_keys(tmp_path: Path, share: Path) -> None:
    plain = tmp_path / "plain-keyring.json"
    env = environment(tmp_path, PLAINTEXT, passphrase=False)
    store = tmp_path / "qa" / "dipsample.db"
    made = run(["demo", "--cases", "5", "--db", str(store)], env)
    assert made.returncode == 2, made.stdout
    assert len(made.stderr.strip().splitlines()) == 1
    assert "PlaintextKeyring) keeps secrets in a plain file" in made.stderr
    key = run(["sync", "key", "--new"], env)
    assert key.returncode == 2 and "keeps secrets in a plain file" in key.stderr, key.stderr
    assert len(key.stderr.strip().splitlines()) == 1
    assert not plain.exists() or json.loads(plain.read_text()) == {}

    # With a passphrase the store and its sync key both stay out of that file.
    env = environment(tmp_path, PLAINTEXT, passphrase=True)
    made = run(["demo", "--cases", "5", "--db", str(store)], env)
    assert made.returncode == 0, made.stderr
    synced = run(["sync", "--folder", str(share), "--db", str(store)], env)
    assert synced.returncode == 0, synced.stderr
    assert not plain.exists() or json.loads(plain.read_text()) == {}
    assert store.with_name(store.name + ".kdf").exists()
