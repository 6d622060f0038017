"""Significant-harm escalation on a fake clock, across weekends and bank holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.errors import PermissionRefused, RuleViolation
from desktop.models import Escalation, UserServiceArea
from desktop.services import escalations
from desktop.services.audits import lifecycle
from desktop.services.audits.finalise import sweep
from desktop.services.escalations import response_deadline
from desktop.services.event_log import events_for
from desktop.services.workflow_settings import WorkflowSettings
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import MET
from tests.unit.services.audits.world import make_world

UTC = dt.UTC


@pytest.mark.parametrize(("raised", "deadline"), [
    # Monday morning: end of Tuesday (GMT in November).
    (dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC), dt.datetime(2026, 11, 3, 17, 0, tzinfo=UTC)),
    # Friday: the weekend is skipped.
    (dt.datetime(2026, 11, 6, 16, 0, tzinfo=UTC), dt.datetime(2026, 11, 9, 17, 0, tzinfo=UTC)),
    # Christmas Eve 2026 (Thursday): Christmas Day, the weekend and Boxing Day's
    # substitute Monday are skipped.
    (dt.datetime(2026, 12, 24, 9, 0, tzinfo=UTC), dt.datetime(2026, 12, 29, 17, 0, tzinfo=UTC)),
    # Summer time: 17:00 in London is 16:00 UTC; the late May bank holiday is skipped.
    (dt.datetime(2026, 5, 22, 12, 0, tzinfo=UTC), dt.datetime(2026, 5, 26, 16, 0, tzinfo=UTC)),
    # Raised late on Sunday evening in London (already Monday in no zone): Monday counts
    # as the raising day's next working day.
    (dt.datetime(2026, 11, 8, 23, 30, tzinfo=UTC), dt.datetime(2026, 11, 9, 17, 0, tzinfo=UTC)),
])
def test_deadline_is_end_of_next_working_day(raised: dt.datetime, deadline: dt.datetime
                                             ) -> None:
    assert response_deadline(raised, WorkflowSettings()) == deadline


def test_configurable_deadline() -> None:
    settings = WorkflowSettings(escalation_working_days=2, working_day_ends_at="16:30")
    raised = dt.datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert response_deadline(raised, settings) == dt.datetime(2026, 11, 4, 16, 30, tzinfo=UTC)


def test_timeline_unanswered_goes_to_head_of_service(store: Store) -> None:
    # Christmas Eve: the team manager has until 29 December at 17:00.
    world = make_world(store, dt.datetime(2026, 12, 24, 9, 0, tzinfo=UTC))
    ctx = world.as_user(world.auditor)
    case_id = world.case("red", team_manager_id=world.manager.id)
    audit_id = lifecycle.start_audit(ctx, case_id, "risk_assessment_rag")
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="Concern", grade="inadequate",
                           auditor_rag="red", significant_harm=True)
    with pytest.raises(RuleViolation, match="needs a description"):
        lifecycle.submit(ctx, audit_id)
    result = lifecycle.submit(ctx, audit_id, concern="Unexplained injury noted in records")
    assert result.escalation_id is not None
    [row] = escalations.list_escalations(ctx)
    assert row.status == "awaiting_team_manager" and row.team_manager_id == world.manager.id
    assert row.respond_by == dt.datetime(2026, 12, 29, 17, 0, tzinfo=UTC)
    world.clock.now = dt.datetime(2026, 12, 28, 23, 0, tzinfo=UTC)  # Boxing Day substitute
    assert sweep(ctx).escalated == []
    world.clock.now = dt.datetime(2026, 12, 29, 17, 0, 1, tzinfo=UTC)
    assert sweep(ctx).escalated == [row.id]
    [row] = escalations.list_escalations(ctx)
    assert row.status == "escalated_to_hos" and row.head_of_service_id == world.hos
    assert [s.kind for s in row.steps] == ["raised", "escalated_to_hos"]
    assert [s.at for s in row.steps] == [dt.datetime(2026, 12, 24, 9, 0, tzinfo=UTC),
                                         world.clock.now]
    assert sweep(ctx).escalated == []  # not twice
    escalations.respond(world.as_user(world.hos), row.id, "Strategy discussion held today")
    escalations.close(ctx, row.id, "")
    [row] = escalations.list_escalations(ctx)
    assert row.status == "closed" and [s.kind for s in row.steps][-2:] == ["responded",
                                                                           "closed"]


def test_response_in_time_stops_the_clock(store: Store) -> None:
    world = make_world(store)
    ctx = world.as_user(world.auditor)
    escalation_id = escalations.raise_concern(ctx, world.case("red"), "Worried about X")
    world.clock.advance(hours=5)
    escalations.respond(world.as_user(world.tm_user), escalation_id, "Visited today")
    world.clock.advance(days=5)
    assert sweep(ctx).escalated == []
    with pytest.raises(RuleViolation, match="only an open one"):
        escalations.respond(world.as_user(world.tm_user), escalation_id, "again")
    [row] = escalations.list_escalations(ctx)
    assert row.responded_by == "User tm1"


def test_the_auditor_who_raised_a_concern_cannot_answer_it(store: Store) -> None:
    world = make_world(store)
    ctx = world.as_user(world.auditor)
    escalation_id = escalations.raise_concern(ctx, world.case("red"), "Worried about X")
    for someone in (world.auditor, world.auditor2):
        with pytest.raises(PermissionRefused, match="team manager"):
            escalations.respond(world.as_user(someone), escalation_id, "All fine")
    assert [e.action for e in events_for(ctx, "escalation", escalation_id)].count(
        "refuse") == 2
    [row] = escalations.list_escalations(ctx)
    assert row.is_open and row.responded_by == "" and row.response == ""
    escalations.respond(world.as_user(world.hos), escalation_id, "Visited today")
    [row] = escalations.list_escalations(ctx)
    assert row.responded_by == "User hos1" and row.status == "responded"


def test_open_escalations_are_listed_first_and_no_hos_still_moves(store: Store) -> None:
    world = make_world(store)
    ctx = world.as_user(world.auditor)
    with store.transaction() as session:
        for link in session.scalars(select(UserServiceArea).where(
                UserServiceArea.user_id == world.hos)):
            link.deleted = True
    closed = escalations.raise_concern(ctx, world.case("red"), "first")
    escalations.respond(world.as_user(world.qa), closed, "handled")
    world.clock.advance(hours=1)
    late = escalations.raise_concern(ctx, world.case("red"), "second")
    world.clock.advance(days=3)
    assert sweep(ctx).escalated == [late]
    rows = escalations.list_escalations(ctx)
    assert [r.id for r in rows] == [late, closed]
    assert rows[0].is_open and rows[0].overdue and rows[0].head_of_service_id is None
    assert rows[0].steps[-1].kind == "no_head_of_service"
    with store.read() as session:
        assert session.get(Escalation, late).escalated_at == world.clock.now  # type: ignore


def test_a_late_response_still_reaches_the_head_of_service(store: Store) -> None:
    """The laptop was off at the deadline: the late answer must not hide the lateness."""
    world = make_world(store)
    ctx = world.as_user(world.auditor)
    escalation_id = escalations.raise_concern(ctx, world.case("red"), "Worried about X")
    world.clock.advance(days=6)  # well past the end of the next working day
    escalations.respond(world.as_user(world.tm_user), escalation_id, "Visited today")
    with store.read() as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation.status == "responded"
        assert escalation.escalated_at == world.clock.now
    [row] = [r for r in escalations.list_escalations(ctx) if r.id == escalation_id]
    kinds = [step.kind for step in row.steps]
    assert kinds[-2] in {"escalated_to_hos", "no_head_of_service"}
    assert "after the deadline" in row.steps[-2].note
    assert kinds[-1] == "responded"
