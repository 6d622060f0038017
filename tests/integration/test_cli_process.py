"""The real ``dipsample`` executable, as a council's script would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests import forked

EXE = Path(sys.executable).with_name("dipsample")


def run(*args: str, env_extra: dict[str, str] | None = None, home: Path
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DIPSAMPLE_PASSPHRASE"}
    env.update({"DIPSAMPLE_HOME": str(home),
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    env.update(env_extra or {})
    return forked.run([str(EXE), *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


EXPORT = Path(__file__).resolve().parents[1] / "data" / "mosaic_caseload.csv"


def make_store(db: Path, home: Path, passphrase: str) -> None:
    made = run("import", str(EXPORT), "--db", str(db), home=home,
               env_extra={"DIPSAMPLE_PASSPHRASE": passphrase})
    assert made.returncode == 0, made.stderr


def test_check_on_a_new_database_reports_json(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    make_store(db, tmp_path, "integration-passphrase")
    result = run("check", "--db", str(db), "--json", home=tmp_path,
                 env_extra={"DIPSAMPLE_PASSPHRASE": "integration-passphrase"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["integrity"] == ["ok"]
    assert report["schema_revision"] == report["schema_head"]
    assert report["key_source"] == "passphrase"
    assert report["cipher_version"]


def test_without_key_the_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("import", str(EXPORT), "--db", str(tmp_path / "nokey.db"), home=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DIPSAMPLE_PASSPHRASE" in result.stderr
    assert not (tmp_path / "nokey.db").exists()


def test_wrong_passphrase_is_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    make_store(db, tmp_path, "first-passphrase")
    before = db.read_bytes()
    bad = run("check", "--db", str(db), "--json", home=tmp_path,
              env_extra={"DIPSAMPLE_PASSPHRASE": "second-passphrase"})
    assert bad.returncode == 2
    assert "passphrase is wrong" in json.loads(bad.stdout)["error"]
    assert db.read_bytes() == before
    assert "Traceback" not in bad.stderr


def test_usage_error_is_exit_2(tmp_path: Path) -> None:
    result = run("no-such-command", home=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
