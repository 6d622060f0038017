"""``dipsample import``: exit codes 0/1/2, the JSON contract, and the real executable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from tests.unit.services.caseload.helpers import DATA

EXE = Path(sys.executable).with_name("dipsample")
KEYS = {"file", "profile", "dry_run", "written", "rows", "created", "updated", "unchanged",
        "closed", "reopened", "rag_changes", "errors", "notes", "standards_not_known"}
#: The standards each built-in example cannot compute: LCS and Eclipse exports have no
#: column of who made the last visit, so the complex-Green visit is not known.
NOT_KNOWN = {"mosaic_caseload.csv": [], "mosaic_caseload_cp1252.csv": [],
             "lcs_caseload_bom.csv": ["visit_complex_green"],
             "eclipse_caseload.xlsx": ["visit_complex_green"]}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["import", *argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.mark.parametrize("name", ["mosaic_caseload.csv", "lcs_caseload_bom.csv",
                                  "mosaic_caseload_cp1252.csv", "eclipse_caseload.xlsx"])
def test_each_example_exits_0(db_path: Path, capsys: pytest.CaptureFixture[str],
                              name: str) -> None:
    code, report = run_json(capsys, str(DATA / name), "--db", str(db_path))
    assert code == 0
    assert set(report) == KEYS
    assert report["written"] and report["created"] == report["rows"] > 0
    assert report["errors"] == []
    assert [g["standard"] for g in report["standards_not_known"]] == NOT_KNOWN[name]


def test_bad_rows_exit_1_and_list_every_row(db_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", str(DATA / "mosaic_bad_rows.csv"), "--db", str(db_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "row 5, column 'RAG Date': not a real date: that month has no such day" in out
    assert "31/02/2026" not in out  # a problem names the kind, never the value
    assert [f"row {n}" in out for n in range(3, 12)] == [True] * 9
    assert "nothing was written" in out
    code, report = run_json(capsys, str(DATA / "mosaic_bad_rows.csv"), "--db", str(db_path))
    assert code == 1 and not report["written"]
    assert {e["row"] for e in report["errors"]} == set(range(3, 12))
    assert report["errors"][0] == {"row": 3, "column": "Person ID",
                                   "reason": "the case reference is blank"}


def test_dry_run_full_and_profile_choice(db_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, str(DATA / "mosaic_caseload.csv"), "--db", str(db_path))
    code, report = run_json(capsys, str(DATA / "lcs_caseload_bom.csv"), "--profile", "lcs",
                            "--full", "--dry-run", "--db", str(db_path))
    assert code == 0
    assert (report["dry_run"], report["written"], report["created"]) == (True, False, 5)
    assert report["closed"] == 5  # the open Mosaic cases, had it not been a dry run
    code, report = run_json(capsys, str(DATA / "lcs_caseload_bom.csv"), "--db", str(db_path))
    assert report["created"] == 5 and report["closed"] == 0


def test_user_mapping_file(db_path: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    mapping = json.loads((DATA.parent.parent / "resources/mappings/lcs.json").read_text())
    mapping["name"] = "our-lcs"
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(mapping))
    code, report = run_json(capsys, str(DATA / "lcs_caseload_bom.csv"), "--profile", str(path),
                            "--db", str(db_path))
    assert code == 0 and report["profile"] == "our-lcs"
    path.write_text('{"name": "x", "columns": {"case_ref": "A", "rag": "B"}}')
    assert main(["import", str(DATA / "lcs_caseload_bom.csv"), "--profile", str(path),
                 "--db", str(db_path)]) == 2
    assert "must map cohort" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["missing.csv"], 2, "no such file"),
    ([str(DATA / "mosaic_caseload.csv"), "--profile", "nope"], 2, "unknown profile 'nope'"),
    ([str(DATA / "mosaic_caseload.csv"), "--profile", "lcs"], 1, "missing columns 'Case No'"),
    ([str(DATA / "eclipse_caseload.xlsx"), "--sheet", "Nope"], 1, "no sheet 'Nope'"),
    ([str(DATA / "make_caseload_examples.py")], 1, "unknown file type"),
])
def test_usage_and_file_errors(db_path: Path, capsys: pytest.CaptureFixture[str],
                               argv: list[str], code: int, message: str) -> None:
    assert main(["import", *argv, "--db", str(db_path)]) == code
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def _process(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")}
    env.update({"DIPSAMPLE_HOME": str(home), "DIPSAMPLE_PASSPHRASE": "import-test-passphrase",
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    return subprocess.run([str(EXE), "import", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_real_executable_exit_codes(tmp_path: Path) -> None:
    db = str(tmp_path / "proc.db")
    ok = _process(str(DATA / "mosaic_caseload.csv"), "--db", db, "--json", home=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["created"] == 6
    bad = _process(str(DATA / "lcs_bad_rows.csv"), "--db", db, home=tmp_path)
    assert bad.returncode == 1
    assert "row 3, column 'Category'" in bad.stdout
    missing = _process(str(tmp_path / "nope.csv"), "--db", db, home=tmp_path)
    assert missing.returncode == 2
    for result in (ok, bad, missing):
        assert "Traceback" not in result.stderr
