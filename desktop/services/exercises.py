"""Dip-sample exercise summaries (seed 002, form 1: "Overall summary of quality and dip sample").

One per exercise: its theme, period, the cases seen, the findings and "an overall
judgement of where practice is at present" (on the Ofsted scale, with words). The
exercise collects its audits (``Audit.exercise_id``) and its figures are counted from
them, so the summary sent to the Quality Assurance and Partnerships Team matches the
audits behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import Action, Audit, AuditAnswer, ExerciseSummary, TemplateQuestion
from desktop.models.enums import ActionStatus, AnswerType, AuditStatus, EventAction, Grade
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.visibility import require_reach
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_change

GRADES = tuple(g.value for g in Grade)


@dataclass(frozen=True)
class ExerciseInput:
    title: str
    theme: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    service_area_id: str | None = None
    cases_seen: int | None = None
    findings: str = ""
    judgement: str | None = None
    judgement_text: str = ""


@dataclass
class StandardTally:
    met: int = 0
    partly_met: int = 0
    not_met: int = 0
    not_applicable: int = 0


@dataclass(frozen=True)
class ExerciseFigures:
    """Attributes:
        cases_seen: as recorded on the summary, else the distinct cases audited.
        grades: overall grades of the exercise's submitted audits.
        standards: per question code (standard-type questions), the answers given.
        actions_open, actions_done: actions of the audits and of the exercise itself.
    """

    exercise_id: str
    audits: int
    cases_seen: int
    grades: dict[str, int]
    standards: dict[str, StandardTally] = field(default_factory=dict)
    actions_open: int = 0
    actions_done: int = 0


def _check(data: ExerciseInput) -> None:
    if not data.title.strip():
        raise RuleViolation("an exercise summary needs a title")
    if data.judgement is not None and data.judgement not in GRADES:
        raise InputProblem(f"'{data.judgement}' is not a judgement ({', '.join(GRADES)})")
    if data.period_from and data.period_to and data.period_to < data.period_from:
        raise RuleViolation("the exercise period ends before it starts")
    if data.cases_seen is not None and data.cases_seen < 0:
        raise InputProblem("cases seen cannot be negative")


def _apply(row: ExerciseSummary, data: ExerciseInput) -> None:
    row.title = data.title.strip()
    row.theme = data.theme.strip()
    row.period_from, row.period_to = data.period_from, data.period_to
    row.service_area_id = data.service_area_id
    row.cases_seen = data.cases_seen or 0
    row.findings = data.findings.strip()
    row.judgement = data.judgement
    row.judgement_text = data.judgement_text.strip()


def create_exercise(ctx: ServiceContext, data: ExerciseInput) -> str:
    guard(ctx, P.EXERCISES)
    _check(data)
    with ctx.store.transaction() as session:
        row = ExerciseSummary(title="", author_id=ctx.user_id)
        _apply(row, data)
        session.add(row)
        session.flush()
        log_change(session, ctx, EventAction.CREATE, "exercise", row.id)
        return row.id


def _load(session: Session, exercise_id: str) -> ExerciseSummary:
    row = session.get(ExerciseSummary, exercise_id)
    if row is None or row.deleted:
        raise InputProblem(f"no exercise summary with id {exercise_id}")
    return row


def update_exercise(ctx: ServiceContext, exercise_id: str, data: ExerciseInput) -> None:
    guard(ctx, P.EXERCISES)
    require_reach(ctx, ExerciseSummary, [exercise_id], "exercise", P.EXERCISES)
    _check(data)
    with ctx.store.transaction() as session:
        row = _load(session, exercise_id)
        _apply(row, data)
        log_change(session, ctx, EventAction.CHANGE, "exercise", row.id)


def attach_audits(ctx: ServiceContext, exercise_id: str, audit_ids: Sequence[str]) -> int:
    """Make audits part of the exercise (all or none); only audits the person reaches."""
    guard(ctx, P.EXERCISES)
    require_reach(ctx, ExerciseSummary, [exercise_id], "exercise", P.EXERCISES)
    require_reach(ctx, Audit, audit_ids, "audit", P.EXERCISES)
    with ctx.store.transaction() as session:
        _load(session, exercise_id)
        audits = list(session.scalars(select(Audit).where(Audit.id.in_(list(audit_ids)),
                                                          Audit.deleted.is_(False))))
        missing = sorted(set(audit_ids) - {a.id for a in audits})
        if missing:
            raise InputProblem(f"no audit with id {missing[0]}")
        elsewhere = [a.id for a in audits if a.exercise_id not in (None, exercise_id)]
        if elsewhere:
            raise RuleViolation(f"audit {elsewhere[0]} already belongs to another exercise")
        for audit in audits:
            if audit.exercise_id != exercise_id:
                audit.exercise_id = exercise_id
                log_change(session, ctx, EventAction.CHANGE, "audit", audit.id,
                           fields=["exercise_id"], exercise=exercise_id)
        return len(audits)


def exercise_figures(ctx: ServiceContext, exercise_id: str) -> ExerciseFigures:
    """The exercise's figures from its submitted (not draft) audits and their actions."""
    guard(ctx, P.REPORTS)
    with ctx.read() as session:
        row = _load(session, exercise_id)
        audits = [a for a in session.scalars(select(Audit).where(
            Audit.exercise_id == exercise_id, Audit.deleted.is_(False)))
            if a.status not in (AuditStatus.DRAFT, AuditStatus.REOPENED)]
        ids = [a.id for a in audits]
        tallies: dict[str, StandardTally] = {}
        for code, value in session.execute(
                select(TemplateQuestion.code, AuditAnswer.value)
                .join(TemplateQuestion, TemplateQuestion.id == AuditAnswer.question_id)
                .where(AuditAnswer.audit_id.in_(ids), AuditAnswer.deleted.is_(False),
                       TemplateQuestion.answer_type == AnswerType.STANDARD.value)):
            tally = tallies.setdefault(code, StandardTally())
            if value in ("met", "partly_met", "not_met", "not_applicable"):
                setattr(tally, value, getattr(tally, value) + 1)
        statuses = Counter(session.scalars(select(Action.status).where(
            Action.deleted.is_(False),
            (Action.exercise_id == exercise_id) | Action.audit_id.in_(ids))))
    cases = row.cases_seen or len({a.case_id for a in audits})
    grades = Counter(a.grade for a in audits if a.grade)
    return ExerciseFigures(
        exercise_id, len(audits), cases, {g: grades[g] for g in GRADES if grades[g]},
        dict(sorted(tallies.items())),
        statuses[ActionStatus.OPEN] + statuses[ActionStatus.IN_PROGRESS],
        statuses[ActionStatus.DONE] + statuses[ActionStatus.VERIFIED])
