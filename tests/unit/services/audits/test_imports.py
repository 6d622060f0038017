"""Historical audits and improvement plans: imported whole, or refused with every bad row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import Action, Audit, AuditAnswer, Case, Change, ImprovementPlan
from desktop.services import plans
from desktop.services.audits.historical import import_historical
from desktop.services.audits.refused import ImportRefused
from desktop.services.audits.views import list_audits, show_audit
from desktop.store import Store
from tests.unit.services.audits.world import World, make_world

DATA = Path(__file__).resolve().parents[3] / "data"


def world_with_cases(store: Store) -> World:
    """A world with a red, an amber and a green case (SYN-0001 to SYN-0003)."""
    world = make_world(store)
    for rag in ("red", "amber", "green"):
        world.case(rag)
    return world


@pytest.fixture
def world(store: Store) -> World:
    return world_with_cases(store)


def _count(store: Store, model: type) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_historical_audits_import_and_reimport_is_safe(world: World, store: Store) -> None:
    ctx = world.as_user(world.qa)
    result = import_historical(ctx, DATA / "audits_online_form.csv")
    assert (result.rows, result.imported, result.skipped) == (3, 3, 0)
    audits = {a.case_ref: a for a in list_audits(ctx)}
    first = audits["SYN-0001"]
    assert (first.status, first.origin, first.grade, first.recorded_rag, first.auditor_rag) == (
        "finalised", "import", "good", "red", "red")
    assert first.audit_date == dt.date(2026, 4, 6)
    assert audits["SYN-0003"].auditor_id == world.auditor2
    assert audits["SYN-0003"].grade == "requires_improvement"
    view = show_audit(ctx, audits["SYN-0002"].id, log=False)
    values = {a.code: a.value for a in view.answers}
    assert values["ra_in_place"] == "partly_met" and values["ra_quality"] == "not_met"
    assert values["rag_agrees"] == "no" and values["ra_date"] is None
    assert show_audit(ctx, first.id, log=False).answers[1].value == "2026-04-01"
    with store.read() as session:
        case = session.scalar(select(Case).where(Case.case_ref == "SYN-0003"))
        assert case is not None and case.last_audit == dt.date(2026, 4, 20)
    again = import_historical(ctx, DATA / "audits_online_form.csv")
    assert (again.imported, again.skipped) == (0, 3)
    assert _count(store, Audit) == 3


def test_bad_historical_rows_are_all_reported_and_nothing_written(world: World,
                                                                  store: Store) -> None:
    changes = _count(store, Change)
    with pytest.raises(ImportRefused) as refused:
        import_historical(world.as_user(world.qa), DATA / "audits_bad_rows.csv")
    problems = {(p.row, p.column): p.reason for p in refused.value.problems}
    assert problems[(3, "Case reference")] == "no case with this reference"
    assert problems[(3, "Date of dip sample")] == "not a real date: that month has no such day"
    assert problems[(3, "RAG on VTT")] == ("not a known RAG rating; expected one of: r, a, g, "
                                           "red, amber, green")
    assert problems[(4, "Auditor username")] == "no DipSample user with this username"
    assert problems[(4, "Overall grade")].startswith("not a known grade; expected one of: ")
    assert problems[(4, "Risk assessment in place")] == (
        "not a known answer; expected one of: yes, y, partly, partially, no, n, n/a, na, met, "
        "partly_met, not_met, not_applicable")
    assert problems[(4, "Date of risk assessment")] == (
        "not a date; use dd/mm/yyyy (or dd-Mon-yy, yyyy-mm-dd)")
    assert problems[(5, "")] == "the same audit as row 2"
    assert problems[(6, "Date of dip sample")] == "the date is in the future"
    for value in ("SYN-9999", "Purple", "Excellent", "Maybe", "soon", "31/02", "2027"):
        assert value not in refused.value.message
        assert not any(value in str(p) for p in refused.value.problems)
    assert refused.value.exit_code == 1
    assert refused.value.message.startswith("audits_bad_rows.csv: nothing imported, 4 bad rows:")
    assert "SYN-9999" not in refused.value.message
    assert _count(store, Audit) == 0 and _count(store, AuditAnswer) == 0
    # Templates may have been stored as version 1 before the rows were read; no audit
    # data reached the change log.
    with store.read() as session:
        tables = set(session.scalars(select(Change.table_name).where(Change.seq > changes)))
    assert tables <= {"audit_templates", "template_questions"}


def test_plan_shaped_like_seed_004_imports(world: World, store: Store) -> None:
    ctx = world.as_user(world.qa)
    result = plans.import_plan(ctx, DATA / "plan_inspection.csv", title="Inspection plan")
    assert (result.findings, result.actions) == (4, 7)
    findings = plans.plan_findings(ctx, result.plan_id)
    assert [f.category for f in findings] == ["priority_action"] + ["area_for_development"] * 3
    first = findings[0]
    assert len(first.actions) == 3
    assert first.actions[0].status == "done"
    assert first.actions[2].description.endswith("part of the District manager quality "
                                                 "assurance process.")
    assert first.actions[2].lead == "District Managers"
    early = findings[1]
    assert early.text.endswith("although there are individual examples of good work.")
    assert early.actions[0].due_on == dt.date(2026, 9, 30)
    assert [f.number for f in findings] == [None, None, 2, 7]
    last = findings[3].actions[1]
    assert (last.lead, last.by_when_text) == ("Heads of Service", "Recruitment by December")
    assert last.description.endswith("focus on oversight of casework and risk management.")
    [summary] = plans.list_plans(ctx)
    assert (summary.title, summary.findings, summary.actions, summary.actions_done) == (
        "Inspection plan", 4, 7, 1)


def test_plan_with_bad_rows_is_refused_whole(world: World, store: Store) -> None:
    with pytest.raises(ImportRefused) as refused:
        plans.import_plan(world.as_user(world.qa), DATA / "plan_bad_rows.csv")
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (2, "Ofsted finding"), (4, "Action taken/required"), (5, "Action taken/required")]
    assert "no section row" in refused.value.problems[0].reason
    assert refused.value.problems[1].reason == "the finding has no action"
    assert _count(store, ImprovementPlan) == 0 and _count(store, Action) == 0


def test_plan_import_from_xlsx(world: World, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Ofsted finding", "Action taken/required", "Lead/s", "By When", "Status"],
                ["Areas for development", None, None, None, None],
                ["Supervision is not evidenced.", "Launch supervision training",
                 "Head of Service", dt.datetime(2026, 12, 1), "On track"]):
        sheet.append(row)
    path = tmp_path / "plan.xlsx"
    book.save(path)
    ctx = world.as_user(world.qa)
    result = plans.import_plan(ctx, path)
    [finding] = plans.plan_findings(ctx, result.plan_id)
    [action] = finding.actions
    assert (action.due_on, action.by_when_text, action.status) == (
        dt.date(2026, 12, 1), "01/12/2026", "in_progress")
