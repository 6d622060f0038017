"""The action tracker: actions from audits, exercise summaries and improvement plans.

Rules (seed 001, 002): an action says what, who owns it, the lead, and by when, with a
realistic timescale: a due date in the past is refused, and so is one further ahead
than ``action_max_days_ahead``. Audit actions are reviewed two weeks after the audit
(``review_on``). Overdue is counted in working days (England's bank holidays). Status:
``open`` -> ``in_progress`` -> ``done`` (confirmed by the owner's manager, who "should
take responsibility to ensure actions identified are completed") -> ``verified`` (by
QA); ``cancelled`` needs a reason. QA may send a ``done`` action back to
``in_progress``. A bulk change is all or nothing: every action is checked first.

Every move is recorded as an :class:`~desktop.models.ActionStatusChange` at the app's
time (``ctx.now()``), synced and never changed, so "was it finished at the end of that
week?" has one answer for ever (the weekly report reads it; an action sent back from
done loses its completion stamp, not its history). An action that moves for the first
time since the history was kept (schema 0013), or that was made with a status of its
own (the demo county), first gets what its stamps say of its past: done at its
completion time, verified at its verification time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import (
    Action,
    ActionStatusChange,
    Audit,
    Case,
    ExerciseSummary,
    PlanFinding,
    Team,
    TemplateQuestion,
    User,
    UserServiceArea,
    Worker,
)
from desktop.models.enums import ActionSource, ActionStatus, AuditStatus, EventAction, Role
from desktop.models.identity import APP, natural_id
from desktop.services.audits.access import acting_user, roles_of
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.visibility import require_reach
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_change
from desktop.services.records import get_live
from desktop.services.workflow_settings import WorkflowSettings, load_workflow_settings
from desktop.services.working_days import working_days_between

S = ActionStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.DONE, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.DONE, S.CANCELLED}),
    S.DONE: frozenset({S.IN_PROGRESS, S.VERIFIED}),
    S.VERIFIED: frozenset(),
    S.CANCELLED: frozenset(),
}
LIVE = (S.OPEN.value, S.IN_PROGRESS.value)
#: The usual next step from each status (the tracker's suggestion; the move is still
#: checked by :func:`set_status`).
NEXT: dict[str, str] = {S.OPEN.value: S.IN_PROGRESS.value, S.IN_PROGRESS.value: S.DONE.value,
                        S.DONE.value: S.VERIFIED.value}
#: Audit states in which the auditor may still add actions to the audit.
AUDIT_ACCEPTS_ACTIONS = (AuditStatus.DRAFT.value, AuditStatus.REOPENED.value,
                         AuditStatus.SUBMITTED.value, AuditStatus.OPEN_FOR_COMMENT.value,
                         AuditStatus.QUERIED.value)
#: An action's priority, most urgent first (the audit form's actions grid asks for one).
PRIORITIES = ("high", "medium", "low")
DEFAULT_PRIORITY = "medium"


@dataclass(frozen=True)
class NewAction:
    """What the auditor (or QA) writes: one of ``audit_id``, ``exercise_id``,
    ``finding_id`` says where it comes from; ``question_code`` ties it to the audit
    question that was not met."""

    description: str
    due_on: dt.date | None
    audit_id: str | None = None
    question_code: str | None = None
    exercise_id: str | None = None
    finding_id: str | None = None
    owner_worker_id: str | None = None
    owner_user_id: str | None = None
    lead: str = ""
    by_when_text: str = ""
    #: high, medium or low (:data:`PRIORITIES`).
    priority: str = DEFAULT_PRIORITY


@dataclass(frozen=True)
class ActionRow:
    id: str
    source: str
    description: str
    status: str
    due_on: dt.date | None
    by_when_text: str
    review_on: dt.date | None
    owner_worker_id: str | None
    owner_user_id: str | None
    lead: str
    audit_id: str | None
    case_id: str | None
    exercise_id: str | None
    finding_id: str | None
    evidence: str
    cancel_reason: str
    overdue_working_days: int
    #: The case's reference ("" for an exercise or plan action), for the tracker's list.
    case_ref: str = ""
    #: Who owns it, in words: the worker's or user's name, else the plan's lead.
    owner_name: str = ""
    #: Live and past its review date (seed 001: reviewed two weeks after the audit).
    review_due: bool = False
    progress: str = ""
    #: high, medium or low (:data:`PRIORITIES`).
    priority: str = DEFAULT_PRIORITY
    #: Live and past its due date. Why beside the working days: an action due on Friday
    #: is overdue on Sunday with no working day gone yet (issue 25, item 5: listed by
    #: ``--overdue`` with an empty "overdue" column).
    overdue: bool = False


def check_priority(priority: str) -> str:
    """The priority as stored; one of :data:`PRIORITIES`, else refused in one sentence."""
    if priority not in PRIORITIES:
        raise InputProblem("an action's priority must be high, medium or low")
    return priority


def check_due(due_on: dt.date, today: dt.date, settings: WorkflowSettings) -> None:
    if due_on < today:
        raise RuleViolation(f"the due date {due_on:%d/%m/%Y} is in the past")
    if (due_on - today).days > settings.action_max_days_ahead:
        raise RuleViolation(f"the due date {due_on:%d/%m/%Y} is more than "
                            f"{settings.action_max_days_ahead} days ahead; set a realistic "
                            "timescale")


def _source(session: Session, new: NewAction, settings: WorkflowSettings, today: dt.date
            ) -> dict[str, object]:
    given = [x for x in (new.audit_id, new.exercise_id, new.finding_id) if x is not None]
    if len(given) != 1:
        raise InputProblem("an action comes from exactly one audit, exercise or plan finding")
    if new.audit_id is not None:
        audit = get_live(session, Audit, new.audit_id, "audit")
        if audit.status not in AUDIT_ACCEPTS_ACTIONS:
            raise RuleViolation(f"the audit is {audit.status}; reopen it to add actions")
        question_id = None
        if new.question_code:
            question_id = session.scalar(select(TemplateQuestion.id).where(
                TemplateQuestion.template_id == audit.template_id,
                TemplateQuestion.code == new.question_code))
            if question_id is None:
                raise InputProblem(f"the audit has no question '{new.question_code}'")
        case = session.get(Case, audit.case_id)
        base = audit.audit_date or today
        return {"source": ActionSource.AUDIT.value, "audit_id": audit.id,
                "case_id": audit.case_id, "question_id": question_id,
                "review_on": base + dt.timedelta(days=settings.action_review_days),
                "owner_worker_id": new.owner_worker_id or (case.worker_id if case else None)}
    if new.exercise_id is not None:
        exercise = get_live(session, ExerciseSummary, new.exercise_id, "exercise summary")
        return {"source": ActionSource.EXERCISE.value, "exercise_id": exercise.id,
                "review_on": today + dt.timedelta(days=settings.action_review_days)}
    assert new.finding_id is not None  # exactly one of the three is given
    finding = get_live(session, PlanFinding, new.finding_id, "plan finding")
    return {"source": ActionSource.PLAN.value, "finding_id": finding.id}


def add_action_in(session: Session, ctx: ServiceContext, new: NewAction,
                  settings: WorkflowSettings, *, check_dates: bool = True) -> Action:
    """Add an action in the caller's transaction (the plan import passes
    ``check_dates=False``: an imported plan's deadlines may lie in the past)."""
    if not new.description.strip():
        raise RuleViolation("an action needs a description of what must be done")
    priority = check_priority(new.priority)
    today = ctx.today()
    if check_dates:
        if new.due_on is None:
            raise RuleViolation("an action needs a due date")
        check_due(new.due_on, today, settings)
    fields = _source(session, new, settings, today)
    if new.owner_worker_id is not None and session.get(Worker, new.owner_worker_id) is None:
        raise InputProblem(f"no worker with id {new.owner_worker_id}")
    if new.owner_user_id is not None and session.get(User, new.owner_user_id) is None:
        raise InputProblem(f"no user with id {new.owner_user_id}")
    fields.setdefault("owner_worker_id", new.owner_worker_id)
    column = (Action.audit_id if new.audit_id else Action.exercise_id if new.exercise_id
              else Action.finding_id)
    parent = new.audit_id or new.exercise_id or new.finding_id
    fields["position"] = (session.scalar(select(func.max(Action.position)).where(
        column == parent)) or 0) + 1
    action = Action(description=new.description.strip(), due_on=new.due_on,
                    owner_user_id=new.owner_user_id, lead=new.lead.strip(),
                    by_when_text=new.by_when_text.strip(), status=S.OPEN.value,
                    priority=priority, **fields)
    session.add(action)
    session.flush()
    log_change(session, ctx, EventAction.CREATE, "action", action.id, source=action.source,
               audit=action.audit_id, case=action.case_id, finding=action.finding_id)
    return action


