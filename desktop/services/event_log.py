"""Who created, changed, viewed, exported or printed which audit or case, by ids only.

Why a service over ``desktop/store/events.py``: the data-changing services call
:func:`log_change` inside their own transaction, so the record, its change-log rows
and its event row commit or roll back together; the GUI and the reports call
:func:`log_view`, :func:`log_export` and :func:`log_print`, which need a transaction
of their own because reading changes nothing else. Autosaved edits go through
:func:`log_edit`, one row per user's editing session. ``detail`` is checked so that a
careless caller cannot put names or case text into the log: only short codes, ids,
numbers, booleans and lists of those are accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.base import utcnow
from desktop.models.enums import EventAction
from desktop.models.log import Event
from desktop.services.context import ServiceContext
from desktop.store.events import NewEvent, record_event, record_events

#: Entities whose views, exports and prints are logged (docs/domain.md, 'Data protection').
VIEWABLE = frozenset({"audit", "case", "exercise", "plan", "action"})
#: How long after a user's last logged change to a record their further edits of it log
#: nothing: one editing session is one row, however often the form autosaves within it.
EDIT_SESSION = dt.timedelta(minutes=30)
#: A code or an id: letters, digits, ``_ - . :`` and no spaces, at most 64 characters.
_CODE = re.compile(r"^[A-Za-z0-9_.:\-]{0,64}$")


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    at: dt.datetime
    user_id: str | None
    action: str
    entity: str
    entity_id: str
    detail_json: str


def _check_value(key: str, value: Any) -> None:
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str):
        if not _CODE.match(value):
            raise ValueError(f"event detail '{key}' must be a code or an id, not free text")
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_value(key, item)
        return
    raise ValueError(f"event detail '{key}' has an unsupported type {type(value).__name__}")


def _checked(detail: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in detail.items():
        if not _CODE.match(key):
            raise ValueError("event detail keys must be codes")
        _check_value(key, value)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in detail.items()}


def log_change(session: Session, ctx: ServiceContext, action: EventAction | str, entity: str,
               entity_id: str, **detail: Any) -> None:
    """Append an event in the caller's transaction (create or change of a record)."""
    record_event(session, user_id=ctx.user_id, action=str(action), entity=entity,
                 entity_id=entity_id, detail=_checked(detail))


def log_changes(session: Session, ctx: ServiceContext,
                changes: Sequence[tuple[EventAction | str, str, str, dict[str, Any]]]) -> None:
    """Many :func:`log_change` calls as one bulk append: ``(action, entity, id, detail)``."""
    record_events(session, ctx.user_id, [NewEvent(str(action), entity, entity_id,
                                                  _checked(detail))
                                         for action, entity, entity_id, detail in changes])


def log_edit(session: Session, ctx: ServiceContext, entity: str, entity_id: str,
              **detail: Any) -> bool:
    """Log a change as :func:`log_change` does, unless the same user logged a change to the
    record less than :data:`EDIT_SESSION` ago (any change: their reopening of an audit
    starts the session too); whether a row was written.

    Why: the form autosaves as the person types (every couple of seconds), and a row per
    save would bury the trail a QA lead reads under thousands of identical ones. The log
    answers "who changed this record, and when": one row per user per editing session
    says that. The record itself and the change log (what sync replays) still change on
    every save. Measured against the log's own clock (the rows' ``at``, wall time), not
    ``ctx.now()``, so the window is the one a reader of the log sees. A change nobody is
    signed in for is always logged: there is no user whose session it could belong to.
    """
    if ctx.user_id is not None:
        last = session.scalar(select(Event.at).where(
            Event.entity == entity, Event.entity_id == entity_id,
            Event.user_id == ctx.user_id, Event.action == EventAction.CHANGE.value)
            .order_by(Event.seq.desc()).limit(1))
        if last is not None and utcnow() - last < EDIT_SESSION:
            return False
    log_change(session, ctx, EventAction.CHANGE, entity, entity_id, **detail)
    return True


def _log_access(ctx: ServiceContext, action: EventAction, entity: str, entity_id: str,
                detail: Mapping[str, Any]) -> None:
    if entity not in VIEWABLE:
        raise ValueError(f"views of '{entity}' are not logged")
    with ctx.store.transaction() as session:
        log_change(session, ctx, action, entity, entity_id, **detail)


def log_view(ctx: ServiceContext, entity: str, entity_id: str, **detail: Any) -> None:
    """Record that the acting user opened a record (an audit, a case)."""
    _log_access(ctx, EventAction.VIEW, entity, entity_id, detail)


def log_export(ctx: ServiceContext, entity: str, entity_id: str, fmt: str = "",
               **detail: Any) -> None:
    """Record that a record left the application as a file (``fmt``: "csv", "pdf", ...)."""
    _log_access(ctx, EventAction.EXPORT, entity, entity_id, {"format": fmt, **detail})


#: The entity of an export that is a report of figures rather than of one record.
REPORT_ENTITY = "report"


def log_report_export(ctx: ServiceContext, report: str, period: str, fmt: str = "pdf"
                      ) -> None:
    """Record that a report of figures (the weekly, the monthly) left as a file.

    Why, though it shows no record whole: it names teams and workers and shows the
    initials of children, and every file the application hands out is in the log
    (desktop/files.py). The entity id is the report and its period ("weekly-2026-W47").
    """
    with ctx.store.transaction() as session:
        log_change(session, ctx, EventAction.EXPORT, REPORT_ENTITY, f"{report}-{period}",
                   format=fmt, report=report)


def log_print(ctx: ServiceContext, entity: str, entity_id: str, **detail: Any) -> None:
    _log_access(ctx, EventAction.PRINT, entity, entity_id, detail)


def events_for(ctx: ServiceContext, entity: str, entity_id: str) -> list[LoggedEvent]:
    """The record's history, oldest first (the audit trail a QA lead is asked for)."""
    with ctx.store.read() as session:
        rows = session.scalars(select(Event).where(Event.entity == entity,
                                                   Event.entity_id == entity_id)
                               .order_by(Event.seq))
        return [LoggedEvent(e.seq, e.at, e.user_id, e.action, e.entity, e.entity_id,
                            e.detail_json) for e in rows]
