"""Share a week's eligible cases between auditors: quotas by RAG, no case twice.

Pure (no database): the store path loads the eligible cases and calls this, and the
property tests call it directly on random caseloads.

Why a matching and not "each auditor in turn takes the next case": auditors' service
areas overlap (a Head of Service covers several). Taking greedily, an auditor covering
North and South could use up North's Red cases that the North-only auditor needed,
although South had plenty. Each stratum is therefore shared out as a bipartite
b-matching between auditors and (area, priority) groups of cases, grown one case at a
time by augmenting paths (Kuhn's algorithm): an auditor who cannot find a free case in
their areas asks an auditor holding one there to move to another of their areas. When
no such path exists, the quota truly cannot be met from what is left, so the result
meets every quota the eligible population allows.

Order of work, each step run until nothing more fits:
1. for each stratum (Red, Amber, Green), priority-cohort cases only, round-robin over
   auditors so priority cases spread evenly; then all cases of the stratum;
2. shortfalls, filled from the strata in ``fill_from`` order, again round-robin.
Re-routing in a later step never takes a case away from a group, so priority cases
once chosen stay chosen. Which cases of a group are chosen is random: each group's
cases are sorted by case_ref and shuffled with ``random.Random(seed)``, so the same
cases and seed always give the same sample.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from desktop.models.enums import Cohort, Rag
from desktop.services.sampling.settings import RAGS, SamplingSettings

COHORT_LABELS = {Cohort.UNBORN.value: "unborn child",
                 Cohort.CHILD_PROTECTION.value: "child protection plan",
                 Cohort.CARE_LEAVER.value: "care leaver"}

NodeKey = tuple[str, str, bool]  # (rag, service area id, priority)


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
    ``rag`` when it fills another stratum's shortfall)."""

    case_id: str
    case_ref: str
    rag: str
    stratum: str
    reason: str
    priority: bool


@dataclass(frozen=True)
class Shortfall:
    stratum: str
    wanted: int
    found: int
    filled_from: dict[str, int]
    unfilled: int

    @property
    def text(self) -> str:
        short = self.wanted - self.found
        parts = [f"{self.stratum.title()} stratum short by {short} "
                 f"({self.found} of {self.wanted} eligible)"]
        parts += [f"filled {n} from {donor.title()}" for donor, n in self.filled_from.items()]
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
    """Eligible cases by (rag, area, priority), each group in its seeded random order."""
    rng = random.Random(seed)
    priority = set(settings.priority_cohorts)
    groups: dict[NodeKey, list[Candidate]] = {}
    for case in sorted(candidates, key=lambda c: c.case_ref):
        if case.case_id in taken or case.rag not in RAGS:
            continue
        key = (case.rag, case.service_area_id or "", case.cohort in priority)
        groups.setdefault(key, []).append(case)
    for key in sorted(groups):
        rng.shuffle(groups[key])
    return groups


class _Matching:
    """The b-matching state: how many cases of each group each auditor holds."""

    def __init__(self, groups: dict[NodeKey, list[Candidate]],
                 auditors: Sequence[AuditorSpec]) -> None:
        self.capacity = {key: len(cases) for key, cases in groups.items()}
        self.used = dict.fromkeys(groups, 0)
        self.held: dict[str, dict[NodeKey, int]] = {a.auditor_id: {} for a in auditors}
        self.holders: dict[NodeKey, set[str]] = {key: set() for key in groups}
        self.keys_of: dict[str, list[NodeKey]] = {
            a.auditor_id: sorted(k for k in groups if k[1] in a.area_ids) for a in auditors}

    def _move(self, auditor: str, key: NodeKey, delta: int) -> None:
        held = self.held[auditor]
        held[key] = held.get(key, 0) + delta
        if held[key]:
            self.holders[key].add(auditor)
        else:
            del held[key]
            self.holders[key].discard(auditor)

    def augment(self, auditor: str, rag: str, priority_only: bool,
                visited: set[NodeKey] | None = None) -> bool:
        """Give ``auditor`` one more case of ``rag``, re-routing others if needed."""
        visited = set() if visited is None else visited
        for key in self.keys_of[auditor]:
            if key[0] != rag or (priority_only and not key[2]) or key in visited:
                continue
            visited.add(key)
            if self.used[key] < self.capacity[key]:
                self.used[key] += 1
                self._move(auditor, key, 1)
                return True
            for other in sorted(self.holders[key]):
                if other != auditor and self.augment(other, rag, priority_only, visited):
                    self._move(other, key, -1)
                    self._move(auditor, key, 1)
                    return True
        return False


