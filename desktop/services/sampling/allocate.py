"""Share a week's eligible cases between auditors: quotas by RAG, no case twice.

Pure (no database): the store path loads the eligible cases and calls this, and the
property tests call it directly on random caseloads.

The design (docs/statistics.md, "The draw"): the caseload of the week is cut into
groups, one per RAG x priority (the priority cohorts, seed 001) x service area. Every
case a group gives up is taken from the front of the group's own seeded shuffle, so
whatever the number taken, it is a simple random sample of the group; the number
taken over the group's size is each of its cases' probability of selection, and the
pick records it with the group's name (its design stratum). The estimates weight by
exactly that (desktop/services/statistics/estimates.py).

Why each area is shared out on its own (issue 10, item 4): a draw that moved cases
between areas to meet quotas made who got what depend on the order in which
coordinators drew their areas, and one area's auditors could use up another's
cases. So first each auditor's quota per RAG is split between their areas (an
auditor of one area takes all of it there; an auditor of several areas spreads it in
proportion to what each area has left once its own one-area auditors are served,
the remainders placed at random); then each area's cases go to the auditors who
cover it, round-robin, all within the area: for each RAG, priority cases first up to
their part of the share (``priority_weight`` times as likely as other cases), then
the other cases, then the fill order for a short RAG. Only what no auditor of an area
could use is offered, last, to a multi-area auditor who is still short.
Nothing here depends on the order of areas or auditors given; the same eligible
cases and seed always give the same samples.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import partial

from desktop.models.enums import Cohort, Rag
from desktop.services.sampling.settings import RAGS, SamplingSettings

COHORT_LABELS = {Cohort.UNBORN.value: "unborn child",
                 Cohort.CHILD_PROTECTION.value: "child protection plan",
                 Cohort.CARE_LEAVER.value: "care leaver"}

NodeKey = tuple[str, str, bool]  # (rag, service area id, priority)


def design_stratum(rag: str, area_id: str | None, priority: bool) -> str:
    """The group a case was drawn from, as the sample item records it."""
    return f"{rag}/{'priority' if priority else 'other'}/{area_id or '-'}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An eligible case: open, unclaimed this week, not audited recently, rated."""

    case_id: str
    case_ref: str
    rag: str
    cohort: str
    service_area_id: str | None
    team_id: str | None = None
    worker_id: str | None = None


@dataclass(frozen=True)
class AuditorSpec:
    auditor_id: str
    area_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class Pick:
    """A chosen case. ``stratum`` is the quota it counts towards (it differs from
    ``rag`` when it fills another stratum's shortfall). ``probability`` is the chance
    the week's draw gave each case of its group (``design_stratum``); None when it is
    not known (a targeted sample)."""

    case_id: str
    case_ref: str
    rag: str
    stratum: str
    reason: str
    priority: bool
    probability: float | None = None
    design_stratum: str | None = None


@dataclass(frozen=True)
class Shortfall:
    stratum: str
    wanted: int
    found: int
    filled_from: dict[str, int]
    unfilled: int

    @property
    def text(self) -> str:
        """Why a RAG's quota is short, in words a coordinator reads ("Green: only 3 of
        the 5 wanted were eligible; 2 filled from the Amber cases")."""
        parts = [f"{self.stratum.title()}: only {self.found} of the {self.wanted} wanted "
                 "were eligible"]
        parts += [f"{n} filled from the {donor.title()} cases"
                  for donor, n in self.filled_from.items()]
        if self.unfilled:
            parts.append(f"{self.unfilled} could not be filled: no eligible case left")
        return "; ".join(parts)


@dataclass
class Allocation:
    auditor_id: str
    picks: list[Pick] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


def label(rag: str) -> str:
    return Rag(rag).value.title()


def ordered_groups(candidates: Sequence[Candidate], settings: SamplingSettings, seed: int,
                   taken: Collection[str] = ()) -> dict[NodeKey, list[Candidate]]:
    """Eligible cases by (rag, area, priority), each group in its own seeded order.

    Why one random stream per group: a group's order then depends on its own cases
    and the seed only, never on what other areas hold.
    """
    priority = set(settings.priority_cohorts)
    groups: dict[NodeKey, list[Candidate]] = {}
    for case in sorted(candidates, key=lambda c: c.case_ref):
        if case.case_id in taken or case.rag not in RAGS:
            continue
        key = (case.rag, case.service_area_id or "", case.cohort in priority)
        groups.setdefault(key, []).append(case)
    for key, cases in groups.items():
        random.Random(f"{seed}:{key[0]}:{key[1]}:{int(key[2])}").shuffle(cases)
    return groups


def _split(quota: int, weights: dict[str, float], rng: random.Random) -> dict[str, int]:
    """``quota`` shared in proportion to ``weights``; the remainders placed at random,
    each area's chance of one its fractional part."""
    total = sum(weights.values())
    if total <= 0:
        weights = dict.fromkeys(weights, 1.0)
        total = float(len(weights))
    exact = {a: quota * w / total for a, w in weights.items()}
    shares = {a: int(x) for a, x in exact.items()}
    fractions = {a: exact[a] - shares[a] for a in sorted(exact)}
    for _ in range(quota - sum(shares.values())):
        live = [a for a, f in fractions.items() if f > 0] or sorted(fractions)
        chosen = rng.choices(live, weights=[fractions[a] or 1.0 for a in live])[0]
        shares[chosen] += 1
        fractions[chosen] = 0.0
    return shares


