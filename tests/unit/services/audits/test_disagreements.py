"""RAG disagreements: discussion, agreement (which changes the case's RAG), closing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem, RuleViolation
from desktop.models import Case, CaseEvent
from desktop.services import disagreements
from desktop.services.audits import lifecycle
from desktop.services.disagreements import Participant
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
        disagreements.agree(ctx, disagreement_id, "amber")
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
    disagreements.agree(ctx, disagreement_id, "amber")
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
        disagreements.agree(ctx, disagreement_id, "red")
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
