"""Reading audits: the list (for screens and ``dipsample audits list``) and one audit.

Why opening an audit is logged here: every view of an audit must be attributable
(docs/domain.md, 'Data protection'), and doing it in the service means the GUI, the CLI and
the reports cannot forget it. Lists are not logged per row: they show no case text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models import Audit, AuditAnswer, AuditTemplate, Case, TemplateQuestion
from desktop.services.audits.lifecycle import load_audit
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.scope import audit_condition
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_view


@dataclass(frozen=True)
class AuditSummary:
    id: str
    case_id: str
    case_ref: str
    auditor_id: str
    status: str
    grade: str | None
    audit_date: dt.date | None
    template_code: str
    template_version: int
    recorded_rag: str | None
    auditor_rag: str | None
    origin: str
    comment_until: dt.datetime | None
    significant_harm: bool
    #: The template's title as a person reads it ("Risk assessment and RAG rating").
    template_title: str = ""


@dataclass(frozen=True)
class AnswerView:
    code: str
    section: str
    text: str
    answer_type: str
    required: bool
    help: str
    standard_code: str | None
    value: str | None
    note: str


@dataclass(frozen=True)
class AuditView:
    summary: AuditSummary
    overview: str
    positive_practice: str
    submitted_at: dt.datetime | None
    finalised_at: dt.datetime | None
    reopen_reason: str
    standards_version_id: str | None
    answers: tuple[AnswerView, ...]


def _summary(audit: Audit, case_ref: str, template: AuditTemplate) -> AuditSummary:
    return AuditSummary(audit.id, audit.case_id, case_ref, audit.auditor_id, audit.status,
                        audit.grade, audit.audit_date, template.code, template.version,
                        audit.recorded_rag, audit.auditor_rag, audit.origin,
                        audit.comment_until, audit.significant_harm, template.title)


def list_audits(ctx: ServiceContext, *, status: str | None = None,
                auditor_id: str | None = None, case_ref: str | None = None,
                since: dt.date | None = None) -> list[AuditSummary]:
    """Audits newest first (by audit date, then id): those the acting user may see."""
    actor = guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        query = (select(Audit, Case.case_ref, AuditTemplate)
                 .join(Case, Case.id == Audit.case_id)
                 .join(AuditTemplate, AuditTemplate.id == Audit.template_id)
                 .where(Audit.deleted.is_(False)))
        if not actor.scope.everything:
            query = query.where(audit_condition(actor.scope))
        if status is not None:
            query = query.where(Audit.status == status)
        if auditor_id is not None:
            query = query.where(Audit.auditor_id == auditor_id)
        if case_ref is not None:
            query = query.where(Case.case_ref == case_ref)
        if since is not None:
            query = query.where(Audit.audit_date >= since)
        rows = [_summary(a, ref, t) for a, ref, t in session.execute(query)]
    rows.sort(key=lambda r: (r.audit_date or dt.date.min, r.id), reverse=True)
    return rows


def answers_of(ctx: ServiceContext, audit: Audit) -> tuple[AnswerView, ...]:
    with ctx.read() as session:
        answers = {a.question_id: a for a in session.scalars(select(AuditAnswer).where(
            AuditAnswer.audit_id == audit.id, AuditAnswer.deleted.is_(False)))}
        questions = session.scalars(select(TemplateQuestion).where(
            TemplateQuestion.template_id == audit.template_id,
            TemplateQuestion.deleted.is_(False)).order_by(TemplateQuestion.position))
        return tuple(
            AnswerView(q.code, q.section, q.text, q.answer_type, q.required, q.help,
                       q.standard_code, answers[q.id].value if q.id in answers else None,
                       answers[q.id].note if q.id in answers else "")
            for q in questions)


def show_audit(ctx: ServiceContext, audit_id: str, *, log: bool = True) -> AuditView:
    """One audit with its questions (of the version it was made with) and answers.

    ``log=False`` only for the service's own checks; every screen and command logs.
    """
    guard(ctx, P.VIEW_AUDITS, audit_id=audit_id)
    with ctx.read() as session:
        audit = load_audit(session, audit_id)
        case = session.get(Case, audit.case_id)
        template = session.get(AuditTemplate, audit.template_id)
        assert case is not None and template is not None
        summary = _summary(audit, case.case_ref, template)
    view = AuditView(summary, audit.overview, audit.positive_practice, audit.submitted_at,
                     audit.finalised_at, audit.reopen_reason, audit.standards_version_id,
                     answers_of(ctx, audit))
    if log:
        log_view(ctx, "audit", audit_id)
    return view
