"""Errors a user can act on, kept apart from bugs.

Why: qutebrowser splits ``KnownError`` (disk full, locked, wrong key: told plainly)
from ``BugError``. Everything raised as :class:`UserError` is shown as one clear line
by the CLI and the window; anything else is a bug and is logged without personal data.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user (or their IT team) can fix; the message is shown as is.

    Attributes:
        exit_code: 1 when the operation found problems in the input, 2 for usage or
            environment problems (the CLI's contract).
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EnvironmentProblem(UserError):
    """The machine is not set up to run safely (no key, network drive, bad file)."""


class KeyUnavailable(EnvironmentProblem):
    """No keyring and no passphrase: we refuse rather than write an open database."""


class WrongKey(EnvironmentProblem):
    """The key does not open the database, or the file is not a DipSample database."""


class NetworkPathRefused(EnvironmentProblem):
    """SQLite's locking is unreliable on network file systems (sqlite.org/faq #5)."""


class SchemaTooNew(EnvironmentProblem):
    """The database was written by a newer DipSample; opening it could lose data."""


class InputProblem(UserError):
    """The input (a file, an answer) was refused; nothing was written."""

    exit_code = 1


class PermissionRefused(UserError):
    """The acting user's roles do not allow this; the refusal is in the event log."""

    exit_code = 1


class RuleViolation(UserError):
    """A business rule refused the operation (e.g. submitting with answers missing)."""

    exit_code = 1
