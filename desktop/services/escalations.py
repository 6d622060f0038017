"""Concerns of significant harm: to the team manager with a deadline, then the Head of Service.

Seed 001: a concern "must be escalated to the team manager", who is asked "to respond
within a specified and realistic timeframe"; without a response in time it goes
"directly to the Head of Service for the team". The deadline defaults to the end of the
next working day (England's bank holidays and weekends skipped; ``workflow.json``).
Every step is an :class:`EscalationStep` with its time, so the timeline can be shown
and defended. The Head of Service is the user with the ``head_of_service`` role linked
to the case's service area (``UserServiceArea``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import PermissionRefused, RuleViolation
from desktop.models import Case, Escalation, EscalationStep, User, UserServiceArea, Worker
from desktop.models.enums import EscalationStatus, EventAction, Role, WorkerRole
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.case_roles import answers_for
from desktop.services.auth.guard import Actor, actor_in, refuse
from desktop.services.auth.visibility import require_reach
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_change
from desktop.services.records import get_live
from desktop.services.workflow_settings import WorkflowSettings, load_workflow_settings
from desktop.services.working_days import add_working_days

LONDON = ZoneInfo("Europe/London")
OPEN = (EscalationStatus.AWAITING_TEAM_MANAGER.value,
        EscalationStatus.ESCALATED_TO_HEAD_OF_SERVICE.value)


class StepKind(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated_to_hos"
    NO_HEAD_OF_SERVICE = "no_head_of_service"
    RESPONDED = "responded"
    CLOSED = "closed"


@dataclass(frozen=True)
class StepRow:
    at: dt.datetime
    kind: str
    actor_user_id: str | None
    note: str


@dataclass(frozen=True)
class EscalationRow:
    id: str
    case_id: str
    audit_id: str | None
    status: str
    raised_at: dt.datetime
    respond_by: dt.datetime
    team_manager_id: str | None
    head_of_service_id: str | None
    is_open: bool
    overdue: bool
    steps: tuple[StepRow, ...]
    case_ref: str = ""
    concern: str = ""
    response: str = ""
    responded_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    #: Who must act next, in words ("Team manager A. Name"); "" once closed.
    awaiting: str = ""
    #: Who recorded the response, by name ("" before there is one).
    responded_by: str = ""
    #: Whether the person reading the list may close it now (:func:`may_close_as`).
    may_close: bool = False


def response_deadline(raised_at: dt.datetime, settings: WorkflowSettings) -> dt.datetime:
    """The end of the working day ``escalation_working_days`` after the one it was raised."""
    day = add_working_days(raised_at.astimezone(LONDON).date(),
                           settings.escalation_working_days, settings.bank_holiday_region)
    return dt.datetime.combine(day, settings.day_end, tzinfo=LONDON).astimezone(dt.UTC)


def team_manager_of(session: Session, case: Case) -> str | None:
    """The case's team manager (a worker): the case's own, else the team's manager."""
    if case.team_manager_id is not None:
        return case.team_manager_id
    if case.team_id is None:
        return None
    return session.scalar(select(Worker.id).where(
        Worker.team_id == case.team_id, Worker.role == WorkerRole.TEAM_MANAGER.value,
        Worker.deleted.is_(False)).order_by(Worker.staff_ref).limit(1))


def head_of_service_for(session: Session, service_area_id: str | None) -> str | None:
    if service_area_id is None:
        return None
    users = session.scalars(
        select(User).join(UserServiceArea, UserServiceArea.user_id == User.id)
        .where(UserServiceArea.service_area_id == service_area_id,
               UserServiceArea.deleted.is_(False), User.deleted.is_(False),
               User.active.is_(True))
        .order_by(User.username))
    return next((u.id for u in users if u.has_role(Role.HEAD_OF_SERVICE)), None)


def _step(session: Session, escalation: Escalation, at: dt.datetime, kind: StepKind,
          actor: str | None, note: str = "") -> None:
    session.add(EscalationStep(escalation_id=escalation.id, at=at, kind=kind.value,
                               actor_user_id=actor, note=note))


