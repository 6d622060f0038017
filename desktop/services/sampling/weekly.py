"""The weekly sample: one auditor, or every auditor of an area at once (coordinator mode).

Why drawing again returns the saved sample: the draw claims cases; a second draw
would either claim more or silently swap the auditor's list. A saved sample is only
changed through replacement, which keeps the dropped case and its reason.

Why a coordinator's draw works out the whole week (issue 10, item 4): drawing North
then SGO must give every auditor the same cases as drawing SGO then North. So an area
draw allocates the week for every active auditor linked to the area's auditors through
shared areas, from the week's eligible cases with this week's weekly claims put back,
and saves only the area's samples. Samples saved earlier by such draws with the same
seed are part of that same allocation, so they agree; a case the allocation would give
to someone now but that another sample already holds (a replacement, a different
seed, an auditor's own earlier draw) is set aside and the week worked out again
without it.

An auditor drawing their own week (My week) is served first come: the allocation
holds them and the auditors already drawn this week, not those still to come, so in
a caseload too small for every quota the first to draw still gets a full sample.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, PermissionRefused
from desktop.models import Sample, SampleItem, ServiceArea, User, UserServiceArea
from desktop.models.enums import Role, SampleItemStatus, SampleKind
from desktop.services.auth import Permission, guard
from desktop.services.auth.guard import Actor, refuse
from desktop.services.auth.roles import ROLE_TITLES
from desktop.services.context import ServiceContext
from desktop.services.gc_pause import paused_gc
from desktop.services.sampling.allocate import (
    Allocation,
    AuditorSpec,
    Candidate,
    allocate,
    design_stratum,
)
from desktop.services.sampling.population import load_population
from desktop.services.sampling.records import (
    SampleView,
    areas_of,
    save_view,
    saved_sample,
    unsaved_view,
    view_of,
)
from desktop.services.sampling.settings import SamplingSettings, load_sampling_settings
from desktop.services.sampling.weeks import parse_week, week_start
from desktop.services.users import resolve_user


def default_seed(week: str) -> int:
    """A seed from the week alone, so a draw without ``--seed`` is still reproducible."""
    return int(hashlib.sha256(week.encode()).hexdigest()[:8], 16)


#: People named one by one in "N people in North have no auditor role ..."; the rest
#: counted.
NAMED_AT_MOST = 10


@dataclass(frozen=True)
class NotAuditor:
    """Someone with the area among their service areas but no auditor role: no weekly
    sample is drawn for them."""

    user_id: str
    name: str
    roles: tuple[str, ...]


def left_out_sentence(area_name: str, people: Sequence[NotAuditor]) -> str:
    """"3 people in North have no auditor role, so no sample was drawn for them: ..."
    ("" for nobody).

    Why said at all (issue 25, item 2): a Head of Service imported with the role
    ``head_of_service`` alone was silently left out of the area's draw, while the
    council's note counts heads of service among those who dip-sample.
    """
    if not people:
        return ""
    named = [f"{p.name} ({', '.join(ROLE_TITLES[Role(r)] for r in p.roles) or 'no role'})"
             for p in people[:NAMED_AT_MOST]]
    more = len(people) - len(named)
    listed = ", ".join(named) + (f" and {more} more" if more else "")
    count = "1 person" if len(people) == 1 else f"{len(people)} people"
    return (f"{count} in {area_name} {'has' if len(people) == 1 else 'have'} no auditor "
            f"role, so no sample was drawn for them: {listed}")


@dataclass(frozen=True)
class AreaDraw:
    """Attributes:
        not_auditors: the area's people who were not drawn a sample, and why (their
            roles); ``left_out`` says it in a sentence.
    """

    week: str
    area_id: str
    seed: int
    samples: list[SampleView]
    area_name: str = ""
    not_auditors: tuple[NotAuditor, ...] = ()

    @property
    def left_out(self) -> str:
        return left_out_sentence(self.area_name, self.not_auditors)


def _criteria(settings: SamplingSettings, areas: frozenset[str]) -> dict[str, object]:
    return {"quotas": dict(settings.quotas),
            "fill_from": {k: list(v) for k, v in settings.fill_from.items()},
            "reaudit_gap_days": settings.reaudit_gap_days,
            "priority_cohorts": list(settings.priority_cohorts),
            "service_area_ids": sorted(areas)}


def active_auditors(session: Session) -> list[AuditorSpec]:
    """Every active user with the auditor role and their service areas."""
    users = session.scalars(select(User).where(User.deleted.is_(False),
                                               User.active.is_(True))
                            .order_by(User.username)).all()
    return [AuditorSpec(u.id, areas_of(session, u.id)) for u in users
            if u.has_role(Role.AUDITOR)]


def linked(to_draw: list[AuditorSpec], everyone: list[AuditorSpec]) -> list[AuditorSpec]:
    """``to_draw`` and every auditor reachable from them through shared areas."""
    chosen = {a.auditor_id: a for a in to_draw}
    areas = frozenset().union(*(a.area_ids for a in to_draw))
    grew = True
    while grew:
        grew = False
        for spec in everyone:
            if spec.auditor_id not in chosen and spec.area_ids & areas:
                chosen[spec.auditor_id] = spec
                areas |= spec.area_ids
                grew = True
    return sorted(chosen.values(), key=lambda a: a.auditor_id)


def drawn_auditors(session: Session, week: str) -> list[AuditorSpec]:
    """Auditors with a saved weekly sample for ``week``."""
    ids = sorted(set(session.scalars(select(Sample.auditor_id).where(
        Sample.iso_week == week, Sample.kind == SampleKind.WEEKLY.value,
        Sample.deleted.is_(False)))))
    return [AuditorSpec(i, areas_of(session, i)) for i in ids]


def _draw(ctx: ServiceContext, auditors: list[AuditorSpec], week: str, seed: int,
          settings: SamplingSettings, dry_run: bool, whole_week: bool = True
          ) -> list[SampleView]:
    """Draw for ``auditors`` (none of them has a saved sample) and save.

    ``whole_week``: allocate for every active auditor linked to them (coordinator
    mode); else for them and the auditors already drawn this week (first come).
    """
    steps = 2 + len(auditors)
    ctx.report(0, steps, "reading eligible cases")
    with paused_gc():
        with ctx.store.read() as session:
            others = active_auditors(session) if whole_week else drawn_auditors(session, week)
            week_auditors = linked(auditors, others)
            union = frozenset().union(*(a.area_ids for a in week_auditors))
            population = load_population(session, week, week_start(week), settings, union,
                                         keep_weekly=True)
        ctx.report(1, steps, "drawing")
        held_elsewhere: set[str] = set()
        while True:
            allocations = allocate(population.candidates, week_auditors, settings, seed,
                                   held_elsewhere)
            clash = {p.case_id for a in auditors for p in allocations[a.auditor_id].picks
                     if p.case_id in population.weekly_claims}
            if not clash:
                break
            held_elsewhere |= clash
    views = [unsaved_view(a.auditor_id, week, SampleKind.WEEKLY.value, seed,
                          allocations[a.auditor_id].picks, allocations[a.auditor_id].shortfalls,
                          _criteria(settings, a.area_ids)) for a in auditors]
    if dry_run:
        with ctx.store.read() as session:
            chances = week_chances(session, week, population.candidates, settings,
                                   week_auditors, allocations)
        _finished(ctx, steps, "drawn (not saved)")
        return [with_chances(view, chances) for view in views]
    ctx.report(2, steps, "saving")
    saved: list[SampleView] = []
    with ctx.store.transaction() as session:
        chances = week_chances(session, week, population.candidates, settings,
                               week_auditors, allocations)
        views = [with_chances(view, chances) for view in views]
        for n, view in enumerate(views, 1):
            earlier = saved_sample(session, view.auditor_id, week)
            saved.append(view_of(session, earlier, existing=True) if earlier is not None
                         else save_view(ctx, session, view))
            # Inside the transaction: Cancel here rolls back every sample saved so far.
            ctx.report(2 + n, steps, f"saved {n} of {len(views)} samples")
        restate_chances(session, week, chances)
    _finished(ctx, steps, "saved")
    return saved


def _live_weekly_items(session: Session, week: str) -> list[tuple[SampleItem, str]]:
    """The week's weekly-sample items not dropped, deleted or in a deleted sample, each
    with its sample's auditor."""
    return [(item, auditor) for item, auditor in session.execute(
        select(SampleItem, Sample.auditor_id).join(Sample, Sample.id == SampleItem.sample_id)
        .where(Sample.iso_week == week, Sample.kind == SampleKind.WEEKLY.value,
               Sample.deleted.is_(False), SampleItem.deleted.is_(False),
               SampleItem.status != SampleItemStatus.DROPPED.value))]


