"""Some weeks of past dip-sample audits, their actions and RAG disagreements.

Why history: the action tracker, the weekly reports, the four-week rule of the sampler
(seed 001: no case audited again within 4 weeks) and the statistics all need audits
that already happened. Each past week every auditor dip-sampled up to Red 10, Amber 10,
Green 5 open cases of their own areas (seed 000), no case twice in a week and none
within four weeks of its last audit; most audits finalised after the 72-hour comment
window (seed 001); a "not met" standard usually has an action reviewed after two weeks.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.models import Action, Audit, AuditAnswer, RagDisagreement
from desktop.models.enums import (
    ActionSource,
    ActionStatus,
    AnswerType,
    AuditStatus,
    DisagreementStatus,
    Grade,
    Rag,
    StandardAnswer,
)
from desktop.services.demo_county.caseload import CaseSketch
from desktop.services.demo_county.names import new_uuid
from desktop.services.demo_county.organisation import Organisation
from desktop.services.demo_county.rows import model_row

WEEKS = 6
QUOTAS = ((Rag.RED.value, 10), (Rag.AMBER.value, 10), (Rag.GREEN.value, 5))
#: seed 001: a case is not audited again within four weeks.
GAP_DAYS = 28
#: seed 001: with no query an audit finalises 72 hours after submission.
COMMENT_HOURS = 72
#: An auditor completes this share of their sample in a week (leave, sickness, courts).
COMPLETION = 0.9
STANDARD_MIX = {StandardAnswer.MET: 0.70, StandardAnswer.PARTLY_MET: 0.15,
                StandardAnswer.NOT_MET: 0.12, StandardAnswer.NOT_APPLICABLE: 0.03}
GRADE_MIX = {Grade.OUTSTANDING: 0.08, Grade.GOOD: 0.45, Grade.REQUIRES_IMPROVEMENT: 0.35,
             Grade.INADEQUATE: 0.12}

OVERVIEWS = (
    "Risk assessment is current and analytical; the plan addresses the identified risks.",
    "Visits are in line with the RAG rating and the child's views are recorded.",
    "The VTT has not been reviewed since circumstances changed; the rating needs updating.",
    "Management oversight is recorded but does not set out the next steps clearly.",
    "The risk assessment is out of date and does not reflect recent police involvement.",
    "Good multi-agency information; the chronology is incomplete.",
    "Visiting frequency has slipped below the standard for the current rating.",
    "Clear, child-focused recording; the plan is reviewed at each visit.",
)
POSITIVES = (
    "The child's wishes and feelings are recorded in their own words.",
    "Timely management oversight with clear direction.",
    "Strong working relationship with the school and health visitor.",
    "Creative direct work with the child, recorded on file.",
    "Partner agency visit records returned and uploaded promptly.",
)
RATIONALES = (
    "Recent incidents suggest the risk is higher than the current rating.",
    "Protective factors have strengthened since the last review.",
    "The rating has not been reviewed since the change of placement.",
)
ACTIONS = {
    "ra_in_place": "Complete an up-to-date risk assessment and upload it to the child's record.",
    "ra_quality": "Revise the risk assessment to analyse the key risks and protective factors.",
    "ra_response_proportionate": "Agree in supervision a plan proportionate to the risks.",
    "vtt_completed": "Complete a review VTT and have it authorised by the team manager.",
}
DEFAULT_ACTION = "Address the finding of the dip sample and record the outcome on file."
NEXT_STEPS = "Discussed with the social worker and team manager; rating and plan agreed."


@dataclass(frozen=True)
class Question:
    id: str
    code: str
    answer_type: str


@dataclass
class History:
    audits: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    #: case id to the date of its latest audit.
    last_audit: dict[str, dt.date] = field(default_factory=dict)


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _stamp(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


class HistoryMaker:
    """Draws audits week by week, oldest first, from one random stream."""

    def __init__(self, rng: random.Random, org: Organisation, sketches: Sequence[CaseSketch],
                 template_id: str, questions: Sequence[Question], as_of: dt.date,
                 now: dt.datetime) -> None:
        self.rng = rng
        self.org = org
        self.template_id = template_id
        self.questions = list(questions)
        self.as_of = as_of
        self.now = now
        self.cases = [s for s in sketches if s.open]
        by_area_rag: dict[tuple[str, str], list[int]] = {}
        for index, sketch in enumerate(self.cases):
            by_area_rag.setdefault((sketch.area_id, sketch.rag), []).append(index)
        self.pools: dict[tuple[tuple[str, ...], str], list[int]] = {}
        for _user, areas in org.auditors:
            for rag, _quota in QUOTAS:
                key = (areas, rag)
                if key not in self.pools:
                    self.pools[key] = [i for a in areas for i in by_area_rag.get((a, rag), [])]
        self.history = History()

    def build(self) -> History:
        for week in range(WEEKS, 0, -1):
            start = self.as_of - dt.timedelta(days=7 * week)
            self._week(start)
        return self.history

    def _week(self, start: dt.date) -> None:
        rng = self.rng
        days = [start + dt.timedelta(days=d) for d in range(7)]
        workdays = [d for d in days if d.weekday() < 5]
        taken: set[int] = set()
        for auditor_id, areas in self.org.auditors:
            for rag, quota in QUOTAS:
                pool = self.pools[(areas, rag)]
                wanted = sum(1 for _ in range(quota) if rng.random() < COMPLETION)
                for _ in range(wanted):
                    index = self._draw(pool, taken, start)
                    if index is None:
                        break
                    taken.add(index)
                    self._audit(auditor_id, self.cases[index], rng.choice(workdays))

    def _draw(self, pool: list[int], taken: set[int], start: dt.date) -> int | None:
        """A random case of ``pool`` not taken this week and not audited in four weeks."""
        last = self.history.last_audit
        for _ in range(40):
            if not pool:
                return None
            index = pool[self.rng.randrange(len(pool))]
            previous = last.get(self.cases[index].id)
            if index not in taken and (previous is None
                                       or (start - previous).days >= GAP_DAYS):
                return index
        return None

    def _audit(self, auditor_id: str, case: CaseSketch, day: dt.date) -> None:
        rng, history = self.rng, self.history
        audit_id = new_uuid(rng)
        recorded = case.rag
        auditor_rag = recorded
        if rng.random() < 0.1:
            auditor_rag = rng.choice([r.value for r in Rag if r.value != recorded])
        submitted = _stamp(day, 15)
        comment_until = submitted + dt.timedelta(hours=COMMENT_HOURS)
        finalised = comment_until <= self.now
        history.audits.append(model_row(
            Audit, audit_id, case_id=case.id, auditor_id=auditor_id,
            template_id=self.template_id,
            status=(AuditStatus.FINALISED if finalised else AuditStatus.OPEN_FOR_COMMENT).value,
            origin="app", audit_date=day, recorded_rag=recorded, auditor_rag=auditor_rag,
            grade=_pick(rng, GRADE_MIX).value, overview=rng.choice(OVERVIEWS),
            positive_practice=rng.choice(POSITIVES) if rng.random() < 0.5 else "",
            submitted_at=submitted, comment_until=comment_until,
            finalised_at=comment_until if finalised else None))
        history.last_audit[case.id] = max(day, history.last_audit.get(case.id, day))
        position = 0
        for question in self.questions:
            value = self._answer(question, day, recorded == auditor_rag)
            if value is None:
                continue
            history.answers.append(model_row(AuditAnswer, new_uuid(rng), audit_id=audit_id,
                                             question_id=question.id, value=value))
            needs_action = value == StandardAnswer.NOT_MET.value or (
                value == StandardAnswer.PARTLY_MET.value and rng.random() < 0.5)
            if question.answer_type == AnswerType.STANDARD and needs_action:
                position += 1
                history.actions.append(self._action(audit_id, case, question, day, position))
        if auditor_rag != recorded:
            history.disagreements.append(self._disagreement(audit_id, auditor_id, case,
                                                            auditor_rag, day))

    def _answer(self, question: Question, day: dt.date, agrees: bool) -> str | None:
        rng = self.rng
        kind = question.answer_type
        if kind == AnswerType.STANDARD:
            return _pick(rng, STANDARD_MIX).value
        if kind == AnswerType.YES_NO:
            return "yes" if agrees else "no"
        if kind == AnswerType.GRADE:
            return _pick(rng, GRADE_MIX).value
        if kind == AnswerType.DATE:
            return (day - dt.timedelta(days=rng.randint(2, 50))).isoformat()
        if kind == AnswerType.TEXT:
            return None if agrees else rng.choice(RATIONALES)
        return None

    def _action(self, audit_id: str, case: CaseSketch, question: Question, day: dt.date,
                position: int) -> dict[str, Any]:
        rng = self.rng
        due = day + dt.timedelta(days=rng.choice((7, 14, 14, 21, 28)))
        if due < self.as_of:
            status = _pick(rng, {ActionStatus.DONE: 0.5, ActionStatus.VERIFIED: 0.25,
                                 ActionStatus.OPEN: 0.15, ActionStatus.IN_PROGRESS: 0.10})
        else:
            status = _pick(rng, {ActionStatus.OPEN: 0.5, ActionStatus.IN_PROGRESS: 0.4,
                                 ActionStatus.DONE: 0.1})
        finished = status in (ActionStatus.DONE, ActionStatus.VERIFIED)
        completed_on = min(self.as_of, day + dt.timedelta(days=rng.randint(2, 25)))
        completed = _stamp(completed_on, 11) if finished else None
        manager_user = self.org.manager_users.get(case.manager_id)
        return model_row(
            Action, new_uuid(rng), source=ActionSource.AUDIT.value, audit_id=audit_id,
            case_id=case.id, question_id=question.id,
            description=ACTIONS.get(question.code, DEFAULT_ACTION),
            owner_worker_id=case.worker_id, due_on=due, position=position,
            review_on=day + dt.timedelta(days=14), status=status.value,
            progress="Discussed in supervision." if status is not ActionStatus.OPEN else "",
            evidence="Recorded on the child's file." if finished else "",
            completed_at=completed, confirmed_by_id=manager_user if finished else None,
            confirmed_at=completed,
            verified_by_id=(rng.choice(self.org.qa_user_ids)
                            if status is ActionStatus.VERIFIED else None),
            verified_at=completed + dt.timedelta(days=2) if completed and
            status is ActionStatus.VERIFIED else None)

    def _disagreement(self, audit_id: str, auditor_id: str, case: CaseSketch,
                      auditor_rag: str, day: dt.date) -> dict[str, Any]:
        rng = self.rng
        settled = (self.as_of - day).days > 10 or rng.random() < 0.4
        people = [{"role": "social_worker", "id": case.worker_id},
                  {"role": "team_manager", "id": case.manager_id}]
        return model_row(
            RagDisagreement, new_uuid(rng), audit_id=audit_id, case_id=case.id,
            raised_by_id=auditor_id, recorded_rag=case.rag, auditor_rag=auditor_rag,
            rationale=rng.choice(RATIONALES),
            discussed_at=_stamp(day + dt.timedelta(days=2), 10) if settled else None,
            participants_json=json.dumps(people) if settled else "[]",
            next_steps=NEXT_STEPS if settled else "",
            outcome_rag=rng.choice((case.rag, auditor_rag)) if settled else None,
            status=(DisagreementStatus.AGREED if settled else DisagreementStatus.OPEN).value)