def add_action(ctx: ServiceContext, new: NewAction) -> str:
    guard(ctx, P.ACTIONS)
    settings = load_workflow_settings()
    with ctx.store.transaction() as session:
        return add_action_in(session, ctx, new, settings).id


def manager_users(session: Session, action: Action) -> set[str]:
    """Users who manage the action's owner: the case's team manager, else the manager
    of the owner's team, as DipSample users (``User.worker_id``)."""
    workers: set[str] = set()
    if action.case_id is not None:
        case = session.get(Case, action.case_id)
        if case is not None and case.team_manager_id:
            workers.add(case.team_manager_id)
    owner = session.get(Worker, action.owner_worker_id) if action.owner_worker_id else None
    if owner is not None and owner.team_id is not None:
        workers |= set(session.scalars(select(Worker.id).where(
            Worker.team_id == owner.team_id, Worker.role == "team_manager",
            Worker.deleted.is_(False), Worker.id != owner.id)))
    if not workers:
        return set()
    return set(session.scalars(select(User.id).where(User.worker_id.in_(workers),
                                                     User.deleted.is_(False))))


def _check_move(session: Session, action: Action, to: str, user: str, reason: str) -> str:
    """Why ``action`` cannot move to ``to`` now, or "" when it can."""
    if action.status == to:
        return f"is already {to}"
    if to not in TRANSITIONS.get(action.status, frozenset()):
        return f"cannot go from {action.status} to {to}"
    roles = roles_of(session, user)
    if to == S.DONE:
        managers = manager_users(session, action)
        if user not in managers and not (not managers and Role.QA in roles):
            return ("can be confirmed done only by the owner's manager" if managers
                    else "has no owner's manager on record; QA confirms it done")
    if to == S.VERIFIED and Role.QA not in roles:
        return "can be verified only by QA"
    if action.status == S.DONE and to == S.IN_PROGRESS and Role.QA not in roles:
        return "can be sent back from done only by QA"
    if to == S.CANCELLED and not reason.strip():
        return "needs a reason to be cancelled"
    return ""


