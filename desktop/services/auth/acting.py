"""Who acts at the command line: a person (``--user``), or the system (``--system``).

Why the system must be named on a council's store: the command line holds the database
key, so a command run with no name could read every child's record. Once anyone on the
store signs in with a password, a command that does not say who acts is refused, and the
system is still there for IT and scheduled scripts, but only when asked for by name,
and every command it runs is in the event log as the system's.

Why a person with no password is refused on a council's store: a name alone proves
nothing, so anyone at the laptop could act as anyone. On the demo county (built by
``dipsample demo``, marked so in ``store_meta``) people have no passwords, and a name is
enough, as the demo is for trying the app. Everywhere else the person sets a password
first (``dipsample users set-password NAME --user NAME``, or the window's sign-in asks
for one), which is what a person expects of a first sign-in.
"""

from __future__ import annotations

from sqlalchemy import select

from desktop.errors import PermissionRefused, UserError
from desktop.models import User
from desktop.models.log import Meta
from desktop.services.auth.signin import has_password
from desktop.services.context import ServiceContext
from desktop.store import Store
from desktop.store.events import record_event

#: ``store_meta`` key the demo builder sets: people there sign in without a password.
DEMO_KEY = "demo_county"
#: The event log's action for a command run as the system.
SYSTEM_ACTION = "system"


class SayWhoActs(UserError):
    """A command on a store with passwords did not say who acts (a usage error: exit 2)."""


def is_demo(store: Store) -> bool:
    with store.read() as session:
        return session.get(Meta, DEMO_KEY) is not None


def mark_demo(session: object) -> None:
    """Called by the demo builder in its own transaction."""
    session.merge(Meta(key=DEMO_KEY, value="1"))  # type: ignore[attr-defined]


def anyone_has_password(store: Store) -> bool:
    with store.read() as session:
        return session.scalar(select(User.id).where(
            User.password_hash.is_not(None), User.password_hash != "",
            User.deleted.is_(False)).limit(1)) is not None


def needs_password(store: Store, user_id: str) -> bool:
    """A person without a password may act only on the demo county."""
    return not has_password(ServiceContext(store=store), user_id) and not is_demo(store)


def refuse_passwordless(username: str) -> PermissionRefused:
    return PermissionRefused(
        f"{username} has no password yet, and on a council's database a person signs in "
        f"with one: set it first with 'dipsample users set-password {username} --user "
        f"{username}' (or sign in to the window, which asks for one).")


def require_named_actor(store: Store) -> None:
    """Refuse a command that names nobody on a store where people have passwords."""
    if anyone_has_password(store):
        raise SayWhoActs(
            "say who is acting: --user NAME (or DIPSAMPLE_USER) for a person, or "
            "--system for IT and scripts (logged as the system)")


def log_system(store: Store, command: str) -> None:
    """One event per command the system runs, so IT's scripts leave a trace too."""
    with store.transaction() as session:
        record_event(session, user_id=None, action=SYSTEM_ACTION, entity="command",
                     entity_id=command[:36], detail={"command": command[:60]})
