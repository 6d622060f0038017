"""Finding a user by what a person types: the one lookup behind ``--user``, ``--auditor``.

Why one place: each command used to look users up its own way (``sample`` by username
only, ``audits`` by id or username, ``actions`` also by staff reference), so the same
``--user`` worked in one command and not the next. The accepted forms, in order: the
user's id, their username (any letter case), or the staff reference of the worker they
are in the case system.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models import User, Worker
from desktop.services.context import ServiceContext
from desktop.services.people.ids import match_id

FORMS = "a user id (or its first characters), a username or a staff reference"


def action_owner_id(ctx: ServiceContext, owner: str) -> str:
    """An action owner named on the command line: a worker (id or staff reference)
    first, since actions are owned by workers; else a user in the forms of :data:`FORMS`.

    Raises:
        InputProblem: it names nobody (which used to print "no actions" and exit 0).
    """
    with ctx.store.read() as session:
        worker = session.scalar(select(Worker.id).where(
            or_(Worker.id == owner, Worker.staff_ref == owner), Worker.deleted.is_(False)))
        user = find_user(session, owner)
    found = worker or (user.id if user is not None else None)
    if found is None:
        raise InputProblem(f"no worker or user '{owner.strip()}' (--owner takes a staff "
                           f"reference or worker id, or {FORMS})")
    return found


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
    user = session.scalar(select(User).join(Worker, Worker.id == User.worker_id).where(
        Worker.staff_ref == text, Worker.deleted.is_(False), User.deleted.is_(False)))
    if user is not None:
        return user
    ids = match_id(session, User, text)  # the first characters of an id, as listed
    if len(ids) > 1:
        raise InputProblem(f"'{text}' is the start of more than one user's id; give more "
                           "of it")
    return session.get(User, ids[0]) if ids else None


def resolve_user(session: Session, who: str, *, option: str = "--user") -> User:
    """Like :func:`find_user`, but a name that fits nobody is refused in one line.

    The message repeats what was typed: it is a username the person gave on the command
    line, not data read from a file.
    """
    user = find_user(session, who)
    if user is None:
        raise InputProblem(f"no user '{who.strip()}' ({option} takes {FORMS})")
    return user


@dataclass(frozen=True)
class Person:
    """Someone who can sign in, as the sign-in list shows them.

    Attributes:
        roles: role codes (auditor, qa, team_manager, ...), for the list's second line.
        has_password: the sign-in dialog asks for their password.
        chooses_password: they have none yet on a council's database, so the sign-in
            dialog asks them to choose one (on the demo county nobody is asked:
            desktop/services/auth/acting.py).
    """

    id: str
    username: str
    name: str
    job_title: str
    roles: tuple[str, ...]
    has_password: bool = False
    chooses_password: bool = False

    def matches(self, text: str) -> bool:
        """Whether typed ``text`` finds this person (name, username or job title)."""
        wanted = text.strip().casefold()
        return not wanted or any(wanted in part.casefold()
                                 for part in (self.name, self.username, self.job_title))


def people(ctx: ServiceContext) -> list[Person]:
    """The active users of the store, by name: who may sign in on this laptop."""
    from desktop.services.auth.acting import is_demo

    demo = is_demo(ctx.store)
    with ctx.store.read() as session:
        users = session.scalars(select(User).where(User.deleted.is_(False),
                                                   User.active.is_(True))
                                .order_by(func.lower(User.name), User.username))
        return [Person(u.id, u.username, u.name, u.job_title,
                       tuple(sorted(u.role_set)), bool(u.password_hash),
                       chooses_password=not u.password_hash and not demo) for u in users]
