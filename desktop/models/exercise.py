"""Dip-sample exercise summaries (seed 002, form 1) and improvement plans (seed 004)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Synced


class ExerciseSummary(Synced, Base):
    """One dip-sample exercise: theme, period, cases seen, findings, overall judgement.

    Its filter is data (seed 002's themed dip samples: "particular themes and
    topics/cohorts"): the period, the service area and the cohort (legal status) an
    audit must match to belong to it. The cohort was kept as a tail of the theme's text
    until 0013 moved it here; ``theme`` is the theme as typed, nothing else.
    """

    __tablename__ = "exercise_summaries"

    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    #: A :class:`~desktop.models.enums.Cohort` code (legal status), or None for every one.
    cohort: Mapped[str | None] = mapped_column(String(20), default=None)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    service_area_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_areas.id"), default=None
    )
    period_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    period_to: Mapped[dt.date | None] = mapped_column(Date, default=None)
    cases_seen: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[str] = mapped_column(Text, default="")
    judgement: Mapped[str | None] = mapped_column(String(30), default=None)
    judgement_text: Mapped[str] = mapped_column(Text, default="")


class ImprovementPlan(Synced, Base):
    """An improvement or inspection action plan (seed 004)."""

    __tablename__ = "improvement_plans"

    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class PlanFinding(Synced, Base):
    """A finding of the plan: a priority action or an area for development."""

    __tablename__ = "plan_findings"

    plan_id: Mapped[str] = mapped_column(ForeignKey("improvement_plans.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    number: Mapped[int | None] = mapped_column(Integer, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
