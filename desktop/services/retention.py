"""Retention: the personal details of cases closed longer ago than the council keeps
them are blanked; the audits keep their figures.

Why blank and not delete: a deleted row cannot be replayed on another laptop (records
are tombstoned, never removed), and the audits of a purged case still count in every
report: their grades, answers and dates stay, only what names or describes the child
goes. Each change goes through the store's change recorder, so sync carries the purge
to every other copy. Case events are facts that never change elsewhere, so their
written notes are blanked here with one statement (a fact has no version to sync).

What is blanked, per case: the child's name, date of birth and expected delivery date;
the notes of its case events; its audits' overview, positive practice, reopening
reason and side panels, the notes of every answer and the value of every written
(text) answer; comments, moderation notes; actions' descriptions, progress, evidence
and cancel reasons; disagreements' rationale and next steps; escalations' concern,
response and step notes. The case reference, team, worker and dates stay.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    AuditComment,
    Case,
    CaseEvent,
    Escalation,
    EscalationStep,
    Moderation,
    RagDisagreement,
)
from desktop.models.enums import AnswerType, CaseStatus
from desktop.models.template import TemplateQuestion
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_changes

#: Years after closing that a case's personal details are kept, unless set otherwise
#: (``DIPSAMPLE_RETENTION_YEARS`` or ``--years``): the council's retention schedule.
DEFAULT_YEARS = 6
YEARS_ENV = "DIPSAMPLE_RETENTION_YEARS"
#: What a purge leaves in a text column that may not be empty.
PURGED = ""
#: Cases purged per transaction (a long purge stays cancellable between them).
CHUNK = 200


@dataclass(frozen=True)
class RetentionResult:
    """What a purge did (or, with ``dry_run``, would do): counts and ids only."""

    cutoff: dt.date
    cases: int
    audits: int
    case_ids: tuple[str, ...]
    dry_run: bool


def retention_years() -> float:
    raw = os.environ.get(YEARS_ENV, "")
    try:
        value = float(raw) if raw else DEFAULT_YEARS
    except ValueError:
        raise InputProblem(f"{YEARS_ENV} must be a number of years, not '{raw}'") from None
    return value


def cutoff_for(today: dt.date, years: float) -> dt.date:
    """The last closing date that is purged: ``years`` before ``today``."""
    if not 0 < years <= 200:
        raise InputProblem("the retention period must be between 0 and 200 years")
    return today - dt.timedelta(days=round(years * 365.25))


#: Per model: the column tying a row to a case or an audit, and the text columns blanked.
_BY_CASE: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (RagDisagreement, ("rationale", "next_steps")),
    (Escalation, ("concern", "response")),
    (Action, ("description", "progress", "evidence", "cancel_reason")),
)
_BY_AUDIT: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (AuditComment, ("body",)),
    (Moderation, ("note",)),
    (AuditAnswer, ("note",)),
    (Action, ("description", "progress", "evidence", "cancel_reason")),
)


def _blank(rows: Sequence[Any], fields: tuple[str, ...]) -> None:
    for row in rows:
        for name in fields:
            if getattr(row, name) not in ("", None):
                setattr(row, name, PURGED)


def _purge_case(session: Session, case: Case) -> int:
    """Blank one case and everything written about it; the number of its audits."""
    case.child_name = PURGED
    case.date_of_birth = None
    case.expected_delivery_date = None
    session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.note != "")
                    .values(note=PURGED))
    audits = list(session.scalars(select(Audit).where(Audit.case_id == case.id)))
    for audit in audits:
        _blank([audit], ("overview", "positive_practice", "reopen_reason"))
        if audit.panels_json not in ("{}", ""):
            audit.panels_json = "{}"
    audit_ids = [a.id for a in audits]
    for model, fields in _BY_CASE:
        _blank(session.scalars(select(model).where(model.case_id == case.id)).all(), fields)
    if audit_ids:
        for model, fields in _BY_AUDIT:
            _blank(session.scalars(select(model).where(model.audit_id.in_(audit_ids))).all(),
                   fields)
        written = session.scalars(
            select(AuditAnswer).join(TemplateQuestion,
                                     TemplateQuestion.id == AuditAnswer.question_id)
            .where(AuditAnswer.audit_id.in_(audit_ids),
                   TemplateQuestion.answer_type == AnswerType.TEXT.value)).all()
        for answer in written:
            if answer.value:
                answer.value = PURGED
    escalations = [e.id for e in session.scalars(select(Escalation).where(
        Escalation.case_id == case.id))]
    if escalations:
        _blank(session.scalars(select(EscalationStep).where(
            EscalationStep.escalation_id.in_(escalations))).all(), ("note",))
    return len(audits)


def purge_closed(ctx: ServiceContext, *, years: float | None = None,
                 dry_run: bool = False) -> RetentionResult:
    """Blank the personal details of every case closed on or before the cutoff.

    A case already purged (no name, no date of birth) is left alone, so running it every
    night changes nothing new. Each purged case is one ``purge`` entry in the event log.
    """
    guard(ctx, Permission.RETENTION)
    cutoff = cutoff_for(ctx.today(), retention_years() if years is None else years)
    with ctx.store.read() as session:
        ids = list(session.scalars(select(Case.id).where(
            Case.status == CaseStatus.CLOSED.value, Case.closed_on.is_not(None),
            Case.closed_on <= cutoff,
            (Case.child_name != "") | Case.date_of_birth.is_not(None)
            | Case.expected_delivery_date.is_not(None)).order_by(Case.case_ref)))
    audits = 0
    if dry_run:
        with ctx.store.read() as session:
            audits = len(session.scalars(select(Audit.id).where(
                Audit.case_id.in_(ids))).all()) if ids else 0
        return RetentionResult(cutoff, len(ids), audits, tuple(ids), True)
    for start in range(0, len(ids), CHUNK):
        ctx.report(start, len(ids), "purging closed cases")
        chunk = ids[start:start + CHUNK]
        with ctx.store.transaction() as session:
            for case in session.scalars(select(Case).where(Case.id.in_(chunk))):
                audits += _purge_case(session, case)
            session.flush()
            log_changes(session, ctx, [("purge", "case", case_id, {"reason": "retention"})
                                       for case_id in chunk])
    ctx.report(len(ids), len(ids), "purging closed cases")
    return RetentionResult(cutoff, len(ids), audits, tuple(ids), False)
