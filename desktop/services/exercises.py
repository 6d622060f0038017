"""Dip-sample exercise summaries (seed 002, form 1: "Overall summary of quality and dip sample").

One per exercise: its theme, period, the cases seen, the findings and "an overall
judgement of where practice is at present" (on the Ofsted scale, with words). The
exercise collects its audits (``Audit.exercise_id``) and its figures are counted from
them, so the summary sent to the Quality Assurance and Partnerships Team matches the
audits behind it.

A themed dip sample looks at "particular themes and topics/cohorts" (seed 002): an
exercise names its theme, optionally a cohort (legal status) and a service area, and
a period, each a column of its own (the cohort was a tail of the theme's text until
schema 0013). Its filter (period, area, cohort) finds the audits that belong to it; the
person attaches them (:func:`attach_matching`, one query on those columns), or chooses
audits one by one. Reads go through ``ctx.read()``, so a list, a detail and the audits
that match are those the person reaches. Printed, the theme reads as a reader expects
it, with its cohort: ``Neglect (cohort: child protection plans)`` (:func:`theme_words`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    Case,
    ExerciseSummary,
    ServiceArea,
    TemplateQuestion,
)
from desktop.models.enums import (
    ActionStatus,
    AnswerType,
    AuditStatus,
    Cohort,
    EventAction,
    Grade,
)
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.visibility import require_reach
from desktop.services.context import ServiceContext
from desktop.services.dates import DateProblem, parse_date
from desktop.services.event_log import log_change, log_view
from desktop.services.people.ids import expand_id
from desktop.services.records import get_live
from desktop.services.reporting.names import user_names

GRADES = tuple(g.value for g in Grade)

#: Each cohort (legal status) as an exercise's theme names it.
COHORT_WORDS: dict[str, str] = {
    Cohort.CHILD_IN_NEED.value: "children in need",
    Cohort.CHILD_PROTECTION.value: "child protection plans",
    Cohort.CHILD_IN_CARE.value: "children in care",
    Cohort.CARE_LEAVER.value: "care leavers",
    Cohort.UNBORN.value: "unborn children",
    Cohort.DISABLED.value: "disabled children's service",
    Cohort.FOSTERING.value: "fostering",
    Cohort.SGO.value: "special guardianship orders",
}
_COHORT_CODES = {words: code for code, words in COHORT_WORDS.items()}
#: The exercise table's widths (title and theme are ``String(200)``).
TEXT_LIMIT = 200
#: Audit statuses that count as submitted (the figures leave drafts out).
UNSUBMITTED = frozenset({AuditStatus.DRAFT.value, AuditStatus.REOPENED.value})


def theme_words(theme: str, cohort: str | None) -> str:
    """The theme as a printed summary names it: with its cohort in words, if any
    (``Neglect (cohort: child protection plans)``)."""
    theme = theme.strip()
    if cohort is None:
        return theme
    tail = f"(cohort: {COHORT_WORDS.get(cohort, cohort)})"
    return f"{theme} {tail}" if theme else tail


def cohort_code(text: str) -> str:
    """A cohort typed as its code (``cp``) or its words (``child protection plans``).

    Raises:
        InputProblem: it is neither.
    """
    typed = text.strip().casefold()
    if typed in COHORT_WORDS:
        return typed
    if typed in _COHORT_CODES:
        return _COHORT_CODES[typed]
    raise InputProblem(f"'{text.strip()}' is not a cohort "
                       f"({', '.join(COHORT_WORDS)})")


def period_day(text: str | None, which: str) -> dt.date | None:
    """A period's start or end as a person typed it (dd/mm/yyyy or ISO); None if blank.

    Raises:
        InputProblem: the text is not a date (``which`` names the field).
    """
    if text is None or not text.strip():
        return None
    try:
        return parse_date(text.strip())
    except DateProblem:
        raise InputProblem(f"the period's {which} '{text.strip()}' is not a date: "
                           "use dd/mm/yyyy") from None


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
    #: A :class:`~desktop.models.enums.Cohort` code, or None for every cohort.
    cohort: str | None = None


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
    if len(data.title.strip()) > TEXT_LIMIT:
        raise InputProblem(f"an exercise's title is at most {TEXT_LIMIT} characters")
    if data.cohort is not None and data.cohort not in COHORT_WORDS:
        raise InputProblem(f"'{data.cohort}' is not a cohort ({', '.join(COHORT_WORDS)})")
    if len(data.theme.strip()) > TEXT_LIMIT:
        raise InputProblem(f"an exercise's theme is at most {TEXT_LIMIT} characters")
    if data.judgement is not None and data.judgement not in GRADES:
        raise InputProblem(f"'{data.judgement}' is not a judgement ({', '.join(GRADES)})")
    if data.period_from and data.period_to and data.period_to < data.period_from:
        raise RuleViolation("the exercise period ends before it starts")
    if data.cases_seen is not None and data.cases_seen < 0:
        raise InputProblem("cases seen cannot be negative")


def _apply(row: ExerciseSummary, data: ExerciseInput) -> None:
    row.title = data.title.strip()
    row.theme = data.theme.strip()
    row.cohort = data.cohort
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
    row = get_live(session, ExerciseSummary, exercise_id, "exercise summary")
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


# -- reading: the list, one exercise, the audits of its period ------------------------
@dataclass(frozen=True)
class ExerciseProgress:
    """How far the exercise has got, counted from the audits the person reaches.

    Attributes:
        attached: its audits, drafts included.
        submitted: those submitted (open for comment, queried or finalised).
        finalised: those finalised.
        cases_seen: as recorded on the summary, else the distinct cases of its
            submitted audits (as the summary's figures count them).
    """

    attached: int = 0
    submitted: int = 0
    finalised: int = 0
    cases_seen: int = 0


@dataclass(frozen=True)
class ExerciseRow:
    """One exercise as the list shows it.

    Attributes:
        theme: the theme as typed (:func:`theme_words` adds the cohort for print).
        cohort: a cohort code, or None for every cohort.
        area: the service area's name ("" for every area).
        lead_id, lead: who created it and leads it ("" when the system did).
    """

    id: str
    title: str
    theme: str
    cohort: str | None
    service_area_id: str | None
    area: str
    period_from: dt.date | None
    period_to: dt.date | None
    lead_id: str | None
    lead: str
    judgement: str | None
    progress: ExerciseProgress


@dataclass(frozen=True)
class ExerciseAudit:
    """An audit of the exercise, or one of its period that could join it.

    Attributes:
        exercise_id: the exercise it belongs to now (None: none).
        matches: it fits the exercise's filter (its period, area and cohort).
    """

    id: str
    case_id: str
    case_ref: str
    cohort: str
    area: str
    audit_date: dt.date | None
    auditor: str
    status: str
    grade: str | None
    exercise_id: str | None
    matches: bool


@dataclass(frozen=True)
class ExerciseView:
    """One exercise with everything its form and its audits show."""

    exercise: ExerciseRow
    findings: str
    judgement_text: str
    #: As recorded on the summary (0: counted from the audits).
    cases_seen_recorded: int
    audits: list[ExerciseAudit]

    def as_input(self) -> ExerciseInput:
        """The exercise as an :class:`ExerciseInput`, to change one field of it."""
        e = self.exercise
        return ExerciseInput(
            title=e.title, theme=e.theme, period_from=e.period_from,
            period_to=e.period_to, service_area_id=e.service_area_id,
            cases_seen=self.cases_seen_recorded or None, findings=self.findings,
            judgement=e.judgement, judgement_text=self.judgement_text, cohort=e.cohort)


@dataclass(frozen=True)
class AttachResult:
    """What attaching the audits that match did.

    Attributes:
        attached: audits newly made part of the exercise.
        already: matching audits that were part of it already.
        elsewhere: matching audits left alone because another exercise holds them.
    """

    attached: int
    already: int
    elsewhere: int


def _progress(row: ExerciseSummary, audits: Iterable[tuple[str, str]]) -> ExerciseProgress:
    """From (status, case id) pairs of the exercise's audits."""
    pairs = list(audits)
    submitted = [(s, c) for s, c in pairs if s not in UNSUBMITTED]
    return ExerciseProgress(
        len(pairs), len(submitted),
        sum(1 for s, _ in pairs if s == AuditStatus.FINALISED.value),
        row.cases_seen or len({c for _, c in submitted}))


def _area_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(ServiceArea.id, ServiceArea.name)).all())


