"""SQLite's failures in plain sentences, for the command line and the window alike.

Why here: only the store knows SQLite, so only the store can tell "another DipSample
is writing" from "the disk is full". Callers pass any exception to
:func:`as_user_error`; a database condition a person can act on comes back as a
:class:`~desktop.errors.UserError` with one sentence, anything else as ``None`` (a bug).
"""

from __future__ import annotations

from pathlib import Path

from desktop.errors import EnvironmentProblem


class DatabaseBusy(EnvironmentProblem):
    """Another process held SQLite's write lock for longer than we wait."""


class DatabaseReadOnly(EnvironmentProblem):
    """The file, its folder or the disk does not accept writes."""


class DiskFull(EnvironmentProblem):
    """No room left to write the change."""


class DatabaseDamaged(EnvironmentProblem):
    """The file is not a database any more, or pages are damaged."""


class UpgradeFailed(EnvironmentProblem):
    """A schema upgrade failed and was rolled back; the store is as it was."""


# SQLite's primary result codes (sqlite.org/rescode.html).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, \
    14, 26

BUSY_MESSAGE = "the database is busy: another DipSample process is writing to it; try again " \
    "when it has finished"


def _driver_error(exc: BaseException) -> BaseException | None:
    """The driver's exception inside SQLAlchemy's wrapper (or ``exc`` itself)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        if getattr(current, "sqlite_errorcode", None) is not None:
            return current
        current = getattr(current, "orig", None) or current.__cause__
        seen += 1
    return None


def sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code carried by ``exc`` (or its cause), if any."""
    driver = _driver_error(exc)
    if driver is None:
        return None
    return int(driver.sqlite_errorcode) & 0xFF  # type: ignore[attr-defined]


def sqlite_name(exc: BaseException) -> str:
    """SQLite's name for the error (``SQLITE_CORRUPT``), never its message."""
    driver = _driver_error(exc)
    return str(getattr(driver, "sqlite_errorname", "")) or "an unknown SQLite error"


def as_user_error(exc: BaseException, path: Path | None = None) -> EnvironmentProblem | None:
    """A plain-sentence error for a database condition, or ``None`` when ``exc`` is a bug.

    ``path`` names the file in the message (its name only, never a value from it).
    """
    if isinstance(exc, EnvironmentProblem):
        return exc
    code = sqlite_code(exc)
    name = path.name if path is not None else "the database"
    if code in (_BUSY, _LOCKED):
        return DatabaseBusy(BUSY_MESSAGE)
    if code == _READONLY:
        return DatabaseReadOnly(
            f"{name} cannot be written: the file or its folder is read-only. Ask IT to make "
            "it writable, or copy it to a folder you can write to.")
    if code == _FULL:
        return DiskFull(f"the disk holding {name} is full; free some space and try again "
                        "(nothing was saved from the last step)")
    if code == _IOERR:
        return DatabaseReadOnly(
            f"the disk failed while reading or writing {name} (an I/O error); check the "
            "drive, then run 'dipsample check'")
    if code in (_CORRUPT, _NOTADB):
        from desktop.store.backups import backup_hint

        hint = backup_hint(path) if path is not None else "restore the latest backup beside it"
        return DatabaseDamaged(f"{name} is damaged; {hint}")
    if code == _CANTOPEN:
        return DatabaseReadOnly(f"{name} cannot be opened: the folder may be missing or "
                                "not writable")
    return None
