"""The improvement plan report (seed 004's table), read back by pypdf: every finding and
action with its lead, by when and status; hostile cells as text; one plan or all."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.errors import InputProblem
from desktop.reports.plan import by_when, plan_pdf
from desktop.services import plans
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.services.reporting.plan import resolve_plan
from desktop.store import Store, open_store
from tests.unit.reports import hostile
from tests.unit.reports.hostile import in_order, read_pdf, squash
from tests.unit.reports.pages import marked_and_numbered

DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = ["Ofsted finding", "Action taken/required", "Lead/s", "By When"]


def hostile_plan(folder: Path) -> Path:
    path = folder / "hostile_plan.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([
            HEADER, ["Area for priority action", "", "", ""],
            [f"Finding {hostile.MARKUP}", hostile.ACTION, hostile.EMOJI_AUDITOR,
             "Completed 1 October 2026"],
            ["", f"Long: {hostile.LONG}", hostile.ARABIC_WORKER, "Immediate effect"],
            ["Areas for development", "", "", ""],
            [f"{hostile.POLISH_TEAM} records", "Audit the records", hostile.POLISH_CHILD,
             "31/12/2026"]])
    return path


@pytest.fixture
def ctx(store: Store) -> ServiceContext:
    return hostile.build(store).world.as_user(None)


def test_every_finding_and_action_is_printed(ctx: ServiceContext, tmp_path: Path) -> None:
    ours = plans.import_plan(ctx, hostile_plan(tmp_path), title="Plan <b>&</b> ]]>")
    out = tmp_path / "plan.pdf"
    [report] = plan_pdf(ctx, out, resolve_plan(ctx, ours.plan_id[:8]))
    pdf = read_pdf(out)
    flat = pdf.squashed
    marked_and_numbered(pdf.pages)
    assert len(pdf.pages) >= 2  # the 5,000-character action flows over a page
    assert squash("Plan <b>&</b> ]]>") in flat
    assert "2 findings, 3 actions, 1 done or verified" in pdf.text
    for finding in report.findings:
        assert squash(finding.text) in flat
        for action in finding.actions:
            assert squash(by_when(action)) in flat
            if action.lead != hostile.ARABIC_WORKER:  # right to left: checked below
                assert squash(action.lead) in flat
    assert squash(hostile.ACTION) in flat and squash(hostile.EMOJI_AUDITOR) in flat
    assert in_order(hostile.LONG.split(), pdf.text) == []
    assert hostile.ARABIC_WORKER in unicodedata.normalize("NFKC", pdf.text)
    # seed 004's order: priority actions first, each category under its own heading
    assert in_order([squash(t) for t in ("Areas for priority action",
                                         "Completed 1 October 2026",
                                         "Areas for development", "31/12/2026")],
                    flat) == []
    assert "Done" in pdf.text and "Open" in pdf.text
    assert [e.action for e in events_for(ctx, "plan", ours.plan_id)][-1] == "export"


def test_all_plans_or_none(ctx: ServiceContext, tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    assert plan_pdf(ctx, out) == []
    pdf = read_pdf(out)
    marked_and_numbered(pdf.pages)
    assert "No improvement plan has been imported." in pdf.text
    first = plans.import_plan(ctx, DATA / "plan_inspection.csv", title="Inspection plan")
    second = plans.import_plan(ctx, hostile_plan(tmp_path), title="Second plan")
    reports = plan_pdf(ctx, out)
    assert [r.plan.id for r in reports] == [first.plan_id, second.plan_id]
    pdf = read_pdf(out)
    marked_and_numbered(pdf.pages)
    assert in_order(["Improvement plans", "Inspection plan", "Second plan"], pdf.text) == []
    inspection = reports[0]
    for finding in inspection.findings:
        for action in finding.actions:
            assert squash(action.description) in pdf.squashed
    with pytest.raises(InputProblem, match="no improvement plan with the id 'ffffffff'"):
        resolve_plan(ctx, "ffffffff")


def test_plan_command(db_path: Path, tmp_path: Path,
                      capsys: pytest.CaptureFixture[str]) -> None:
    store = open_store(db_path, prompt=None, create=True)
    try:
        result = plans.import_plan(ServiceContext(store=store), DATA / "plan_inspection.csv",
                                   title="Inspection plan")
    finally:
        store.close()
    out = tmp_path / "plan.pdf"
    assert main(["report", "plan", "--plan", result.plan_id[:6], "-o", str(out),
                 "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["plans"] == [result.plan_id]
    assert "Inspection plan" in read_pdf(out).text
    assert main(["report", "plan", "--plan", "ffffffff", "-o", str(out),
                 "--db", str(db_path)]) != 0
    err = capsys.readouterr().err
    assert "no improvement plan with the id 'ffffffff'" in err and "Traceback" not in err
