"""Audit templates and their questions, versioned.

Why versioned rows and not an edited file: an audit must keep the exact questions it
was answered against; a later template edit creates a new version row.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Synced


class AuditTemplate(Synced, Base):
    """Identity: a UUIDv5 of the code and the content's checksum (same file, same row on
    every laptop). ``version`` is a label only: two laptops may number different content
    alike offline, so (code, version) is not unique (docs/sync.md, 'Versions')."""

    __tablename__ = "audit_templates"
    __table_args__ = (Index("ix_audit_templates_code", "code"),)

    code: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The seed document it encodes, e.g. "001".
    source: Mapped[str] = mapped_column(String(40), default="")
    #: SHA-256 of the template file: the same content never makes a new version.
    checksum: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(default=True)

    questions: Mapped[list[TemplateQuestion]] = relationship(
        order_by="TemplateQuestion.position", back_populates="template"
    )


class TemplateQuestion(Synced, Base):
    __tablename__ = "template_questions"
    __table_args__ = (UniqueConstraint("template_id", "code", name="uq_template_questions_code"),)

    template_id: Mapped[str] = mapped_column(ForeignKey("audit_templates.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    section: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    #: An :class:`~desktop.models.enums.AnswerType` code.
    answer_type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(default=False)
    help: Mapped[str] = mapped_column(Text, default="")
    #: The practice standard this question checks, if any (e.g. "visit_f2f").
    standard_code: Mapped[str | None] = mapped_column(String(40), default=None)

    template: Mapped[AuditTemplate] = relationship(back_populates="questions")
