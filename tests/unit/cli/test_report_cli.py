"""``dipsample report case-tool`` and ``dipsample export``: files an independent reader
opens, short ids, a week's batch, usage refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.cli.main import main
from desktop.store import open_store
from tests.unit.cli.acting import with_password
from tests.unit.reports import hostile
from tests.unit.reports.hostile import read_pdf, squash


@pytest.fixture
def seeded(db_path: Path) -> tuple[str, str]:
    store = open_store(db_path, prompt=None, create=True)
    try:
        h = hostile.build(store)
        second = hostile.plain_audit(h)
    finally:
        store.close()
    return h.audit_id, second


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_case_tool_by_short_id(db_path: Path, seeded: tuple[str, str], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    audit_id, _ = seeded
    with_password(db_path, "qa1", monkeypatch)
    out = tmp_path / "tool.pdf"
    code, text, err = run(capsys, "report", "case-tool", audit_id[:8], "-o", str(out),
                          "--db", str(db_path), "--user", "qa1")
    assert code == 0, err
    assert "case tool written" in text
    assert squash(hostile.FORMULA) in read_pdf(out).squashed


def test_case_tools_of_a_week(db_path: Path, seeded: tuple[str, str], tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    code, text, err = run(capsys, "report", "case-tool", "--week", hostile.WEEK,
                          "--auditor", "auditor1", "-o", str(tmp_path / "week"),
                          "--db", str(db_path), "--json")
    assert code == 0, err
    files = json.loads(text)["files"]
    assert len(files) == 2 and all(Path(f).exists() for f in files)
    code, _, err = run(capsys, "report", "case-tool", "--week", hostile.WEEK,
                       "--auditor", "auditor2", "-o", str(tmp_path / "none"),
                       "--db", str(db_path))
    assert code != 0 and "no audits in 2026-W45" in err


def test_case_tool_usage_errors(db_path: Path, seeded: tuple[str, str], tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    audit_id, _ = seeded
    pdf = str(tmp_path / "x.pdf")
    code, _, err = run(capsys, "report", "case-tool", "ffffffff", "-o", pdf,
                       "--db", str(db_path))
    assert code != 0 and "no audit with the id 'ffffffff'" in err
    code, _, err = run(capsys, "report", "case-tool", audit_id, "--week", hostile.WEEK,
                       "-o", pdf, "--db", str(db_path))
    assert code != 0 and "not both" in err
    assert "Traceback" not in err


def test_export_xlsx_and_csv(db_path: Path, seeded: tuple[str, str], tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "all.xlsx"
    code, text, err = run(capsys, "export", "--format", "xlsx", "-o", str(xlsx),
                          "--db", str(db_path))
    assert code == 0, err
    assert "2 audits" in text
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Audits", "Answers", "Actions"]
    assert book["Answers"].max_row == 1 + 10 + 5
    csv_file = tmp_path / "actions.csv"
    code, _, err = run(capsys, "export", "--format", "csv", "--what", "actions",
                       "-o", str(csv_file), "--db", str(db_path))
    assert code == 0, err
    assert hostile.ARABIC_WORKER in csv_file.read_text(encoding="utf-8-sig")
    code, _, err = run(capsys, "export", "--format", "csv", "--what", "audits",
                       "--what", "actions", "-o", str(csv_file), "--db", str(db_path))
    assert code != 0 and "one table" in err


def test_weekly_report(db_path: Path, seeded: tuple[str, str], tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "weekly.pdf"
    code, text, err = run(capsys, "report", "weekly", "--week", hostile.WEEK, "-o", str(out),
                          "--db", str(db_path), "--json")
    assert code == 0, err
    assert json.loads(text)["audits"] == 2
    pdf = read_pdf(out)
    assert squash(hostile.POLISH_TEAM) in pdf.squashed
    assert "Page 1 of" in pdf.text
    code, _, err = run(capsys, "report", "weekly", "--week", "2026-W99", "-o", str(out),
                       "--db", str(db_path))
    assert code != 0 and "does not exist" in err and "Traceback" not in err


def test_exercise_summary_by_short_id(db_path: Path, seeded: tuple[str, str],
                                      tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.services import exercises
    from desktop.services.context import ServiceContext

    store = open_store(db_path, prompt=None)
    try:
        ctx = ServiceContext(store=store)
        exercise = exercises.create_exercise(ctx, exercises.ExerciseInput(
            title="Oversight & <b>visits</b>", findings=hostile.MARKUP))
        exercises.attach_audits(ctx, exercise, list(seeded))
    finally:
        store.close()
    out = tmp_path / "summary.pdf"
    code, text, err = run(capsys, "report", "summary", exercise[:8], "-o", str(out),
                          "--db", str(db_path), "--json")
    assert code == 0, err
    assert json.loads(text) == {"file": str(out), "exercise_id": exercise, "audits": 2}
    flat = read_pdf(out).squashed
    assert squash("Oversight & <b>visits</b>") in flat and squash(hostile.MARKUP) in flat
    code, _, err = run(capsys, "report", "summary", "ffffffff", "-o", str(out),
                       "--db", str(db_path))
    assert code != 0 and "no exercise summary with the id 'ffffffff'" in err
