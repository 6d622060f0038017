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

Every other copy the store keeps goes too (desktop/store/scrub.py): the change log's
earlier values of those fields are rewritten to the blanked ones, sync conflicts over
them hold the blanked value on both sides (and are settled), and the write-ahead log
is emptied. Backups made before the purge still hold the details: the result names
them, for IT to delete.
"""

from __future__ import annotations

import datetime as dt
import json
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
    SyncConflict,
)
from desktop.models.enums import AnswerType, CaseStatus
from desktop.models.template import TemplateQuestion
from desktop.services.audits.seal import audits_of_cases, resealing
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_changes
from desktop.store.backups import backups_of
from desktop.store.changes import to_json_value
from desktop.store.scrub import checkpoint, scrub_change_log

#: Years after closing that a case's personal details are kept, unless set otherwise
#: (``DIPSAMPLE_RETENTION_YEARS`` or ``--years``): the council's retention schedule.
DEFAULT_YEARS = 6
YEARS_ENV = "DIPSAMPLE_RETENTION_YEARS"
#: What a purge leaves in a text column that may not be empty.
PURGED = ""
#: Cases purged per transaction (a long purge stays cancellable between them).
CHUNK = 200
#: A settled conflict's status (desktop/sync/conflicts.py; not imported: sync sits above).
SETTLED = "settled"
#: ``(table, record id) -> {field: its blanked value}``: what the purge blanked, for
#: the store to take out of its other copies (desktop/store/scrub.py).
Blanked = dict[tuple[str, str], dict[str, Any]]


@dataclass(frozen=True)
class RetentionResult:
    """What a purge did (or, with ``dry_run``, would do): counts and ids only.

    Attributes:
        older_backups: file names of the backups beside the store, made before the
            purge, which still hold what it blanked (empty when nothing was purged).
    """

    cutoff: dt.date
    cases: int
    audits: int
    case_ids: tuple[str, ...]
    dry_run: bool
    older_backups: tuple[str, ...] = ()


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


def _blank(rows: Sequence[Any], fields: tuple[str, ...], blanked: Blanked,
           value: Any = PURGED) -> None:
    """Blank ``fields`` of ``rows``, and note each (record, field) in ``blanked``:
    even a field blank now may hold the text in the change log's earlier rows."""
    for row in rows:
        for name in fields:
            if getattr(row, name) not in ("", None, value):
                setattr(row, name, value)
        blanked.setdefault((row.__tablename__, row.id), {}).update(
            dict.fromkeys(fields, value))


def _purge_case(session: Session, case: Case, blanked: Blanked) -> int:
    """Blank one case and everything written about it; the number of its audits."""
    _blank([case], ("child_name",), blanked)
    _blank([case], ("date_of_birth", "expected_delivery_date"), blanked, None)
    session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.note != "")
                    .values(note=PURGED))
    audits = list(session.scalars(select(Audit).where(Audit.case_id == case.id)))
    _blank(audits, ("overview", "positive_practice", "reopen_reason"), blanked)
    _blank(audits, ("panels_json",), blanked, "{}")
    audit_ids = [a.id for a in audits]
    for model, fields in _BY_CASE:
        _blank(session.scalars(select(model).where(model.case_id == case.id)).all(), fields,
               blanked)
    if audit_ids:
        for model, fields in _BY_AUDIT:
            _blank(session.scalars(select(model).where(model.audit_id.in_(audit_ids))).all(),
                   fields, blanked)
        written = session.scalars(
            select(AuditAnswer).join(TemplateQuestion,
                                     TemplateQuestion.id == AuditAnswer.question_id)
            .where(AuditAnswer.audit_id.in_(audit_ids),
                   TemplateQuestion.answer_type == AnswerType.TEXT.value)).all()
        _blank(written, ("value",), blanked)
    escalations = [e.id for e in session.scalars(select(Escalation).where(
        Escalation.case_id == case.id))]
    if escalations:
        _blank(session.scalars(select(EscalationStep).where(
            EscalationStep.escalation_id.in_(escalations))).all(), ("note",), blanked)
    return len(audits)


def _settle_conflicts(session: Session, ctx: ServiceContext, blanked: Blanked) -> None:
    """A sync conflict over a blanked field keeps the blanked value on both sides and is
    settled (there is nothing left to choose between); its own change-log rows are
    scrubbed with the rest, and the change syncs, so other laptops' copies blank too."""
    by_table: dict[str, list[str]] = {}
    for table, record_id in blanked:
        by_table.setdefault(table, []).append(record_id)
    found: list[SyncConflict] = []
    for table, ids in by_table.items():
        for start in range(0, len(ids), CHUNK):
            found += session.scalars(select(SyncConflict).where(
                SyncConflict.table_name == table,
                SyncConflict.record_id.in_(ids[start:start + CHUNK]))).all()
    for conflict in found:
        fields = blanked.get((conflict.table_name, conflict.record_id), {})
        if conflict.field not in fields:
            continue
        value = json.dumps(to_json_value(fields[conflict.field]))
        conflict.winner_json = conflict.loser_json = value
        if conflict.status != SETTLED:
            conflict.status, conflict.settled_by_id = SETTLED, ctx.user_id
        blanked.setdefault((SyncConflict.__tablename__, conflict.id), {}).update(
            winner_json=value, loser_json=value)


def _older_backups(ctx: ServiceContext) -> tuple[str, ...]:
    """The backups beside the store, all made before this purge: they still hold what it
    blanked, and only deleting them removes it (IT's step; named, not removed here)."""
    return tuple(backup.name for backup in backups_of(ctx.store.path))


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
    older = _older_backups(ctx) if ids else ()
    if dry_run:
        with ctx.store.read() as session:
            audits = len(session.scalars(select(Audit.id).where(
                Audit.case_id.in_(ids))).all()) if ids else 0
        return RetentionResult(cutoff, len(ids), audits, tuple(ids), True, older)
    for start in range(0, len(ids), CHUNK):
        ctx.report(start, len(ids), "purging closed cases")
        chunk = ids[start:start + CHUNK]
        with ctx.store.transaction() as session, resealing(
                session, ctx.user_id, audits_of_cases(session, chunk), "purge"):
            blanked: Blanked = {}
            for case in session.scalars(select(Case).where(Case.id.in_(chunk))):
                audits += _purge_case(session, case, blanked)
            _settle_conflicts(session, ctx, blanked)
            session.flush()
            scrub_change_log(session, blanked)
            log_changes(session, ctx, [("purge", "case", case_id, {"reason": "retention"})
                                       for case_id in chunk])
    if ids:
        checkpoint(ctx.store)
    ctx.report(len(ids), len(ids), "purging closed cases")
    return RetentionResult(cutoff, len(ids), audits, tuple(ids), False, older)
