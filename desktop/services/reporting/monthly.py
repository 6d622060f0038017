"""What the monthly QA report shows (seed 002): the month's dip samples and exercises,
the practice standards counted on the whole caseload, the month's weighted compliance
estimates and their trend over earlier months.

Why no arithmetic on the estimates here: the report must show the statistics
service's numbers exactly (issue 11: "figures equal the statistics service's"), so this
module only chooses the periods and asks ``compliance_report`` for each, and the census
of the caseload from ``caseload_census``.

Why the overview of samples and exercises (issue 24, item 4): seed 002 says "an
overview of any Dip Samples undertaken will be incorporated into the Monthly Quality
Assurance Report", with the exercises' themes, cases seen and findings. A week belongs
to the month holding its Thursday (the ISO rule), so every week is in one month's
report, never two.

"Audits finalised in the month" counts audits whose finalisation fell in the month
(London's calendar); the estimates rest on the finalised audits *dated* in the month,
which the report says separately (an audit dated on the 30th is often finalised in the
next month).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.errors import InputProblem
from desktop.models import Audit, ExerciseSummary, Sample, SampleItem, ServiceArea
from desktop.models.enums import AuditStatus, SampleItemStatus, SampleKind
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.exercises import ExerciseFigures, exercise_figures, theme_words
from desktop.services.reporting.london import day_end, day_start
from desktop.services.reporting.names import user_names
from desktop.services.sampling.weeks import week_of, week_start
from desktop.services.statistics.census import Census, caseload_census
from desktop.services.statistics.compliance import ComplianceReport, compliance_report

#: Months of trend shown before the report's own month.
TREND_MONTHS = 5
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
NOT_SUBMITTED = (AuditStatus.DRAFT.value, AuditStatus.REOPENED.value)


@dataclass(frozen=True)
class WeekSamples:
    """One ISO week of the month: the weekly samples drawn and the audits dated in it.

    Attributes:
        auditors: auditors who drew a weekly sample for the week.
        cases: cases in those samples (dropped ones not counted).
        audits: audits dated in the week and submitted (any sample, or none).
        finalised: those of ``audits`` finalised now.
    """

    week: str
    auditors: int
    cases: int
    audits: int
    finalised: int


@dataclass(frozen=True)
class TargetedSample:
    """A targeted sample of a week of the month: its theme is its criteria."""

    week: str
    auditor: str
    criteria: str
    cases: int


@dataclass(frozen=True)
class MonthExercise:
    """An exercise whose period overlaps the month (seed 002's overall summary).

    Attributes:
        theme: with its cohort in words at its end ("(cohort: care leavers)").
    """

    id: str
    title: str
    theme: str
    area: str
    period_from: dt.date | None
    period_to: dt.date | None
    lead: str
    figures: ExerciseFigures
    judgement: str | None
    findings: str


@dataclass(frozen=True)
class MonthlyData:
    """Attributes:
        finalised_in_month: audits whose finalisation fell in the month.
        census: the practice standards on every case open on ``census.as_of`` (the
            month's last day, or today while the month runs).
    """

    month: str
    key_messages: str
    current: ComplianceReport
    trend: tuple[ComplianceReport, ...]  # oldest first, the report's month last
    finalised_in_month: int = 0
    census: Census | None = None
    weeks: tuple[WeekSamples, ...] = ()
    targeted: tuple[TargetedSample, ...] = ()
    exercises: tuple[MonthExercise, ...] = ()


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` as its first and last day."""
    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InputProblem(f"'{text}' is not a month like 2026-11")
    first = dt.date(int(match[1]), int(match[2]), 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def month_name(first: dt.date) -> str:
    return first.strftime("%B %Y")


def month_weeks(first: dt.date, last: dt.date) -> list[str]:
    """The ISO weeks whose Thursday falls in the month."""
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    weeks = []
    while thursday <= last:
        weeks.append(week_of(thursday))
        thursday += dt.timedelta(days=7)
    return weeks


def finalised_between(ctx: ServiceContext, first: dt.date, last: dt.date) -> int:
    """Audits finalised (and still finalised) from ``first`` to ``last``, London days."""
    with ctx.store.read() as session:
        return session.scalar(select(func.count()).select_from(Audit).where(
            Audit.deleted.is_(False), Audit.status == AuditStatus.FINALISED.value,
            Audit.finalised_at >= day_start(first), Audit.finalised_at < day_end(last))) or 0


def _samples(ctx: ServiceContext, weeks: list[str]
             ) -> tuple[tuple[WeekSamples, ...], tuple[TargetedSample, ...]]:
    with ctx.read() as session:
        samples = list(session.scalars(select(Sample).where(
            Sample.iso_week.in_(weeks), Sample.deleted.is_(False))))
        sizes = Counter(dict(session.execute(
            select(SampleItem.sample_id, func.count()).where(
                SampleItem.sample_id.in_([s.id for s in samples]),
                SampleItem.deleted.is_(False),
                SampleItem.status != SampleItemStatus.DROPPED.value)
            .group_by(SampleItem.sample_id)).all()))
        first = week_start(weeks[0]) if weeks else dt.date.min
        last = week_start(weeks[-1]) + dt.timedelta(days=6) if weeks else dt.date.min
        audits = session.execute(select(Audit.audit_date, Audit.status).where(
            Audit.deleted.is_(False), Audit.audit_date.between(first, last),
            Audit.status.not_in(NOT_SUBMITTED))).all()
        names = user_names(session, (s.auditor_id for s in samples))
    rows = []
    for week in weeks:
        weekly = [s for s in samples if s.iso_week == week and s.kind == SampleKind.WEEKLY.value]
        dated = [status for day, status in audits if day is not None and week_of(day) == week]
        rows.append(WeekSamples(week, len({s.auditor_id for s in weekly}),
                                sum(sizes[s.id] for s in weekly), len(dated),
                                sum(s == AuditStatus.FINALISED.value for s in dated)))
    targeted = []
    for s in samples:
        if s.kind != SampleKind.TARGETED.value:
            continue
        criteria = json.loads(s.criteria_json or "{}").get("criteria") or {}
        described = ", ".join(f"{k} {v}" for k, v in criteria.items() if v)
        targeted.append(TargetedSample(s.iso_week, names.get(s.auditor_id, ""),
                                       described or "not recorded", sizes[s.id]))
    targeted.sort(key=lambda t: (t.week, t.auditor.casefold()))
    return tuple(rows), tuple(targeted)


def _exercises(ctx: ServiceContext, first: dt.date, last: dt.date) -> tuple[MonthExercise, ...]:
    """Exercises whose period overlaps the month; one with no period at all when an
    audit of it is dated in the month."""
    with ctx.read() as session:
        rows = list(session.scalars(select(ExerciseSummary).where(
            ExerciseSummary.deleted.is_(False))))
        undated = {r.id for r in rows if r.period_from is None and r.period_to is None}
        active = set(session.scalars(select(Audit.exercise_id).where(
            Audit.exercise_id.in_(undated), Audit.deleted.is_(False),
            Audit.audit_date.between(first, last)))) if undated else set()
        areas = dict(session.execute(select(ServiceArea.id, ServiceArea.name)).all())
        leads = user_names(session, (r.author_id for r in rows))
    chosen = [r for r in rows if r.id in active or (
        r.id not in undated and (r.period_from or dt.date.min) <= last
        and (r.period_to or dt.date.max) >= first)]
    chosen.sort(key=lambda r: (r.period_from or dt.date.min, r.title.casefold()))
    found = []
    for row in chosen:
        found.append(MonthExercise(
            row.id, row.title, theme_words(row.theme, row.cohort),
            areas.get(row.service_area_id or "", ""),
            row.period_from, row.period_to, leads.get(row.author_id or "", ""),
            exercise_figures(ctx, row.id), row.judgement, row.findings))
    return tuple(found)


def monthly_data(ctx: ServiceContext, month: str, key_messages: str = "") -> MonthlyData:
    """The month's figures and the trend of the months before it, with progress."""
    guard(ctx, P.REPORTS)
    first, last = parse_month(month)
    periods = []
    start = first
    for _ in range(TREND_MONTHS):
        start = (start - dt.timedelta(days=1)).replace(day=1)
        periods.append(start)
    periods = [*reversed(periods), first]
    steps = len(periods) + 2
    reports = []
    for index, start in enumerate(periods):
        ctx.report(index, steps, "compliance by month")
        end = last if start == first else (start + dt.timedelta(days=32)).replace(day=1) \
            - dt.timedelta(days=1)
        reports.append(compliance_report(ctx, start, end))
    ctx.report(len(periods), steps, "the practice standards on every open case")
    census = caseload_census(ctx, min(last, ctx.today()))
    ctx.report(len(periods) + 1, steps, "the month's samples and exercises")
    weeks, targeted = _samples(ctx, month_weeks(first, last))
    exercises = _exercises(ctx, first, last)
    finalised = finalised_between(ctx, first, last)
    ctx.report(steps, steps, "done")
    return MonthlyData(f"{first:%Y-%m}", key_messages, reports[-1], tuple(reports),
                       finalised, census, weeks, targeted, exercises)