def _row(row: ExerciseSummary, areas: dict[str, str], leads: dict[str, str],
         progress: ExerciseProgress) -> ExerciseRow:
    return ExerciseRow(row.id, row.title, row.theme, row.cohort, row.service_area_id,
                       areas.get(row.service_area_id or "", ""), row.period_from,
                       row.period_to, row.author_id, leads.get(row.author_id or "", ""),
                       row.judgement, progress)


def list_exercises(ctx: ServiceContext) -> list[ExerciseRow]:
    """The exercises the person reaches, latest period first (undated last), then by
    title; each with the progress of the audits of it they reach."""
    guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        rows = list(session.scalars(select(ExerciseSummary).where(
            ExerciseSummary.deleted.is_(False))))
        pairs: dict[str, list[tuple[str, str]]] = {}
        for exercise_id, status, case_id in session.execute(
                select(Audit.exercise_id, Audit.status, Audit.case_id).where(
                    Audit.exercise_id.is_not(None), Audit.deleted.is_(False))):
            assert exercise_id is not None  # the query keeps an exercise's audits only
            pairs.setdefault(exercise_id, []).append((status, case_id))
        areas = _area_names(session)
        leads = user_names(session, (r.author_id for r in rows))
        found = [_row(r, areas, leads, _progress(r, pairs.get(r.id, []))) for r in rows]
    found.sort(key=lambda e: e.title.casefold())
    found.sort(key=lambda e: e.period_from or dt.date.min, reverse=True)
    return found


