"""Ids as a person types them: the whole UUID, or its first few characters.

Why prefixes: a listing shows ``fdd5ebb0``, and nobody retypes 36 characters; git
accepts a short commit id the same way. A prefix that fits more than one record is
refused, naming how many it fits, never which.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models.base import Synced

#: A prefix is at least this long (shorter ones fit too many records to be useful).
MIN_PREFIX = 4
_HEX = re.compile(r"[0-9a-fA-F-]+")
#: How long a listing's short id is.
SHORT = 8


def short_id(record_id: str | None) -> str:
    """The first :data:`SHORT` characters of an id, as listings print it."""
    return (record_id or "")[:SHORT]


def match_id(session: Session, model: type[Synced], text: str) -> list[str]:
    """The live ids of ``model`` that ``text`` names exactly or begins (at most two)."""
    typed = text.strip().lower()
    exact = session.scalar(select(model.id).where(model.id == typed))
    if exact is not None:
        return [exact]
    if len(typed) < MIN_PREFIX or not _HEX.fullmatch(typed):
        return []
    return list(session.scalars(select(model.id).where(
        func.substr(model.id, 1, len(typed)) == typed, model.deleted.is_(False)).limit(2)))


def expand_id(session: Session, model: type[Synced], text: str, what: str) -> str:
    """The one id ``text`` names (whole or a prefix of at least four characters).

    Raises:
        InputProblem: it names none, or a prefix fits more than one ``what``.
    """
    found = match_id(session, model, text)
    if len(found) > 1:
        raise InputProblem(f"'{text.strip()}' is the start of more than one {what}'s id; "
                           "give more of it")
    if not found:
        raise InputProblem(f"no {what} with the id '{text.strip()}'")
    return found[0]