def _past_moves(action: Action) -> list[ActionStatusChange]:
    """What an action's stamps say of its past moves, for one with no recorded history.

    Ids derive from the action, the status and the time, so two laptops that record
    the same past offline make one record each, equal, and sync keeps one.
    """
    moves: list[tuple[str | None, str, dt.datetime | None]] = []
    if action.status in (S.DONE, S.VERIFIED):
        moves.append((S.OPEN.value, S.DONE.value, action.completed_at or action.confirmed_at))
    if action.status == S.VERIFIED:
        moves.append((S.DONE.value, S.VERIFIED.value, action.verified_at))
    return [ActionStatusChange(
        id=natural_id("action_status_change", f"{action.id}:{to}:{at.isoformat()}", APP),
        action_id=action.id, from_status=was, to_status=to, at=at,
        by_id=action.confirmed_by_id if to == S.DONE else action.verified_by_id)
        for was, to, at in moves if at is not None]


def record_moves(session: Session, moves: Sequence[tuple[Action, str, str]],
                 at: dt.datetime, by_id: str | None) -> None:
    """Record, in the caller's transaction, each (action, from, to) move made at ``at``;
    an action with no history yet first gets its past (:func:`_past_moves`), read from
    the action as it was before the move."""
    ids = [action.id for action, _, _ in moves]
    recorded: set[str] = set()
    for start in range(0, len(ids), 500):
        recorded |= set(session.scalars(select(ActionStatusChange.action_id).where(
            ActionStatusChange.action_id.in_(ids[start:start + 500])).distinct()))
    for action, was, to in moves:
        if action.id not in recorded:
            session.add_all(_past_moves(action))
        session.add(ActionStatusChange(action_id=action.id, from_status=was, to_status=to,
                                       at=at, by_id=by_id))


