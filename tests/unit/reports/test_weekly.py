"""The weekly report for senior management, read back by pypdf: findings by team and by
worker, audits against quota, hostile names as text, marking and page numbers."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Action, Audit, Case, User, Worker, new_id
from desktop.reports.charts import chart_label
from desktop.reports.weekly import grades_text, standards_text, weekly_pdf
from desktop.services import actions, escalations
from desktop.services.audits import lifecycle
from desktop.services.reporting.weekly import weekly_data
from desktop.store import Store
from tests.unit.reports import hostile
from tests.unit.reports.hostile import read_pdf, squash
from tests.unit.reports.pages import marked_and_numbered
from tests.unit.services.audits.world import World, make_world


def test_a_week_by_team_and_worker(store: Store, tmp_path: Path) -> None:
    h = hostile.build(store)
    plain = hostile.plain_audit(h)
    with store.transaction() as session:
        second = session.get(User, h.world.auditor2)
        assert second is not None
        second.name = hostile.MARKUP  # a name is typed text too
    with store.read() as session:
        found = session.get(Audit, plain)
        assert found is not None
        plain_case = found.case_id
    escalations.raise_concern(h.ctx, plain_case, "Concern <b>& harm</b>")
    actions.add_action(h.ctx, actions.NewAction(
        description="Chase the visit", due_on=dt.date(2026, 11, 5), audit_id=plain))
    h.world.clock.advance(days=10)  # the week is over: the action due on the 5th is overdue

    data = weekly_data(h.ctx, hostile.WEEK)
    assert data.as_of == dt.date(2026, 11, 8)
    assert data.total.audits == 2
    assert data.total.escalations == 1 and data.total.overdue == 1
    assert data.total.disagreements == 1  # the hostile audit's red against amber
    assert [t.name for t in data.teams] == [hostile.POLISH_TEAM]
    assert [(w.name, w.team) for w in data.workers] == [(hostile.ARABIC_WORKER,
                                                        hostile.POLISH_TEAM)]
    team = data.teams[0]
    assert dict(team.grades) == {"requires_improvement": 1, "good": 1}
    auditor = next(q for q in data.quotas if q.name == hostile.EMOJI_AUDITOR)
    assert (auditor.wanted, auditor.audited, auditor.drawn) == (25, 2, False)

    out = tmp_path / "weekly.pdf"
    weekly_pdf(h.ctx, hostile.WEEK, out)
    pdf = read_pdf(out)
    flat = pdf.squashed
    marked_and_numbered(pdf.pages)
    assert "Week 2026-W45: 2 to 8 Nov 2026" in pdf.text
    assert squash(hostile.POLISH_TEAM) in flat
    assert squash(hostile.EMOJI_AUDITOR) in flat
    assert squash(hostile.MARKUP) in flat  # markup and ]]> printed as typed
    # pypdf gives right-to-left runs in reading order, in their shaped letter forms
    assert hostile.ARABIC_WORKER in unicodedata.normalize("NFKC", pdf.text)
    assert squash(grades_text(team.grades)) in flat
    assert squash(standards_text(team)) in flat
    assert "2 audits submitted this week" in pdf.text
    assert ("1 RAG disagreement; 1 escalation of significant harm; 1 action overdue at the "
            "end of 8 Nov 2026 on the cases audited this week") in " ".join(pdf.text.split())
    # the chart's labels are drawn text too: the auditor without the emoji the font lacks
    assert squash(chart_label(hostile.EMOJI_AUDITOR)) in flat


def test_an_empty_week_says_so(store: Store, tmp_path: Path) -> None:
    h = hostile.build(store)
    out = tmp_path / "empty.pdf"
    data = weekly_pdf(h.ctx, "2026-W40", out)
    assert data.total.audits == 0 and not data.teams
    pdf = read_pdf(out)
    marked_and_numbered(pdf.pages)
    assert pdf.text.count("No audits or escalations this week.") == 2
    assert "No action was overdue at the end of 4 Oct 2026." in pdf.text
    assert "No audits this week, so nothing to chart." in pdf.text
    assert "0 audits submitted this week" in pdf.text
    with pytest.raises(InputProblem, match="not an ISO week"):
        weekly_data(h.ctx, "2026-45")


def test_many_teams_flow_over_pages(tmp_path: Path) -> None:
    """A county-sized week: every team and worker row is printed, the charts split
    over pages instead of overflowing one."""
    from tests.unit.services.county import demo_county

    with demo_county(tmp_path, cases=600, seed=3, as_of=dt.date(2026, 11, 20)) as ctx:
        out = tmp_path / "county.pdf"
        data = weekly_pdf(ctx, "2026-W46", out)
    pdf = read_pdf(out)
    marked_and_numbered(pdf.pages)
    assert len(data.teams) > 20 and data.total.audits > 50
    assert sum(t.audits for t in data.teams) == data.total.audits
    assert sum(w.audits for w in data.workers) == data.total.audits
    assert sum(w.overdue for w in data.workers) == data.total.overdue
    assert all(w.audits for w in data.workers)  # listed for their audits, not for actions
    assert data.caseload_overdue >= data.total.overdue
    assert sum(t.overdue for t in data.caseload_by_team) == data.caseload_overdue
    flat = pdf.squashed
    for team in data.teams:
        assert squash(team.name) in flat
        assert squash(standards_text(team)) in flat
    for quota in data.quotas:
        assert squash(quota.name) in flat


def _submitted_audit(world: World, rag: str) -> tuple[str, str]:
    """A submitted audit of a new case of ``rag``: (audit id, case id)."""
    from tests.unit.services.audits.test_lifecycle import filled

    ctx, audit_id, case_id = filled(world, rag)
    lifecycle.submit(ctx, audit_id)
    return audit_id, case_id


def test_overdue_actions_are_as_at_the_weeks_end_and_a_reprint_agrees(
        store: Store, tmp_path: Path) -> None:
    """Issue 24, item 3: the actions overdue on the week's audited cases at the end of
    its Sunday, read from their history; completing them later changes nothing, and a
    worker with overdue actions but no audit that week is not listed."""
    world = make_world(store, dt.datetime(2026, 10, 26, 10, tzinfo=dt.UTC))  # W44
    auditor, qa = world.as_user(world.auditor), world.as_user(world.qa)
    manager = world.as_user(world.tm_user)  # confirms an action done
    with store.transaction() as session:
        other = Worker(id=new_id(), staff_ref="SW-002", name="Worker Two",
                       team_id=world.team.id)
        session.add(other)
    earlier, elsewhere = _submitted_audit(world, "red")
    with store.transaction() as session:
        case = session.get(Case, elsewhere)
        assert case is not None
        case.worker_id = other.id
    not_audited = actions.add_action(auditor, actions.NewAction(
        description="Update the chronology", due_on=dt.date(2026, 11, 3), audit_id=earlier))

    world.clock.advance(days=7)  # Monday 2 November, W45
    audited, _case = _submitted_audit(world, "amber")
    ids = [actions.add_action(auditor, actions.NewAction(
        description=f"Action {day}", due_on=dt.date(2026, 11, day), audit_id=audited))
        for day in (3, 4, 5, 6, 9)]
    world.clock.advance(days=3)  # Thursday 5 November: one done in the week
    actions.set_status(manager, [ids[0]], "done")
    world.clock.advance(days=5)  # Tuesday 10 November: the week is over

    def figures() -> tuple[int, int, list[tuple[str, int, int]], int]:
        data = weekly_data(qa, "2026-W45")
        assert data.as_of == dt.date(2026, 11, 8)
        return (data.total.overdue, data.caseload_overdue,
                [(w.name, w.audits, w.overdue) for w in data.workers],
                sum(t.overdue for t in data.teams))

    # Due 4, 5 and 6 November and unfinished on Sunday 8th: 3 on the audited case (due
    # on the 3rd but done on the 5th does not count; due on the 9th is not yet late);
    # the caseload adds the other case's, whose worker had no audit that week.
    before = figures()
    assert before == (3, 4, [("Worker One", 1, 3)], 3)
    out = tmp_path / "before.pdf"
    weekly_pdf(qa, "2026-W45", out)
    said = " ".join(read_pdf(out).text.split())
    assert "3 actions overdue at the end of 8 Nov 2026 on the cases audited this week" in said
    assert ("On the whole caseload (every case, audited this week or not), 4 actions were "
            "overdue at the end of 8 Nov 2026.") in said
    assert "Worker Two" not in said

    actions.set_status(manager, ids[1:3], "done")  # completed after the week
    actions.set_status(manager, [ids[3]], "in_progress")
    actions.set_status(manager, [not_audited], "cancelled", reason="Case closed")
    assert figures() == before
    reprint = tmp_path / "after.pdf"
    weekly_pdf(qa, "2026-W45", reprint)
    assert read_pdf(reprint).text == read_pdf(out).text
    # Today's statuses would say otherwise: of the four due before the 8th, only the
    # one sent back to in progress is unfinished now.
    with store.read() as session:
        unfinished = session.scalars(select(Action.id).where(
            Action.status.in_(("open", "in_progress")),
            Action.due_on < dt.date(2026, 11, 8))).all()
    assert unfinished == [ids[3]]
