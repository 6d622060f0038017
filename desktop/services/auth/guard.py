"""The one check every service makes at its door: may the acting user do this here?

Why a refusal is both an error and an event: the person is told plainly (one line,
:class:`~desktop.errors.PermissionRefused`), and the information governance officer
can later see who tried what (``action = "refuse"``, the permission's code, the
record's id, never its content). The event is written in a transaction of its own, so
it stays when the refused call rolls back: call :func:`guard` before opening the
service's own transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from desktop.errors import PermissionRefused
from desktop.models import User
from desktop.services.auth.roles import (
    MEANING,
    ROLE_TITLES,
    Permission,
    permissions_of,
)
from desktop.services.auth.scope import SYSTEM, Scope, audit_visible, case_visible, scope_of
from desktop.services.context import ServiceContext
from desktop.store.events import record_event

log = logging.getLogger(__name__)

#: The event log's action for a refusal.
REFUSE = "refuse"


@dataclass(frozen=True)
class Actor:
    """Who is acting and what they may do.

    Attributes:
        user_id: None for the system (which may do everything).
        known: the user exists, is active and not deleted (None: the system).
    """

    user_id: str | None
    roles: frozenset[str]
    permissions: frozenset[Permission]
    scope: Scope
    known: bool = True

    @property
    def system(self) -> bool:
        return self.user_id is None

    def may(self, permission: Permission) -> bool:
        return self.system or permission in self.permissions


SYSTEM_ACTOR = Actor(None, frozenset(), frozenset(Permission), SYSTEM)


def actor_in(session: Session, user_id: str | None) -> Actor:
    if user_id is None:
        return SYSTEM_ACTOR
    user = session.get(User, user_id)
    if user is None or user.deleted or not user.active:
        return Actor(user_id, frozenset(), frozenset(), Scope(), known=user is not None)
    roles = user.role_set
    return Actor(user_id, roles, permissions_of(roles), scope_of(session, user))


def actor_of(ctx: ServiceContext) -> Actor:
    """The acting user, their permissions and scope (one read)."""
    if ctx.user_id is None:
        return SYSTEM_ACTOR
    with ctx.store.read() as session:
        return actor_in(session, ctx.user_id)


def allowed(ctx: ServiceContext, permission: Permission) -> bool:
    """Whether the acting user holds ``permission`` (for a screen to offer a button);
    nothing is logged. The service still guards itself."""
    return actor_of(ctx).may(permission)


def _roles_words(actor: Actor) -> str:
    titles = sorted(ROLE_TITLES.get(r, r) for r in actor.roles)  # type: ignore[call-overload]
    return ", ".join(titles) if titles else "none"


def guard(ctx: ServiceContext, permission: Permission, *, case_id: str | None = None,
          audit_id: str | None = None) -> Actor:
    """The acting user, when they hold ``permission`` and reach the case or audit named.

    Raises:
        PermissionRefused: they do not; the refusal is already in the event log.
    """
    if ctx.user_id is None:
        return SYSTEM_ACTOR
    with ctx.store.read() as session:
        actor = actor_in(session, ctx.user_id)
        if not actor.may(permission):
            reason = (f"You may not {MEANING[permission]}: your roles "
                      f"({_roles_words(actor)}) do not allow it. An administrator "
                      "can change your roles.")
            if not actor.known or not actor.roles:
                reason = (f"You may not {MEANING[permission]}: this account is not "
                          "active or holds no role. An administrator can change that.")
            entity, entity_id = _target(case_id, audit_id)
        elif case_id is not None and not case_visible(session, actor.scope, case_id):
            entity, entity_id = "case", case_id
            reason = "This case is outside the cases your roles let you see."
        elif audit_id is not None and not audit_visible(session, actor.scope, audit_id):
            entity, entity_id = "audit", audit_id
            reason = "This audit is outside the audits your roles let you see."
        else:
            return actor
    refuse(ctx, actor, permission, entity, entity_id)
    raise PermissionRefused(reason)


def _target(case_id: str | None, audit_id: str | None) -> tuple[str, str]:
    if audit_id is not None:
        return "audit", audit_id
    if case_id is not None:
        return "case", case_id
    return "permission", ""


def refuse(ctx: ServiceContext, actor: Actor, permission: Permission | str, entity: str,
           entity_id: str) -> None:
    """Write the refusal to the event log in a transaction of its own."""
    lock = ctx.store._write_lock
    if getattr(lock, "_is_owned", lambda: False)():
        # Inside the caller's own transaction a second one would wait on itself.
        log.warning("a refusal of %s was not logged: guard called inside a transaction",
                    permission)
        return
    with ctx.store.transaction() as session:
        record_event(session, user_id=actor.user_id if actor.known else None,
                     action=REFUSE, entity=entity, entity_id=entity_id[:36],
                     detail={"permission": str(permission)})
