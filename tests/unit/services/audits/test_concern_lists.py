"""What the disagreements and escalations lists say: case reference, who acts next."""

from __future__ import annotations

from desktop.services import disagreements, escalations
from desktop.services.audits import lifecycle
from desktop.services.disagreements import Participant
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import make_world


def test_an_escalation_names_who_must_respond_at_each_step(store: Store) -> None:
    world = make_world(store)
    ctx = world.as_user(world.auditor)
    case_id = world.case("red")
    escalation_id = escalations.raise_concern(ctx, case_id, "Bruising seen at the visit")
    [row] = escalations.list_escalations(ctx)
    assert (row.case_ref, row.concern) == ("SYN-0001", "Bruising seen at the visit")
    assert row.awaiting == "Team manager Manager One"
    world.clock.advance(days=3)
    escalations.escalate_overdue(ctx)
    [row] = escalations.list_escalations(ctx)
    assert row.awaiting == "Head of Service User hos1" and row.overdue
    escalations.respond(world.as_user(world.hos), escalation_id, "Visited today; safe")
    [row] = escalations.list_escalations(ctx)
    assert row.awaiting == "Auditor User auditor1 or QA, to close it"
    assert (row.response, row.responded_at) == ("Visited today; safe", world.clock.now)
    escalations.close(ctx, escalation_id)
    [row] = escalations.list_escalations(ctx)
    assert row.awaiting == "" and row.closed_at == world.clock.now


def test_a_disagreement_names_who_acts_and_who_may_take_part(store: Store) -> None:
    world = make_world(store)
    ctx, audit_id, _ = filled(world, rag="green", auditor_rag="amber")
    disagreement_id = lifecycle.submit(ctx, audit_id).disagreement_id
    assert disagreement_id is not None
    [row] = disagreements.list_disagreements(ctx)
    assert row.case_ref == "SYN-0001" and row.raised_at is not None
    assert row.awaiting == "Auditor User auditor1 and team manager Manager One, to discuss"
    choices = disagreements.participant_choices(ctx, disagreement_id)
    assert [(c.participant, c.label) for c in choices] == [
        (Participant("auditor", world.auditor), "Auditor: User auditor1"),
        (Participant("social_worker", world.worker.id), "Allocated worker: Worker One"),
        (Participant("team_manager", world.manager.id), "Team manager: Manager One")]
    disagreements.record_discussion(ctx, disagreement_id, discussed_at=world.clock.now,
                                    participants=[c.participant for c in choices],
                                    next_steps="Visit this week")
    assert disagreements.list_disagreements(ctx)[0].awaiting.endswith("to agree the rating")
    disagreements.escalate(ctx, disagreement_id)
    assert disagreements.list_disagreements(ctx)[0].awaiting == (
        "Head of Service User hos1, to decide")
    disagreements.agree(world.as_user(world.hos), disagreement_id, "amber")
    assert disagreements.list_disagreements(ctx)[0].awaiting == (
        "Auditor User auditor1, to close it once the agreed action is taken")
    disagreements.close(ctx, disagreement_id)
    assert disagreements.list_disagreements(ctx)[0].awaiting == ""