def week_chances(session: Session, week: str, candidates: Sequence[Candidate],
                 settings: SamplingSettings, week_auditors: Sequence[AuditorSpec],
                 allocations: Mapping[str, Allocation]) -> dict[str, float]:
    """Each group's selection probability for the week: cases taken over its cases
    (n_g / N_g, docs/statistics.md), counted from what the week really holds.

    Why not the allocation's own count: the allocation works out the whole week with
    this draw's seed, but auditors whose samples were saved earlier, perhaps with
    another seed (each area may be drawn with its own), hold the cases of *their*
    draw, and a case they hold is set aside from the groups (``held_elsewhere``),
    which shrank N_g too. With areas drawn with different seeds 215 of 450 recorded
    probabilities were wrong (issue 24, item 5). So n_g counts the saved samples'
    cases as saved, plus this draw's picks and the allocation's picks for linked
    auditors not drawn yet (what the week will hold if they are drawn with this seed);
    N_g is the group's eligible cases with every case the week's samples hold in it
    (one already audited this week has left the eligible cases, not the group).
    """
    priority = set(settings.priority_cohorts)
    members: dict[str, set[str]] = {}
    for case in candidates:
        key = design_stratum(case.rag, case.service_area_id, case.cohort in priority)
        members.setdefault(key, set()).add(case.case_id)
    taken: Counter[str] = Counter()
    drawn: set[str] = set()
    for item, auditor in _live_weekly_items(session, week):
        drawn.add(auditor)
        if item.design_stratum is not None and item.design_stratum in members:
            taken[item.design_stratum] += 1
            members[item.design_stratum].add(item.case_id)
    for spec in week_auditors:
        if spec.auditor_id in drawn or spec.auditor_id not in allocations:
            continue
        for pick in allocations[spec.auditor_id].picks:
            if pick.design_stratum is not None and pick.design_stratum in members:
                taken[pick.design_stratum] += 1
                members[pick.design_stratum].add(pick.case_id)
    return {key: taken[key] / len(cases) for key, cases in members.items() if taken[key]}