def _round_robin(matching: _Matching, auditors: Sequence[AuditorSpec], wanted: dict[str, int],
                 rag: str, priority_only: bool) -> dict[str, int]:
    got = dict.fromkeys(wanted, 0)
    active = [a.auditor_id for a in auditors if wanted[a.auditor_id] > 0]
    while active:
        still = []
        for auditor in active:
            if matching.augment(auditor, rag, priority_only):
                got[auditor] += 1
                if got[auditor] < wanted[auditor]:
                    still.append(auditor)
        active = still
    return got


def allocate(candidates: Sequence[Candidate], auditors: Sequence[AuditorSpec],
             settings: SamplingSettings, seed: int, taken: Collection[str] = ()
             ) -> dict[str, Allocation]:
    """One :class:`Allocation` per auditor; ``taken`` case ids are never chosen."""
    groups = ordered_groups(candidates, settings, seed, taken)
    matching = _Matching(groups, auditors)
    own: dict[str, dict[str, int]] = {a.auditor_id: dict.fromkeys(RAGS, 0) for a in auditors}
    for rag in RAGS:
        quota = settings.quotas[rag]
        for priority_only in (True, False):
            wanted = {a: quota - own[a][rag] for a in own}
            for auditor, n in _round_robin(matching, auditors, wanted, rag,
                                           priority_only).items():
                own[auditor][rag] += n
    fills: dict[str, dict[str, dict[str, int]]] = {
        a.auditor_id: {rag: {} for rag in RAGS} for a in auditors}
    for target in RAGS:
        for donor in settings.fill_from.get(target, ()):
            wanted = {a: settings.quotas[target] - own[a][target]
                      - sum(fills[a][target].values()) for a in own}
            for auditor, n in _round_robin(matching, auditors, wanted, donor, False).items():
                if n:
                    fills[auditor][target][donor] = n
    return {a.auditor_id: _picks(a.auditor_id, groups, matching, own[a.auditor_id],
                                 fills[a.auditor_id], settings) for a in auditors}


def _picks(auditor: str, groups: dict[NodeKey, list[Candidate]], matching: _Matching,
           own: dict[str, int], fills: dict[str, dict[str, int]], settings: SamplingSettings
           ) -> Allocation:
    # Hand out each group's first ``used`` cases to its holders in a fixed order.
    mine: dict[str, list[tuple[bool, Candidate]]] = {rag: [] for rag in RAGS}
    for key, count in sorted(matching.held[auditor].items()):
        start = 0
        for holder in sorted(matching.holders[key]):
            if holder == auditor:
                break
            start += matching.held[holder][key]
        for case in groups[key][start:start + count]:
            mine[key[0]].append((key[2], case))
    allocation = Allocation(auditor)
    leftovers: dict[str, list[tuple[bool, Candidate]]] = {}
    for rag in RAGS:
        cases = sorted(mine[rag], key=lambda pc: not pc[0])  # priority first, order kept
        for is_priority, case in cases[:own[rag]]:
            reason = (f"priority cohort: {COHORT_LABELS.get(case.cohort, case.cohort)}"
                      if is_priority else f"random from {label(rag)} stratum")
            allocation.picks.append(Pick(case.case_id, case.case_ref, rag, rag, reason,
                                         is_priority))
        leftovers[rag] = cases[own[rag]:]
    for target in RAGS:
        quota = settings.quotas[target]
        if own[target] >= quota:
            continue
        filled = fills[target]
        short = quota - own[target]
        for donor, n in filled.items():
            for is_priority, case in leftovers[donor][:n]:
                allocation.picks.append(Pick(
                    case.case_id, case.case_ref, donor, target,
                    f"filled from {label(donor)}: {label(target)} stratum short by {short}",
                    is_priority))
            leftovers[donor] = leftovers[donor][n:]
        allocation.shortfalls.append(Shortfall(target, quota, own[target], dict(filled),
                                               short - sum(filled.values())))
    return allocation
