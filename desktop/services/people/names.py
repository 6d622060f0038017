"""Names for the ids a listing holds: what a person reads instead of a UUID.

Why one place: every text output (standards by team, actions, samples) must show names
and case references, never ids; a lookup per listing keeps each one query per kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.models import Case, ServiceArea, Synced, Team, User, Worker

_NAMED: dict[str, tuple[type[Synced], InstrumentedAttribute[str]]] = {
    "team": (Team, Team.name), "service_area": (ServiceArea, ServiceArea.name),
    "worker": (Worker, Worker.name), "user": (User, User.name),
    "case": (Case, Case.case_ref)}


def names_of(session: Session, kind: str, ids: Iterable[str | None]) -> dict[str, str]:
    """id to name (a case's reference) for the ids of ``kind`` that exist.

    Args:
        kind: "team", "service_area", "worker", "user" or "case".
    """
    model, column = _NAMED[kind]
    wanted = sorted({i for i in ids if i})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
        chunk = wanted[start:start + 500]
        found.update((r[0], r[1]) for r in session.execute(
            select(model.id, column).where(model.id.in_(chunk))))
    return found


def service_area_names(session: Session) -> list[str]:
    """Every live service area's name, sorted: what an unknown area is told to choose."""
    return sorted(session.scalars(select(ServiceArea.name).where(
        ServiceArea.deleted.is_(False))), key=str.casefold)


def find_service_area(session: Session, name: str) -> str | None:
    """The area's name as stored, matched in any letter case; None when there is none."""
    wanted = name.strip().casefold()
    return next((n for n in service_area_names(session) if n.casefold() == wanted), None)


def find_team(session: Session, name: str) -> str | None:
    """The live team's id for ``name`` in any letter case; None when there is none."""
    return session.scalar(select(Team.id).where(
        func.lower(Team.name) == name.strip().lower(), Team.deleted.is_(False)))


def user_labels(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """id to "Name (username)" for the users among ``ids``: how a listing names the
    auditor a sample was drawn for, so two people of one name are told apart."""
    wanted = sorted(set(ids))
    return {u.id: f"{u.name} ({u.username})" for u in session.scalars(
        select(User).where(User.id.in_(wanted)))}
