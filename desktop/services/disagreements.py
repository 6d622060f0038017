"""RAG disagreements: the auditor's rating differs from the one on the record (seed 000).

Seed 000: "there is an expectation that this is discussed, with next steps agreed,
action taken, and recorded". A disagreement opens when an audit is submitted with a
different RAG; the discussion (when, who took part, by role and id, never names), the
agreed next steps and the outcome rating are recorded on it. Agreeing an outcome that
differs from the case's RAG writes a ``rag_change`` event on the case and updates the
case's rating, so the standards engine and the next sample see the agreed risk.
Status: open -> agreed | escalated -> closed; an escalated one can still be agreed. An
open or escalated one is also closed, with no discussion, when its audit is reopened and
the auditor's RAG corrected to the case's: there is nothing left to discuss.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, PermissionRefused, RuleViolation
from desktop.models import Audit, Case, CaseEvent, RagDisagreement, User, Worker
from desktop.models.enums import CaseEventKind, DisagreementStatus, EventAction, Rag
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.case_roles import answers_for
from desktop.services.auth.guard import actor_in, refuse
from desktop.services.auth.visibility import require_reach
from desktop.services.context import ServiceContext
from desktop.services.escalations import head_of_service_for, team_manager_of
from desktop.services.event_log import log_change
from desktop.services.records import get_live

RAGS = frozenset(r.value for r in Rag)
#: The event-log code for a disagreement closed because the auditor's rating now agrees.
AUDITOR_NOW_AGREES = "auditor_now_agrees"
#: Disagreements still waiting on someone (not yet agreed or closed).
LIVE = (DisagreementStatus.OPEN.value, DisagreementStatus.ESCALATED.value)
_ORDER = {DisagreementStatus.OPEN.value: 0, DisagreementStatus.ESCALATED.value: 1,
          DisagreementStatus.AGREED.value: 2, DisagreementStatus.CLOSED.value: 3}


@dataclass(frozen=True)
class Participant:
    """Someone in the discussion: a role code and a user or worker id, never a name."""

    role: str
    id: str


@dataclass(frozen=True)
class DisagreementRow:
    id: str
    case_id: str
    audit_id: str | None
    recorded_rag: str
    auditor_rag: str
    rationale: str
    status: str
    discussed_at: dt.datetime | None
    participants: tuple[Participant, ...]
    next_steps: str
    outcome_rag: str | None
    closed_at: dt.datetime | None
    case_ref: str = ""
    raised_at: dt.datetime | None = None
    #: Who must act next, in words ("Auditor A. Name and team manager B. Name, to
    #: discuss"); "" once closed.
    awaiting: str = ""
    #: False when ``discussed_at`` is only when the discussion was recorded (the
    #: audit form's panel, at submission), not a date anyone gave for it.
    discussion_dated: bool = True


def discussion_dated(discussed_at: dt.datetime | None,
                     submitted_at: dt.datetime | None) -> bool:
    """Whether ``discussed_at`` is a date given for the discussion.

    The audit form's panel does not ask when the discussion happened, so submission
    stores the submission's own moment (:func:`~desktop.services.audits.drafts.submit_form`);
    the concerns screen asks. Printing that moment as "Discussed ..." invented a time.
    """
    return discussed_at is not None and discussed_at != submitted_at


def discussion_words(dated: bool) -> str:
    """The word before a discussion's time, the same on every screen and report."""
    return "Discussed" if dated else "Recorded"


@dataclass(frozen=True)
class ParticipantChoice:
    """Someone who may have taken part in the discussion, with their name to show."""

    participant: Participant
    label: str


def open_disagreement(session: Session, ctx: ServiceContext, audit: Audit,
                      rationale: str = "") -> RagDisagreement:
    """Open one for ``audit`` in the caller's transaction (from submission).

    Never without its reason: a disagreement nobody explained cannot be discussed
    (seed 000), so submission checks for one first and this refuses as a last guard.
    """
    assert audit.recorded_rag is not None and audit.auditor_rag is not None
    if not rationale.strip():
        raise RuleViolation("a RAG disagreement needs the auditor's rationale")
    row = RagDisagreement(audit_id=audit.id, case_id=audit.case_id, raised_by_id=ctx.user_id,
                          recorded_rag=audit.recorded_rag, auditor_rag=audit.auditor_rag,
                          rationale=rationale, status=DisagreementStatus.OPEN.value)
    session.add(row)
    session.flush()
    log_change(session, ctx, EventAction.CREATE, "rag_disagreement", row.id,
               audit=audit.id, case=audit.case_id, recorded=row.recorded_rag,
               auditor=row.auditor_rag)
    return row


