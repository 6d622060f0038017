"""What the weekly report for senior management shows (seed 001): a week's findings
broken down by team and by individual worker, and each auditor's audits against quota.

Why the case's team and allocated worker carry every figure (audits, grades, standards,
disagreements, escalations, overdue actions): seed 001 asks for findings "broken down
by Team and individual worker", meaning whose practice was audited; an auditor's own
figure is their audits against the weekly quota (seed 000), reported separately.

Counted as the week's audits: those dated in the ISO week and submitted (a draft or a
reopened audit is not a finding yet), as the exercise summary counts them. A team or a
worker is listed for the week's audits of its cases and the escalations raised on them,
never only because old actions are overdue (issue 24, item 3).

Overdue actions (issue 24, item 3) are counted on the cases audited in the week, as at
the end of the report's day (the week's Sunday, or today while the week is running,
in London): an action whose due date had passed by that day and that was not yet
finished at that moment. "Finished at that moment" is read from the action's status
history (``action_status_changes``: every move the tracker made, at the app's time,
synced), not its status today, so a report reprinted after some of those actions were
completed, sent back or cancelled gives the same figure: the status at that moment is
the last move made by then, or, before its first move, the status that move left. An
action never moved since the history was kept (schema 0013) is read from its stamps,
as before: done and verified by their completion time, cancelled by the time of its
last change. An action due before the day was necessarily there on the day: a due
date in the past is refused when an action is added. The caseload's overdue actions
(every case, audited or not) are counted the same way and reported apart, labelled as
such.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from desktop.models import (
    Action,
    ActionStatusChange,
    Audit,
    AuditAnswer,
    Case,
    Escalation,
    RagDisagreement,
    Sample,
    TemplateQuestion,
)
from desktop.models.enums import ActionStatus, AnswerType, AuditStatus, Grade, SampleKind
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.reporting.london import day_end, day_start
from desktop.services.reporting.names import team_names, user_names, worker_names
from desktop.services.sampling.settings import load_sampling_settings
from desktop.services.sampling.weekly import active_auditors
from desktop.services.sampling.weeks import parse_week, week_span, week_start

GRADES = tuple(g.value for g in Grade)
STANDARD_VALUES = ("met", "partly_met", "not_met", "not_applicable")
NOT_FINDINGS = (AuditStatus.DRAFT.value, AuditStatus.REOPENED.value)
UNFINISHED = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
FINISHED = (ActionStatus.DONE.value, ActionStatus.VERIFIED.value)
#: Shown for a case with no team or no allocated worker.
UNALLOCATED = "Not allocated"


@dataclass
class Findings:
    """One team's or worker's figures for the week.

    Attributes:
        standards: answers to standard questions: met, partly_met, not_met,
            not_applicable.
        disagreements: RAG disagreements opened on the week's audits.
        escalations: concerns of significant harm raised in the week.
        overdue: actions on the week's audited cases (of the team or worker) that were
            unfinished and past their due date at the end of the report's day.
    """

    name: str
    team: str = ""
    audits: int = 0
    grades: Counter[str] = field(default_factory=Counter)
    standards: Counter[str] = field(default_factory=Counter)
    disagreements: int = 0
    escalations: int = 0
    overdue: int = 0

    @property
    def met_share(self) -> float | None:
        """Met answers among the applicable ones (a plain count, not an estimate)."""
        applicable = sum(self.standards[v] for v in ("met", "partly_met", "not_met"))
        return self.standards["met"] / applicable if applicable else None


@dataclass(frozen=True)
class AuditorQuota:
    """Attributes:
        wanted: the quota of the auditor's weekly sample, or the settings' quota when
            no sample was drawn.
        drawn: whether a weekly sample was drawn for the week.
    """

    name: str
    wanted: int
    audited: int
    drawn: bool


@dataclass(frozen=True)
class CaseloadOverdue:
    """Actions overdue at the end of the report's day on a team's whole caseload."""

    team: str
    overdue: int


@dataclass(frozen=True)
class WeeklyData:
    """Attributes:
        as_of: the report's day (the week's Sunday, or today while the week runs).
        caseload_overdue: actions overdue on every case, audited this week or not.
        caseload_by_team: the same by the case's team (teams with any), most first.
    """

    week: str
    span: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    total: Findings
    teams: list[Findings]
    workers: list[Findings]
    quotas: list[AuditorQuota]
    caseload_overdue: int = 0
    caseload_by_team: list[CaseloadOverdue] = field(default_factory=list)


def _week_audits(session: Session, start: dt.date, end: dt.date) -> list[tuple[Audit, Case]]:
    return [(a, c) for a, c in session.execute(
        select(Audit, Case).join(Case, Case.id == Audit.case_id)
        .where(Audit.deleted.is_(False), Audit.audit_date.between(start, end),
               Audit.status.not_in(NOT_FINDINGS))).all()]


def _standard_answers(session: Session, ids: list[str]) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for i in range(0, len(ids), 500):
        found += [(a, v) for a, v in session.execute(
            select(AuditAnswer.audit_id, AuditAnswer.value)
            .join(TemplateQuestion, TemplateQuestion.id == AuditAnswer.question_id)
            .where(AuditAnswer.audit_id.in_(ids[i:i + 500]), AuditAnswer.deleted.is_(False),
                   TemplateQuestion.answer_type == AnswerType.STANDARD.value)).all()]
    return found


def _disagreeing(session: Session, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        found |= {a for a in session.scalars(select(RagDisagreement.audit_id).where(
            RagDisagreement.audit_id.in_(ids[i:i + 500]),
            RagDisagreement.deleted.is_(False))) if a}
    return found


def _escalated_cases(session: Session, start: dt.date, end: dt.date) -> list[Case]:
    return list(session.scalars(
        select(Case).join(Escalation, Escalation.case_id == Case.id)
        .where(Escalation.deleted.is_(False), Escalation.raised_at >= day_start(start),
               Escalation.raised_at < day_end(end))))


def status_at(moment: dt.datetime) -> ColumnElement[str | None]:
    """An action's status at ``moment`` from its recorded moves: the last made by then,
    else what its first move started from; NULL for an action with no recorded move.
    Two correlated lookups on the (action, time) index."""
    moves = ActionStatusChange
    last = (select(moves.to_status)
            .where(moves.action_id == Action.id, moves.deleted.is_(False), moves.at <= moment)
            .order_by(moves.at.desc(), moves.hlc.desc()).limit(1).scalar_subquery())
    first = (select(func.coalesce(moves.from_status, ActionStatus.OPEN.value))
             .where(moves.action_id == Action.id, moves.deleted.is_(False))
             .order_by(moves.at, moves.hlc).limit(1).scalar_subquery())
    return func.coalesce(last, first)


def unfinished_at(moment: dt.datetime) -> ColumnElement[bool]:
    """Actions not finished at ``moment``, from their history (module docstring)."""
    recorded = status_at(moment)
    from_stamps = or_(
        Action.status.in_(UNFINISHED),
        and_(Action.status.in_(FINISHED), Action.completed_at.is_not(None),
             Action.completed_at > moment),
        and_(Action.status == ActionStatus.CANCELLED.value, Action.updated_at > moment))
    return or_(recorded.in_(UNFINISHED), and_(recorded.is_(None), from_stamps))


def overdue_actions(session: Session, as_of: dt.date) -> list[tuple[str, Case]]:
    """(action id, case) for every action on a case that was overdue at the end of
    ``as_of`` (London): due before the day and not finished by its end."""
    return [(a, c) for a, c in session.execute(
        select(Action.id, Case).join(Case, Case.id == Action.case_id)
        .where(Action.deleted.is_(False), Action.due_on.is_not(None),
               Action.due_on < as_of, unfinished_at(day_end(as_of)))).all()]


def _quotas(session: Session, week: str, audits: Iterable[Audit]) -> list[AuditorQuota]:
    default = sum(load_sampling_settings().quotas.values())
    wanted: dict[str, int] = {}
    for sample in session.scalars(select(Sample).where(
            Sample.iso_week == week, Sample.kind == SampleKind.WEEKLY.value,
            Sample.deleted.is_(False))):
        quotas = json.loads(sample.criteria_json or "{}").get("quotas") or {}
        wanted[sample.auditor_id] = sum(int(v) for v in quotas.values()) or default
    done = Counter(a.auditor_id for a in audits)
    ids = {a.auditor_id for a in active_auditors(session)} | set(done) | set(wanted)
    names = user_names(session, ids)
    rows = [AuditorQuota(names.get(i, ""), wanted.get(i, default), done[i], i in wanted)
            for i in ids]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.wanted))


def weekly_data(ctx: ServiceContext, week: str) -> WeeklyData:
    """The week's findings by team and worker, and audits against quota.

    Raises:
        InputProblem: ``week`` is not an ISO week such as 2026-W47.
    """
    guard(ctx, P.REPORTS)
    week = parse_week(week)
    start = week_start(week)
    end = start + dt.timedelta(days=6)
    as_of = min(end, ctx.today())
    with ctx.read() as session:
        rows = _week_audits(session, start, end)
        ids = [a.id for a, _ in rows]
        answers = _standard_answers(session, ids)
        disagreeing = _disagreeing(session, ids)
        escalated = _escalated_cases(session, start, end)
        overdue = overdue_actions(session, as_of)
        cases = [c for _, c in rows] + escalated + [c for _, c in overdue]
        teams = team_names(session, (c.team_id for c in cases))
        workers = worker_names(session, (c.worker_id for c in cases))
        quotas = _quotas(session, week, (a for a, _ in rows))
    total = Findings("All teams")
    by_team: dict[str, Findings] = {}
    by_worker: dict[tuple[str, str], Findings] = {}

    def groups(case: Case) -> list[Findings]:
        team = teams.get(case.team_id or "", UNALLOCATED)
        worker = workers.get(case.worker_id or "", UNALLOCATED)
        return [total, by_team.setdefault(team, Findings(team)),
                by_worker.setdefault((team, worker), Findings(worker, team))]

    audited = {c.id for _, c in rows}

    answers_of: dict[str, list[str | None]] = defaultdict(list)
    for audit_id, value in answers:
        answers_of[audit_id].append(value)
    for audit, case in rows:
        for g in groups(case):
            g.audits += 1
            if audit.grade:
                g.grades[audit.grade] += 1
            g.standards.update(v for v in answers_of[audit.id] if v in STANDARD_VALUES)
            g.disagreements += audit.id in disagreeing
    for case in escalated:
        for g in groups(case):
            g.escalations += 1
    for _action, case in overdue:
        if case.id in audited:  # groups() made these for the case's audit
            for g in groups(case):
                g.overdue += 1
    caseload = Counter(teams.get(c.team_id or "", UNALLOCATED) for _, c in overdue)
    return WeeklyData(
        week, week_span(week), start, end, as_of, total,
        sorted(by_team.values(), key=lambda f: f.name.casefold()),
        sorted(by_worker.values(), key=lambda f: (f.team.casefold(), f.name.casefold())),
        quotas, len(overdue),
        [CaseloadOverdue(t, n) for t, n in sorted(caseload.items(),
                                                  key=lambda kv: (-kv[1], kv[0].casefold()))])
