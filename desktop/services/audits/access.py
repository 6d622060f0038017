"""Who is acting, and what their roles let them do in the audit workflow.

Why here and not in the GUI: docs/architecture.md asks for roles enforced in the services, so a
command-line user or a future web view meets the same rules.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.errors import RuleViolation
from desktop.models import User
from desktop.services.context import ServiceContext


def roles_of(session: Session, user_id: str | None) -> frozenset[str]:
    if user_id is None:
        return frozenset()
    user = session.get(User, user_id)
    if user is None or user.deleted or not user.active:
        return frozenset()
    return user.role_set


def acting_user(ctx: ServiceContext, doing: str) -> str:
    """The acting user's id; refused when the work must be attributable to someone."""
    if ctx.user_id is None:
        raise RuleViolation(f"{doing} needs a signed-in user (on the command line: --user)")
    return ctx.user_id


def require_role(session: Session, ctx: ServiceContext, doing: str, *roles: str,
                 or_user: str | None = None) -> str:
    """The acting user's id when they hold one of ``roles`` (or are ``or_user``)."""
    user_id = acting_user(ctx, doing)
    if or_user is not None and user_id == or_user:
        return user_id
    if not roles_of(session, user_id) & set(roles):
        raise RuleViolation(f"{doing} needs the role {' or '.join(roles)}")
    return user_id