def open_escalation(session: Session, ctx: ServiceContext, case: Case, concern: str,
                    audit_id: str | None = None,
                    settings: WorkflowSettings | None = None) -> Escalation:
    """Raise a concern in the caller's transaction; the deadline starts now."""
    if not concern.strip():
        raise RuleViolation("a concern of significant harm needs a description of what "
                            "you are worried about and why")
    settings = settings or load_workflow_settings()
    now = ctx.now()
    escalation = Escalation(case_id=case.id, audit_id=audit_id, raised_by_id=ctx.user_id,
                            concern=concern.strip(), team_manager_id=team_manager_of(session,
                                                                                     case),
                            raised_at=now, respond_by=response_deadline(now, settings),
                            status=EscalationStatus.AWAITING_TEAM_MANAGER.value)
    session.add(escalation)
    session.flush()
    _step(session, escalation, now, StepKind.RAISED, ctx.user_id)
    log_change(session, ctx, EventAction.CREATE, "escalation", escalation.id,
               case=case.id, audit=audit_id, to=escalation.status)
    return escalation


def raise_concern(ctx: ServiceContext, case_id: str, concern: str,
                  audit_id: str | None = None) -> str:
    """Escalate a concern of significant harm at once; returns the escalation's id."""
    guard(ctx, P.CONCERNS, case_id=case_id)
    settings = load_workflow_settings()
    with ctx.store.transaction() as session:
        case = get_live(session, Case, case_id, "case")
        return open_escalation(session, ctx, case, concern, audit_id, settings).id


def _load(session: Session, escalation_id: str) -> Escalation:
    escalation = get_live(session, Escalation, escalation_id, "escalation")
    return escalation


def respond(ctx: ServiceContext, escalation_id: str, response: str) -> None:
    """The team manager's (or Head of Service's) response stops the clock.

    Recorded only by the person the concern is addressed to: the case's team manager,
    the head of service over the case's area, or QA; never by the auditor who raised it
    (:mod:`desktop.services.auth.case_roles`). The step names who responded.
    """
    actor = guard(ctx, P.CONCERNS)
    if not response.strip():
        raise RuleViolation("a response needs text: what has been done to keep the child safe")
    with ctx.store.read() as session:
        escalation = _load(session, escalation_id)
        case = session.get(Case, escalation.case_id)
        allowed = case is not None and answers_for(session, actor, case,
                                                   escalation.team_manager_id)
    if not allowed:
        refuse(ctx, actor, "concerns.respond", "escalation", escalation_id)
        raise PermissionRefused(
            "Only the case's team manager, the head of service over it or QA may record "
            "the response to a concern of significant harm.")
    with ctx.store.transaction() as session:
        escalation = _load(session, escalation_id)
        if escalation.status not in OPEN:
            raise RuleViolation(f"the escalation is {escalation.status}; only an open one "
                                "can be responded to")
        now = ctx.now()
        if (escalation.status == EscalationStatus.AWAITING_TEAM_MANAGER.value
                and escalation.respond_by < now):
            # Seed 001: no response in time goes to the Head of Service. A laptop that
            # was off when the deadline passed must not let a late answer hide that.
            _to_head_of_service(session, ctx, escalation, now,
                                "the response came after the deadline")
        escalation.status = EscalationStatus.RESPONDED.value
        escalation.responded_at = now
        escalation.response = response.strip()
        _step(session, escalation, now, StepKind.RESPONDED, ctx.user_id)
        log_change(session, ctx, EventAction.CHANGE, "escalation", escalation.id,
                   to=escalation.status)


#: Said to anyone else who tries to close a concern.
CLOSERS_ONLY = ("Only the auditor who raised the concern, or QA, may close it once the "
                "response is in; not the person who responded.")


