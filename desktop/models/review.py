"""RAG disagreements (seed 000) and significant-harm escalations (seed 001)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Synced, UTCDateTime


class RagDisagreement(Synced, Base):
    """The auditor's RAG differs from the recorded one: discussed, agreed, recorded."""

    __tablename__ = "rag_disagreements"

    audit_id: Mapped[str | None] = mapped_column(ForeignKey("audits.id"), index=True, default=None)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    raised_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_rag: Mapped[str] = mapped_column(String(10))
    auditor_rag: Mapped[str] = mapped_column(String(10))
    rationale: Mapped[str] = mapped_column(Text, default="")
    discussed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: Who took part, by role and id (never names): JSON list.
    participants_json: Mapped[str] = mapped_column(Text, default="[]")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    outcome_rag: Mapped[str | None] = mapped_column(String(10), default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Escalation(Synced, Base):
    """A concern of significant harm, escalated to the team manager with a deadline."""

    __tablename__ = "escalations"

    audit_id: Mapped[str | None] = mapped_column(ForeignKey("audits.id"), index=True, default=None)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    raised_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    concern: Mapped[str] = mapped_column(Text)
    team_manager_id: Mapped[str | None] = mapped_column(ForeignKey("workers.id"), default=None)
    head_of_service_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    respond_by: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(30), default="awaiting_team_manager")
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    response: Mapped[str] = mapped_column(Text, default="")
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class EscalationStep(Synced, Base):
    """Every step of an escalation, time-stamped (raised, chased, escalated, answered)."""

    __tablename__ = "escalation_steps"

    escalation_id: Mapped[str] = mapped_column(ForeignKey("escalations.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    actor_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