def set_status(ctx: ServiceContext, action_ids: Sequence[str], to: str, *, reason: str = "",
               evidence: str | None = None) -> int:
    """Move every action in ``action_ids`` to ``to``, or none of them.

    Raises:
        RuleViolation: any action cannot move; the message names each one and why.
    """
    guard(ctx, P.VERIFY_ACTIONS if to == S.VERIFIED else P.ACTIONS)
    if to not in TRANSITIONS:
        raise InputProblem(f"'{to}' is not an action status ({', '.join(TRANSITIONS)})")
    if not action_ids:
        return 0
    require_reach(ctx, Action, action_ids, "action", P.ACTIONS)
    user = acting_user(ctx, "changing an action's status")
    now = ctx.now()
    with ctx.store.transaction() as session:
        rows = {a.id: a for a in session.scalars(select(Action).where(
            Action.id.in_(list(action_ids)), Action.deleted.is_(False)))}
        problems = [f"{i}: no such action" for i in action_ids if i not in rows]
        for action_id in action_ids:
            if action_id in rows:
                why = _check_move(session, rows[action_id], to, user, reason)
                if why and len(action_ids) == 1:
                    # One action (a row in the window): the sentence says why, no id.
                    raise RuleViolation(f"the action {why}")
                if why:
                    problems.append(f"{action_id} {why}")
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise RuleViolation(f"no action was changed: {'; '.join(problems[:3])}{more}")
        record_moves(session, [(a, a.status, to) for a in rows.values()], now, user)
        for action in rows.values():
            was = action.status
            action.status = to
            if to == S.DONE:
                action.completed_at = now
                action.confirmed_by_id, action.confirmed_at = user, now
            elif to == S.VERIFIED:
                action.verified_by_id, action.verified_at = user, now
            elif to == S.CANCELLED:
                action.cancel_reason = reason.strip()
            elif was == S.DONE:
                action.completed_at = action.confirmed_at = action.confirmed_by_id = None
            if evidence is not None:
                action.evidence = evidence.strip()
            log_change(session, ctx, EventAction.CHANGE, "action", action.id, was=was, to=to,
                       bulk=len(rows) > 1)
        return len(rows)


def record_progress(ctx: ServiceContext, action_id: str, *, progress: str | None = None,
                    evidence: str | None = None) -> None:
    """Progress notes and evidence, written by the owner or their manager."""
    guard(ctx, P.ACTIONS)
    require_reach(ctx, Action, [action_id], "action", P.ACTIONS)
    with ctx.store.transaction() as session:
        action = get_live(session, Action, action_id, "action")
        if action.status in (S.VERIFIED, S.CANCELLED):
            raise RuleViolation(f"the action is {action.status}; it can no longer change")
        fields = []
        if progress is not None:
            action.progress = progress.strip()
            fields.append("progress")
        if evidence is not None:
            action.evidence = evidence.strip()
            fields.append("evidence")
        log_change(session, ctx, EventAction.CHANGE, "action", action.id, fields=fields)


def is_overdue(action: Action, today: dt.date) -> bool:
    """Live and its due date has passed (the same test as ``--overdue``'s query)."""
    return action.status in LIVE and action.due_on is not None and action.due_on < today


def overdue_days(action: Action, today: dt.date, region: str) -> int:
    """Working days since the due date: 0 when not overdue, and 0 too for one due on a
    Friday seen at the weekend (:func:`is_overdue` says it is overdue)."""
    if not is_overdue(action, today):
        return 0
    assert action.due_on is not None  # is_overdue checked it
    return working_days_between(action.due_on, today, region)


def _team_ids(session: Session, user_id: str) -> set[str]:
    """The teams a user looks after: their own team (a team manager is a worker in it)
    and every team of the service areas they sample (seed 000: an area manager's)."""
    teams: set[str] = set()
    user = session.get(User, user_id)
    if user is None:
        return teams
    if user.worker_id is not None:
        team = session.scalar(select(Worker.team_id).where(Worker.id == user.worker_id))
        if team is not None:
            teams.add(team)
    areas = select(UserServiceArea.service_area_id).where(
        UserServiceArea.user_id == user_id, UserServiceArea.deleted.is_(False))
    teams |= set(session.scalars(select(Team.id).where(Team.service_area_id.in_(areas),
                                                       Team.deleted.is_(False))))
    return teams


def _mine(session: Session, user_id: str) -> ColumnElement[bool]:
    """Actions the user owns (as a user or as the worker they are), or raised in one of
    their own audits: the ones an auditor follows up at the two-week review."""
    worker = session.scalar(select(User.worker_id).where(User.id == user_id))
    own_audits = select(Audit.id).where(Audit.auditor_id == user_id)
    clauses = [Action.owner_user_id == user_id, Action.audit_id.in_(own_audits)]
    if worker is not None:
        clauses.append(Action.owner_worker_id == worker)
    return or_(*clauses)


def week_of_day(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of ``day``'s ISO week: "due this week" for the tracker."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def _lookup(session: Session, key: InstrumentedAttribute[str],
            name: InstrumentedAttribute[str], ids: set[str]) -> dict[str, str]:
    """``name`` by ``key`` for ``ids``, in slices (SQLite's bound-parameter limit)."""
    wanted = sorted(ids)
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        found.update(session.execute(select(key, name).where(
            key.in_(wanted[start:start + 500]))).all())
    return found