def with_chances(view: SampleView, chances: Mapping[str, float]) -> SampleView:
    """``view`` with each item's probability its group's in ``chances``."""
    items = [replace(i, probability=chances.get(i.design_stratum, i.probability))
             if i.design_stratum is not None else i for i in view.items]
    return replace(view, items=items)


def restate_chances(session: Session, week: str, chances: Mapping[str, float]) -> None:
    """The week's saved items (a replacement keeps its own chance, that of its pick
    among what was left) take their group's probability as it now stands."""
    for item, _auditor in _live_weekly_items(session, week):
        chance = chances.get(item.design_stratum or "")
        if (chance is not None and item.replaces_item_id is None
                and item.selection_probability != chance):
            item.selection_probability = chance


def _finished(ctx: ServiceContext, steps: int, stage: str) -> None:
    """The last progress report, without the cancel check of ``ctx.report``.

    Why: once the samples are committed, Cancel can no longer undo them; raising
    ``Cancelled`` then would tell the person nothing was saved when it was.
    """
    if ctx.progress is not None:
        ctx.progress(steps, steps, stage)


def draw_weekly(ctx: ServiceContext, auditor: str, week: str, *, seed: int | None = None,
                dry_run: bool = False, settings: SamplingSettings | None = None
                ) -> SampleView:
    """The auditor's sample for ``week`` (``auditor``: a user id or username).

    Returns the saved sample when one exists; otherwise draws from the auditor's own
    service areas, excluding cases claimed by anyone that week, and saves it (sample,
    items and claims in one transaction) unless ``dry_run``.
    """
    actor = guard(ctx, Permission.SAMPLE)
    week = parse_week(week)
    settings = settings or load_sampling_settings()
    with ctx.store.read() as session:
        user = resolve_user(session, auditor)
        if user.id != actor.user_id:
            may_draw_for(ctx, actor, areas_of(session, user.id))
        earlier = saved_sample(session, user.id, week)
        if earlier is not None:
            return view_of(session, earlier, existing=True)
        areas = areas_of(session, user.id)
    if not areas:
        raise InputProblem(f"user '{user.username}' has no service areas to sample from")
    seed = default_seed(week) if seed is None else seed
    [view] = _draw(ctx, [AuditorSpec(user.id, areas)], week, seed, settings, dry_run,
                   whole_week=False)
    return view