def _shares(auditors: Sequence[AuditorSpec], groups: dict[NodeKey, list[Candidate]],
            settings: SamplingSettings, seed: int) -> dict[str, dict[str, dict[str, int]]]:
    """auditor -> area -> rag -> how many of the auditor's quota the area supplies."""
    supply: dict[tuple[str, str], int] = {}
    for (rag, area, _), cases in groups.items():
        supply[rag, area] = supply.get((rag, area), 0) + len(cases)
    shares: dict[str, dict[str, dict[str, int]]] = {}
    for auditor in sorted(auditors, key=lambda a: a.auditor_id):
        areas = sorted(auditor.area_ids)
        mine: dict[str, dict[str, int]] = {a: dict.fromkeys(RAGS, 0) for a in areas}
        shares[auditor.auditor_id] = mine
        for rag in RAGS if areas else ():
            quota = settings.quotas[rag]
            if len(areas) == 1:
                mine[areas[0]][rag] = quota
                continue
            left = {a: max(0, supply.get((rag, a), 0) - sum(
                settings.quotas[rag] for other in auditors if other.area_ids == {a}))
                for a in areas}
            weights = left if sum(left.values()) else {a: supply.get((rag, a), 0)
                                                       for a in areas}
            rng = random.Random(f"{seed}:{auditor.auditor_id}:{rag}")
            for area, n in _split(quota, {a: float(w) for a, w in weights.items()},
                                  rng).items():
                mine[area][rag] = n
    return shares


@dataclass
class _Held:
    """What one auditor has been given so far."""

    own: dict[str, list[tuple[NodeKey, Candidate]]]
    fills: dict[str, list[tuple[str, NodeKey, Candidate]]]

    def count(self, target: str) -> int:
        return len(self.own[target]) + len(self.fills[target])


class _Draw:
    """The week's groups, how far each has been taken, and who holds what."""

    def __init__(self, groups: dict[NodeKey, list[Candidate]],
                 auditors: Sequence[AuditorSpec]) -> None:
        self.groups = groups
        self.next = dict.fromkeys(groups, 0)
        self.held = {a.auditor_id: _Held({r: [] for r in RAGS}, {r: [] for r in RAGS})
                     for a in auditors}

    def take(self, key: NodeKey) -> Candidate | None:
        cases = self.groups.get(key)
        if cases is None or self.next[key] >= len(cases):
            return None
        self.next[key] += 1
        return cases[self.next[key] - 1]

    def round_robin(self, order: Sequence[str], want: Callable[[str], int],
                    keys: Sequence[NodeKey], target: str) -> None:
        """Each auditor in turn takes one case from the first of ``keys`` with one left,
        until each has what ``want`` says or the keys run dry."""
        active = [a for a in order if want(a) > 0]
        while active:
            still = []
            for auditor in active:
                key, case = next(((k, c) for k in keys if (c := self.take(k)) is not None),
                                 (None, None))
                if key is None or case is None:
                    return
                held = self.held[auditor]
                if key[0] == target:
                    held.own[target].append((key, case))
                else:
                    held.fills[target].append((key[0], key, case))
                if want(auditor) > 0:
                    still.append(auditor)
            active = still


def _order(auditors: Sequence[AuditorSpec], seed: int, salt: str) -> list[str]:
    """One-area auditors first (an area's own auditors are served from it before
    anyone who can also draw elsewhere), then the rest; within each, a seeded random
    order, the same whatever order was given."""
    ranked = sorted(auditors, key=lambda a: a.auditor_id)
    rng = random.Random(f"{seed}:order:{salt}")
    keys = {a.auditor_id: (len(a.area_ids) > 1, rng.random()) for a in ranked}
    return [a.auditor_id for a in sorted(ranked, key=lambda a: keys[a.auditor_id])]


def allocate(candidates: Sequence[Candidate], auditors: Sequence[AuditorSpec],
             settings: SamplingSettings, seed: int, taken: Collection[str] = ()
             ) -> dict[str, Allocation]:
    """One :class:`Allocation` per auditor; ``taken`` case ids are never chosen."""
    groups = ordered_groups(candidates, settings, seed, taken)
    shares = _shares(auditors, groups, settings, seed)
    draw = _Draw(groups, auditors)
    areas = sorted(set().union(*(a.area_ids for a in auditors))) if auditors else []
    one_area = {a.auditor_id for a in auditors if len(a.area_ids) == 1}
    for area in areas:
        covering = [a for a in auditors if area in a.area_ids]
        _share_out_area(draw, area, _order(covering, seed, area), one_area, shares,
                        settings, seed)
    _cross_area(draw, auditors, settings, seed)
    probability = {key: draw.next[key] / len(cases) for key, cases in groups.items() if cases}
    return {a.auditor_id: _picks(a.auditor_id, draw, probability, settings) for a in auditors}


