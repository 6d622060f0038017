"""The log file, and the rule that nothing personal ever reaches it.

Why a formatter of our own: Python's traceback text carries each exception's message,
and SQLAlchemy's messages quote the SQL and its bound parameters (children's names,
case references, dates of birth). The engine is made with ``hide_parameters`` too, but
a log must be safe whatever raised: here a traceback keeps its frames (file, line,
function: code, not data) and each exception's type, and keeps a message only for
kinds whose messages are written by code, never copied from data. SQLite's own error
text ("database is locked") is kept; the ``[SQL: ...]``/``[parameters: ...]`` parts are
cut. The file is created readable by its owner only.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import traceback
from io import TextIOWrapper
from pathlib import Path
from types import TracebackType

LOG_NAME = "dipsample.log"
#: Kept small: a log is for a support call, not an archive.
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
WITHHELD = "(message withheld: it may hold personal data)"

#: Exception kinds whose messages come from code (names of attributes, types), not data.
_CODE_MESSAGES: tuple[type[BaseException], ...] = (
    AttributeError, NameError, ImportError, NotImplementedError, RecursionError,
    MemoryError, ZeroDivisionError, TypeError, AssertionError, TimeoutError,
)
_SQL_TAIL = re.compile(r"\s*\[(SQL|parameters|Background on this error)[^\]]*\].*", re.S)
#: Anything in quotes inside a database message could be a value; cut it.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def safe_message(exc: BaseException) -> str:
    """The part of ``exc``'s message that cannot hold personal data, possibly empty."""
    from desktop.errors import UserError

    if isinstance(exc, UserError):
        return exc.message
    if isinstance(exc, OSError):
        return f"[errno {exc.errno}] {exc.strerror or ''}".strip()
    if isinstance(exc, _CODE_MESSAGES):
        return str(exc)
    code = getattr(exc, "sqlite_errorname", None)
    if code is not None:
        return f"{code}: {_QUOTED.sub('…', _SQL_TAIL.sub('', str(exc)))}"
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    if isinstance(orig, BaseException):
        return f"(from {type(orig).__name__}) {safe_message(orig)}"
    return WITHHELD


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """``exc`` and the exceptions it was raised from, oldest first, with the joining words."""
    out: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append((current, link))
        if current.__cause__ is not None:
            link, current = "The above exception was the direct cause of:", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            link = "During handling of the above exception, another occurred:"
            current = current.__context__
        else:
            current = None
    return list(reversed(out))


def format_safely(exc: BaseException, trace: TracebackType | None = None) -> str:
    """A traceback with frames and exception types, and no data-bearing messages."""
    parts: list[str] = []
    chain = _chain(exc)
    for i, (item, _link) in enumerate(chain):
        tb = trace if item is exc and trace is not None else item.__traceback__
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(tb))
        name = f"{type(item).__module__}.{type(item).__qualname__}"
        message = safe_message(item)
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
        if i + 1 < len(chain):
            parts.append(f"\n{chain[i + 1][1]}\n\n")
    return "".join(parts).rstrip("\n")


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the ordinary traceback text on the record.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: tuple[type[BaseException], BaseException, TracebackType | None]
                        | tuple[None, None, None]) -> str:
        _kind, exc, trace = ei
        if exc is None:
            return ""
        return format_safely(exc, trace)


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Creates each log file with mode 0600 (``umask`` could leave it world-readable)."""

    def _open(self) -> TextIOWrapper:
        path = Path(self.baseFilename)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(path, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8")


def log_file() -> Path:
    from desktop import paths

    return paths.log_dir() / LOG_NAME


_installed: logging.Handler | None = None


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Send the root logger to the private log file; returns the file, or None if unwritable.

    Idempotent: a second call (the window opened from ``demo --open``) adds nothing.
    """
    global _installed
    root = logging.getLogger()
    if _installed is not None:
        return Path(getattr(_installed, "baseFilename", "")) or None
    target: Path | None = None
    try:
        target = log_file()
        handler: logging.Handler = _PrivateRotatingHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False)
    except OSError:
        handler, target = logging.NullHandler(), None
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # SQLAlchemy logs statements and parameters at INFO when echo is on; never here.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    _installed = handler
    return target
