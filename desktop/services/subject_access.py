"""A subject access request: everything DipSample holds about one child, as one file.

Why every column of every row and not a report: the council must disclose what it
holds, not a summary of it; the redaction of third parties is the council's own step
after this export. The export itself is logged (``export`` of the case, by id), and the
file is handed out as every file is (desktop/files.py): written aside readable by its
owner only, the export logged, then renamed into place.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, UserError
from desktop.files import write_text
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    AuditComment,
    Case,
    CaseEvent,
    Escalation,
    EscalationStep,
    Event,
    Moderation,
    RagDisagreement,
)
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_export


@dataclass
class SubjectAccessExport:
    """Everything held about one case, each table as a list of rows (column -> value).

    Attributes:
        case_ref: the case system's reference.
        tables: table name -> rows, in a fixed order.
    """

    case_ref: str
    made_at: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"case_ref": self.case_ref, "made_at": self.made_at,
                           "tables": self.tables}, indent=2, ensure_ascii=False,
                          default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__}")


def _rows(objects: Any) -> list[dict[str, Any]]:
    found = []
    for obj in objects:
        mapper = inspect(obj).mapper
        found.append({attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs})
    return found


def _collect(session: Session, case: Case) -> dict[str, list[dict[str, Any]]]:
    audits = list(session.scalars(select(Audit).where(Audit.case_id == case.id)
                                  .order_by(Audit.audit_date, Audit.id)))
    audit_ids = [a.id for a in audits]
    escalations = list(session.scalars(select(Escalation).where(
        Escalation.case_id == case.id)))
    by_audit = (lambda model: model.audit_id.in_(audit_ids))  # noqa: E731
    tables: dict[str, list[dict[str, Any]]] = {
        "case": _rows([case]),
        "case_events": _rows(session.scalars(select(CaseEvent).where(
            CaseEvent.case_id == case.id).order_by(CaseEvent.occurred_on))),
        "audits": _rows(audits),
        "audit_answers": _rows(session.scalars(select(AuditAnswer).where(
            by_audit(AuditAnswer)))),
        "audit_comments": _rows(session.scalars(select(AuditComment).where(
            by_audit(AuditComment)))),
        "moderations": _rows(session.scalars(select(Moderation).where(
            by_audit(Moderation)))),
        "actions": _rows(session.scalars(select(Action).where(
            or_(Action.case_id == case.id, by_audit(Action))))),
        "disagreements": _rows(session.scalars(select(RagDisagreement).where(
            RagDisagreement.case_id == case.id))),
        "escalations": _rows(escalations),
        "escalation_steps": _rows(session.scalars(select(EscalationStep).where(
            EscalationStep.escalation_id.in_([e.id for e in escalations])))),
        "event_log": _rows(session.scalars(select(Event).where(or_(
            (Event.entity == "case") & (Event.entity_id == case.id),
            (Event.entity == "audit") & Event.entity_id.in_(audit_ids))).order_by(Event.seq))),
    }
    return tables


def _gather(ctx: ServiceContext, case_ref: str) -> tuple[SubjectAccessExport, str]:
    guard(ctx, Permission.SUBJECT_ACCESS)
    ref = case_ref.strip()
    # Past the person's reach on purpose: a subject access request is answered with
    # everything the council holds about the child, by the roles allowed to answer one
    # (an administrator reaches no case otherwise); the export is logged.
    with ctx.store.read() as session:
        case = session.scalar(select(Case).where(Case.case_ref == ref))
        if case is None:
            raise InputProblem(f"no case '{ref}' in this store")
        export = SubjectAccessExport(case.case_ref, ctx.now().isoformat(),
                                     _collect(session, case))
        return export, case.id


def _log(ctx: ServiceContext, case_id: str) -> None:
    log_export(ctx, "case", case_id, "json", purpose="subject_access")


def subject_access(ctx: ServiceContext, case_ref: str) -> SubjectAccessExport:
    """Everything held about the case ``case_ref`` (the export is logged)."""
    export, case_id = _gather(ctx, case_ref)
    _log(ctx, case_id)
    return export


def write_subject_access(ctx: ServiceContext, case_ref: str, path: Path
                         ) -> SubjectAccessExport:
    """Everything held about the case ``case_ref``, written to ``path`` as JSON (0600);
    the export is logged before the file takes its name."""
    export, case_id = _gather(ctx, case_ref)  # refuses first whoever may not
    if path.suffix.lower() != ".json":
        # A name that says otherwise (sar.pdf) would be opened by the wrong program, or
        # sent on as something it is not.
        raise UserError(f"the export is JSON: name the file with .json (for example "
                           f"{path.with_suffix('.json').name})")
    write_text(path, export.to_json(), lambda: _log(ctx, case_id))
    return export
