"""A database URL never carries a password: on a command line or in a settings file
every user of the machine can read it (``ps``, shell history, backups of settings).

Why a function of its own: the sync command, the settings screen and anything later
that takes a URL refuse it the same way, with the same hint (the keyring). The
password may hide in the user part (``user:secret@host``) or in the query
(``?password=secret``, which libpq also reads); both are refused.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from desktop.errors import InputProblem

#: Query parameters libpq and psycopg read a password from.
_SECRET_PARAMETERS = frozenset({"password", "passwd", "pwd", "sslpassword"})

HINT = ("store the password in the keyring with 'dipsample sync password --database URL' "
        "and give the URL without it")


def refuse_password_in_url(url: str) -> None:
    """Raise :class:`InputProblem` when ``url`` holds a password; the message never
    repeats the URL (it would repeat the password)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputProblem("The database URL is not valid: "
                           "postgresql://user@host:5432/dbname") from None
    if parsed.password is not None and str(parsed.password) != "":
        raise InputProblem(f"Do not put the password in the URL (command lines and "
                           f"settings are readable by others); {HINT}.")
    secret = _SECRET_PARAMETERS & {key.lower() for key in parsed.query}
    if secret:
        raise InputProblem(f"Do not put the password in the URL's '{sorted(secret)[0]}' "
                           f"parameter (command lines and settings are readable by "
                           f"others); {HINT}.")
