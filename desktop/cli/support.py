"""What every subcommand needs: open the store from ``--db``, print text or JSON."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from desktop import paths
from desktop.errors import InputProblem
from desktop.services.auth.roles import Permission
from desktop.services.context import ServiceContext
from desktop.store import Store, open_store


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else paths.default_db_path()


def waiting_notice() -> None:
    """Said once when a write waits for another DipSample process (an import, a sync)."""
    print("waiting for another DipSample process to finish writing...", file=sys.stderr,
          flush=True)


def open_for(args: argparse.Namespace, *, create: bool = False) -> Store:
    """The store named by ``--db``; only commands that fill a store pass ``create``."""
    return open_store(db_path(args), create=create, on_wait=waiting_notice)


@contextmanager
def store_from(args: argparse.Namespace) -> Iterator[Store]:
    """An existing store: a missing or empty file is refused, never created."""
    store = open_for(args)
    try:
        yield store
    finally:
        store.close()


class NewStore:
    """A store a command may create; :meth:`discard` removes it again if it stayed empty.

    Why: a refused import into a new path used to leave a new, empty database behind
    (and its key), which the next command then opened as if it were real.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        path = db_path(args).expanduser().resolve()
        self.created = not path.exists()
        self.store = open_for(args, create=True)

    def close(self, *, keep: bool) -> None:
        self.store.close()
        if self.created and not keep:
            remove_store_files(self.store.path)


def remove_store_files(path: Path) -> None:
    from desktop.store import keys

    for suffix in ("", "-wal", "-shm", "-journal", ".kdf"):
        target = path.with_name(path.name + suffix)
        if target.exists():
            target.unlink()
    keys.forget_key(path)


def acting_username(args: argparse.Namespace) -> str | None:
    return getattr(args, "user", None) or os.environ.get("DIPSAMPLE_USER") or None


def command_words(args: argparse.Namespace) -> str:
    """"report weekly", "users add": the command and its action (every subcommand
    group's parser stores its choice as ``<name>_command``)."""
    actions = [str(value) for name, value in sorted(vars(args).items())
               if name.endswith("_command") and value]
    return " ".join([str(getattr(args, "command", None) or "command"), *actions])


def acting_user_id(store: Store, args: argparse.Namespace, *,
                   first_password: bool = False) -> str | None:
    """The id of the person named by ``--user`` or ``$DIPSAMPLE_USER``, or None for the
    system (``--system``); every subcommand that opens a store asks this once.

    A person with a password gives it (``$DIPSAMPLE_PASSWORD``, else asked at the
    terminal), checked and logged as the window's sign-in is; a person without one may
    act only on the demo county, or to set their first password (``first_password``).
    Naming nobody is refused on a store where people have passwords
    (desktop/services/auth/acting.py says why).
    """
    from desktop.services.auth import acting
    from desktop.services.auth.signin import cli_sign_in
    from desktop.services.users import resolve_user

    who = acting_username(args)
    system = bool(getattr(args, "system", False))
    if who is not None and system:
        raise InputProblem("give --user or --system, not both")
    if who is None:
        if system:
            acting.log_system(store, command_words(args))
        else:
            acting.require_named_actor(store)  # on a store where nobody has a password
        return None
    with store.read() as session:
        user = resolve_user(session, who)
        user_id, username = user.id, user.username
    if not first_password and acting.needs_password(store, user_id):
        raise acting.refuse_passwordless(username)
    cli_sign_in(store, user_id)
    return user_id


def acting_context(store: Store, args: argparse.Namespace) -> ServiceContext:
    """A service context for whoever acts (see :func:`acting_user_id`), with a progress
    bar for a person at a terminal."""
    return ServiceContext(store=store, user_id=acting_user_id(store, args),
                          progress=progress_printer(args))


def permitted_context(store: Store, args: argparse.Namespace,
                      permission: Permission) -> ServiceContext:
    """:func:`acting_context`, refused (and logged) unless whoever acts holds
    ``permission``: for commands that are one permission as a whole (check, key)."""
    from desktop.services.auth.guard import guard

    ctx = acting_context(store, args)
    guard(ctx, permission)
    return ctx


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, default=_default, indent=2, ensure_ascii=False)


def emit(args: argparse.Namespace, data: Any, text: Callable[[], str] | str) -> None:
    """Print ``data`` as JSON with ``--json``, else the human text."""
    if args.json:
        print(to_json(data))
    else:
        print(text() if callable(text) else text)


BAR_WIDTH = 30


class ProgressBar:
    """A one-line progress bar redrawn in place: ``[#######.......]  45% checking rows``.

    Why redrawn only when something shows a change: an import reports progress every
    few thousand rows, a draw per case; a terminal written to 100,000 times slows the
    work it reports on. The line ends when a stage completes, so the next output starts
    on a clean line.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown: tuple[int, str] | None = None
        self.open = False

    def __call__(self, done: int, total: int, stage: str) -> None:
        filled = BAR_WIDTH * min(done, total) // total if total > 0 else 0
        percent = 100 * min(done, total) // total if total > 0 else 0
        key = (percent, stage)
        finished = total > 0 and done >= total
        if key == self.shown and not finished:
            return
        if key == self.shown and not self.open:
            return  # this stage's full bar is already on the screen
        self.shown = key
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        end = "\n" if finished else ""
        self.stream.write(f"\r[{bar}] {percent:3d}% {stage[:40]:<40}{end}")
        self.stream.flush()
        self.open = not finished


def progress_printer(args: argparse.Namespace, stream: TextIO | None = None
                     ) -> Callable[[int, int, str], None] | None:
    """A progress bar on stderr for a person at a terminal; nothing for scripts, pipes
    and ``--json``."""
    out = sys.stderr if stream is None else stream
    if getattr(args, "json", False) or not out.isatty():
        return None
    return ProgressBar(out)