def close_if_now_agreeing(session: Session, ctx: ServiceContext, audit: Audit,
                          case_rag: str | None) -> list[str]:
    """Close ``audit``'s live disagreements when its auditor's RAG is now ``case_rag``, in the
    caller's transaction; the ids closed.

    Why: a reopened audit whose rating was corrected to the case's leaves nothing to
    discuss, yet its disagreement would otherwise sit open in QA's list, and later be
    taken as a live one by the next submission. The outcome is the rating both now
    hold, so the record reads like an agreement that kept the case's RAG (the case is
    not touched); the event row says why it closed without a discussion.
    """
    if case_rag is None or audit.auditor_rag != case_rag:
        return []
    rows = list(session.scalars(select(RagDisagreement).where(
        RagDisagreement.audit_id == audit.id, RagDisagreement.deleted.is_(False),
        RagDisagreement.status.in_(LIVE))))
    for row in rows:
        row.outcome_rag = case_rag
        row.status = DisagreementStatus.CLOSED.value
        row.closed_at = ctx.now()
        log_change(session, ctx, EventAction.CHANGE, "rag_disagreement", row.id,
                   to=row.status, outcome=case_rag, case_rag_changed=False,
                   reason=AUDITOR_NOW_AGREES, audit=audit.id)
    return [row.id for row in rows]


def _load(session: Session, disagreement_id: str) -> RagDisagreement:
    row = get_live(session, RagDisagreement, disagreement_id, "RAG disagreement")
    return row


def record_discussion(ctx: ServiceContext, disagreement_id: str, *, discussed_at: dt.datetime,
                      participants: Sequence[Participant], next_steps: str,
                      rationale: str | None = None) -> None:
    """When the rating was discussed, who took part, and the next steps agreed."""
    guard(ctx, P.CONCERNS)
    require_reach(ctx, RagDisagreement, [disagreement_id], "rag_disagreement", P.CONCERNS)
    if not participants:
        raise RuleViolation("record who took part in the discussion")
    if not next_steps.strip():
        raise RuleViolation("record the next steps agreed in the discussion")
    if discussed_at > ctx.now():
        raise RuleViolation("the discussion cannot be in the future")
    with ctx.store.transaction() as session:
        row = _load(session, disagreement_id)
        if row.status == DisagreementStatus.CLOSED:
            raise RuleViolation("the disagreement is closed")
        row.discussed_at = discussed_at
        row.participants_json = json.dumps([{"role": p.role, "id": p.id}
                                            for p in participants])
        row.next_steps = next_steps.strip()
        if rationale is not None:
            row.rationale = rationale.strip()
        log_change(session, ctx, EventAction.CHANGE, "rag_disagreement", row.id,
                   fields=["discussed_at", "participants", "next_steps"])


def may_agree(ctx: ServiceContext, disagreement_id: str, outcome_rag: str) -> bool:
    """Whether the acting person may record ``outcome_rag`` as agreed: anyone who handles
    disagreements when it leaves the case's rating as it is; the case's team manager,
    the head of service over it or QA when it changes it."""
    with ctx.store.read() as session:
        actor = actor_in(session, ctx.user_id)
        row = _load(session, disagreement_id)
        case = session.get(Case, row.case_id)
        return (case is None or case.rag == outcome_rag
                or answers_for(session, actor, case))


