"""An audit (the "QA Audit" case note), its answers, comments and moderation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Synced, UTCDateTime


class Audit(Synced, Base):
    """One dip-sample audit of one case against one template version.

    ``recorded_rag`` is copied from the case at submission (the RAG on the record at
    that moment), beside the auditor's own ``auditor_rag`` (seed 000).
    """

    __tablename__ = "audits"
    __table_args__ = (Index("ix_audits_case_status", "case_id", "status"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    auditor_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("audit_templates.id"))
    standards_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("standards_versions.id"), default=None
    )
    sample_item_id: Mapped[str | None] = mapped_column(ForeignKey("sample_items.id"), default=None)
    exercise_id: Mapped[str | None] = mapped_column(
        ForeignKey("exercise_summaries.id"), index=True, default=None
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: "app" for audits made here, "import" for historical ones.
    origin: Mapped[str] = mapped_column(String(20), default="app")
    audit_date: Mapped[dt.date | None] = mapped_column(default=None)
    recorded_rag: Mapped[str | None] = mapped_column(String(10), default=None)
    auditor_rag: Mapped[str | None] = mapped_column(String(10), default=None)
    grade: Mapped[str | None] = mapped_column(String(30), default=None)
    overview: Mapped[str] = mapped_column(Text, default="")
    positive_practice: Mapped[str] = mapped_column(Text, default="")
    significant_harm: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    comment_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    finalised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    reopened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    #: What the form's side panels hold before submission (the RAG reason, who took
    #: part by role and id, the outcome, the agreed rating, the concern), as JSON: the
    #: form autosaves them with the answers so a crash does not lose them.
    panels_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")

    answers: Mapped[list[AuditAnswer]] = relationship(back_populates="audit")


class AuditAnswer(Synced, Base):
    __tablename__ = "audit_answers"
    __table_args__ = (UniqueConstraint("audit_id", "question_id", name="uq_audit_answers_q"),)

    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("template_questions.id"))
    value: Mapped[str | None] = mapped_column(Text, default=None)
    #: Why a "not met" has no action, or any note on the answer.
    note: Mapped[str] = mapped_column(Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="answers")


class AuditComment(Synced, Base):
    """A comment or query from the worker or team manager on a submitted audit.

    A query (``is_query``) holds the audit open until the auditor answers it
    (``answered_at``); a plain comment does not.
    """

    __tablename__ = "audit_comments"

    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    author_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    author_worker_id: Mapped[str | None] = mapped_column(ForeignKey("workers.id"), default=None)
    body: Mapped[str] = mapped_column(Text)
    is_query: Mapped[bool] = mapped_column(default=False)
    reply_to_id: Mapped[str | None] = mapped_column(ForeignKey("audit_comments.id"), default=None)
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Moderation(Synced, Base):
    """A QA moderator's blind re-grade of a finalised audit."""

    __tablename__ = "moderations"

    audit_id: Mapped[str] = mapped_column(ForeignKey("audits.id"), index=True)
    moderator_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="selected")
    grade: Mapped[str | None] = mapped_column(String(30), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    selected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
