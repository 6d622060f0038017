"""Which cases and audits a person's roles reach (the "sees" column of the README's table).

Why by role: an auditor sees the cases of their own service areas and their own
audits; a team manager the cases and audits of their teams; a social worker the audits
of their own cases; QA and moderators everything. Several roles add up. Each rule is
written twice on purpose, once for one record (:func:`case_visible`,
:func:`audit_visible`, the check before a record is shown) and once as a SQL condition
(:func:`case_condition`, :func:`audit_condition`) for lists, which must not read
100,000 cases into Python to filter them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from desktop.models import Audit, Case, User, UserServiceArea, Worker
from desktop.services.auth.roles import ROLE_REACH, Reach


def _reaching(reach: Reach) -> frozenset[str]:
    return frozenset(str(role) for role, held in ROLE_REACH.items() if reach in held)


#: Roles that see every case and every audit.
EVERYTHING = _reaching(Reach.EVERYTHING)
#: Roles that see the cases (and those cases' audits) of their own service areas. An
#: auditor too: a case's timeline lists its audits, so seeing the case is seeing them.
BY_AREA = _reaching(Reach.AREAS)
BY_TEAM = _reaching(Reach.TEAM)
OWN_AUDITS = _reaching(Reach.OWN_AUDITS)
OWN_CASES = _reaching(Reach.OWN_CASES)


@dataclass(frozen=True)
class Scope:
    """What a person reaches.

    Attributes:
        everything: QA, a moderator, or the system.
        user_id: their own audits (an auditor's).
        case_areas: service areas whose cases they see.
        audit_areas: service areas whose cases' audits they see.
        teams: teams whose cases and audits they see (a team manager's).
        worker_id: the worker whose cases' audits they see (a social worker's).
    """

    everything: bool = False
    user_id: str | None = None
    case_areas: frozenset[str] = frozenset()
    audit_areas: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    worker_id: str | None = None


SYSTEM = Scope(everything=True)


def scope_of(session: Session, user: User) -> Scope:
    roles = user.role_set
    if roles & EVERYTHING:
        return SYSTEM
    areas = frozenset(session.scalars(select(UserServiceArea.service_area_id).where(
        UserServiceArea.user_id == user.id, UserServiceArea.deleted.is_(False))))
    team_ids: frozenset[str] = frozenset()
    if roles & BY_TEAM and user.worker_id is not None:
        team = session.scalar(select(Worker.team_id).where(Worker.id == user.worker_id))
        team_ids = frozenset({team}) if team else frozenset()
    by_area = areas if roles & BY_AREA else frozenset()
    return Scope(
        user_id=user.id if roles & OWN_AUDITS else None,
        case_areas=by_area,
        audit_areas=by_area,
        teams=team_ids,
        worker_id=user.worker_id if roles & OWN_CASES else None)


def case_condition(scope: Scope) -> ColumnElement[bool]:
    """The cases ``scope`` sees, as a condition on :class:`Case`."""
    if scope.everything:
        return true()
    parts: list[ColumnElement[bool]] = []
    if scope.case_areas:
        parts.append(Case.service_area_id.in_(sorted(scope.case_areas)))
    if scope.teams:
        parts.append(Case.team_id.in_(sorted(scope.teams)))
    if scope.user_id is not None:
        parts.append(Case.id.in_(select(Audit.case_id).where(
            Audit.auditor_id == scope.user_id)))
    return or_(*parts) if parts else false()


def audit_condition(scope: Scope) -> ColumnElement[bool]:
    """The audits ``scope`` sees, as a condition on :class:`Audit`."""
    if scope.everything:
        return true()
    parts: list[ColumnElement[bool]] = []
    if scope.user_id is not None:
        parts.append(Audit.auditor_id == scope.user_id)
    case_parts: list[ColumnElement[bool]] = []
    if scope.audit_areas:
        case_parts.append(Case.service_area_id.in_(sorted(scope.audit_areas)))
    if scope.teams:
        case_parts.append(Case.team_id.in_(sorted(scope.teams)))
    if scope.worker_id is not None:
        case_parts.append(Case.worker_id == scope.worker_id)
    if case_parts:
        parts.append(Audit.case_id.in_(select(Case.id).where(or_(*case_parts))))
    return or_(*parts) if parts else false()


def case_visible(session: Session, scope: Scope, case_id: str) -> bool:
    """Whether ``scope`` reaches the case; a case not in the store passes, so that the
    service says plainly that it is not there (ids are random: nothing is revealed)."""
    if scope.everything:
        return True
    found = session.scalar(select(case_condition(scope)).where(Case.id == case_id))
    return found is None or bool(found)


def audit_visible(session: Session, scope: Scope, audit_id: str) -> bool:
    """As :func:`case_visible`, for an audit."""
    if scope.everything:
        return True
    found = session.scalar(select(audit_condition(scope)).where(Audit.id == audit_id))
    return found is None or bool(found)