def _share_out_area(draw: _Draw, area: str, order: list[str], one_area: set[str],
                    shares: dict[str, dict[str, dict[str, int]]],
                    settings: SamplingSettings, seed: int) -> None:
    """The area's cases to its auditors, all from this area only: for each RAG, each
    auditor's share split between priority and other cases in proportion to
    ``priority_weight`` x priority cases against the other cases (the remainder at
    random), priority cases handed out first; then the fill order for a short RAG."""
    before = {a: {r: draw.held[a].count(r) for r in RAGS} for a in order}

    def want(auditor: str, target: str) -> int:
        return shares[auditor][area][target] - (
            draw.held[auditor].count(target) - before[auditor][target])

    def want_aimed(auditor: str, target: str, aim: dict[str, int],
                   taken: dict[str, int]) -> int:
        """``want``, but no more than ``aim`` (counted from ``taken``)."""
        return min(want(auditor, target),
                   aim[auditor] - (draw.held[auditor].count(target) - taken[auditor]))

    single = [a for a in order if a in one_area]
    several = [a for a in order if a not in one_area]
    for rag in RAGS:
        first = (rag, area, True)
        weights = {"priority": settings.priority_weight * len(draw.groups.get(first, ())),
                   "other": float(len(draw.groups.get((rag, area, False), ())))}
        # The area's own auditors are served before those who can also draw elsewhere.
        for turn in (single, several):
            aimed = {a: _split(shares[a][area][rag], weights,
                               random.Random(f"{seed}:{area}:{a}:{rag}"))["priority"]
                     for a in turn}
            taken = {a: draw.held[a].count(rag) for a in turn}
            draw.round_robin(turn, partial(want_aimed, target=rag, aim=aimed, taken=taken),
                             [first], rag)
            for keys in ([(rag, area, False)], [first]):
                draw.round_robin(turn, partial(want, target=rag), keys, rag)
    # A multi-area auditor fills a short RAG only once every area has been tried
    # for the RAG itself (in :func:`_cross_area`).
    for target in RAGS:
        for donor in settings.fill_from.get(target, ()):
            draw.round_robin(single, partial(want, target=target),
                             [(donor, area, True), (donor, area, False)], target)


def _cross_area(draw: _Draw, auditors: Sequence[AuditorSpec], settings: SamplingSettings,
                seed: int) -> None:
    """A multi-area auditor still short takes what their areas' auditors left: first
    cases of the short RAG itself (every such auditor), then the fill order."""
    several = {a.auditor_id: a for a in auditors if len(a.area_ids) > 1}
    order = _order(list(several.values()), seed, "cross-area")
    areas = {}
    for auditor in order:
        areas[auditor] = sorted(several[auditor].area_ids)
        random.Random(f"{seed}:{auditor}:areas").shuffle(areas[auditor])

    def short(auditor: str, target: str, quota: int) -> int:
        return quota - draw.held[auditor].count(target)

    for filling in (False, True):
        for auditor in order:
            for target in RAGS:
                quota = settings.quotas[target]
                sources = settings.fill_from.get(target, ()) if filling else (target,)
                for source in sources:
                    keys = [(source, area, p) for p in (True, False) for area in areas[auditor]]
                    draw.round_robin([auditor], partial(short, target=target, quota=quota),
                                     keys, target)


def _picks(auditor: str, draw: _Draw, probability: dict[NodeKey, float],
           settings: SamplingSettings) -> Allocation:
    held = draw.held[auditor]
    allocation = Allocation(auditor)

    def pick(key: NodeKey, case: Candidate, stratum: str, reason: str) -> Pick:
        return Pick(case.case_id, case.case_ref, key[0], stratum, reason, key[2],
                    probability[key], design_stratum(key[0], key[1] or None, key[2]))

    for rag in RAGS:
        for key, case in sorted(held.own[rag], key=lambda kc: not kc[0][2]):
            reason = (f"priority cohort: {COHORT_LABELS.get(case.cohort, case.cohort)}"
                      if key[2] else f"chosen at random from the {label(rag)} cases")
            allocation.picks.append(pick(key, case, rag, reason))
    for target in RAGS:
        quota = settings.quotas[target]
        own = len(held.own[target])
        if own >= quota:
            continue
        short = quota - own
        filled: dict[str, int] = {}
        for donor in (d for d in RAGS if d != target):
            for _, key, case in (f for f in held.fills[target] if f[0] == donor):
                filled[donor] = filled.get(donor, 0) + 1
                allocation.picks.append(pick(
                    key, case, target,
                    f"filled from the {label(donor)} cases: the {label(target)} cases "
                    f"were {short} short"))
        order = [d for d in settings.fill_from.get(target, ()) if d in filled]
        filled = {d: filled[d] for d in order + [d for d in filled if d not in order]}
        allocation.shortfalls.append(Shortfall(target, quota, own, filled,
                                               short - sum(filled.values())))
    return allocation