def agree(ctx: ServiceContext, disagreement_id: str, outcome_rag: str) -> None:
    """Record the agreed rating; a change from the case's RAG is written to the case.

    An agreement that changes the case's rating is the case's team manager's or QA's
    (or the head of service's over it) to record: the auditor alone cannot move a
    child from Red to Amber (:mod:`desktop.services.auth.case_roles`).
    """
    actor = guard(ctx, P.CONCERNS)
    require_reach(ctx, RagDisagreement, [disagreement_id], "rag_disagreement", P.CONCERNS)
    if outcome_rag not in RAGS:
        raise InputProblem(f"'{outcome_rag}' is not a RAG rating (red, amber, green)")
    if not may_agree(ctx, disagreement_id, outcome_rag):
        refuse(ctx, actor, "concerns.agree_rating", "rag_disagreement", disagreement_id)
        raise PermissionRefused(
            "An agreed rating that changes the case's rating is recorded by the case's "
            "team manager or QA; you may record the discussion.")
    with ctx.store.transaction() as session:
        row = _load(session, disagreement_id)
        if row.status not in (DisagreementStatus.OPEN, DisagreementStatus.ESCALATED):
            raise RuleViolation(f"the disagreement is already {row.status}")
        if row.discussed_at is None:
            raise RuleViolation("record the discussion (when, who, next steps) before the "
                                "agreed rating")
        row.outcome_rag = outcome_rag
        row.status = DisagreementStatus.AGREED.value
        case = session.get(Case, row.case_id)
        changed = case is not None and case.rag != outcome_rag
        if case is not None and changed:
            today = ctx.today()
            session.add(CaseEvent(case_id=case.id, kind=CaseEventKind.RAG_CHANGE.value,
                                  occurred_on=today, rag_from=case.rag, rag_to=outcome_rag,
                                  origin="disagreement"))
            case.rag = outcome_rag
            case.rag_set_on = today
            log_change(session, ctx, EventAction.CHANGE, "case", case.id, fields=["rag"],
                       to=outcome_rag, disagreement=row.id)
        log_change(session, ctx, EventAction.CHANGE, "rag_disagreement", row.id,
                   to=row.status, outcome=outcome_rag, case_rag_changed=changed)


def _move(ctx: ServiceContext, disagreement_id: str, to: DisagreementStatus,
          allowed: tuple[DisagreementStatus, ...]) -> None:
    require_reach(ctx, RagDisagreement, [disagreement_id], "rag_disagreement", P.CONCERNS)
    with ctx.store.transaction() as session:
        row = _load(session, disagreement_id)
        if row.status not in allowed:
            raise RuleViolation(f"a disagreement that is {row.status} cannot become {to.value}")
        row.status = to.value
        if to == DisagreementStatus.CLOSED:
            row.closed_at = ctx.now()
        log_change(session, ctx, EventAction.CHANGE, "rag_disagreement", row.id, to=to.value)


def escalate(ctx: ServiceContext, disagreement_id: str) -> None:
    """No agreement between auditor and team: taken to a senior manager."""
    guard(ctx, P.CONCERNS)
    _move(ctx, disagreement_id, DisagreementStatus.ESCALATED, (DisagreementStatus.OPEN,))


def close(ctx: ServiceContext, disagreement_id: str) -> None:
    """Close once the agreed action has been taken."""
    guard(ctx, P.CONCERNS)
    _move(ctx, disagreement_id, DisagreementStatus.CLOSED, (DisagreementStatus.AGREED,))


@dataclass(frozen=True)
class _CaseFacts:
    """What the list says about a disagreement's case: its reference and who acts."""

    case_ref: str
    auditor: str
    team_manager: str
    head_of_service: str


def _awaiting(r: RagDisagreement, facts: _CaseFacts | None) -> str:
    """Who must act next on ``r``, in words (seed 000: discussed with the worker and
    team manager, next steps agreed, outcome recorded; no agreement goes to a senior
    manager)."""
    auditor = f"Auditor {facts.auditor}" if facts and facts.auditor else "The auditor"
    manager = (f"team manager {facts.team_manager}" if facts and facts.team_manager
               else "the team manager")
    if r.status == DisagreementStatus.OPEN.value:
        return (f"{auditor} and {manager}, to agree the rating" if r.discussed_at
                else f"{auditor} and {manager}, to discuss")
    if r.status == DisagreementStatus.ESCALATED.value:
        return (f"Head of Service {facts.head_of_service}, to decide"
                if facts and facts.head_of_service else "A senior manager, to decide")
    if r.status == DisagreementStatus.AGREED.value:
        return f"{auditor}, to close it once the agreed action is taken"
    return ""


