"""RAG disagreements: discussion, agreement (which changes the case's RAG), closing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem, PermissionRefused, RuleViolation
from desktop.models import Case, CaseEvent
from desktop.services import disagreements
from desktop.services.audits import lifecycle
from desktop.services.disagreements import AUDITOR_NOW_AGREES, Participant
from desktop.services.event_log import events_for
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import make_world


def test_discuss_agree_and_the_case_rag_changes(store: Store) -> None:
    world = make_world(store)
    ctx, audit_id, case_id = filled(world, rag="green", auditor_rag="amber")
    disagreement_id = lifecycle.submit(ctx, audit_id,
                                       rag_rationale="Missed visits").disagreement_id
    assert disagreement_id is not None
    with pytest.raises(RuleViolation, match="record the discussion"):
        disagreements.agree(world.as_user(world.tm_user), disagreement_id, "amber")
    with pytest.raises(RuleViolation, match="who took part"):
        disagreements.record_discussion(ctx, disagreement_id, discussed_at=world.clock.now,
                                        participants=[], next_steps="x")
    world.clock.advance(hours=3)
    disagreements.record_discussion(
        ctx, disagreement_id, discussed_at=world.clock.now - dt.timedelta(hours=1),
        participants=[Participant("auditor", world.auditor),
                      Participant("team_manager", world.manager.id)],
        next_steps="Review VTT this week")
    with pytest.raises(InputProblem, match="not a RAG"):
        disagreements.agree(ctx, disagreement_id, "purple")
    # Moving the case from Green to Amber is the team manager's (or QA's) to record,
    # not the auditor's alone; the refusal is in the event log.
    with pytest.raises(PermissionRefused, match="team manager or QA"):
        disagreements.agree(ctx, disagreement_id, "amber")
    assert "refuse" in [e.action for e in events_for(ctx, "rag_disagreement",
                                                     disagreement_id)]
    with store.read() as session:
        assert session.get(Case, case_id).rag == "green"  # type: ignore[union-attr]
    disagreements.agree(world.as_user(world.tm_user), disagreement_id, "amber")
    with store.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and (case.rag, case.rag_set_on) == ("amber", dt.date(2026, 11, 2))
        [event] = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))
        assert (event.kind, event.rag_from, event.rag_to, event.origin) == (
            "rag_change", "green", "amber", "disagreement")
    [row] = disagreements.list_disagreements(ctx)
    assert row.status == "agreed" and row.rationale == "Missed visits"
    assert [p.role for p in row.participants] == ["auditor", "team_manager"]
    with pytest.raises(RuleViolation, match="already agreed"):
        disagreements.agree(world.as_user(world.qa), disagreement_id, "red")
    disagreements.close(ctx, disagreement_id)
    assert disagreements.list_disagreements(ctx)[0].status == "closed"


def test_agreeing_the_recorded_rating_leaves_the_case_alone(store: Store) -> None:
    world = make_world(store)
    ctx, audit_id, _case_id = filled(world, rag="red", auditor_rag="amber")
    first = lifecycle.submit(ctx, audit_id).disagreement_id
    ctx2, audit2, _ = filled(world, rag="green", auditor_rag="red")
    second = lifecycle.submit(ctx2, audit2).disagreement_id
    assert first and second
    disagreements.escalate(ctx, first)
    disagreements.record_discussion(ctx, first, discussed_at=world.clock.now,
                                    participants=[Participant("qa", world.qa)],
                                    next_steps="Keep red")
    disagreements.agree(ctx, first, "red")
    with store.read() as session:
        assert session.scalars(select(CaseEvent)).first() is None
    rows = disagreements.list_disagreements(ctx)
    assert [r.id for r in rows] == [second, first]  # open before agreed


def test_reopened_audit_whose_rag_now_agrees_closes_its_disagreement(store: Store) -> None:
    """Submit red on a green case, reopen, correct to green: nothing is left to discuss."""
    world = make_world(store)
    ctx, audit_id, case_id = filled(world, rag="green", auditor_rag="red")
    disagreement_id = lifecycle.submit(ctx, audit_id).disagreement_id
    assert disagreement_id is not None
    world.clock.advance(hours=2)
    lifecycle.reopen(ctx, audit_id, "RAG entered against the wrong case")
    lifecycle.save_details(ctx, audit_id, auditor_rag="amber")  # still differs: stays open
    assert disagreements.list_disagreements(ctx, audit_id=audit_id)[0].status == "open"
    world.clock.advance(minutes=5)
    lifecycle.save_details(ctx, audit_id, auditor_rag="green")
    closed_at = world.clock.now
    world.clock.advance(minutes=5)
    result = lifecycle.submit(ctx, audit_id)
    assert (result.recorded_rag, result.disagreement_id) == ("green", None)
    [row] = disagreements.list_disagreements(ctx, audit_id=audit_id)
    assert (row.id, row.status, row.outcome_rag, row.closed_at) == (
        disagreement_id, "closed", "green", closed_at)
    last = events_for(ctx, "rag_disagreement", disagreement_id)[-1]
    assert last.user_id == world.auditor
    assert json.loads(last.detail_json) == {
        "to": "closed", "outcome": "green", "case_rag_changed": False,
        "reason": AUDITOR_NOW_AGREES, "audit": audit_id}
    with store.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.rag == "green"
        assert session.scalars(select(CaseEvent)).first() is None


def test_resubmitting_with_agreeing_rags_closes_an_escalated_disagreement(
        store: Store) -> None:
    """The case's RAG moved to the auditor's while the audit was reopened: closed at resubmit."""
    world = make_world(store)
    ctx, audit_id, case_id = filled(world, rag="green", auditor_rag="red")
    disagreement_id = lifecycle.submit(ctx, audit_id).disagreement_id
    assert disagreement_id is not None
    disagreements.escalate(ctx, disagreement_id)
    lifecycle.reopen(world.as_user(world.qa), audit_id, "Overview incomplete")
    lifecycle.save_details(ctx, audit_id, overview="Overview completed.")
    with store.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.rag = "red"  # re-rated by the team (say, from an import) in the meantime
    assert disagreements.list_disagreements(ctx, audit_id=audit_id)[0].status == "escalated"
    result = lifecycle.submit(ctx, audit_id)
    assert (result.recorded_rag, result.disagreement_id) == ("red", None)
    [row] = disagreements.list_disagreements(ctx, audit_id=audit_id)
    assert (row.status, row.outcome_rag, row.closed_at) == ("closed", "red", world.clock.now)
    detail = json.loads(events_for(ctx, "rag_disagreement", disagreement_id)[-1].detail_json)
    assert (detail["to"], detail["reason"]) == ("closed", AUDITOR_NOW_AGREES)
