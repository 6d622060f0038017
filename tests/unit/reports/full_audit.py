"""Audits that hold every field the council's forms ask of a case tool, made through
the real services (seeds 000, 001, 002). All synthetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models import Case, RagDisagreement, Sample, SampleItem, ServiceArea, User, new_id
from desktop.services import actions, escalations
from desktop.services.audits import comments, drafts, lifecycle
from desktop.services.context import ServiceContext
from desktop.services.disagreements import Participant, record_discussion
from desktop.store import Store
from tests.unit.services.audits.world import World, make_world

#: The ISO week of the world's clock (Monday 2 November 2026).
WEEK = "2026-W45"
AREA = "Synthetic North"
JOB_TITLE = "Area Manager (Synthetic North)"
CONCERN = "Bruising seen at the visit was not explained; the child was withdrawn."
RESPONSE = "Strategy discussion held the same day; the child is staying with an aunt."
NEXT_STEPS = "Review the risk assessment with the family network this week."
ACTION = "Update the risk assessment and record the child's views."
BEST = "The worker's direct work with the child is thoughtful and well recorded."
#: A long answer, so the case tool runs over pages (the header on every page).
LONG = " ".join(f"note{n:04d}" for n in range(1, 900))


@dataclass
class Full:
    world: World
    ctx: ServiceContext
    audit_id: str
    case_ref: str
    action_review: dt.date
    respond_by: dt.datetime
    discussed_at: dt.datetime


def sample_item(world: World, case_id: str, stratum: str) -> str:
    """The case drawn in the auditor's weekly sample of :data:`WEEK`; the item's id."""
    with world.store.transaction() as session:
        sample = Sample(id=new_id(), auditor_id=world.auditor, iso_week=WEEK, kind="weekly",
                        drawn_at=world.clock.now, drawn_by_id=world.auditor)
        session.add(sample)
        session.flush()
        item = SampleItem(id=new_id(), sample_id=sample.id, case_id=case_id, position=1,
                          stratum=stratum, rag_at_draw=stratum,
                          reason=f"Weekly draw: {stratum}")
        session.add(item)
        session.flush()
        return item.id


def build(store: Store) -> Full:
    """A submitted quality case tool audit with everything: drawn in a weekly sample,
    a RAG disagreement discussed, a concern escalated and answered, an action, a query,
    the feedback recorded."""
    world = make_world(store)
    with store.transaction() as session:
        auditor = session.get(User, world.auditor)
        area = session.get(ServiceArea, world.area.id)
        assert auditor is not None and area is not None
        auditor.job_title, area.name = JOB_TITLE, AREA
    ctx = world.as_user(world.auditor)
    case_id = world.case("amber", child_name="Synthetic Child")
    audit_id = lifecycle.start_audit(ctx, case_id, "quality_case_tool",
                                     sample_item_id=sample_item(world, case_id, "amber"))
    for code, value in {"theme": "Pre-birth assessments", "reason_for_tool": "Actions",
                        "child_seen_and_heard": "met", "plan_progressing": "not_met",
                        "record_up_to_date": "partly_met", "supervision_oversight": "met",
                        "practice_grade": "requires_improvement", "best_practice": BEST,
                        "fed_back_to_manager": "yes", "feedback_date": "2026-11-03"}.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview=f"Overview. {LONG}",
                           positive_practice=BEST, grade="requires_improvement",
                           auditor_rag="red", significant_harm=True)
    actions.add_action(ctx, actions.NewAction(
        description=ACTION, due_on=dt.date(2026, 11, 20), audit_id=audit_id,
        question_code="plan_progressing", owner_worker_id=world.worker.id, priority="high"))
    lifecycle.submit(ctx, audit_id, concern=CONCERN, rag_rationale="Missed visits")
    world.clock.advance(hours=1)
    comments.post_comment(world.as_user(world.tm_user), audit_id, "Why red?", is_query=True)
    with store.read() as session:
        ref = session.scalar(select(Case.case_ref).where(Case.id == case_id))
        disagreement_id = session.scalar(select(RagDisagreement.id).where(
            RagDisagreement.audit_id == audit_id))
    assert ref is not None and disagreement_id is not None
    discussed = world.clock.now - dt.timedelta(minutes=30)
    record_discussion(world.as_user(world.qa), disagreement_id, discussed_at=discussed,
                      participants=[Participant("team_manager", world.manager.id),
                                    Participant("auditor", world.auditor)],
                      next_steps=NEXT_STEPS)
    escalation = escalations.list_escalations(ctx, audit_id=audit_id)[0]
    escalations.respond(world.as_user(world.tm_user), escalation.id, RESPONSE)
    review = actions.list_actions(ctx, audit_id=audit_id)[0].review_on
    assert review is not None
    return Full(world, ctx, audit_id, ref, review, escalation.respond_by, discussed)


def draft(full: Full, *, rag: str = "green") -> tuple[str, str]:
    """A draft on a ``rag`` case by the same auditor, flagged for significant harm with
    the concern typed but not yet raised, long enough to run over pages; (id, ref)."""
    world, ctx = full.world, full.ctx
    case_id = world.case(rag)
    audit_id = lifecycle.start_audit(ctx, case_id, "risk_assessment_rag")
    lifecycle.save_details(ctx, audit_id, overview=f"Draft overview. {LONG}",
                           auditor_rag=rag, significant_harm=True)
    drafts.save_panels(ctx, audit_id, drafts.Submission(concern="A draft's concern."))
    with world.store.read() as session:
        ref = session.scalar(select(Case.case_ref).where(Case.id == case_id))
    assert ref is not None
    return audit_id, ref
