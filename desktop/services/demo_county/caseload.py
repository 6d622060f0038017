"""The demo county's children: cases with a realistic RAG and cohort mix, and their history.

Why these proportions: a council's Vulnerability Tracking Tool rates about one child in
eight Red, a third Amber and the rest Green; localities hold most children in need and on
child protection plans, Corporate Parenting the children in care and care leavers, the
Disabled Children's Service its own cohort (seed 000's areas). Dates are drawn around
the practice standards (seed 003: Red weekly, Amber fortnightly, Green six-weekly; seed
001: oversight every four weeks) so that most cases meet them and some do not, which is
what an auditor's week looks like.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from desktop.models import Case, CaseEvent, join_flags
from desktop.models.enums import CaseEventKind, CaseFlag, CaseStatus, Cohort, Rag, VisitBy
from desktop.services.demo_county.names import forename, new_uuid, surname
from desktop.services.demo_county.organisation import (
    CORPORATE,
    DCS,
    FOSTERING,
    LOCALITIES,
    SGO,
    Organisation,
    TeamPlan,
)
from desktop.services.demo_county.rows import fact_row, model_row
from desktop.services.standards.settings import StandardsSettings

#: Share of the caseload held by each area.
AREA_SHARE = {"North": 0.18, "Mid & East": 0.18, "Exeter": 0.15, "South": 0.17, DCS: 0.09,
              CORPORATE: 0.13, FOSTERING: 0.05, SGO: 0.05}
_LOCALITY_COHORTS = {Cohort.CHILD_IN_NEED: 0.515, Cohort.CHILD_PROTECTION: 0.27,
                     Cohort.CHILD_IN_CARE: 0.18, Cohort.CARE_LEAVER: 0.02,
                     Cohort.UNBORN: 0.015}
COHORTS: dict[str, dict[Cohort, float]] = {
    **{area: _LOCALITY_COHORTS for area in LOCALITIES},
    DCS: {Cohort.DISABLED: 0.88, Cohort.CHILD_IN_CARE: 0.08, Cohort.CHILD_PROTECTION: 0.04},
    CORPORATE: {Cohort.CHILD_IN_CARE: 0.55, Cohort.CARE_LEAVER: 0.45},
    FOSTERING: {Cohort.FOSTERING: 1.0},
    SGO: {Cohort.SGO: 1.0},
}
#: RAG mix (red, amber, green) by cohort; over the whole county about 12/33/55.
RAG_MIX: dict[Cohort, tuple[float, float, float]] = {
    Cohort.CHILD_PROTECTION: (0.30, 0.50, 0.20),
    Cohort.UNBORN: (0.35, 0.45, 0.20),
    Cohort.CHILD_IN_NEED: (0.08, 0.33, 0.59),
    Cohort.CHILD_IN_CARE: (0.08, 0.30, 0.62),
    Cohort.CARE_LEAVER: (0.10, 0.30, 0.60),
    Cohort.DISABLED: (0.05, 0.25, 0.70),
    Cohort.FOSTERING: (0.03, 0.20, 0.77),
    Cohort.SGO: (0.03, 0.20, 0.77),
}
#: Team kinds that hold each cohort, where an area has such teams.
TEAM_KINDS: dict[Cohort, tuple[str, ...]] = {
    Cohort.CHILD_PROTECTION: ("cp", "assessment"),
    Cohort.UNBORN: ("cp", "assessment"),
    Cohort.CHILD_IN_NEED: ("cin", "assessment"),
    Cohort.CARE_LEAVER: ("leaving_care",),
    Cohort.CHILD_IN_CARE: ("cic",),
}
#: (flag, chance, cohorts it applies to, or None for all) from seed 003's list.
FLAG_CHANCES: tuple[tuple[CaseFlag, float, frozenset[Cohort] | None], ...] = (
    (CaseFlag.NOT_IN_SCHOOL, 0.05, None),
    (CaseFlag.MISSING, 0.03, frozenset({Cohort.CHILD_IN_NEED, Cohort.CHILD_PROTECTION,
                                        Cohort.CHILD_IN_CARE})),
    (CaseFlag.EXPLOITATION, 0.03, frozenset({Cohort.CHILD_IN_NEED, Cohort.CHILD_PROTECTION,
                                             Cohort.CHILD_IN_CARE, Cohort.CARE_LEAVER})),
    (CaseFlag.EDGE_OF_CARE, 0.06, frozenset({Cohort.CHILD_IN_NEED, Cohort.CHILD_PROTECTION})),
    (CaseFlag.EDGE_OF_SAFEGUARDING, 0.06, frozenset({Cohort.CHILD_IN_NEED})),
    (CaseFlag.PLACEMENT_AT_RISK, 0.07, frozenset({Cohort.CHILD_IN_CARE, Cohort.FOSTERING})),
    (CaseFlag.PLACEMENT_WITH_PARENTS, 0.04, frozenset({Cohort.CHILD_IN_CARE})),
    (CaseFlag.REG_24, 0.03, frozenset({Cohort.CHILD_IN_CARE, Cohort.FOSTERING})),
    (CaseFlag.UNSUITABLE_ACCOMMODATION, 0.08, frozenset({Cohort.CARE_LEAVER})),
    (CaseFlag.RISK_TAKING, 0.08, frozenset({Cohort.CARE_LEAVER})),
)
_SCHOOL_AGE = frozenset({CaseFlag.NOT_IN_SCHOOL, CaseFlag.MISSING, CaseFlag.EXPLOITATION})
#: (youngest, oldest) age in years by cohort; unborn children have an expected date.
AGES = {Cohort.CARE_LEAVER: (18, 24), Cohort.DISABLED: (2, 17), Cohort.SGO: (1, 17)}
CLOSED_SHARE = 0.04
OVERDUE = {Rag.RED: 0.10, Rag.AMBER: 0.12, Rag.GREEN: 0.10}
#: In days: (youngest, oldest) age of a cohort without its own range in ``AGES``.
_DEFAULT_AGE = (30, 17 * 365 + 330)


@dataclass(frozen=True, slots=True)
class CaseSketch:
    """What the audit history needs to know of a generated case."""

    id: str
    area_id: str
    rag: str
    open: bool
    worker_id: str
    manager_id: str


@dataclass
class Chunk:
    cases: list[dict[str, Any]]
    events: list[dict[str, Any]]
    sketches: list[CaseSketch]


class _Weighted:
    """``random.choices`` with one fixed set of weights, summed once instead of per draw."""

    __slots__ = ("cum", "hi", "items", "total")

    def __init__(self, weights: Mapping[Any, float]) -> None:  # keys made text by str()
        self.items = [str(k) for k in weights]
        self.cum = list(accumulate(weights.values()))
        self.total = self.cum[-1]
        self.hi = len(self.items) - 1

    def pick(self, rand: Callable[[], float]) -> str:
        return self.items[bisect(self.cum, rand() * self.total, 0, self.hi)]


class _Days(dict[int, dt.date]):
    """Day number (proleptic ordinal) to date, each date made once."""

    def __missing__(self, day: int) -> dt.date:
        value = self[day] = dt.date.fromordinal(day)
        return value


# Plain text codes: an enum member's ``.value`` is a Python-level property, read
# millions of times in a 100,000-case build.
_RED, _AMBER, _GREEN = Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value
_OTHER_RAGS = {r.value: [o.value for o in Rag if o is not r] for r in Rag}
_UNBORN, _CARE_LEAVER = Cohort.UNBORN.value, Cohort.CARE_LEAVER.value
_F2F, _VIRTUAL = CaseEventKind.VISIT_FACE_TO_FACE.value, CaseEventKind.VISIT_VIRTUAL.value
_OVERSIGHT, _VTT = CaseEventKind.MANAGEMENT_OVERSIGHT.value, CaseEventKind.VTT_REVIEW.value
_RISK, _RAG_CHANGE = CaseEventKind.RISK_ASSESSMENT.value, CaseEventKind.RAG_CHANGE.value
_CLOSED_EVENT = CaseEventKind.CLOSED.value
_SOCIAL_WORKER, _PERSONAL_ADVISER = VisitBy.SOCIAL_WORKER.value, VisitBy.PERSONAL_ADVISER.value
_OPEN, _CLOSED = CaseStatus.OPEN.value, CaseStatus.CLOSED.value
_STEPPED_DOWN = CaseFlag.STEPPED_DOWN.value
_GREEN_VISITORS = _Weighted({VisitBy.SOCIAL_WORKER: 0.75,
                             VisitBy.SOCIAL_CARE_PROFESSIONAL: 0.10,
                             VisitBy.PARTNER_AGENCY: 0.15})
_OVERDUE = {r.value: share for r, share in OVERDUE.items()}
_ORIGIN = "import"


class CaseMaker:
    """Draws one case at a time from one random stream (so chunking never changes data).

    Why it looks like this: it makes half a million rows for a 100,000-case demo, and was
    half of the build's time. So everything that does not depend on the draw is worked
    out once (weights, fitting teams, flag chances per cohort), days are whole numbers
    until a row needs a date, and draws use ``random()`` directly (``randint`` and
    ``choices`` cost ten times as much in Python). Rows start from each table's template
    (every column, with its default), so they stay complete when a column is added.
    """

    def __init__(self, rng: random.Random, org: Organisation, as_of: dt.date,
                 settings: StandardsSettings | None = None) -> None:
        self.rng = rng
        self.rand = rng.random
        self.org = org
        self.as_of = as_of
        self.today = as_of.toordinal()
        self.days = _Days()
        self.settings = settings = settings or StandardsSettings()
        self.areas = _Weighted(AREA_SHARE)
        self.cohorts = {area: _Weighted(weights) for area, weights in COHORTS.items()}
        self.teams: dict[tuple[str, str], list[TeamPlan]] = {}
        for area in AREA_SHARE:
            teams = org.teams_of(area)
            for cohort in Cohort:
                kinds = TEAM_KINDS.get(cohort, ())
                self.teams[area, cohort.value] = [t for t in teams if t.kind in kinds] or teams
        self.rag_mix = {c.value: (red, red + amber) for c, (red, amber, _) in RAG_MIX.items()}
        self.flag_chances = {cohort.value: [(flag.value, chance, flag in _SCHOOL_AGE)
                                            for flag, chance, cohorts in FLAG_CHANCES
                                            if cohorts is None or cohort in cohorts]
                             for cohort in Cohort}
        self.complex_cohorts = frozenset(settings.complex_cohorts)
        self.complex_flags = frozenset(settings.complex_flags)
        self.visit_days = dict(settings.visit_days)
        self.ages = {c.value: (low * 365 + 30, high * 365 + 330)
                     for c, (low, high) in AGES.items()}
        self.case_template = model_row(Case, "")
        self.event_template = fact_row(CaseEvent, case_id="", kind="", occurred_on=as_of,
                                       origin=_ORIGIN)

    def _randint(self, low: int, high: int) -> int:
        return low + int(self.rand() * (high - low + 1))

    def _flags(self, cohort: str, age: int) -> set[str]:
        rand = self.rand
        school_age = 5 <= age <= 17
        return {flag for flag, chance, school in self.flag_chances[cohort]
                if (school_age or not school) and rand() < chance}

    def _ago(self, ref_day: int, opened: int, interval: int, overdue: float) -> int:
        """A last day that meets ``interval`` days, or misses it with chance ``overdue``."""
        rand = self.rand
        days = interval + 1 + int(rand() * 21) if rand() < overdue else int(rand() * interval)
        return max(opened, ref_day - days)

    def make(self, number: int, case_id: str
             ) -> tuple[dict[str, Any], list[dict[str, Any]], CaseSketch]:
        rand, randint, settings, day = self.rand, self._randint, self.settings, self.days
        area = self.areas.pick(rand)
        cohort = self.cohorts[area].pick(rand)
        fitting = self.teams[area, cohort]
        team = fitting[int(rand() * len(fitting))]
        worker_id = team.worker_ids[int(rand() * len(team.worker_ids))]
        red, red_or_amber = self.rag_mix[cohort]
        draw = rand()
        rag = _RED if draw < red else _AMBER if draw < red_or_amber else _GREEN
        closed = rand() < CLOSED_SHARE
        ref_day = self.today - randint(1, 120) if closed else self.today
        if cohort == _UNBORN:
            days_open = randint(14, 180)
        elif cohort == _CARE_LEAVER:
            days_open = randint(200, 2_500)
        else:
            days_open = min(3_000, 20 + int(-math.log(1.0 - rand()) * 420))
        opened = ref_day - days_open
        if cohort == _UNBORN:
            birth = self.today + randint(7, 200)
        else:
            birth = ref_day - randint(*self.ages.get(cohort, _DEFAULT_AGE))
        flags = self._flags(cohort, max(0, (ref_day - birth) // 365))

        template = self.event_template
        events: list[dict[str, Any]] = []
        rag_set_on = ref_day - randint(0, min(days_open, 180))
        if days_open > 30 and rand() < 0.3:
            before = _OTHER_RAGS[rag][int(rand() * 2)]
            events.append({**template, "case_id": case_id, "kind": _RAG_CHANGE,
                           "occurred_on": day[rag_set_on], "rag_from": before, "rag_to": rag,
                           "worker_id": worker_id})
            stepped_down = rag == _GREEN and ref_day - rag_set_on <= 42
            if stepped_down and rand() < 0.6:
                flags.add(_STEPPED_DOWN)
        complex_green = rag == _GREEN and (cohort in self.complex_cohorts
                                           or not flags.isdisjoint(self.complex_flags))
        interval = settings.complex_green_visit_days if complex_green \
            else self.visit_days[rag]

        if cohort == _CARE_LEAVER and not (complex_green and rand() < 0.6):
            visitor = _PERSONAL_ADVISER
        elif rag == _GREEN and not complex_green:
            visitor = _GREEN_VISITORS.pick(rand)
        else:
            visitor = _SOCIAL_WORKER
        last_f2f: int | None = None
        if days_open > 7 or rand() < 0.5:
            last_f2f = self._ago(ref_day, opened, interval, _OVERDUE[rag])
            events.append({**template, "case_id": case_id, "kind": _F2F,
                           "occurred_on": day[last_f2f], "by": visitor,
                           "worker_id": worker_id})
            earlier = last_f2f - randint(max(1, interval * 2 // 3), interval)
            if earlier >= opened:
                events.append({**template, "case_id": case_id, "kind": _F2F,
                               "occurred_on": day[earlier], "by": visitor,
                               "worker_id": worker_id})
        last_virtual: int | None = None
        if rand() < (0.35 if rag == _GREEN and not complex_green else 0.08):
            last_virtual = max(opened, ref_day - randint(0, 30))
            events.append({**template, "case_id": case_id, "kind": _VIRTUAL,
                           "occurred_on": day[last_virtual], "by": visitor,
                           "worker_id": worker_id})
        last_oversight = self._ago(ref_day, opened, settings.oversight_days, 0.12)
        events.append({**template, "case_id": case_id, "kind": _OVERSIGHT,
                       "occurred_on": day[last_oversight], "worker_id": team.manager_id})
        last_vtt = max(self._ago(ref_day, opened, settings.vtt_review_days, 0.10), rag_set_on)
        events.append({**template, "case_id": case_id, "kind": _VTT,
                       "occurred_on": day[last_vtt], "worker_id": worker_id})
        last_risk: int | None = None
        if rand() > 0.015:
            last_risk = self._ago(ref_day, opened, settings.risk_assessment_days, 0.08)
            events.append({**template, "case_id": case_id, "kind": _RISK,
                           "occurred_on": day[last_risk], "worker_id": worker_id})

        child = f"Unborn baby {surname(self.rng)}" if cohort == _UNBORN \
            else f"{forename(self.rng)} {surname(self.rng)}"
        case = {
            **self.case_template, "id": case_id, "case_ref": f"DC{number:07d}",
            "child_name": child, "date_of_birth": day[birth], "service_area_id": team.area_id,
            "team_id": team.id, "worker_id": worker_id, "team_manager_id": team.manager_id,
            "cohort": cohort, "flags": join_flags(flags), "rag": rag,
            "rag_set_on": day[rag_set_on], "status": _CLOSED if closed else _OPEN,
            "opened_on": day[opened], "closed_on": day[ref_day] if closed else None,
            "last_f2f_visit": None if last_f2f is None else day[last_f2f],
            "last_f2f_visit_by": visitor if last_f2f is not None else None,
            "last_virtual_visit": None if last_virtual is None else day[last_virtual],
            "last_oversight": day[last_oversight], "last_vtt_review": day[last_vtt],
            "last_risk_assessment": None if last_risk is None else day[last_risk],
            "last_audit": None, "source": "demo"}
        if closed:
            events.append({**template, "case_id": case_id, "kind": _CLOSED_EVENT,
                           "occurred_on": day[ref_day]})
        sketch = CaseSketch(case_id, team.area_id, rag, not closed, worker_id, team.manager_id)
        return case, events, sketch


def case_chunks(rng: random.Random, org: Organisation, count: int, as_of: dt.date,
                chunk_size: int = 5_000) -> Iterator[Chunk]:
    """``count`` cases in chunks: random but seeded case references and ids, made in order.

    Why in order: the ids (and so the case events, stored in case id order) and the
    references are drawn first and handed out sorted, so every index of the cases, the
    change log's record index and the clustered case events grow at their end instead
    of splitting pages all over a tree bigger than the page cache. That halved the
    database's part of a 100,000-case build. Each id is still a random version-4 UUID.
    """
    maker = CaseMaker(rng, org, as_of)
    numbers = sorted(rng.sample(range(1_000_000, 10_000_000), count))
    ids = sorted(new_uuid(rng) for _ in range(count))
    for start in range(0, count, chunk_size):
        chunk = Chunk([], [], [])
        for number, case_id in zip(numbers[start:start + chunk_size],
                                   ids[start:start + chunk_size], strict=True):
            case, events, sketch = maker.make(number, case_id)
            chunk.cases.append(case)
            chunk.events.extend(events)
            chunk.sketches.append(sketch)
        yield chunk