def _names(session: Session, actions: Sequence[Action]
           ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Case references, worker names and user names for ``actions``: three queries,
    not three per row."""
    return (_lookup(session, Case.id, Case.case_ref, {a.case_id for a in actions
                                                      if a.case_id}),
            _lookup(session, Worker.id, Worker.name, {a.owner_worker_id for a in actions
                                                      if a.owner_worker_id}),
            _lookup(session, User.id, User.name, {a.owner_user_id for a in actions
                                                  if a.owner_user_id}))


def list_actions(ctx: ServiceContext, *, overdue: bool = False, owner: str | None = None,
                 status: str | None = None, audit_id: str | None = None,
                 finding_ids: Sequence[str] | None = None, mine: str | None = None,
                 teams_of: str | None = None, due_this_week: bool = False,
                 source: str | None = None, review_due: bool = False) -> list[ActionRow]:
    """Actions, most overdue first, then by due date. ``owner`` is a worker or user id.

    The tracker's filters: ``mine`` (a user id: what they own or raised in their audits),
    ``teams_of`` (a user id: actions owned in their team or their areas' teams),
    ``due_this_week`` (live, due in today's ISO week), ``source`` (audit, exercise,
    plan), ``review_due`` (live and past the two-week review date).
    """
    guard(ctx, P.VIEW_AUDITS)
    if source is not None and source not in {s.value for s in ActionSource}:
        raise InputProblem(f"'{source}' is not an action source "
                           f"({', '.join(s.value for s in ActionSource)})")
    settings = load_workflow_settings()
    today = ctx.today()
    with ctx.read() as session:
        query = select(Action).where(Action.deleted.is_(False))
        if owner is not None:
            query = query.where(or_(Action.owner_worker_id == owner,
                                    Action.owner_user_id == owner))
        if status is not None:
            query = query.where(Action.status == status)
        if audit_id is not None:
            query = query.where(Action.audit_id == audit_id)
        if finding_ids is not None:
            query = query.where(Action.finding_id.in_(list(finding_ids)))
        if overdue:
            query = query.where(Action.status.in_(LIVE), Action.due_on < today)
        if source is not None:
            query = query.where(Action.source == source)
        if mine is not None:
            query = query.where(_mine(session, mine))
        if teams_of is not None:
            teams = sorted(_team_ids(session, teams_of))
            owner_team = select(Worker.team_id).where(
                Worker.id == Action.owner_worker_id).scalar_subquery()
            case_team = select(Case.team_id).where(Case.id == Action.case_id).scalar_subquery()
            query = query.where(func.coalesce(owner_team, case_team).in_(teams))
        if due_this_week:
            monday, sunday = week_of_day(today)
            query = query.where(Action.status.in_(LIVE), Action.due_on >= monday,
                                Action.due_on <= sunday)
        if review_due:
            query = query.where(Action.status.in_(LIVE), Action.review_on <= today)
        found = list(session.scalars(query))
        cases, workers, users = _names(session, found)
        rows = [ActionRow(a.id, a.source, a.description, a.status, a.due_on, a.by_when_text,
                          a.review_on, a.owner_worker_id, a.owner_user_id, a.lead, a.audit_id,
                          a.case_id, a.exercise_id, a.finding_id, a.evidence, a.cancel_reason,
                          overdue_days(a, today, settings.bank_holiday_region),
                          case_ref=cases.get(a.case_id or "", ""),
                          owner_name=(workers.get(a.owner_worker_id or "")
                                      or users.get(a.owner_user_id or "") or a.lead),
                          review_due=(a.status in LIVE and a.review_on is not None
                                      and a.review_on <= today),
                          progress=a.progress, priority=a.priority,
                          overdue=is_overdue(a, today))
                for a in found]
    far = dt.date.max
    rows.sort(key=lambda r: (not r.overdue, -r.overdue_working_days, r.due_on or far, r.id))
    return rows


def due_for_review(ctx: ServiceContext, on: dt.date | None = None) -> list[ActionRow]:
    """Live audit actions whose two-week review date has come (seed 001)."""
    guard(ctx, P.VIEW_AUDITS)
    day = on or ctx.today()
    return [r for r in list_actions(ctx) if r.status in LIVE and r.review_on is not None
            and r.review_on <= day]