def may_draw_for(ctx: ServiceContext, actor: Actor, area_ids: frozenset[str]) -> None:
    """Drawing for someone else (one auditor, or an area's every auditor) is a
    coordinator's or QA's work, and only within the coordinator's own service areas.

    Raises:
        PermissionRefused: anyone else; the refusal is in the event log.
    """
    if actor.system or actor.scope.everything:
        return
    if Role.COORDINATOR.value in actor.roles and area_ids and area_ids <= actor.scope.case_areas:
        return
    refuse(ctx, actor, Permission.SAMPLE, "service_area", ",".join(sorted(area_ids))[:36])
    raise PermissionRefused(
        "Only a coordinator of this service area (or QA) may draw samples for other "
        "auditors; you may draw your own.")


def area_auditors(ctx: ServiceContext, area_name: str
                  ) -> tuple[str, list[AuditorSpec], tuple[NotAuditor, ...]]:
    """The area's id, its active auditors (users with the auditor role linked to it),
    and its other active people (named, so nobody is left out silently).

    Raises:
        InputProblem: no such area, or it has no active auditor (the others named).
    """
    with ctx.store.read() as session:
        area_id = session.scalar(select(ServiceArea.id).where(
            ServiceArea.name == area_name, ServiceArea.deleted.is_(False)))
        if area_id is None:
            raise InputProblem(f"no service area called '{area_name}'")
        users = session.scalars(
            select(User).join(UserServiceArea, UserServiceArea.user_id == User.id)
            .where(UserServiceArea.service_area_id == area_id,
                   UserServiceArea.deleted.is_(False), User.deleted.is_(False),
                   User.active.is_(True))
            .distinct().order_by(User.username)).all()
        auditors = [AuditorSpec(u.id, areas_of(session, u.id)) for u in users
                    if u.has_role(Role.AUDITOR)]
        others = tuple(NotAuditor(u.id, u.name, tuple(r.value for r in Role
                                                      if u.has_role(r)))
                       for u in sorted(users, key=lambda u: (u.name.casefold(), u.username))
                       if not u.has_role(Role.AUDITOR))
    if not auditors:
        why = left_out_sentence(area_name, others)
        raise InputProblem(f"service area '{area_name}' has no active auditors"
                           + (f"; {why[:1].lower()}{why[1:]}" if why else ""))
    return area_id, auditors, others


def draw_area(ctx: ServiceContext, area_name: str, week: str, *, seed: int | None = None,
              dry_run: bool = False, settings: SamplingSettings | None = None) -> AreaDraw:
    """Coordinator mode: every auditor of the area for ``week``, with no overlaps, each
    drawn from this area's cases only (a person covering several areas too).

    Auditors who already have a saved sample keep it (their claims exclude those
    cases for everyone else); the rest are drawn together by one matching, so no case
    is placed twice and no auditor is starved by another's overlapping areas.
    """
    actor = guard(ctx, Permission.SAMPLE)
    week = parse_week(week)
    settings = settings or load_sampling_settings()
    seed = default_seed(week) if seed is None else seed
    area_id, auditors, others = area_auditors(ctx, area_name)
    may_draw_for(ctx, actor, frozenset({area_id}))
    existing: dict[str, SampleView] = {}
    with ctx.store.read() as session:
        for spec in auditors:
            earlier = saved_sample(session, spec.auditor_id, week)
            if earlier is not None:
                existing[spec.auditor_id] = view_of(session, earlier, existing=True)
    # Each person is drawn from this area's cases only: a coordinator drawing for
    # Northdale draws Northdale's week, and a person who also covers Southmoor was
    # otherwise given Southmoor's cases under Northdale's name (tester's item 22).
    to_draw = [AuditorSpec(a.auditor_id, frozenset({area_id})) for a in auditors
               if a.auditor_id not in existing and a.area_ids]
    drawn = {v.auditor_id: v for v in _draw(ctx, to_draw, week, seed, settings, dry_run)} \
        if to_draw else {}
    samples = [existing.get(a.auditor_id) or drawn[a.auditor_id] for a in auditors
               if a.auditor_id in existing or a.auditor_id in drawn]
    return AreaDraw(week, area_id, seed, samples, area_name, others)
