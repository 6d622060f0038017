"""What a person can pick a report by: the auditors, the exercises and the plans.

Why one read: the Reports screen fills its choices once when it is first shown, and
three lists from one call cost one trip to the worker instead of three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models import ExerciseSummary
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.plans import PlanSummary, list_plans
from desktop.services.users import Person, people


@dataclass(frozen=True)
class ExerciseChoice:
    id: str
    title: str
    period_from: dt.date | None
    period_to: dt.date | None


@dataclass(frozen=True)
class ReportChoices:
    auditors: list[Person]
    exercises: list[ExerciseChoice]
    plans: list[PlanSummary]


def exercise_choices(ctx: ServiceContext) -> list[ExerciseChoice]:
    """The exercises, latest period first (an undated one last), then by title."""
    guard(ctx, P.REPORTS)
    with ctx.read() as session:
        rows = session.scalars(select(ExerciseSummary).where(
            ExerciseSummary.deleted.is_(False)))
        found = [ExerciseChoice(e.id, e.title, e.period_from, e.period_to) for e in rows]
    found.sort(key=lambda e: e.title.casefold())
    found.sort(key=lambda e: e.period_from or dt.date.min, reverse=True)
    return found


def report_choices(ctx: ServiceContext) -> ReportChoices:
    guard(ctx, P.REPORTS)
    return ReportChoices([p for p in people(ctx) if "auditor" in p.roles],
                         exercise_choices(ctx), list_plans(ctx))
