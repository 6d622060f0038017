"""What the overall summary of a dip-sample exercise prints (seed 002, form 1).

Why the figures come from ``exercises.exercise_figures``: the summary sent to the
central QA team must match the audits behind it, and the exercise service is the one
place that counts them; this module adds only what a printed form needs beside the
figures (names, question wording, the list of audits, the exercise's own actions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models import (
    Action,
    Audit,
    AuditTemplate,
    Case,
    ExerciseSummary,
    ServiceArea,
    TemplateQuestion,
)
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.exercises import ExerciseFigures, exercise_figures, theme_words
from desktop.services.reporting.case_tool import ToolAction
from desktop.services.reporting.ids import resolve
from desktop.services.reporting.names import team_names, user_names, worker_names


@dataclass(frozen=True)
class SummaryAudit:
    case_ref: str
    audit_date: dt.date | None
    team: str
    worker: str
    auditor: str
    template: str
    grade: str | None
    status: str


@dataclass(frozen=True)
class SummaryData:
    """Attributes:
        questions: the wording of each standard question code in ``figures.standards``.
        audits: every audit of the exercise, drafts included (they say so), while the
            figures count submitted audits only.
    """

    exercise_id: str
    title: str
    theme: str
    service_area: str
    author: str
    period_from: dt.date | None
    period_to: dt.date | None
    findings: str
    judgement: str | None
    judgement_text: str
    figures: ExerciseFigures
    questions: dict[str, str]
    audits: list[SummaryAudit]
    actions: list[ToolAction]


def resolve_exercise(ctx: ServiceContext, text: str) -> str:
    """The exercise id a person typed, whole or its first few characters.

    Raises:
        InputProblem: it names no exercise, or fits more than one.
    """
    return resolve(ctx, ExerciseSummary, text, "exercise summary")


def summary_data(ctx: ServiceContext, exercise_id: str) -> SummaryData:
    """Everything the exercise's summary form prints.

    Raises:
        InputProblem: no such exercise.
    """
    guard(ctx, P.REPORTS)
    figures = exercise_figures(ctx, exercise_id)
    with ctx.read() as session:
        row = session.get(ExerciseSummary, exercise_id)
        assert row is not None  # exercise_figures refused a missing one
        area = session.get(ServiceArea, row.service_area_id) if row.service_area_id else None
        rows = session.execute(
            select(Audit, Case, AuditTemplate).join(Case, Case.id == Audit.case_id)
            .join(AuditTemplate, AuditTemplate.id == Audit.template_id)
            .where(Audit.exercise_id == exercise_id, Audit.deleted.is_(False))
            .order_by(Audit.audit_date, Case.case_ref)).all()
        questions = dict(session.execute(
            select(TemplateQuestion.code, TemplateQuestion.text).where(
                TemplateQuestion.template_id.in_({t.id for _, _, t in rows}),
                TemplateQuestion.code.in_(list(figures.standards)))).all())
        own = list(session.scalars(select(Action).where(
            Action.exercise_id == exercise_id, Action.deleted.is_(False))
            .order_by(Action.position, Action.due_on, Action.id)))
        teams = team_names(session, (c.team_id for _, c, _ in rows))
        workers = worker_names(session, [c.worker_id for _, c, _ in rows]
                               + [a.owner_worker_id for a in own])
        users = user_names(session, [a.auditor_id for a, _, _ in rows]
                           + [a.owner_user_id for a in own] + [row.author_id])
        return SummaryData(
            exercise_id, row.title, theme_words(row.theme, row.cohort),
            area.name if area else "",
            users.get(row.author_id or "", ""), row.period_from, row.period_to,
            row.findings, row.judgement, row.judgement_text, figures, questions,
            [SummaryAudit(c.case_ref, a.audit_date, teams.get(c.team_id or "", ""),
                          workers.get(c.worker_id or "", ""), users.get(a.auditor_id, ""),
                          t.title, a.grade, a.status) for a, c, t in rows],
            [ToolAction(a.description, workers.get(a.owner_worker_id or "")
                           or users.get(a.owner_user_id or "") or a.lead, a.due_on,
                           a.by_when_text, a.status) for a in own])
