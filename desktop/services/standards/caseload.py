"""The standards of every open case, for a date, a team or an area.

Why one streaming pass: the engine is pure and cheap per case; the cost is reading the
rows, which :func:`~desktop.services.standards.facts.load_facts` does in three set
queries. Progress is reported every few thousand cases so the GUI can cancel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select

from desktop.errors import InputProblem
from desktop.models import Case, ServiceArea, Team
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.gc_pause import paused_gc
from desktop.services.standards.engine import CaseStandards, Evaluator
from desktop.services.standards.facts import load_facts
from desktop.services.standards.needs import Gap, export_gaps, gaps_missing
from desktop.services.standards.settings import StandardsSettings, load_settings

PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class CaseloadStandards:
    """Attributes:
        not_known: the standards the last import's file could not compute (shown as
            "not known from this export" for every case they apply to).
    """

    as_of: dt.date
    settings_checksum: str
    cases: list[CaseStandards]
    not_known: tuple[Gap, ...] = ()


def _team_id(ctx: ServiceContext, name: str) -> str:
    with ctx.read() as session:
        found = session.scalar(select(Team.id).where(Team.name == name,
                                                     Team.deleted.is_(False)))
    if found is None:
        raise InputProblem(f"no team called '{name}'")
    return found


def _area_id(ctx: ServiceContext, name: str) -> str:
    with ctx.read() as session:
        found = session.scalar(select(ServiceArea.id).where(ServiceArea.name == name,
                                                            ServiceArea.deleted.is_(False)))
    if found is None:
        raise InputProblem(f"no service area called '{name}'")
    return found


def caseload_standards(ctx: ServiceContext, as_of: dt.date | None = None, *,
                       team: str | None = None, area: str | None = None,
                       overdue_only: bool = False,
                       settings: StandardsSettings | None = None) -> CaseloadStandards:
    """Standards for every case open on ``as_of`` (default today), optionally filtered.

    ``team`` and ``area`` are names; ``overdue_only`` keeps cases with an overdue standard.
    """
    guard(ctx, Permission.VIEW_CASES)
    as_of = as_of or ctx.today()
    settings = settings or load_settings()
    where: list[ColumnElement[bool]] = []
    if team is not None:
        where.append(Case.team_id == _team_id(ctx, team))
    if area is not None:
        where.append(Case.service_area_id == _area_id(ctx, area))
    ctx.report(0, 1, "reading cases")
    results: list[CaseStandards] = []
    with paused_gc():
        with ctx.read() as session:
            facts = load_facts(session, as_of, where)
            missing = export_gaps(session)
        total = len(facts)
        evaluator = Evaluator(settings, as_of)
        for index, case in enumerate(facts):
            if index % PROGRESS_EVERY == 0:
                ctx.report(index, total, "checking standards")
            evaluated = evaluator.evaluate(case)
            if not overdue_only or evaluated.overdue:
                results.append(evaluated)
    ctx.report(total, total, "checking standards")
    return CaseloadStandards(as_of, settings.checksum(), results,
                             tuple(gaps_missing(missing)))