def _case_facts(session: Session, rows: Sequence[RagDisagreement]) -> dict[str, _CaseFacts]:
    """By disagreement id: its case's reference, auditor, team manager and Head of
    Service, with one read of each table rather than one per row."""
    cases = {c.id: c for c in session.scalars(select(Case).where(
        Case.id.in_(sorted({r.case_id for r in rows}))))}
    users = dict(session.execute(select(User.id, User.name).where(User.id.in_(
        sorted({r.raised_by_id for r in rows if r.raised_by_id})))).all())
    managers = {c.id: team_manager_of(session, c) for c in cases.values()}
    workers = dict(session.execute(select(Worker.id, Worker.name).where(Worker.id.in_(
        sorted({m for m in managers.values() if m})))).all())
    heads: dict[str | None, str] = {}
    facts: dict[str, _CaseFacts] = {}
    for r in rows:
        case = cases.get(r.case_id)
        if case is None:
            continue
        if r.status == DisagreementStatus.ESCALATED.value and case.service_area_id not in heads:
            head = head_of_service_for(session, case.service_area_id)
            heads[case.service_area_id] = (session.scalar(select(User.name).where(
                User.id == head)) or "") if head else ""
        facts[r.id] = _CaseFacts(case.case_ref, users.get(r.raised_by_id or "", ""),
                                 workers.get(managers.get(case.id) or "", ""),
                                 heads.get(case.service_area_id, ""))
    return facts


def participant_choices(ctx: ServiceContext, disagreement_id: str
                        ) -> list[ParticipantChoice]:
    """Who usually takes part in the discussion (seed 000: the auditor, the allocated
    worker and their team manager), named for the window's tick list; stored by role
    and id only."""
    guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        row = _load(session, disagreement_id)
        case = session.get(Case, row.case_id)
        choices: list[ParticipantChoice] = []
        if row.raised_by_id is not None:
            name = session.scalar(select(User.name).where(User.id == row.raised_by_id))
            choices.append(ParticipantChoice(Participant("auditor", row.raised_by_id),
                                             f"Auditor: {name or 'unknown'}"))
        for role, label, worker_id in (
                ("social_worker", "Allocated worker", case.worker_id if case else None),
                ("team_manager", "Team manager",
                 team_manager_of(session, case) if case else None)):
            if worker_id is not None:
                name = session.scalar(select(Worker.name).where(Worker.id == worker_id))
                choices.append(ParticipantChoice(Participant(role, worker_id),
                                                 f"{label}: {name or 'unknown'}"))
        return choices


def _row(r: RagDisagreement, facts: _CaseFacts | None = None,
         submitted_at: dt.datetime | None = None) -> DisagreementRow:
    people = tuple(Participant(p["role"], p["id"]) for p in json.loads(r.participants_json))
    return DisagreementRow(r.id, r.case_id, r.audit_id, r.recorded_rag, r.auditor_rag,
                           r.rationale, r.status, r.discussed_at, people, r.next_steps,
                           r.outcome_rag, r.closed_at,
                           case_ref=facts.case_ref if facts else "",
                           raised_at=r.created_at, awaiting=_awaiting(r, facts),
                           discussion_dated=discussion_dated(r.discussed_at, submitted_at))


def list_disagreements(ctx: ServiceContext, *, case_id: str | None = None,
                       audit_id: str | None = None, status: str | None = None
                       ) -> list[DisagreementRow]:
    """Open and escalated ones first, then agreed, then closed; newest first within each."""
    guard(ctx, P.VIEW_AUDITS, case_id=case_id, audit_id=audit_id)
    with ctx.read() as session:
        query = select(RagDisagreement).where(RagDisagreement.deleted.is_(False))
        if case_id is not None:
            query = query.where(RagDisagreement.case_id == case_id)
        if audit_id is not None:
            query = query.where(RagDisagreement.audit_id == audit_id)
        if status is not None:
            query = query.where(RagDisagreement.status == status)
        rows = list(session.scalars(query))
        facts = _case_facts(session, rows) if rows else {}
        audit_ids = sorted({r.audit_id for r in rows if r.audit_id})
        submitted: dict[str, dt.datetime | None] = {
            audit: at for audit, at in session.execute(
                select(Audit.id, Audit.submitted_at).where(Audit.id.in_(audit_ids)))
        } if audit_ids else {}
    rows.sort(key=lambda r: r.created_at, reverse=True)
    rows.sort(key=lambda r: _ORDER.get(r.status, 9))
    return [_row(r, facts.get(r.id), submitted.get(r.audit_id or "")) for r in rows]
