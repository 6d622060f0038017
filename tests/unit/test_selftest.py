"""``dipsample --self-test``: the whole of an auditor's week in a temporary folder.

Run in-process (its report, what it leaves behind, the keyring it must not touch) and
as a real process (``python -m desktop --self-test``, as IT runs it after deploying).
A failure is provoked for real, with a caseload too small for a weekly sample.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__, selftest
from desktop.cli.main import main
from desktop.selftest import STEPS, run_self_test
from tests.conftest import MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]


def leftovers(folder: Path) -> list[Path]:
    """The self-test's temporary folders still in ``folder`` (none once it ends)."""
    return list(folder.glob("dipsample-selftest-*"))


def test_every_step_passes_and_nothing_is_left_behind(
        tmp_path: Path, home: Path, memory_keyring: MemoryKeyring) -> None:
    report = run_self_test(tmp_path)
    assert report.ok and report.exit_code == 0, report.line()
    assert list(report.done) == list(STEPS)
    assert report.done["import"] == "40 cases" and report.done["sample"] == "25 cases"
    assert report.done["store"] == "SQLCipher, key from passphrase"
    assert report.done["pdf"].endswith("KB")
    assert report.done["sync"].endswith("changes through a folder to a second store")
    line = report.line()
    assert line.startswith(f"DipSample {__version__} self-test passed in ")
    assert "\n" not in line and all(f"{step} ok" in line for step in STEPS)
    assert leftovers(tmp_path) == []  # the temporary folder is removed
    assert memory_keyring.secrets == {}  # the keyring was neither read into nor written
    assert os.environ["DIPSAMPLE_HOME"] == str(home)  # the person's folders are back
    assert not (home / "data" / "dipsample.db").exists()


def test_a_failing_step_is_named_with_those_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Three cases cannot fill a weekly quota of 25: the sample step must say so.
    monkeypatch.setattr(selftest, "CASES", {"Red": 1, "Amber": 1, "Green": 1})
    monkeypatch.setattr(selftest.tempfile, "tempdir", str(tmp_path))
    assert main(["--self-test"]) == 1
    out = capsys.readouterr().out.strip()
    assert out == (f"DipSample {__version__} self-test FAILED at step 'sample': the weekly "
                   "sample holds 3 cases, not 25 (passed before it: store, import)")
    assert leftovers(tmp_path) == []


def test_json_output_for_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--self-test", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["failed"] is None and data["version"] == __version__
    assert list(data["done"]) == list(STEPS) and data["summary"].count(" ok") == 6


def test_refused_beside_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--self-test", "check"]) == 2
    assert "without a subcommand" in capsys.readouterr().err


@pytest.mark.slow
def test_as_a_real_process(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    env.pop("DIPSAMPLE_PASSPHRASE", None)
    done = subprocess.run([sys.executable, "-m", "desktop", "--self-test"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    [line] = done.stdout.splitlines()
    assert line.startswith(f"DipSample {__version__} self-test passed in ")
    assert done.stderr == ""
    assert leftovers(temp) == [] and list(temp.iterdir()) == []
