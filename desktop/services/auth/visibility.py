"""What a person may read, applied by the session to every query, not by each service.

Why in the session: a check written at the door of each service is forgotten at the next
new one (a report, a batch of PDFs, an export, a screen's list all read the same records
by their own queries). :func:`scoped_read` returns a session in which every ORM query of
a case, an audit or anything hanging off one (answers, comments, moderations, actions,
disagreements, escalations and their steps, sample items, claims, case events,
exercises) carries the acting person's scope as extra criteria
(SQLAlchemy's ``with_loader_criteria``), lazy and eager loads included. A record outside
the scope is simply not there for that session: ``session.get`` returns None, a list
leaves it out, a count does not count it.

The scope itself is :mod:`desktop.services.auth.scope`'s; here it is written once more
on the tables (Core columns) for the subqueries, so the criteria on one entity never
pull in the criteria of another (a criterion on audits that named the ``Case`` entity
would be rewritten by the criterion on cases, and so on).

What stays outside: the figures weighted to the whole caseload (they are counts, not
records, and the estimate is of the council's caseload, see docs/statistics.md) and
the bookkeeping of sync and of the event log, which read through ``ctx.store`` on
purpose. ``tests/unit/security/test_scoped_reads.py`` fails on a synced table that is
neither scoped here nor named there as holding no child's record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, event, false, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from desktop.errors import PermissionRefused
from desktop.models import (
    Action,
    ActionStatusChange,
    Audit,
    AuditAnswer,
    AuditComment,
    Case,
    CaseEvent,
    Claim,
    Escalation,
    EscalationStep,
    ExerciseSummary,
    Moderation,
    RagDisagreement,
    Sample,
    SampleItem,
    Synced,
)
from desktop.services.auth.scope import Scope
from desktop.services.context import ServiceContext

_cases = Case.__table__
_audits = Audit.__table__
_escalations = Escalation.__table__
_items = SampleItem.__table__
_actions = Action.__table__

#: Execution option that lets one statement read past the scope (the scope's own
#: look-ups, and a guard that must tell "outside your scope" from "not there").
UNSCOPED = "dipsample_unscoped"

#: Execution option that lets one statement of a reading session see tombstones too.
WITH_TOMBSTONES = "dipsample_with_tombstones"

#: Every synced record's tombstone, left out of every ORM query of a reading session
#: (lazy and eager loads too). Why here and not in each query: a tombstone is a record
#: that is gone for every reader; a hand-written ``deleted`` filter forgotten in one new
#: query shows a deleted action, case or answer as live (there were 127 such filters).
_LIVE_ONLY = with_loader_criteria(Synced, lambda cls: cls.deleted.is_(False),
                                  include_aliases=True)


def _in(column: Any, values: frozenset[str]) -> ColumnElement[bool]:
    return column.in_(sorted(values))


def _case_parts(cases: Any, scope: Scope, areas: frozenset[str]) -> list[ColumnElement[bool]]:
    """The conditions on a case's own columns (``cases``: the ``Case`` entity or the
    Core table's columns) that put it in ``scope``: its area, team or worker."""
    parts: list[ColumnElement[bool]] = []
    if areas:
        parts.append(_in(cases.service_area_id, areas))
    if scope.teams:
        parts.append(_in(cases.team_id, scope.teams))
    if scope.worker_id is not None:
        parts.append(cases.worker_id == scope.worker_id)
    return parts


