"""What the status bar says about the open store: the last import, and whether it is empty.

Why a service: the date is read from the event log (each import appends one
``caseload_import`` event), and views never build a query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.models import Case, User
from desktop.models.log import Event
from desktop.services.context import ServiceContext

IMPORT_ENTITY = "caseload_import"


@dataclass(frozen=True)
class StoreStatus:
    """Attributes:
        last_import: when the last caseload import was committed (aware UTC), or None.
        has_cases / has_people: whether the store holds any case / any user: a new,
            empty store says what to do first.
    """

    last_import: dt.datetime | None
    has_cases: bool = True
    has_people: bool = True


def store_status(ctx: ServiceContext) -> StoreStatus:
    """One indexed read (the event log's entity index): cheap on any store size."""
    with ctx.store.read() as session:
        last = session.scalar(select(func.max(Event.at)).where(Event.entity == IMPORT_ENTITY))
        has_cases = session.scalar(select(Case.id).limit(1)) is not None
        has_people = session.scalar(select(User.id).limit(1)) is not None
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    return StoreStatus(last_import=last, has_cases=has_cases, has_people=has_people)
