"""The action tracker's columns: each action in words, overdue in colour and in words.

Why words for every state: colour is never the only signal (a red cell reads
"Overdue by 3 working days"), and a QA lead copies these cells into a report.
"""

from __future__ import annotations

from desktop.services.actions import ActionRow
from desktop.views.row_table import Column, RowTableModel, Tone

STATUS_WORDS = {"open": "Open", "in_progress": "In progress",
                "done": "Done (confirmed by manager)", "verified": "Verified by QA",
                "cancelled": "Cancelled"}
SOURCE_WORDS = {"audit": "Audit", "exercise": "Exercise", "plan": "Improvement plan"}
PRIORITY_WORDS = {"high": "High", "medium": "Medium", "low": "Low"}
#: Sorting by priority puts the most urgent first.
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def attention_words(row: ActionRow) -> str:
    """"Overdue by 3 working days; review due", or "" when nothing is late. An action
    past its due date with no working day gone since (due Friday, seen on Sunday) is
    "Overdue since Fri 04/12/2026": past due is overdue, whatever day it is."""
    parts = []
    days = row.overdue_working_days
    if days:
        parts.append(f"Overdue by {days} working day{'s' if days != 1 else ''}")
    elif row.overdue and row.due_on is not None:
        parts.append(f"Overdue since {row.due_on:%a %d/%m/%Y}")
    if row.review_due:
        parts.append("Review due" if not parts else "review due")
    return "; ".join(parts)


def attention_tone(row: ActionRow) -> Tone | None:
    if row.overdue:
        return Tone.LATE
    return Tone.SOON if row.review_due else None


def priority_words(row: ActionRow) -> str:
    return PRIORITY_WORDS.get(row.priority, row.priority.capitalize())


def priority_tone(row: ActionRow) -> Tone | None:
    """High in colour beside the word "High"; medium and low are plain."""
    return Tone.LATE if row.priority == "high" else None


def due_words(row: ActionRow) -> str:
    if row.due_on is not None:
        return f"{row.due_on:%d/%m/%Y}"
    return row.by_when_text or "No date"


COLUMNS: list[Column[ActionRow]] = [
    Column("What", lambda r: r.description),
    Column("Case", lambda r: r.case_ref or "—"),
    Column("Owner", lambda r: r.owner_name or "No owner recorded"),
    Column("Due", due_words, sort=lambda r: r.due_on.isoformat() if r.due_on else "9999"),
    Column("Priority", priority_words, sort=lambda r: PRIORITY_ORDER.get(r.priority, 9),
           tone=priority_tone),
    Column("Status", lambda r: status_words(r.status)),
    Column("Source", lambda r: SOURCE_WORDS.get(r.source, r.source)),
    Column("Attention", attention_words, sort=lambda r: ((r.overdue_working_days
                                                          + int(r.overdue)) * 2
                                                         + int(r.review_due)),
           tone=attention_tone),
    Column("Evidence", lambda r: r.evidence or r.cancel_reason),
]
WHAT, CASE, OWNER, DUE, PRIORITY, STATUS, SOURCE, ATTENTION, EVIDENCE = range(len(COLUMNS))


def action_model() -> RowTableModel[ActionRow]:
    return RowTableModel(COLUMNS)
