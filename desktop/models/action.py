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
