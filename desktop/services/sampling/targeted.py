"""Targeted samples: a size drawn from a cohort, team, worker, flag or area (seed 000).

Why not limited to the auditor's own areas: seed 000 gives targeted sampling to the
Safeguarding and QA leads, who look across the service; an area can still be chosen.
The weekly exclusions apply all the same (claimed this week, audited recently).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.errors import InputProblem
from desktop.models import ServiceArea, Synced, Team, Worker
from desktop.models.enums import CaseFlag, Cohort, SampleKind
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.sampling.allocate import COHORT_LABELS, Pick, Shortfall
from desktop.services.sampling.population import load_population
from desktop.services.sampling.records import (
    SampleView,
    save_view,
    unsaved_view,
)
from desktop.services.sampling.settings import SamplingSettings, load_sampling_settings
from desktop.services.sampling.weekly import default_seed
from desktop.services.sampling.weeks import parse_week, week_start
from desktop.services.users import resolve_user


@dataclass(frozen=True)
class TargetCriteria:
    """Any combination; every one given must match. ``team`` and ``area`` are names,
    ``worker`` is the case system's staff reference."""

    cohort: str | None = None
    team: str | None = None
    worker: str | None = None
    flag: str | None = None
    area: str | None = None
    rag: str | None = None

    def describe(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in asdict(self).items() if v)


def _lookup(session: Session, model: type[Synced], column: InstrumentedAttribute[Any],
            value: str, what: str) -> str:
    found = session.scalar(select(model.id).where(column == value, model.deleted.is_(False)))
    if found is None:
        raise InputProblem(f"no {what} '{value}'")
    return found


def draw_targeted(ctx: ServiceContext, auditor: str, week: str, criteria: TargetCriteria,
                  size: int, *, seed: int | None = None, dry_run: bool = False,
                  settings: SamplingSettings | None = None) -> SampleView:
    """Up to ``size`` eligible cases matching ``criteria``: priority cohorts first, then
    random. Fewer matching cases is reported as a shortfall, never hidden."""
    guard(ctx, Permission.SAMPLE)
    week = parse_week(week)
    if size <= 0:
        raise InputProblem("a targeted sample needs a size of at least 1")
    if not criteria.describe():
        raise InputProblem("a targeted sample needs a cohort, team, worker, flag or area")
    if criteria.cohort and criteria.cohort not in Cohort._value2member_map_:
        raise InputProblem(f"'{criteria.cohort}' is not a cohort code")
    if criteria.flag and criteria.flag not in CaseFlag._value2member_map_:
        raise InputProblem(f"'{criteria.flag}' is not a case flag code")
    settings = settings or load_sampling_settings()
    seed = default_seed(week) if seed is None else seed
    with ctx.read() as session:
        user = resolve_user(session, auditor)
        team_id = (_lookup(session, Team, Team.name, criteria.team, "team")
                   if criteria.team else None)
        worker_id = (_lookup(session, Worker, Worker.staff_ref, criteria.worker, "worker")
                     if criteria.worker else None)
        areas = ({_lookup(session, ServiceArea, ServiceArea.name, criteria.area,
                          "service area")} if criteria.area else None)
        population = load_population(session, week, week_start(week), settings, areas)
    pool = [c for c in population.candidates
            if (criteria.cohort is None or c.cohort == criteria.cohort)
            and (team_id is None or c.team_id == team_id)
            and (worker_id is None or c.worker_id == worker_id)
            and (criteria.rag is None or c.rag == criteria.rag)
            and (criteria.flag is None or criteria.flag in population.flags.get(c.case_id, ()))]
    random.Random(seed).shuffle(pool)
    priority = set(settings.priority_cohorts)
    pool.sort(key=lambda c: c.cohort not in priority)
    described = criteria.describe()
    picks = [Pick(c.case_id, c.case_ref, c.rag, "targeted",
                  f"targeted ({described}): " + (
                      f"priority cohort: {COHORT_LABELS[c.cohort]}" if c.cohort in priority
                      and c.cohort in COHORT_LABELS else "random"), c.cohort in priority)
             for c in pool[:size]]
    shortfalls = ([Shortfall("targeted", size, len(picks), {}, size - len(picks))]
                  if len(picks) < size else [])
    view = unsaved_view(user.id, week, SampleKind.TARGETED.value, seed, picks, shortfalls,
                        {"criteria": asdict(criteria), "size": size})
    if dry_run:
        return view
    with ctx.store.transaction() as session:
        return save_view(ctx, session, view)