def may_close_as(actor: Actor, raised_by_id: str | None, responder_ids: Sequence[str | None],
                 status: str) -> bool:
    """Whether ``actor`` may close a concern now.

    Seed 001 asks the team manager to respond; the one who raised the worry (or QA,
    who keep the central record) judges the response. The responder closing their own
    answer would leave nobody checking it, so they may not, whatever their roles.
    """
    if status != EscalationStatus.RESPONDED.value:
        return False
    if actor.user_id is None:
        return True  # the system (scripts, sync) is not a person taking sides
    if not actor.known or actor.user_id in responder_ids:
        return False
    return actor.user_id == raised_by_id or Role.QA.value in actor.roles


def _responders(session: Session, escalation_id: str) -> list[str | None]:
    return list(session.scalars(select(EscalationStep.actor_user_id).where(
        EscalationStep.escalation_id == escalation_id, EscalationStep.deleted.is_(False),
        EscalationStep.kind == StepKind.RESPONDED.value)))


def close(ctx: ServiceContext, escalation_id: str, note: str = "") -> None:
    """Close a responded escalation (the auditor, or QA, is satisfied the child is safe).

    Anyone else, and whoever recorded the response, is refused and the refusal logged.
    """
    actor = guard(ctx, P.CONCERNS)
    require_reach(ctx, Escalation, [escalation_id], "escalation", P.CONCERNS)
    with ctx.store.read() as session:
        escalation = _load(session, escalation_id)
        status = escalation.status
        allowed = may_close_as(actor, escalation.raised_by_id,
                               _responders(session, escalation_id),
                               EscalationStatus.RESPONDED.value)
    if status != EscalationStatus.RESPONDED:
        raise RuleViolation("an escalation can be closed only after a response")
    if not allowed:
        refuse(ctx, actor, "concerns.close", "escalation", escalation_id)
        raise PermissionRefused(CLOSERS_ONLY)
    with ctx.store.transaction() as session:
        escalation = _load(session, escalation_id)
        if escalation.status != EscalationStatus.RESPONDED:
            raise RuleViolation("an escalation can be closed only after a response")
        now = ctx.now()
        escalation.status = EscalationStatus.CLOSED.value
        escalation.closed_at = now
        _step(session, escalation, now, StepKind.CLOSED, ctx.user_id, note.strip())
        log_change(session, ctx, EventAction.CHANGE, "escalation", escalation.id,
                   to=escalation.status)


def escalate_overdue(ctx: ServiceContext) -> list[str]:
    """Move every concern past its deadline without a response to the Head of Service.

    Run by ``dipsample finalise-due`` and when the application starts. Returns the ids
    escalated. With no Head of Service linked to the area the escalation still moves on
    (status and step record it) so that it is listed as needing someone's attention.
    """
    now = ctx.now()
    with ctx.store.transaction() as session:
        due = list(session.scalars(select(Escalation).where(
            Escalation.deleted.is_(False),
            Escalation.status == EscalationStatus.AWAITING_TEAM_MANAGER.value,
            Escalation.respond_by < now).order_by(Escalation.respond_by)))
        for escalation in due:
            _to_head_of_service(session, ctx, escalation, now)
        return [e.id for e in due]


def _to_head_of_service(session: Session, ctx: ServiceContext, escalation: Escalation,
                        now: dt.datetime, note: str = "") -> None:
    case = session.get(Case, escalation.case_id)
    head = head_of_service_for(session, case.service_area_id if case else None)
    escalation.status = EscalationStatus.ESCALATED_TO_HEAD_OF_SERVICE.value
    escalation.escalated_at = now
    escalation.head_of_service_id = head
    _step(session, escalation, now,
          StepKind.ESCALATED if head else StepKind.NO_HEAD_OF_SERVICE, None, note)
    log_change(session, ctx, EventAction.CHANGE, "escalation", escalation.id,
               to=escalation.status, head_of_service=head)


def _awaiting(e: Escalation, names: dict[str, str]) -> str:
    """Who must act next on ``e``, in words, for the list a QA lead reads."""
    if e.status == EscalationStatus.AWAITING_TEAM_MANAGER.value:
        who = names.get(e.team_manager_id or "")
        return f"Team manager {who}" if who else "The case's team manager (none on record)"
    if e.status == EscalationStatus.ESCALATED_TO_HEAD_OF_SERVICE.value:
        who = names.get(e.head_of_service_id or "")
        return (f"Head of Service {who}" if who
                else "A Head of Service for the area (none on record)")
    if e.status == EscalationStatus.RESPONDED.value:
        who = names.get(e.raised_by_id or "")
        return (f"Auditor {who} or QA, to close it" if who
                else "The auditor or QA, to close it")
    return ""