def _own_audits_cases(cases: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """An auditor's reach also holds the cases they audited."""
    if scope.user_id is None:
        return []
    return [cases.id.in_(select(_audits.c.case_id).where(
        _audits.c.auditor_id == scope.user_id))]


def case_ids(scope: Scope) -> Any:
    """A subquery of the ids of the cases ``scope`` reaches: those it sees, and for a
    social worker their own cases (to name the case of an audit they may read)."""
    parts = (_case_parts(_cases.c, scope, scope.case_areas)
             + _own_audits_cases(_cases.c, scope))
    return select(_cases.c.id).where(or_(*parts) if parts else false())


def audit_ids(scope: Scope) -> Any:
    """A subquery of the ids of the audits ``scope`` reaches."""
    parts: list[ColumnElement[bool]] = []
    if scope.user_id is not None:
        parts.append(_audits.c.auditor_id == scope.user_id)
    case_parts = _case_parts(_cases.c, scope, scope.audit_areas)
    if case_parts:
        parts.append(_audits.c.case_id.in_(select(_cases.c.id).where(or_(*case_parts))))
    return select(_audits.c.id).where(or_(*parts) if parts else false())


def _case_reach(scope: Scope) -> ColumnElement[bool]:
    """On :class:`Case` itself, without a self-join where the columns say it."""
    parts = _case_parts(Case, scope, scope.case_areas) + _own_audits_cases(Case, scope)
    return or_(*parts) if parts else false()


def _action_reach(actions: Any, scope: Scope) -> ColumnElement[bool]:
    """An action of a case or audit they reach, one they own, or one of a council-wide
    improvement plan or of an exercise they reach (no child's record in either)
    (``actions``: the ``Action`` entity or the Core table's columns)."""
    parts: list[ColumnElement[bool]] = [
        actions.case_id.in_(case_ids(scope)),
        actions.audit_id.in_(audit_ids(scope)),
        and_(actions.case_id.is_(None), actions.audit_id.is_(None),
             or_(actions.finding_id.is_not(None),
                 actions.exercise_id.in_(_exercise_ids(scope)))),
    ]
    if scope.user_id is not None:
        parts.append(actions.owner_user_id == scope.user_id)
    if scope.worker_id is not None:
        parts.append(actions.owner_worker_id == scope.worker_id)
    return or_(*parts)


def _exercise_reach(exercises: Any, scope: Scope) -> ColumnElement[bool]:
    """A council-wide exercise (no area), one of their areas, or one they wrote
    (``exercises``: the ``ExerciseSummary`` entity or the Core table's columns)."""
    parts: list[ColumnElement[bool]] = [exercises.service_area_id.is_(None)]
    if scope.case_areas:
        parts.append(_in(exercises.service_area_id, scope.case_areas))
    if scope.user_id is not None:
        parts.append(exercises.author_id == scope.user_id)
    return or_(*parts)


def _exercise_ids(scope: Scope) -> Any:
    table = ExerciseSummary.__table__
    return select(table.c.id).where(_exercise_reach(table.c, scope))


def _sample_reach(scope: Scope) -> ColumnElement[bool]:
    """Their own samples, and the samples holding a case they reach (a coordinator's
    area, a team manager's team)."""
    parts: list[ColumnElement[bool]] = [Sample.id.in_(select(_items.c.sample_id).where(
        _items.c.case_id.in_(case_ids(scope))))]
    if scope.user_id is not None:
        parts.append(Sample.auditor_id == scope.user_id)
    return or_(*parts)


def criteria(scope: Scope) -> tuple[Any, ...]:
    """The loader criteria for ``scope`` (none for QA, moderators and the system)."""
    if scope.everything:
        return ()
    cases, audits = case_ids(scope), audit_ids(scope)
    escalations = select(_escalations.c.id).where(_escalations.c.case_id.in_(cases))
    pairs: list[tuple[type, ColumnElement[bool]]] = [
        (Case, _case_reach(scope)),
        (Audit, Audit.id.in_(audits)),
        (AuditAnswer, AuditAnswer.audit_id.in_(audits)),
        (AuditComment, AuditComment.audit_id.in_(audits)),
        (Moderation, Moderation.audit_id.in_(audits)),
        (Action, _action_reach(Action, scope)),
        # An action's status moves: those of the actions they reach.
        (ActionStatusChange, ActionStatusChange.action_id.in_(
            select(_actions.c.id).where(_action_reach(_actions.c, scope)))),
        (RagDisagreement, RagDisagreement.case_id.in_(cases)),
        (Escalation, Escalation.case_id.in_(cases)),
        (EscalationStep, EscalationStep.escalation_id.in_(escalations)),
        (SampleItem, SampleItem.case_id.in_(cases)),
        (Claim, Claim.case_id.in_(cases)),
        (CaseEvent, CaseEvent.case_id.in_(cases)),
        (ExerciseSummary, _exercise_reach(ExerciseSummary, scope)),
        (Sample, _sample_reach(scope)),
    ]
    return tuple(with_loader_criteria(entity, condition, include_aliases=True)
                 for entity, condition in pairs)


def scope_session(session: Session, scope: Scope) -> Session:
    """Make every later ORM query of ``session`` carry ``scope``; returns ``session``."""
    options = criteria(scope)
    if not options:
        return session

    def _apply(state: ORMExecuteState) -> None:
        # Lazy and eager loads inherit the criteria from the statement that loaded
        # their parent (SQLAlchemy's documented pattern), so they are left alone.
        if (state.is_select and not state.is_column_load
                and not state.is_relationship_load
                and not state.execution_options.get(UNSCOPED, False)):
            state.statement = state.statement.options(*options)

    event.listen(session, "do_orm_execute", _apply)
    session.info["scope"] = scope
    return session


def core_case_reach(session: Session) -> list[ColumnElement[bool]]:
    """The session's scope as conditions on ``cases``, for a Core statement run on the
    session's own connection (which ORM events do not see): a service that reads cases
    that way for speed adds these, so its rows are the ones ``ctx.read()`` would give."""
    scope = session.info.get("scope")
    if scope is None or scope.everything:
        return []
    return [Case.id.in_(case_ids(scope))]


def require_reach(ctx: ServiceContext, model: type[Any], ids: Sequence[str],
                  entity: str, permission: str) -> None:
    """Refuse (and log) a write to records outside the acting person's reach.

    Why: a write by id (an action's status, a disagreement's discussion, an exercise's
    audits) reads its record in a transaction of its own, past the reading session's
    scope; without this an auditor could close another area's action by its id. A record
    not in the store at all is left for the service to name as missing.
    """
    if ctx.user_id is None or not ids:
        return
    with ctx.read() as session:
        scope = session.info.get("scope")
        if scope is None:
            return
        wanted = sorted(set(ids))
        seen = set(session.scalars(select(model.id).where(model.id.in_(wanted))))
        there = set(session.scalars(select(model.id).where(model.id.in_(wanted))
                                    .execution_options(**{UNSCOPED: True})))
    outside = sorted(there - seen)
    if not outside:
        return
    from desktop.services.auth.guard import actor_of, refuse

    refuse(ctx, actor_of(ctx), permission, entity, outside[0])
    raise PermissionRefused(f"This {entity.replace('_', ' ')} is outside the records your "
                            "roles let you see.")


def live_only(session: Session) -> Session:
    """Leave tombstones out of every later ORM query of ``session`` (unless a statement
    asks for them with :data:`WITH_TOMBSTONES`); returns ``session``."""

    def _apply(state: ORMExecuteState) -> None:
        if (state.is_select and not state.is_column_load
                and not state.is_relationship_load
                and not state.execution_options.get(WITH_TOMBSTONES, False)):
            state.statement = state.statement.options(_LIVE_ONLY)

    event.listen(session, "do_orm_execute", _apply)
    return session


def scoped_read(ctx: ServiceContext) -> Session:
    """A reading session held to the acting person's scope (the system's: everything),
    in which tombstoned records are not there.

    A person who is unknown, deactivated or deleted reaches nothing.
    """
    from desktop.services.auth.guard import actor_in

    session = live_only(ctx.store.read())
    if ctx.user_id is None:
        return session
    return scope_session(session, actor_in(session, ctx.user_id).scope)