def _audit_rows(session: Session, exercise: ExerciseSummary,
                query: Select[Audit, Case]) -> list[ExerciseAudit]:
    """The audits ``query`` (a select of Audit and Case) finds, with their filter fit."""
    areas = _area_names(session)
    found = session.execute(query).all()
    auditors = user_names(session, (a.auditor_id for a, _ in found))
    return [ExerciseAudit(
        a.id, c.id, c.case_ref, c.cohort, areas.get(c.service_area_id or "", ""),
        a.audit_date, auditors.get(a.auditor_id, ""), a.status, a.grade, a.exercise_id,
        _fits(exercise, a, c)) for a, c in found]


def _fits(exercise: ExerciseSummary, audit: Audit, case: Case) -> bool:
    """Whether the audit fits the exercise's filter: its period, area and cohort (the
    same test as :func:`_filter`'s query)."""
    if exercise.period_from is None and exercise.period_to is None:
        return False  # no period, no filter: every audit would "match"
    day = audit.audit_date
    return (day is not None
            and (exercise.period_from is None or day >= exercise.period_from)
            and (exercise.period_to is None or day <= exercise.period_to)
            and (exercise.service_area_id is None
                 or case.service_area_id == exercise.service_area_id)
            and (exercise.cohort is None or case.cohort == exercise.cohort))


def _period(exercise: ExerciseSummary) -> list[ColumnElement[bool]]:
    """The audits dated in the exercise's period (it has one)."""
    where: list[ColumnElement[bool]] = [Audit.audit_date.is_not(None)]
    if exercise.period_from is not None:
        where.append(Audit.audit_date >= exercise.period_from)
    if exercise.period_to is not None:
        where.append(Audit.audit_date <= exercise.period_to)
    return where


def _filter(exercise: ExerciseSummary) -> list[ColumnElement[bool]]:
    """The exercise's filter as a query's conditions: its period, area and cohort."""
    where = _period(exercise)
    if exercise.service_area_id is not None:
        where.append(Case.service_area_id == exercise.service_area_id)
    if exercise.cohort is not None:
        where.append(Case.cohort == exercise.cohort)
    return where


def _audits_query(*where: ColumnElement[bool]) -> Select[Audit, Case]:
    return (select(Audit, Case).join(Case, Case.id == Audit.case_id)
            .where(Audit.deleted.is_(False), *where)
            .order_by(Audit.audit_date, Case.case_ref, Audit.id))


def show_exercise(ctx: ServiceContext, exercise_id: str, *, log: bool = True
                  ) -> ExerciseView:
    """One exercise, its audits (those the person reaches) and its progress; the view
    is logged (``log``) as opening an audit is, since it lists cases and findings.

    Raises:
        InputProblem: no such exercise, or one outside the person's reach.
    """
    guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        row = _load(session, exercise_id)
        audits = _audit_rows(session, row, _audits_query(Audit.exercise_id == exercise_id))
        areas = _area_names(session)
        leads = user_names(session, [row.author_id])
        progress = _progress(row, ((a.status, a.case_id) for a in audits))
        view = ExerciseView(_row(row, areas, leads, progress), row.findings,
                            row.judgement_text, row.cases_seen, audits)
    if log:
        log_view(ctx, "exercise", exercise_id)
    return view