def _responder(steps: Sequence[StepRow], names: dict[str, str]) -> str:
    who = [s.actor_user_id for s in steps if s.kind == StepKind.RESPONDED]
    if not who:
        return ""
    return names.get(who[-1] or "", "") or ("the system" if who[-1] is None else "")


def _people_names(session: Session, escalations: list[Escalation]) -> dict[str, str]:
    """Names of the team managers (workers) and users the escalations point at."""
    workers = {e.team_manager_id for e in escalations if e.team_manager_id}
    users = {u for e in escalations for u in (e.head_of_service_id, e.raised_by_id) if u}
    names: dict[str, str] = {}
    if workers:
        names.update(session.execute(select(Worker.id, Worker.name).where(
            Worker.id.in_(sorted(workers)))).all())
    if users:
        names.update(session.execute(select(User.id, User.name).where(
            User.id.in_(sorted(users)))).all())
    return names


def list_escalations(ctx: ServiceContext, *, case_id: str | None = None,
                     audit_id: str | None = None, open_only: bool = False
                     ) -> list[EscalationRow]:
    """Escalations, the open ones first (soonest deadline first), then the rest, newest first."""
    guard(ctx, P.VIEW_AUDITS, case_id=case_id, audit_id=audit_id)
    now = ctx.now()
    with ctx.read() as session:
        actor = actor_in(session, ctx.user_id)
        query = select(Escalation).where(Escalation.deleted.is_(False))
        if case_id is not None:
            query = query.where(Escalation.case_id == case_id)
        if audit_id is not None:
            query = query.where(Escalation.audit_id == audit_id)
        if open_only:
            query = query.where(Escalation.status.in_(OPEN))
        escalations = list(session.scalars(query))
        steps: dict[str, list[StepRow]] = {}
        names: dict[str, str] = {}
        refs: dict[str, str] = {}
        if escalations:
            for step in session.scalars(select(EscalationStep).where(
                    EscalationStep.escalation_id.in_([e.id for e in escalations]),
                    EscalationStep.deleted.is_(False)).order_by(EscalationStep.at)):
                steps.setdefault(step.escalation_id, []).append(
                    StepRow(step.at, step.kind, step.actor_user_id, step.note))
            names = _people_names(session, escalations)
            actors = {s.actor_user_id for rows in steps.values() for s in rows
                      if s.actor_user_id and s.kind == StepKind.RESPONDED}
            if actors:
                names.update(session.execute(select(User.id, User.name).where(
                    User.id.in_(sorted(actors)))).all())
            refs = dict(session.execute(select(Case.id, Case.case_ref).where(
                Case.id.in_(sorted({e.case_id for e in escalations})))).all())
        rows = [EscalationRow(e.id, e.case_id, e.audit_id, e.status, e.raised_at,
                              e.respond_by, e.team_manager_id, e.head_of_service_id,
                              e.status in OPEN, e.status in OPEN and e.respond_by < now,
                              tuple(steps.get(e.id, ())), case_ref=refs.get(e.case_id, ""),
                              concern=e.concern, response=e.response,
                              responded_at=e.responded_at, closed_at=e.closed_at,
                              awaiting=_awaiting(e, names),
                              responded_by=_responder(steps.get(e.id, ()), names),
                              may_close=may_close_as(
                                  actor, e.raised_by_id,
                                  [s.actor_user_id for s in steps.get(e.id, ())
                                   if s.kind == StepKind.RESPONDED], e.status))
                for e in escalations]
    opened = sorted((r for r in rows if r.is_open), key=lambda r: (r.respond_by, r.id))
    rest = sorted((r for r in rows if not r.is_open), key=lambda r: (r.raised_at, r.id),
                  reverse=True)
    return opened + rest
