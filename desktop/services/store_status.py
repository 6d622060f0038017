"""What the status bar says about the open store: where its cases came from, and whether
it is empty.

Why a service: the dates are read from the event log (each import appends one
``caseload_import`` event, the demo county one ``demo_county`` event) and the sync log,
and views never build a query.

Why more than the last import: the event log stays on the computer that wrote it, so a
store whose cases came by sync, or from the demo county, has no import in its log. The
status bar said "No import on this computer yet" over 20,000 cases, which read as if the
store were empty or out of date; it now says where the cases came from, and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.models import Case, SyncLogEntry, User
from desktop.models.log import Event
from desktop.services.context import ServiceContext

IMPORT_ENTITY = "caseload_import"
#: The event the demo county's build appends (services/demo_county/build.py).
DEMO_ENTITY = "demo_county"


@dataclass(frozen=True)
class StoreStatus:
    """Attributes:
        last_import: when the last caseload import was committed here (aware UTC), or
            None.
        has_cases / has_people: whether the store holds any case / any user: a new,
            empty store says what to do first.
        demo_built: when the demo county was built in this store (aware UTC), or None.
        last_received: when a sync last brought records into this store, or None.
    """

    last_import: dt.datetime | None
    has_cases: bool = True
    has_people: bool = True
    demo_built: dt.datetime | None = None
    last_received: dt.datetime | None = None

    def cases_text(self, zone: dt.tzinfo) -> str:
        """Where the cases came from, for the status bar: true of any store."""
        def day(moment: dt.datetime) -> str:
            return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")

        if self.last_import is not None:
            return f"Last import: {day(self.last_import)}"
        if not self.has_cases:
            return "No caseload imported yet"
        if self.demo_built is not None:
            return f"Demo county (synthetic cases), built {day(self.demo_built)}"
        if self.last_received is not None:
            return f"Cases came by sync, last on {day(self.last_received)}"
        return "Cases came from another computer (none imported on this one)"


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def store_status(ctx: ServiceContext) -> StoreStatus:
    """Indexed reads only (the event log's entity index, the first case and person, the
    sync log from its newest entry back): cheap on any store size."""
    with ctx.store.read() as session:
        last = session.scalar(select(func.max(Event.at)).where(Event.entity == IMPORT_ENTITY))
        demo = session.scalar(select(func.max(Event.at)).where(Event.entity == DEMO_ENTITY))
        received = session.scalar(select(SyncLogEntry.at).where(SyncLogEntry.pulled > 0)
                                  .order_by(SyncLogEntry.seq.desc()).limit(1))
        has_cases = session.scalar(select(Case.id).limit(1)) is not None
        has_people = session.scalar(select(User.id).limit(1)) is not None
    return StoreStatus(last_import=_aware(last), has_cases=has_cases, has_people=has_people,
                       demo_built=_aware(demo), last_received=_aware(received))
