"""The columns of the concerns screen: escalations and RAG disagreements in words.

Why a deadline in words beside its colour: "Overdue by 1 day 3 hours" is what a QA lead
reads out when chasing a team manager, and colour is never the only signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from desktop.services.disagreements import DisagreementRow, discussion_words
from desktop.services.escalations import EscalationRow
from desktop.views.row_table import Column, RowTableModel, Tone

LONDON = ZoneInfo("Europe/London")
Clock = Callable[[], dt.datetime]

ESCALATION_STATUS = {"awaiting_team_manager": "Waiting for the team manager",
                     "escalated_to_hos": "Escalated to the Head of Service",
                     "responded": "Responded; to be closed", "closed": "Closed"}
DISAGREEMENT_STATUS = {"open": "Open", "escalated": "Escalated to a senior manager",
                       "agreed": "Agreed; to be closed", "closed": "Closed"}


def local(at: dt.datetime) -> str:
    """A time as people in the council read it: London time, day and date."""
    return f"{at.astimezone(LONDON):%H:%M %a %d/%m/%Y}"


def span(delta: dt.timedelta) -> str:
    """A length of time in days and hours ("1 day 3 hours"; "under an hour")."""
    hours = int(delta.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts) or "under an hour"


def time_left(row: EscalationRow, now: dt.datetime) -> str:
    if not row.is_open:
        return ""
    if row.overdue or row.respond_by < now:
        return f"Overdue by {span(now - row.respond_by)}"
    return f"{span(row.respond_by - now)} left"


def escalation_outcome(row: EscalationRow) -> str:
    parts = []
    if row.responded_at is not None:
        who = f" by {row.responded_by}" if row.responded_by else ""
        parts.append(f"Responded {local(row.responded_at)}{who}: {row.response}")
    if row.closed_at is not None:
        parts.append(f"closed {local(row.closed_at)}")
    return "; ".join(parts)


def escalation_columns(clock: Clock) -> list[Column[EscalationRow]]:
    def late(row: EscalationRow) -> Tone | None:
        if not row.is_open:
            return None
        return Tone.LATE if row.overdue or row.respond_by < clock() else Tone.SOON

    return [
        Column("Case", lambda r: r.case_ref),
        Column("Status", lambda r: ESCALATION_STATUS.get(r.status, r.status)),
        Column("Must respond", lambda r: r.awaiting or "Nobody: closed"),
        Column("Deadline", lambda r: local(r.respond_by) if r.is_open else "",
               sort=lambda r: r.respond_by.isoformat()),
        Column("Time left", lambda r: time_left(r, clock()), tone=late,
               sort=lambda r: r.respond_by.isoformat() if r.is_open else "9999"),
        Column("Concern", lambda r: r.concern),
        Column("Outcome", escalation_outcome),
    ]


#: The free text columns (they give way first when the table is narrow).
ESCALATION_CONCERN, ESCALATION_OUTCOME = 5, 6


def disagreement_state(row: DisagreementRow) -> str:
    words = DISAGREEMENT_STATUS.get(row.status, row.status)
    if row.status == "open":
        return f"{words}: {'discussed' if row.discussed_at else 'not yet discussed'}"
    return words


def disagreement_deadline(row: DisagreementRow, now: dt.datetime) -> str:
    """Disagreements have no deadline in the guidance (seed 000); their age instead."""
    if row.status not in ("open", "escalated") or row.raised_at is None:
        return ""
    # Never "raised -3 days ago": a clock behind the device that raised it says "under
    # an hour", not a negative age.
    return f"None set; raised {span(max(now - row.raised_at, dt.timedelta()))} ago"


def disagreement_outcome(row: DisagreementRow) -> str:
    parts = []
    if row.outcome_rag:
        parts.append(f"Agreed {row.outcome_rag.capitalize()}")
    if row.closed_at is not None:
        parts.append(f"closed {local(row.closed_at)}")
    return "; ".join(parts)


def discussion(row: DisagreementRow) -> str:
    if row.discussed_at is None:
        return "Not yet discussed"
    return (f"{discussion_words(row.discussion_dated)} {local(row.discussed_at)}: "
            f"{row.next_steps}")


def disagreement_columns(clock: Clock) -> list[Column[DisagreementRow]]:
    def waiting(row: DisagreementRow) -> Tone | None:
        return Tone.SOON if row.status in ("open", "escalated") else None

    return [
        Column("Case", lambda r: r.case_ref),
        Column("Status", disagreement_state),
        Column("Ratings", lambda r: f"Record {r.recorded_rag.capitalize()}, auditor "
               f"{r.auditor_rag.capitalize()}"),
        Column("Must respond", lambda r: r.awaiting or "Nobody: closed", tone=waiting),
        Column("Deadline", lambda r: disagreement_deadline(r, clock())),
        Column("Discussion", discussion),
        Column("Outcome", disagreement_outcome),
    ]


DISAGREEMENT_DISCUSSION, DISAGREEMENT_OUTCOME = 5, 6


def escalation_model(clock: Clock) -> RowTableModel[EscalationRow]:
    return RowTableModel(escalation_columns(clock))


def disagreement_model(clock: Clock) -> RowTableModel[DisagreementRow]:
    return RowTableModel(disagreement_columns(clock))
