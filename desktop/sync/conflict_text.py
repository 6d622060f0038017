"""A sync conflict in a person's words: field names, values, who wrote each and when.

Why its own module: a conflict row holds codes (``not_met``), JSON, ids and clock
versions, and the people who settle it (an auditor, QA) read neither. What they need is
the value as the form shows it ("Not met", 02/11/2026), the names behind ids, and for
each side who wrote it and when, in London time. Only reading here; the listing and
the settling are :mod:`desktop.sync.conflicts`'.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, select
from sqlalchemy.orm import Session

from desktop.models import Case, Synced, User, Worker
from desktop.models.base import UTCDateTime
from desktop.models.enums import AnswerType
from desktop.services.sampling.replacement import DROP_REASON_TEXT
from desktop.store.hlc import Timestamp

LONDON = ZoneInfo("Europe/London")
EMPTY = "(empty)"

#: Field names people use, where the column's own name would not do.
FIELD_LABELS: dict[tuple[str, str], str] = {
    ("audit_answers", "value"): "Answer",
    ("audit_answers", "note"): "Note on the answer",
    ("audits", "auditor_rag"): "Auditor's RAG",
    ("audits", "recorded_rag"): "RAG on the record",
    ("audits", "panels_json"): "The form's side panels",
    ("audits", "reopen_reason"): "Why it was reopened",
    ("sample_items", "drop_reason"): "Why it was dropped",
    ("sample_items", "drop_note"): "Note on the drop",
    ("sample_items", "dropped_at"): "Dropped at",
    ("actions", "cancel_reason"): "Why it was cancelled",
    ("actions", "due_on"): "Due",
    ("actions", "confirmed_by_id"): "Confirmed done by",
    ("actions", "verified_by_id"): "Verified by",
    ("actions", "owner_worker_id"): "Owner",
    ("actions", "owner_user_id"): "Owner (user)",
    ("cases", "rag"): "RAG",
}
#: Columns that hold a code of a fixed list, shown as words ("in_progress": "In progress").
CODE_FIELDS = frozenset({"status", "drop_reason", "grade", "auditor_rag", "recorded_rag",
                         "rag", "priority", "kind", "source", "stratum", "cohort", "role",
                         "answer_type", "rag_at_draw", "origin"})
#: Codes whose words are not the code's own ("closed_since_draw").
CODE_WORDS: dict[tuple[str, str], dict[str, str]] = {
    ("sample_items", "drop_reason"): {k: v[:1].upper() + v[1:]
                                      for k, v in DROP_REASON_TEXT.items()},
}
#: The table a foreign-key column names, and the column of it a person reads.
NAMED_BY: dict[str, Any] = {"users": User.name, "workers": Worker.name,
                            "cases": Case.case_ref}


def code_words(code: str) -> str:
    """A stored code as words: ``partly_met`` -> "Partly met"."""
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def field_label(table: str, field: str) -> str:
    """What the field is called on the screens."""
    if field == "deleted":
        return "Removed"
    found = FIELD_LABELS.get((table, field))
    if found is not None:
        return found
    name = field[:-3] if field.endswith("_id") else field
    return code_words(name)


def day_text(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def moment_text(moment: dt.datetime) -> str:
    """A time as the council reads it: London time, dd/mm/yyyy hh:mm."""
    return moment.astimezone(LONDON).strftime("%d/%m/%Y %H:%M")


def version_time(version: str) -> dt.datetime | None:
    """When a version was written, by the clock of the device that wrote it (None for
    a version that is not a clock's text)."""
    try:
        wall = Timestamp.parse(version).wall_ms
    except (ValueError, IndexError):
        return None
    if wall <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(wall / 1000, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def when_text(version: str) -> str:
    moment = version_time(version)
    return moment_text(moment) if moment is not None else "time not known"


class Words:
    """Values of one session's records in words; names are looked up once each.

    Why a session of the caller's: the names behind ids (a case's reference, a user's
    name) are read as the acting person may read them, so an id out of their reach
    stays an id.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._names: dict[tuple[str, str], str | None] = {}

    def name(self, table: str, record_id: str | None) -> str | None:
        """The name (or case reference) of a user, worker or case; None if not known."""
        if not record_id or table not in NAMED_BY:
            return None
        key = (table, record_id)
        if key not in self._names:
            column = NAMED_BY[table]
            self._names[key] = self.session.scalar(
                select(column).where(column.class_.id == record_id))
        return self._names[key]

    def value(self, model: type[Synced], table: str, field: str, value_json: str,
              answer_type: str | None = None) -> str:
        """``value_json`` (a conflict's side) as a person reads it."""
        try:
            value = json.loads(value_json)
        except ValueError:
            return value_json
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return "Yes" if value else "No"
        columns = model.__table__.c  # type: ignore[attr-defined]
        column = columns.get(field)
        if table == "audit_answers" and field == "value":
            return self._answer(str(value), answer_type)
        if column is not None and isinstance(value, str):
            kind = column.type
            try:
                if isinstance(kind, UTCDateTime):
                    return moment_text(dt.datetime.fromisoformat(value))
                if isinstance(kind, Date):
                    return day_text(dt.date.fromisoformat(value))
            except ValueError:
                return value
            for key in column.foreign_keys:
                named = self.name(key.column.table.name, value)
                return named if named else f"(id {value[:8]})"
        if field in CODE_FIELDS and isinstance(value, str):
            return CODE_WORDS.get((table, field), {}).get(value) or code_words(value)
        return str(value)

    @staticmethod
    def _answer(value: str, answer_type: str | None) -> str:
        if answer_type == AnswerType.DATE.value:
            try:
                return day_text(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if answer_type == AnswerType.TEXT.value or answer_type is None:
            return value
        return code_words(value)
