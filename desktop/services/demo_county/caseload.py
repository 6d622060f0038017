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
import random
from collections.abc import Iterator
from dataclasses import dataclass
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


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class CaseMaker:
    """Draws one case at a time from one random stream (so chunking never changes data)."""

    def __init__(self, rng: random.Random, org: Organisation, as_of: dt.date,
                 settings: StandardsSettings | None = None) -> None:
        self.rng = rng
        self.org = org
        self.as_of = as_of
        self.settings = settings or StandardsSettings()
        self.area_names = list(AREA_SHARE)
        self.area_weights = list(AREA_SHARE.values())
        self.teams = {area: org.teams_of(area) for area in AREA_SHARE}

    def _team(self, area: str, cohort: Cohort) -> TeamPlan:
        teams = self.teams[area]
        kinds = TEAM_KINDS.get(cohort, ())
        fitting = [t for t in teams if t.kind in kinds] or teams
        return self.rng.choice(fitting)

    def _birth(self, cohort: Cohort, ref_day: dt.date) -> dt.date:
        rng = self.rng
        if cohort is Cohort.UNBORN:
            return self.as_of + dt.timedelta(days=rng.randint(7, 200))
        low, high = AGES.get(cohort, (0, 17))
        return ref_day - dt.timedelta(days=rng.randint(low * 365 + 30, high * 365 + 330))

    def _flags(self, cohort: Cohort, age: int) -> set[str]:
        flags = set()
        for flag, chance, cohorts in FLAG_CHANCES:
            if cohorts is not None and cohort not in cohorts:
                continue
            if flag in _SCHOOL_AGE and not 5 <= age <= 17:
                continue
            if self.rng.random() < chance:
                flags.add(flag.value)
        return flags

    def _ago(self, ref_day: dt.date, opened: dt.date, interval: int, overdue: float
             ) -> dt.date:
        """A last date that meets ``interval`` days, or misses it with chance ``overdue``."""
        rng = self.rng
        days = interval + rng.randint(1, 21) if rng.random() < overdue \
            else rng.randint(0, interval - 1)
        return max(opened, ref_day - dt.timedelta(days=days))

    def make(self, number: int) -> tuple[dict[str, Any], list[dict[str, Any]], CaseSketch]:
        rng, settings = self.rng, self.settings
        case_id = new_uuid(rng)
        area = rng.choices(self.area_names, weights=self.area_weights)[0]
        cohort: Cohort = _pick(rng, COHORTS[area])
        team = self._team(area, cohort)
        worker_id = rng.choice(team.worker_ids)
        red, amber, _green = RAG_MIX[cohort]
        draw = rng.random()
        rag = Rag.RED if draw < red else Rag.AMBER if draw < red + amber else Rag.GREEN
        closed = rng.random() < CLOSED_SHARE
        ref_day = self.as_of - dt.timedelta(days=rng.randint(1, 120)) if closed else self.as_of
        if cohort is Cohort.UNBORN:
            days_open = rng.randint(14, 180)
        elif cohort is Cohort.CARE_LEAVER:
            days_open = rng.randint(200, 2_500)
        else:
            days_open = min(3_000, 20 + int(rng.expovariate(1 / 420)))
        opened = ref_day - dt.timedelta(days=days_open)
        birth = self._birth(cohort, ref_day)
        age = max(0, (ref_day - birth).days // 365)
        flags = self._flags(cohort, age)

        events: list[dict[str, Any]] = []

        def event(kind: CaseEventKind, on: dt.date, **values: Any) -> None:
            events.append(fact_row(CaseEvent, case_id=case_id, kind=kind.value,
                                   occurred_on=on, origin="import", **values))

        rag_set_on = ref_day - dt.timedelta(days=rng.randint(0, min(days_open, 180)))
        if days_open > 30 and rng.random() < 0.3:
            before = rng.choice([r for r in Rag if r is not rag])
            event(CaseEventKind.RAG_CHANGE, rag_set_on, rag_from=before.value, rag_to=rag.value,
                  worker_id=worker_id)
            stepped_down = rag is Rag.GREEN and (ref_day - rag_set_on).days <= 42
            if stepped_down and rng.random() < 0.6:
                flags.add(CaseFlag.STEPPED_DOWN.value)
        complex_green = rag is Rag.GREEN and (
            cohort.value in settings.complex_cohorts
            or bool(flags & set(settings.complex_flags)))
        interval = settings.complex_green_visit_days if complex_green \
            else settings.visit_days[rag.value]

        if cohort is Cohort.CARE_LEAVER and not (complex_green and rng.random() < 0.6):
            visitor = VisitBy.PERSONAL_ADVISER
        elif rag is Rag.GREEN and not complex_green:
            visitor = _pick(rng, {VisitBy.SOCIAL_WORKER: 0.75,
                                  VisitBy.SOCIAL_CARE_PROFESSIONAL: 0.10,
                                  VisitBy.PARTNER_AGENCY: 0.15})
        else:
            visitor = VisitBy.SOCIAL_WORKER
        last_f2f: dt.date | None = None
        if days_open > 7 or rng.random() < 0.5:
            last_f2f = self._ago(ref_day, opened, interval, OVERDUE[rag])
            event(CaseEventKind.VISIT_FACE_TO_FACE, last_f2f, by=visitor.value,
                  worker_id=worker_id)
            earlier = last_f2f - dt.timedelta(days=rng.randint(max(1, interval * 2 // 3),
                                                               interval))
            if earlier >= opened:
                event(CaseEventKind.VISIT_FACE_TO_FACE, earlier, by=visitor.value,
                      worker_id=worker_id)
        last_virtual = None
        if rng.random() < (0.35 if rag is Rag.GREEN and not complex_green else 0.08):
            last_virtual = max(opened, ref_day - dt.timedelta(days=rng.randint(0, 30)))
            event(CaseEventKind.VISIT_VIRTUAL, last_virtual, by=visitor.value,
                  worker_id=worker_id)
        last_oversight = self._ago(ref_day, opened, settings.oversight_days, 0.12)
        event(CaseEventKind.MANAGEMENT_OVERSIGHT, last_oversight, worker_id=team.manager_id)
        last_vtt = self._ago(ref_day, opened, settings.vtt_review_days, 0.10)
        last_vtt = max(last_vtt, rag_set_on)
        event(CaseEventKind.VTT_REVIEW, last_vtt, worker_id=worker_id)
        last_risk: dt.date | None = None
        if rng.random() > 0.015:
            last_risk = self._ago(ref_day, opened, settings.risk_assessment_days, 0.08)
            event(CaseEventKind.RISK_ASSESSMENT, last_risk, worker_id=worker_id)

        child = f"Unborn baby {surname(rng)}" if cohort is Cohort.UNBORN \
            else f"{forename(rng)} {surname(rng)}"
        case = model_row(
            Case, case_id, case_ref=f"DC{number:07d}", child_name=child, date_of_birth=birth,
            service_area_id=team.area_id, team_id=team.id, worker_id=worker_id,
            team_manager_id=team.manager_id, cohort=cohort.value, flags=join_flags(flags),
            rag=rag.value, rag_set_on=rag_set_on,
            status=(CaseStatus.CLOSED if closed else CaseStatus.OPEN).value,
            opened_on=opened, closed_on=ref_day if closed else None, last_f2f_visit=last_f2f,
            last_f2f_visit_by=visitor.value if last_f2f else None,
            last_virtual_visit=last_virtual, last_oversight=last_oversight,
            last_vtt_review=last_vtt, last_risk_assessment=last_risk, last_audit=None,
            source="demo")
        if closed:
            event(CaseEventKind.CLOSED, ref_day)
        sketch = CaseSketch(case_id, team.area_id, rag.value, not closed, worker_id,
                            team.manager_id)
        return case, events, sketch


def case_chunks(rng: random.Random, org: Organisation, count: int, as_of: dt.date,
                chunk_size: int = 5_000) -> Iterator[Chunk]:
    """``count`` cases in chunks, with case references in a random but seeded order."""
    maker = CaseMaker(rng, org, as_of)
    numbers = rng.sample(range(1_000_000, 10_000_000), count)
    for start in range(0, count, chunk_size):
        chunk = Chunk([], [], [])
        for number in numbers[start:start + chunk_size]:
            case, events, sketch = maker.make(number)
            chunk.cases.append(case)
            chunk.events.extend(events)
            chunk.sketches.append(sketch)
        yield chunk
