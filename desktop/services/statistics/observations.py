"""Finalised audits and their answers, read for the statistics as plain records.

Why plain records: the estimators are tested on hand-made data, and the audit
workflow can change how audits are written without touching the statistics. Only
finalised, not deleted audits count: a draft or an audit still open for comment may
change.

The design stratum of an audit (docs/statistics.md) is the one its sample item
recorded at the draw (RAG x priority x area). An audit of a targeted sample has no
stratum (None): its cases were chosen by a theme, with no known probability, so it
stays out of caseload-wide figures. An audit whose item predates the recording, or
with no sample item at all, is placed where the weekly draw would have put it (the
RAG at the draw, else the RAG recorded on the audit, else the case's; the case's
cohort and area) and marked ``assumed_design``, so a report can say how many.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import Audit, AuditAnswer, Case, Sample, SampleItem, TemplateQuestion
from desktop.models.enums import AnswerType, AuditStatus, SampleKind, StandardAnswer
from desktop.services.sampling.allocate import design_stratum
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
    assumed_design: bool = False


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


def load_audits(session: Session, start: dt.date, end: dt.date,
                priority_cohorts: Collection[str] = ()) -> list[AuditRecord]:
    """Finalised audits dated in ``[start, end]`` with their scored answers."""
    query = (
        select(Audit.id, Audit.case_id, Case.team_id, Case.worker_id, Case.service_area_id,
               SampleItem.rag_at_draw, Audit.recorded_rag, Case.rag, Audit.audit_date,
               Audit.auditor_rag, SampleItem.design_stratum, Sample.kind, Case.cohort)
        .join(Case, Case.id == Audit.case_id)
        .outerjoin(SampleItem, SampleItem.id == Audit.sample_item_id)
        .outerjoin(Sample, Sample.id == SampleItem.sample_id)
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
    priority = set(priority_cohorts)
    records = []
    for (audit_id, case_id, team, worker, area, drawn, recorded, current, on, auditor,
         stratum, kind, cohort) in heads:
        rag = drawn or recorded or current
        assumed = False
        if kind == SampleKind.TARGETED.value:
            stratum = None
        elif stratum is None and rag is not None:
            stratum, assumed = design_stratum(rag, area, cohort in priority), True
        records.append(AuditRecord(audit_id, case_id, team, worker, area, stratum, on,
                                   recorded, auditor, tuple(answers.get(audit_id, ())),
                                   assumed))
    return records


def caseload_sizes(session: Session, as_of: dt.date, priority_cohorts: Collection[str] = (),
                   weeks: float = 1.0) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Case-weeks per design stratum (RAG x priority x area) over a window of
    ``weeks`` weeks ending ``as_of``, overall and per team.

    Why case-weeks (issue 10, item 3): over 8 or 12 weeks a case can be audited more
    than once (once per re-audit gap), so the population a window's audits are drawn
    from is the open cases of each week, not the cases. The open cases on ``as_of``,
    by their current RAG, stand for every week of the window: the case system keeps
    no history of the whole caseload's ratings, and stratum sizes move slowly.
    """
    priority = set(priority_cohorts)
    overall: dict[str, float] = {}
    by_team: dict[str, dict[str, float]] = {}
    rows = session.execute(select(Case.team_id, Case.rag, Case.cohort, Case.service_area_id,
                                  func.count())
                           .where(open_on(as_of), Case.rag.is_not(None))
                           .group_by(Case.team_id, Case.rag, Case.cohort,
                                     Case.service_area_id))
    for team, rag, cohort, area, count in rows:
        assert rag is not None  # the query keeps rated cases only
        key = design_stratum(rag, area, cohort in priority)
        overall[key] = overall.get(key, 0.0) + count * weeks
        if team is not None:
            cells = by_team.setdefault(team, {})
            cells[key] = cells.get(key, 0.0) + count * weeks
    return overall, by_team


def open_by_rag(session: Session, as_of: dt.date) -> dict[str, int]:
    """Open cases per RAG on ``as_of``: the caseload a report describes."""
    return {rag: count for rag, count in session.execute(
        select(Case.rag, func.count()).where(open_on(as_of), Case.rag.is_not(None))
        .group_by(Case.rag)) if rag is not None}
