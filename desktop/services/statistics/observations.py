"""Finalised audits and their answers, read for the statistics as plain records.

Why plain records: the estimators are tested on hand-made data, and the audit
workflow can change how audits are written without touching the statistics. Only
finalised, not deleted audits count: a draft or an audit still open for comment may
change. The design stratum of an audit is the case's RAG when it was drawn (the
sample item's ``rag_at_draw``), else the RAG recorded on the audit, else the case's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import Audit, AuditAnswer, Case, SampleItem, TemplateQuestion
from desktop.models.enums import AnswerType, AuditStatus, StandardAnswer
from desktop.services.standards.facts import open_on


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    question_code: str
    question_text: str
    standard_code: str | None
    answer_type: str
    value: str | None


@dataclass(frozen=True)
class AuditRecord:
    audit_id: str
    case_id: str
    team_id: str | None
    worker_id: str | None
    service_area_id: str | None
    stratum: str | None
    audit_date: dt.date | None
    recorded_rag: str | None
    auditor_rag: str | None
    answers: tuple[AnswerRecord, ...]


def outcome(answer_type: str, value: str | None) -> bool | None:
    """Met (True), not met (False) or no outcome (None: not applicable or not scored).

    "Partly met" counts as not met: the standard asks for the whole of it.
    """
    if answer_type == AnswerType.STANDARD:
        if value == StandardAnswer.MET:
            return True
        if value in (StandardAnswer.PARTLY_MET, StandardAnswer.NOT_MET):
            return False
        return None
    if answer_type == AnswerType.YES_NO:
        return {"yes": True, "no": False}.get((value or "").strip().lower())
    return None


def load_audits(session: Session, start: dt.date, end: dt.date) -> list[AuditRecord]:
    """Finalised audits dated in ``[start, end]`` with their scored answers."""
    query = (
        select(Audit.id, Audit.case_id, Case.team_id, Case.worker_id, Case.service_area_id,
               SampleItem.rag_at_draw, Audit.recorded_rag, Case.rag, Audit.audit_date,
               Audit.auditor_rag)
        .join(Case, Case.id == Audit.case_id)
        .outerjoin(SampleItem, SampleItem.id == Audit.sample_item_id)
        .where(Audit.deleted.is_(False), Audit.status == AuditStatus.FINALISED.value,
               Audit.audit_date >= start, Audit.audit_date <= end)
        .order_by(Audit.audit_date, Audit.id))
    heads = session.execute(query).all()
    answers: dict[str, list[AnswerRecord]] = {}
    ids = [h[0] for h in heads]
    for chunk in range(0, len(ids), 500):
        rows = session.execute(
            select(AuditAnswer.audit_id, TemplateQuestion.code, TemplateQuestion.text,
                   TemplateQuestion.standard_code, TemplateQuestion.answer_type,
                   AuditAnswer.value)
            .join(TemplateQuestion, TemplateQuestion.id == AuditAnswer.question_id)
            .where(AuditAnswer.audit_id.in_(ids[chunk:chunk + 500]),
                   AuditAnswer.deleted.is_(False),
                   TemplateQuestion.answer_type.in_((AnswerType.STANDARD.value,
                                                     AnswerType.YES_NO.value))))
        for audit_id, code, text, standard, kind, value in rows:
            answers.setdefault(audit_id, []).append(AnswerRecord(code, text, standard, kind,
                                                                 value))
    return [AuditRecord(audit_id, case_id, team, worker, area, drawn or recorded or current,
                        on, recorded, auditor, tuple(answers.get(audit_id, ())))
            for (audit_id, case_id, team, worker, area, drawn, recorded, current, on, auditor)
            in heads]


def caseload_sizes(session: Session, as_of: dt.date) -> tuple[dict[str, int],
                                                              dict[str, dict[str, int]]]:
    """Open cases per RAG on ``as_of`` (the stratum sizes), overall and per team.

    The current RAG is used: stratum sizes move slowly and the case system keeps no
    history of the whole caseload's ratings.
    """
    overall: dict[str, int] = {}
    by_team: dict[str, dict[str, int]] = {}
    rows = session.execute(select(Case.team_id, Case.rag, func.count())
                           .where(open_on(as_of), Case.rag.is_not(None))
                           .group_by(Case.team_id, Case.rag))
    for team, rag, count in rows:
        overall[rag] = overall.get(rag, 0) + count
        if team is not None:
            by_team.setdefault(team, {})[rag] = count
    return overall, by_team
