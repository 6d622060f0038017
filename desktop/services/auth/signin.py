"""Signing in with a password, and setting one.

Why a lock-out by count rather than by time: a laptop has no server to slow a guesser
down, and a clock on the laptop can be moved. After :data:`MAX_FAILURES` wrong
passwords in a row the account signs in no more until an administrator sets a new
password (``dipsample users set-password``); each wrong attempt is in the event log.

A user with no password yet (every user made before passwords existed, and the demo
county's) signs in without one until a password is set; docs/security.md says so.
"""

from __future__ import annotations

import getpass
import os
import sys

from sqlalchemy.orm import Session

from desktop.errors import InputProblem, PermissionRefused
from desktop.models import User
from desktop.services.auth.guard import actor_in, refuse
from desktop.services.auth.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from desktop.services.auth.roles import Permission
from desktop.services.context import ServiceContext
from desktop.store import Store
from desktop.store.events import record_event

MAX_FAILURES = 5
#: Where a script gives the acting user's password (never on the command line, where
#: every user of the machine can read it in the process list).
PASSWORD_ENV = "DIPSAMPLE_PASSWORD"
SIGNIN = "signin"
SIGNIN_REFUSED = "signin_refused"


def _live_user(session: Session, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted or not user.active:
        raise PermissionRefused("This account cannot sign in: it is not active.")
    return user


def has_password(ctx: ServiceContext, user_id: str) -> bool:
    with ctx.store.read() as session:
        user = session.get(User, user_id)
        return bool(user is not None and user.password_hash)


def sign_in(ctx: ServiceContext, user_id: str, password: str) -> None:
    """Check ``password`` for ``user_id``; logged either way (by ids, never the password).

    Raises:
        PermissionRefused: wrong password, an inactive account, or one locked out.
    """
    with ctx.store.transaction() as session:
        user = _live_user(session, user_id)
        if user.failed_signins >= MAX_FAILURES:
            problem = PermissionRefused(
                f"This account is locked after {MAX_FAILURES} wrong passwords; an "
                "administrator can set a new password.")
        elif not user.password_hash or verify_password(user.password_hash, password):
            if user.password_hash and needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            if user.failed_signins:
                user.failed_signins = 0
            record_event(session, user_id=user.id, action=SIGNIN, entity="user",
                         entity_id=user.id, detail={"password": bool(user.password_hash)})
            return
        else:
            user.failed_signins += 1
            left = MAX_FAILURES - user.failed_signins
            problem = PermissionRefused(
                "The password is wrong." + (f" {left} more tries before this account is "
                                            "locked." if 0 < left <= 2 else "")
                + (" This account is now locked; an administrator can set a new "
                   "password." if left <= 0 else ""))
        record_event(session, user_id=user.id, action=SIGNIN_REFUSED, entity="user",
                     entity_id=user.id, detail={"failures": user.failed_signins})
    raise problem


def set_password(ctx: ServiceContext, user_id: str, new: str, *,
                 old: str | None = None) -> None:
    """Set ``user_id``'s password: their own (the old one first, if they have one), or
    anyone's by an administrator (or the system), which also lifts a lock-out.

    Raises:
        InputProblem: the new password is too weak, or the old one is wrong.
        PermissionRefused: someone else's password, without the administrator role.
    """
    check_strength(new)
    own = ctx.user_id == user_id
    with ctx.store.read() as session:
        actor = actor_in(session, ctx.user_id)
    if not own and not actor.may(Permission.USERS):
        refuse(ctx, actor, Permission.USERS, "user", user_id)
        raise PermissionRefused("Only an administrator may set another person's password.")
    with ctx.store.transaction() as session:
        user = session.get(User, user_id)
        if user is None or user.deleted:
            raise InputProblem("There is no such user.")
        if own and not actor.may(Permission.USERS) and user.password_hash and (
                old is None or not verify_password(user.password_hash, old)):
            raise InputProblem("The current password is wrong; the password was not "
                               "changed.")
        user.password_hash = hash_password(new)
        user.failed_signins = 0
        record_event(session, user_id=ctx.user_id, action="change", entity="user",
                     entity_id=user.id, detail={"fields": ["password"]})


def choose_first_password(ctx: ServiceContext, user_id: str, new: str) -> None:
    """A person with no password yet chooses one at their first sign-in on a council's
    database, then is signed in with it (both logged).

    Raises:
        InputProblem: the password is too weak.
        PermissionRefused: the person has a password already (they type it instead).
    """
    check_strength(new)
    if has_password(ctx, user_id):
        raise PermissionRefused("This account has a password already: type it to sign in.")
    set_password(ServiceContext(store=ctx.store, user_id=user_id, clock=ctx.clock),
                 user_id, new)
    sign_in(ctx, user_id, new)


def cli_sign_in(store: Store, user_id: str) -> None:
    """The command line's sign-in: a user with a password gives it, from
    :data:`PASSWORD_ENV` or typed at the terminal. Logged either way, as the window's
    sign-in is (a user without a password is let in only where the caller allows it:
    the demo county, or to set their first password)."""
    ctx = ServiceContext(store=store)
    if not has_password(ctx, user_id):
        sign_in(ctx, user_id, "")
        return
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise PermissionRefused(f"This user has a password: set {PASSWORD_ENV} or run "
                                    "from a terminal to type it.")
        password = getpass.getpass("Password: ")
    sign_in(ctx, user_id, password)
