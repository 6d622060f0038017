"""Finding a user by what a person types: the one lookup behind ``--user``, ``--auditor``.

Why one place: each command used to look users up its own way (``sample`` by username
only, ``audits`` by id or username, ``actions`` also by staff reference), so the same
``--user`` worked in one command and not the next. The accepted forms, in order: the
user's id, their username (any letter case), or the staff reference of the worker they
are in the case system.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models import User, Worker

FORMS = "a user id, a username or a staff reference"


def find_user(session: Session, who: str) -> User | None:
    """The live user ``who`` names, or None."""
    text = who.strip()
    if not text:
        return None
    user = session.scalar(select(User).where(
        or_(User.id == text, func.lower(User.username) == text.lower()),
        User.deleted.is_(False)))
    if user is not None:
        return user
    return session.scalar(select(User).join(Worker, Worker.id == User.worker_id).where(
        Worker.staff_ref == text, Worker.deleted.is_(False), User.deleted.is_(False)))


def resolve_user(session: Session, who: str, *, option: str = "--user") -> User:
    """Like :func:`find_user`, but a name that fits nobody is refused in one line.

    The message repeats what was typed: it is a username the person gave on the command
    line, not data read from a file.
    """
    user = find_user(session, who)
    if user is None:
        raise InputProblem(f"no user '{who.strip()}' ({option} takes {FORMS})")
    return user
