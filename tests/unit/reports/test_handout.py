"""Every file the application hands a person is 0600 under umask 022, whole, and logged
before it takes its name (desktop/files.py; issue 20, item 5)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from desktop.cli.main import main
from desktop.errors import EnvironmentProblem
from desktop.files import PART_SUFFIX, hand_out, part_path
from desktop.models import Event
from desktop.reports.case_tool import case_tool_pdf, week_case_tools
from desktop.reports.exports import export
from desktop.reports.monthly import monthly_pdf
from desktop.reports.plan import plan_pdf
from desktop.reports.weekly import weekly_pdf
from desktop.services.context import ServiceContext
from desktop.services.reporting.exports import KINDS
from desktop.services.subject_access import write_subject_access
from desktop.store import Store
from tests.unit.reports import hostile
from tests.unit.reports.hostile import HostileAudit, read_pdf


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def audit(store: Store) -> HostileAudit:
    return hostile.build(store)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def exports_logged(store: Store) -> list[tuple[str, str, dict[str, object]]]:
    with store.read() as session:
        rows = session.execute(select(Event.entity, Event.entity_id, Event.detail_json)
                               .where(Event.action == "export").order_by(Event.seq)).all()
    return [(entity, entity_id, json.loads(detail)) for entity, entity_id, detail in rows]


def test_every_report_and_export_is_private(audit: HostileAudit, tmp_path: Path) -> None:
    qa = ServiceContext(store=audit.ctx.store, user_id=audit.world.qa,
                        clock=audit.world.clock)
    out = tmp_path / "out"
    out.mkdir()
    export(qa, "csv", out / "audits.csv", kinds=("audits",))
    export(qa, "xlsx", out / "all.xlsx", kinds=KINDS)
    case_tool_pdf(qa, audit.audit_id, out / "tool.pdf")
    weekly_pdf(qa, hostile.WEEK, out / "weekly.pdf")
    monthly_pdf(qa, "2026-11", out / "monthly.pdf")
    plan_pdf(qa, out / "plans.pdf")
    write_subject_access(qa, audit.case_ref, out / "sar.json")
    batch = week_case_tools(qa, None, hostile.WEEK, tmp_path / "made" / "week")
    files = [*out.iterdir(), *batch.files]
    assert len(files) == 7 + len(batch.files) and batch.files
    assert {p.name: oct(mode(p)) for p in files} == {p.name: "0o600" for p in files}
    # The folders the batch made are the person's only.
    assert mode(tmp_path / "made") == 0o700 and mode(tmp_path / "made" / "week") == 0o700
    assert not list(tmp_path.rglob(f"*{PART_SUFFIX}"))
    load_workbook(out / "all.xlsx").close()
    assert "Quality / dip sample case tool" in read_pdf(out / "tool.pdf").text
    logged = {(entity, detail.get("report")) for entity, _id, detail in
              exports_logged(qa.store)}
    assert logged >= {("audit", "export"), ("audit", "case_tool"), ("report", "weekly"),
                      ("report", "monthly"), ("case", None)}


def test_a_drafted_mapping_is_private(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    source = Path(__file__).parents[2] / "data" / "council_caseload.csv"
    out = tmp_path / "ours.json"
    assert main(["profiles", "draft", str(source), "-o", str(out)]) == 0
    assert mode(out) == 0o600 and json.loads(out.read_text(encoding="utf-8"))
    capsys.readouterr()


def test_a_log_that_fails_leaves_no_file_and_the_earlier_one_whole(tmp_path: Path) -> None:
    final = tmp_path / "export.csv"
    final.write_text("the earlier export\n", encoding="utf-8")

    def refuse() -> None:
        raise EnvironmentProblem("the database cannot be written")

    with pytest.raises(EnvironmentProblem):
        hand_out(final, lambda handle: handle.write(b"new rows\n"), refuse)
    assert final.read_text(encoding="utf-8") == "the earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_a_store_that_refuses_the_log_gets_no_export(audit: HostileAudit, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = audit.ctx.store
    before = exports_logged(store)

    def read_only() -> None:
        raise EnvironmentProblem("the database cannot be written: it is read-only")

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(type(store), "transaction", lambda self: read_only())
    for fmt, name in (("csv", "a.csv"), ("xlsx", "a.xlsx")):
        with pytest.raises(EnvironmentProblem):
            export(audit.ctx, fmt, out / name, kinds=("audits",))
    with pytest.raises(EnvironmentProblem):
        case_tool_pdf(audit.ctx, audit.audit_id, out / "tool.pdf")
    assert list(out.iterdir()) == []
    monkeypatch.undo()
    assert exports_logged(store) == before


def test_a_killed_runs_temporary_is_replaced_not_reused(tmp_path: Path) -> None:
    final = tmp_path / "report.pdf"
    stale = part_path(final)
    stale.write_bytes(b"half a file")
    stale.chmod(0o644)
    logged: list[bool] = []

    def write(handle: BinaryIO) -> None:
        assert not logged  # written before the log
        handle.write(b"%PDF whole")

    hand_out(final, write, lambda: logged.append(not final.exists()))
    assert logged == [True]  # logged before the file took its name
    assert final.read_bytes() == b"%PDF whole" and mode(final) == 0o600
    assert not stale.exists()


def test_a_batch_folder_is_tidied_of_a_killed_runs_temporaries(audit: HostileAudit,
                                                                tmp_path: Path) -> None:
    qa = ServiceContext(store=audit.ctx.store, user_id=audit.world.qa,
                        clock=audit.world.clock)
    folder = tmp_path / "week"
    folder.mkdir()
    (folder / f".case-tool_X_1234abcd.pdf{PART_SUFFIX}").write_bytes(b"half")
    done = week_case_tools(qa, None, hostile.WEEK, folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in done.files)
