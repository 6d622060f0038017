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


def acting_user_id(store: Store, args: argparse.Namespace) -> str | None:
    """The id of the user named by ``--user`` or ``$DIPSAMPLE_USER`` (None: the system).

    A user with a password gives it (``$DIPSAMPLE_PASSWORD``, else asked at the
    terminal), checked and logged as the window's sign-in is (desktop/services/auth).
    """
    from desktop.services.auth.signin import cli_sign_in
    from desktop.services.users import resolve_user

    who = acting_username(args)
    if who is None:
        return None
    with store.read() as session:
        user_id = resolve_user(session, who).id
    cli_sign_in(store, user_id)
    return user_id


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