def period_audits(ctx: ServiceContext, exercise_id: str) -> list[ExerciseAudit]:
    """The audits of the exercise's period that the person reaches and that are not
    part of it yet, oldest first; ``matches`` says which fit its area and cohort too,
    ``exercise_id`` which another exercise holds. None without a period: the choice
    would be every audit.

    Raises:
        InputProblem: no such exercise, or one outside the person's reach.
    """
    guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        row = _load(session, exercise_id)
        if row.period_from is None and row.period_to is None:
            return []
        return _audit_rows(session, row, _audits_query(
            *_period(row), Audit.exercise_id.is_(None) | (Audit.exercise_id != exercise_id)))


# -- writing: attach by the filter, detach --------------------------------------------
def attach_matching(ctx: ServiceContext, exercise_id: str) -> AttachResult:
    """Attach every audit the person reaches that fits the exercise's filter (its
    period, area and cohort) and belongs to no other exercise.

    Raises:
        RuleViolation: the exercise has no period (every audit would match).
        PermissionRefused: the person may not change exercises, or does not reach it.
    """
    guard(ctx, P.EXERCISES)
    require_reach(ctx, ExerciseSummary, [exercise_id], "exercise", P.EXERCISES)
    with ctx.read() as session:
        row = _load(session, exercise_id)
        if row.period_from is None and row.period_to is None:
            raise RuleViolation("give the exercise a period before attaching the audits "
                                "that match it")
        matching = session.execute(
            select(Audit.id, Audit.exercise_id).join(Case, Case.id == Audit.case_id)
            .where(Audit.deleted.is_(False), *_filter(row))
            .order_by(Audit.audit_date, Case.case_ref, Audit.id)).all()
    free = [audit_id for audit_id, held_by in matching if held_by is None]
    already = sum(1 for _, held_by in matching if held_by == exercise_id)
    if free:
        attach_audits(ctx, exercise_id, free)
    return AttachResult(len(free), already, len(matching) - len(free) - already)


def detach_audits(ctx: ServiceContext, exercise_id: str, audit_ids: Sequence[str]) -> int:
    """Take audits out of the exercise (all or none); the audits themselves stay.

    Raises:
        InputProblem: an audit is not part of this exercise.
    """
    guard(ctx, P.EXERCISES)
    require_reach(ctx, ExerciseSummary, [exercise_id], "exercise", P.EXERCISES)
    require_reach(ctx, Audit, audit_ids, "audit", P.EXERCISES)
    with ctx.store.transaction() as session:
        _load(session, exercise_id)
        audits = list(session.scalars(select(Audit).where(
            Audit.id.in_(list(audit_ids)), Audit.deleted.is_(False))))
        outside = sorted(set(audit_ids) - {a.id for a in audits
                                           if a.exercise_id == exercise_id})
        if outside:
            raise InputProblem(f"audit {outside[0]} is not part of this exercise")
        for audit in audits:
            audit.exercise_id = None
            log_change(session, ctx, EventAction.CHANGE, "audit", audit.id,
                       fields=["exercise_id"], exercise=None)
        return len(audits)


# -- ids and names as a person types them ---------------------------------------------
def exercise_id_of(ctx: ServiceContext, text: str) -> str:
    """The exercise a person named by its id or the id's first characters.

    Raises:
        InputProblem: it names no exercise they reach, or fits more than one.
    """
    with ctx.read() as session:
        return expand_id(session, ExerciseSummary, text, "exercise")


def audit_ids_of(ctx: ServiceContext, texts: Sequence[str]) -> list[str]:
    """The audits a person named by their ids or the ids' first characters, in order.

    Raises:
        InputProblem: one names no audit they reach, or fits more than one.
    """
    with ctx.read() as session:
        return list(dict.fromkeys(expand_id(session, Audit, t, "audit") for t in texts))


@dataclass(frozen=True)
class AreaChoice:
    id: str
    name: str


def area_choices(ctx: ServiceContext) -> list[AreaChoice]:
    """The service areas an exercise may be about, by name."""
    guard(ctx, P.VIEW_AUDITS)
    with ctx.read() as session:
        rows = session.execute(select(ServiceArea.id, ServiceArea.name).where(
            ServiceArea.deleted.is_(False))).all()
    return sorted((AreaChoice(i, n) for i, n in rows), key=lambda a: a.name.casefold())


def area_id_named(ctx: ServiceContext, name: str) -> str:
    """The id of the service area called ``name`` (in any letter case).

    Raises:
        InputProblem: there is none; the sentence lists the areas.
    """
    choices = area_choices(ctx)
    wanted = name.strip().casefold()
    found = next((a.id for a in choices if a.name.casefold() == wanted), None)
    if found is None:
        raise InputProblem(f"no service area called '{name.strip()}' (there are: "
                           f"{', '.join(a.name for a in choices) or 'none'})")
    return found
