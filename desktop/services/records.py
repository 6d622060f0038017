"""A record by id as a service needs it: there and not tombstoned, or one sentence.

Why one helper: "get it by id, refuse it when missing or deleted" was written out in
every service that takes an id, each copy free to forget the tombstone (records are never
deleted, only marked, so a forgotten check acts on a deleted record) or to word the
refusal its own way. Read through ``ctx.read()``, a record outside the acting person's
reach is missing too (desktop/services/auth/visibility.py), so the refusal does not
tell them it exists.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models.base import Synced

M = TypeVar("M", bound=Synced)


def get_live(session: Session, model: type[M], record_id: str, what: str) -> M:
    """The ``model`` record ``record_id``, unless it is missing or tombstoned.

    Raises:
        InputProblem: "no {what} with id {record_id}" (``what`` as a person says it:
            "audit", "RAG disagreement").
    """
    row = session.get(model, record_id)
    if row is None or row.deleted:
        raise InputProblem(f"no {what} with id {record_id}")
    return row
