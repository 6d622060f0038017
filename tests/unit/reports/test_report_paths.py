"""``dipsample report``: a bad output path is one clear line and exit code 2 for every
report; a week may be typed in lower case; a week's case tools to a .pdf are one
document with a bookmark per case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli.main import main
from desktop.store import open_store
from tests.unit.reports import hostile

#: Every report subcommand with what it needs besides ``-o``.
REPORTS = {
    "case-tool": ["report", "case-tool", "ffffffff"],
    "case-tool --week": ["report", "case-tool", "--week", hostile.WEEK],
    "weekly": ["report", "weekly", "--week", hostile.WEEK],
    "monthly": ["report", "monthly", "--month", "2026-11"],
    "summary": ["report", "summary", "ffffffff"],
    "plan": ["report", "plan"],
}


@pytest.fixture
def seeded(db_path: Path) -> Path:
    """A store with the hostile audit and a plain one in :data:`hostile.WEEK`."""
    store = open_store(db_path, prompt=None, create=True)
    try:
        hostile.plain_audit(hostile.build(store))
    finally:
        store.close()
    return db_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "unexpected" not in err
    return lines[0]


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_a_bad_output_path_is_one_line_and_exit_2(
        report: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Said before the store is opened: nothing is read for a report that cannot be kept.
    argv = [*REPORTS[report], "--db", str(tmp_path / "store.db")]
    missing = tmp_path / "no" / "such" / "dir" / "x.pdf"
    code, _, err = run(capsys, *argv, "-o", str(missing))
    assert code == 2
    assert f"the folder {missing.parent} does not exist" in one_line(err)
    assert not missing.parent.exists()
    if report != "case-tool --week":  # a week may go to a folder, one file per case
        code, _, err = run(capsys, *argv, "-o", str(tmp_path))
        assert code == 2
        assert f"{tmp_path} is a folder" in one_line(err)


def test_missing_key_messages_are_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "monthly", "--month", "2026-11",
                       "--messages", str(tmp_path / "messages.txt"),
                       "-o", str(tmp_path / "m.pdf"), "--db", str(tmp_path / "store.db"))
    assert code == 2
    assert "messages.txt does not exist" in one_line(err)
    assert not (tmp_path / "m.pdf").exists()


def test_a_lower_case_week_prints_the_weeks_case_tools_as_one_pdf(
        seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "week.pdf"
    code, text, err = run(capsys, "report", "case-tool", "--week", hostile.WEEK.lower(),
                          "-o", str(out), "--db", str(seeded), "--json")
    assert code == 0, text + err
    audits = json.loads(text)["audit_ids"]
    assert len(audits) == 2
    assert len(PdfReader(out).outline) == 2
    code, _, err = run(capsys, "report", "weekly", "--week", hostile.WEEK.lower(),
                       "-o", str(tmp_path / "weekly.pdf"), "--db", str(seeded))
    assert code == 0, err
