"""Everything the case tool (seed 002, form 2) prints for one audit, read in bulk.

Why bulk: the batch prints a whole week's sample (450 audits across a county's
auditors, seed 000); a query per table for all of them, rather than per audit, is what
keeps the batch within twice the time reportlab needs to write the same pages.
Reading a case tool for printing is a view of the audit; the report logs the print or
export itself (``event_log.log_export``), so this read logs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select

from desktop.errors import InputProblem
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    AuditComment,
    AuditTemplate,
    Case,
    RagDisagreement,
    Sample,
    SampleItem,
    TemplateQuestion,
)
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.reporting.names import initials, team_names, user_names, worker_names
from desktop.services.sampling.weeks import parse_week, week_start

#: How many audits one query asks about (well under SQLite's bound-parameter limit).
CHUNK = 500


@dataclass(frozen=True)
class ToolAnswer:
    section: str
    question: str
    answer_type: str
    value: str | None
    note: str


@dataclass(frozen=True)
class ToolAction:
    description: str
    owner: str
    due_on: dt.date | None
    by_when_text: str
    status: str


@dataclass(frozen=True)
class ToolComment:
    author: str
    posted_at: dt.datetime | None
    is_query: bool
    answered: bool
    body: str


@dataclass(frozen=True)
class ToolDisagreement:
    recorded_rag: str
    auditor_rag: str
    status: str
    outcome_rag: str | None
    next_steps: str
    rationale: str


@dataclass(frozen=True)
class CaseTool:
    audit_id: str
    case_ref: str
    child_initials: str
    team: str
    worker: str
    auditor: str
    audit_date: dt.date | None
    template_title: str
    template_code: str
    template_version: int
    status: str
    grade: str | None
    recorded_rag: str | None
    auditor_rag: str | None
    significant_harm: bool
    overview: str
    positive_practice: str
    submitted_at: dt.datetime | None
    comment_until: dt.datetime | None
    finalised_at: dt.datetime | None
    answers: tuple[ToolAnswer, ...]
    actions: tuple[ToolAction, ...]
    comments: tuple[ToolComment, ...]
    disagreement: ToolDisagreement | None


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def case_tools(ctx: ServiceContext, audit_ids: Sequence[str]) -> list[CaseTool]:
    """The case tools of ``audit_ids``, in that order.

    Raises:
        InputProblem: an id names no audit.
    """
    guard(ctx, P.REPORTS)
    found: dict[str, CaseTool] = {}
    for chunk in _chunks(list(dict.fromkeys(audit_ids))):
        found.update({t.audit_id: t for t in _read(ctx, chunk)})
    missing = [i for i in audit_ids if i not in found]
    if missing:
        raise InputProblem(f"no audit with the id '{missing[0]}'")
    return [found[i] for i in audit_ids]


def _read(ctx: ServiceContext, ids: Sequence[str]) -> list[CaseTool]:
    with ctx.read() as session:
        rows = session.execute(
            select(Audit, Case, AuditTemplate)
            .join(Case, Case.id == Audit.case_id)
            .join(AuditTemplate, AuditTemplate.id == Audit.template_id)
            .where(Audit.id.in_(ids), Audit.deleted.is_(False))).all()
        template_ids = {t.id for _, _, t in rows}
        questions = session.scalars(select(TemplateQuestion).where(
            TemplateQuestion.template_id.in_(template_ids),
            TemplateQuestion.deleted.is_(False)).order_by(TemplateQuestion.position)).all()
        by_template: dict[str, list[TemplateQuestion]] = defaultdict(list)
        for q in questions:
            by_template[q.template_id].append(q)
        answers: dict[tuple[str, str], AuditAnswer] = {
            (a.audit_id, a.question_id): a for a in session.scalars(select(AuditAnswer).where(
                AuditAnswer.audit_id.in_(ids), AuditAnswer.deleted.is_(False)))}
        actions: dict[str, list[Action]] = defaultdict(list)
        for action in session.scalars(select(Action).where(
                Action.audit_id.in_(ids), Action.deleted.is_(False))
                .order_by(Action.position, Action.due_on, Action.id)):
            actions[action.audit_id or ""].append(action)
        comments: dict[str, list[AuditComment]] = defaultdict(list)
        for comment in session.scalars(select(AuditComment).where(
                AuditComment.audit_id.in_(ids), AuditComment.deleted.is_(False))
                .order_by(AuditComment.posted_at, AuditComment.id)):
            comments[comment.audit_id].append(comment)
        disagreements: dict[str, RagDisagreement] = {}
        for found in session.scalars(select(RagDisagreement).where(
                RagDisagreement.audit_id.in_(ids), RagDisagreement.deleted.is_(False))
                .order_by(RagDisagreement.created_at)):
            disagreements[found.audit_id or ""] = found  # the latest one counts
        all_actions = [a for group in actions.values() for a in group]
        all_comments = [c for group in comments.values() for c in group]
        teams = team_names(session, (c.team_id for _, c, _ in rows))
        workers = worker_names(session, [c.worker_id for _, c, _ in rows]
                               + [a.owner_worker_id for a in all_actions]
                               + [c.author_worker_id for c in all_comments])
        users = user_names(session, [a.auditor_id for a, _, _ in rows]
                           + [a.owner_user_id for a in all_actions]
                           + [c.author_user_id for c in all_comments])

        def owner(action: Action) -> str:
            return (workers.get(action.owner_worker_id or "")
                    or users.get(action.owner_user_id or "") or action.lead)

        def author(comment: AuditComment) -> str:
            return (users.get(comment.author_user_id or "")
                    or workers.get(comment.author_worker_id or "") or "")

        tools = []
        for audit, case, template in rows:
            d = disagreements.get(audit.id)
            tools.append(CaseTool(
                audit_id=audit.id, case_ref=case.case_ref,
                child_initials=initials(case.child_name),
                team=teams.get(case.team_id or "", ""),
                worker=workers.get(case.worker_id or "", ""),
                auditor=users.get(audit.auditor_id, ""), audit_date=audit.audit_date,
                template_title=template.title, template_code=template.code,
                template_version=template.version, status=audit.status, grade=audit.grade,
                recorded_rag=audit.recorded_rag, auditor_rag=audit.auditor_rag,
                significant_harm=audit.significant_harm, overview=audit.overview,
                positive_practice=audit.positive_practice, submitted_at=audit.submitted_at,
                comment_until=audit.comment_until, finalised_at=audit.finalised_at,
                answers=tuple(
                    ToolAnswer(q.section, q.text, q.answer_type,
                               answers[(audit.id, q.id)].value
                               if (audit.id, q.id) in answers else None,
                               answers[(audit.id, q.id)].note
                               if (audit.id, q.id) in answers else "")
                    for q in by_template[template.id]),
                actions=tuple(ToolAction(a.description, owner(a), a.due_on, a.by_when_text,
                                         a.status) for a in actions[audit.id]),
                comments=tuple(ToolComment(author(c), c.posted_at, c.is_query,
                                           c.answered_at is not None, c.body)
                               for c in comments[audit.id]),
                disagreement=None if d is None else ToolDisagreement(
                    d.recorded_rag, d.auditor_rag, d.status, d.outcome_rag, d.next_steps,
                    d.rationale)))
        return tools


def week_audit_ids(ctx: ServiceContext, week: str, auditor_id: str | None = None
                   ) -> list[str]:
    """The audits of a week's sample: made from the week's sample items, or dated in
    the week; one auditor's, or everyone's (a coordinator's or QA's batch). Drafts
    count: a case tool of work in progress says so on its face.

    Raises:
        InputProblem: ``week`` is not an ISO week such as 2026-W47.
    """
    guard(ctx, P.REPORTS)
    week = parse_week(week)
    first = week_start(week)
    last = first + dt.timedelta(days=6)
    with ctx.read() as session:
        in_sample = select(SampleItem.id).join(Sample, Sample.id == SampleItem.sample_id).where(
            Sample.iso_week == week)
        query = (select(Audit.id).join(Case, Case.id == Audit.case_id)
                 .where(Audit.deleted.is_(False),
                        or_(Audit.sample_item_id.in_(in_sample),
                            Audit.audit_date.between(first, last)))
                 .order_by(Audit.auditor_id, Case.case_ref, Audit.id))
        if auditor_id is not None:
            query = query.where(Audit.auditor_id == auditor_id)
        return list(session.scalars(query))
