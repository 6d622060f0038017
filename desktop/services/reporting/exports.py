"""Audits, their answers and actions as plain tables, for spreadsheet exports.

Why tables of values and not the ORM rows: an export is read by people in Excel and by
councils' own scripts; each column has a heading a person understands, names instead of
ids where a person would look for a name, and dates as dates.

Words, not codes (issue 24, item 6): a status, grade, priority or scored answer is
written as the PDFs write it ("Open for comment", "Not met"), with the stored code in
the column after it ("Status code") for scripts. Times are the council's clock: every
time column is in Europe/London local time and its heading says so, in CSV and XLSX
alike (the CSV wrote UTC with no zone while the XLSX wrote London time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    AuditTemplate,
    Case,
    TemplateQuestion,
)
from desktop.models.enums import AnswerType
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.scope import Scope, audit_condition
from desktop.services.context import ServiceContext
from desktop.services.reporting.london import ZONE_WORDS
from desktop.services.reporting.names import code_words, team_names, user_names, worker_names

Value = str | int | float | bool | dt.date | dt.datetime | None
KINDS = ("audits", "answers", "actions")
#: Answer types whose stored value is a code (the others are kept as typed).
CODED_ANSWERS = frozenset({AnswerType.STANDARD.value, AnswerType.YES_NO.value,
                           AnswerType.GRADE.value})


def timed(heading: str) -> str:
    """A time column's heading, naming the zone its times are in."""
    return f"{heading} ({ZONE_WORDS})"


@dataclass(frozen=True)
class ExportTable:
    """One sheet (or one CSV file): ``ids`` are the records it holds, for the log."""

    name: str
    headers: tuple[str, ...]
    rows: list[tuple[Value, ...]]
    entity: str
    ids: list[str]


@dataclass(frozen=True)
class Period:
    """Audits dated from ``start`` to ``end`` inclusive; None leaves that side open."""

    start: dt.date | None = None
    end: dt.date | None = None


def _audits(session: Session, period: Period, scope: Scope) -> Sequence[Any]:
    query = (select(Audit, Case, AuditTemplate).join(Case, Case.id == Audit.case_id)
             .join(AuditTemplate, AuditTemplate.id == Audit.template_id)
             .where(Audit.deleted.is_(False)).order_by(Audit.audit_date, Case.case_ref))
    if period.start is not None:
        query = query.where(Audit.audit_date >= period.start)
    if period.end is not None:
        query = query.where(Audit.audit_date <= period.end)
    if not scope.everything:  # only the audits the acting user may see
        query = query.where(audit_condition(scope))
    return session.execute(query).all()


def export_tables(ctx: ServiceContext, kinds: tuple[str, ...] = KINDS,
                  period: Period | None = None) -> list[ExportTable]:
    """The tables named by ``kinds`` (``audits``, ``answers``, ``actions``) for a period."""
    scope = guard(ctx, P.EXPORT).scope
    period = period or Period()
    with ctx.read() as session:
        rows = _audits(session, period, scope)
        ids = [a.id for a, _, _ in rows]
        refs = {a.id: c.case_ref for a, c, _ in rows}
        tables: list[ExportTable] = []
        for kind in kinds:
            if kind == "audits":
                tables.append(_audit_table(session, rows))
            elif kind == "answers":
                tables.append(_answer_table(session, ids, refs))
            elif kind == "actions":
                tables.append(_action_table(session, ids, refs))
            else:
                raise ValueError(f"unknown export {kind}")
        return tables


def _audit_table(session: Session, rows: Sequence[Any]) -> ExportTable:
    teams = team_names(session, (c.team_id for _, c, _ in rows))
    workers = worker_names(session, (c.worker_id for _, c, _ in rows))
    users = user_names(session, (a.auditor_id for a, _, _ in rows))
    return ExportTable(
        "Audits",
        ("Audit id", "Case reference", "Team", "Worker", "Auditor", "Date of audit",
         "Template", "Template code", "Version", "Status", "Status code", "RAG on record",
         "Auditor RAG", "Grade", "Grade code", "Significant harm", "Overview of findings",
         "Positive practice", timed("Submitted"), timed("Finalised")),
        [(a.id, c.case_ref, teams.get(c.team_id or "", ""), workers.get(c.worker_id or "", ""),
          users.get(a.auditor_id, ""), a.audit_date, t.title, t.code, t.version,
          code_words(a.status), a.status, code_words(a.recorded_rag),
          code_words(a.auditor_rag), code_words(a.grade), a.grade, a.significant_harm,
          a.overview, a.positive_practice, a.submitted_at, a.finalised_at)
         for a, c, t in rows],
        "audit", [a.id for a, _, _ in rows])


def _answer_table(session: Session, ids: list[str], refs: dict[str, str]) -> ExportTable:
    found: list[Row[AuditAnswer, TemplateQuestion]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found += session.execute(
            select(AuditAnswer, TemplateQuestion)
            .join(TemplateQuestion, TemplateQuestion.id == AuditAnswer.question_id)
            .where(AuditAnswer.audit_id.in_(chunk), AuditAnswer.deleted.is_(False))).all()
    order = {audit_id: n for n, audit_id in enumerate(ids)}
    found.sort(key=lambda r: (order[r[0].audit_id], r[1].position))
    def answer(value: str | None, kind: str) -> tuple[str | None, str | None]:
        """(as a person reads it, the code) of a coded answer; typed text as typed."""
        return (code_words(value), value) if kind in CODED_ANSWERS else (value, None)

    return ExportTable(
        "Answers",
        ("Audit id", "Case reference", "Section", "Question code", "Question", "Answer",
         "Answer code", "Note"),
        [(a.audit_id, refs[a.audit_id], q.section, q.code, q.text,
          *answer(a.value, q.answer_type), a.note) for a, q in found],
        "audit", sorted({a.audit_id for a, _ in found}))


def _action_table(session: Session, ids: list[str], refs: dict[str, str]) -> ExportTable:
    found: list[Action] = []
    for start in range(0, len(ids), 500):
        found += session.scalars(select(Action).where(
            Action.audit_id.in_(ids[start:start + 500]), Action.deleted.is_(False))).all()
    order = {audit_id: n for n, audit_id in enumerate(ids)}
    found.sort(key=lambda a: (order[a.audit_id or ""], a.position, a.id))
    workers = worker_names(session, (a.owner_worker_id for a in found))
    users = user_names(session, (a.owner_user_id for a in found))
    return ExportTable(
        "Actions",
        ("Action id", "Audit id", "Case reference", "What", "Owner", "Due", "By when",
         "Priority", "Status", "Status code", "Review on", timed("Completed")),
        [(a.id, a.audit_id, refs.get(a.audit_id or "", ""), a.description,
          workers.get(a.owner_worker_id or "") or users.get(a.owner_user_id or "") or a.lead,
          a.due_on, a.by_when_text, code_words(a.priority), code_words(a.status), a.status,
          a.review_on, a.completed_at)
         for a in found],
        "action", [a.id for a in found])
