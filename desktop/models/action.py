"""Actions from audits, exercise summaries and improvement-plan findings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Synced, UTCDateTime


class Action(Synced, Base):
    """What must be done, by whom, by when, and the proof it was (seed 001, 002, 004).

    The owner is usually a worker; ``lead`` is free text because improvement plans
    name leads by role ("District Managers"). Completion is confirmed by the owner's
    manager and verified by QA (seed 002).
    """

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_status_due", "status", "due_on"),)

    source: Mapped[str] = mapped_column(String(20), default="audit")
    audit_id: Mapped[str | None] = mapped_column(ForeignKey("audits.id"), index=True, default=None)
    exercise_id: Mapped[str | None] = mapped_column(
        ForeignKey("exercise_summaries.id"), default=None
    )
    finding_id: Mapped[str | None] = mapped_column(ForeignKey("plan_findings.id"), default=None)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True, default=None)
    #: The audit question that was not met, when the action answers one.
    question_id: Mapped[str | None] = mapped_column(
        ForeignKey("template_questions.id"), default=None
    )
    description: Mapped[str] = mapped_column(Text)
    owner_worker_id: Mapped[str | None] = mapped_column(
        ForeignKey("workers.id"), index=True, default=None
    )
    owner_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    lead: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    #: Order among the actions of the same finding or audit (a plan numbers them).
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: high, medium or low: what the audit form's actions grid asks for.
    priority: Mapped[str] = mapped_column(String(10), default="medium",
                                          server_default="medium")
    #: The plan's own words for the deadline ("Commencing Sept 2010"), kept as written.
    by_when_text: Mapped[str] = mapped_column(String(200), default="")
    review_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    confirmed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    verified_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class ActionStatusChange(Synced, Base):
    """One move of an action's status, at the app's time: appended, never changed.

    Why kept apart from the action: the action holds only its status now, so "was it
    finished at the end of that week?" could not be answered once QA sent a done action
    back (its completion time is cleared) and a cancellation had only the record's
    wall-clock ``updated_at``, which every later edit moves. The weekly report reads
    the status at a moment from these (docs/statistics.md, 'Overdue actions as at a
    week's end').

    Why a synced record and not a fact: it must reach every laptop (the reports are
    printed anywhere) through the same merge as everything else, and each change is a
    new record with an id of its own, written once, so two laptops' moves never clash:
    both are kept, ordered by ``at``. ``at`` is ``ctx.now()``, the clock the service
    was given, so a test or a backdated import can say when.
    """

    __tablename__ = "action_status_changes"
    __table_args__ = (Index("ix_action_status_changes_action_at", "action_id", "at"),)

    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id"))
    #: The status before (None: the first status the action was given).
    from_status: Mapped[str | None] = mapped_column(String(20), default=None)
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
