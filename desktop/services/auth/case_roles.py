"""Who answers for a case: its team manager, the head of service over its area, or QA.

Why a rule of its own: a concern of significant harm is addressed to the case's team
manager (seed 001), and goes to the head of service when the team manager does not
answer in time; a change of a child's risk rating is the team manager's decision, taken
with the auditor, or QA's. The auditor who raised the concern or the disagreement must
not be able to answer it themselves, which the permission table alone (both hold
"disagreements and escalations") cannot say.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Case, User, UserServiceArea, Worker
from desktop.models.enums import Role, WorkerRole
from desktop.services.auth.guard import Actor


def manages_case(session: Session, actor: Actor, case: Case,
                 team_manager_id: str | None = None) -> bool:
    """The actor is the case's team manager: the worker the record names (or
    ``team_manager_id``, the one a concern was addressed to), or a team manager of the
    case's team."""
    if actor.user_id is None:
        return False
    worker_id = session.scalar(select(User.worker_id).where(User.id == actor.user_id))
    if worker_id is None or Role.TEAM_MANAGER.value not in actor.roles:
        return False
    if worker_id in {case.team_manager_id, team_manager_id} - {None}:
        return True
    return case.team_id is not None and session.scalar(select(Worker.id).where(
        Worker.id == worker_id, Worker.team_id == case.team_id,
        Worker.role == WorkerRole.TEAM_MANAGER.value)) is not None


def heads_service_of(session: Session, actor: Actor, case: Case) -> bool:
    """The actor is a head of service of the case's service area."""
    if actor.user_id is None or Role.HEAD_OF_SERVICE.value not in actor.roles:
        return False
    return case.service_area_id is not None and session.scalar(
        select(UserServiceArea.id).where(
            UserServiceArea.user_id == actor.user_id,
            UserServiceArea.service_area_id == case.service_area_id,
            UserServiceArea.deleted.is_(False))) is not None


def answers_for(session: Session, actor: Actor, case: Case,
                team_manager_id: str | None = None) -> bool:
    """The system, QA, the case's team manager or the head of service over it."""
    if actor.system or Role.QA.value in actor.roles:
        return True
    return (manages_case(session, actor, case, team_manager_id)
            or heads_service_of(session, actor, case))
