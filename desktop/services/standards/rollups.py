"""Standards rolled up per worker, team and service area.

Why "compliant" counts due-soon as compliant: a standard due in three days is being
met; the roll-up answers "how many children are seen as often as they must be today".

Why "not known" is counted apart and never in a share: a standard the export cannot
compute (no "visit by" column) is neither met nor late; a share of 0% for it would say
every child is missed.

Why "no record" is counted within overdue and also apart: a standard with nothing on
record since the case opened is not met (docs/domain.md, "Nothing on record"), so it is
late in the share; ``no_record`` says how many of the late are blanks, not late visits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from desktop.services.standards.engine import CaseStandards, Status


class Level(StrEnum):
    WORKER = "worker"
    TEAM = "team"
    SERVICE_AREA = "service_area"


@dataclass
class StandardCounts:
    met: int = 0
    due_soon: int = 0
    overdue: int = 0
    not_applicable: int = 0
    #: Cases where the standard applies but the export cannot say (never in a share).
    not_known: int = 0
    #: Of ``overdue``: cases with nothing on record since they opened.
    no_record: int = 0

    @property
    def applicable(self) -> int:
        """Cases the standard applies to and is known for: the share's denominator."""
        return self.met + self.due_soon + self.overdue

    @property
    def compliance(self) -> float | None:
        """Share of applicable, known cases not overdue; None when there is none."""
        return (self.met + self.due_soon) / self.applicable if self.applicable else None


@dataclass
class Rollup:
    """Attributes:
        key: the worker, team or service-area id (None: not allocated).
        cases: how many open cases it holds.
        cases_overdue: cases with at least one overdue standard.
        by_standard: counts per standard code.
    """

    level: str
    key: str | None
    cases: int = 0
    cases_overdue: int = 0
    by_standard: dict[str, StandardCounts] = field(default_factory=dict)


def rollup(cases: Iterable[CaseStandards], level: Level) -> list[Rollup]:
    """One :class:`Rollup` per worker, team or area, ordered by most cases overdue."""
    attr = {Level.WORKER: "worker_id", Level.TEAM: "team_id",
            Level.SERVICE_AREA: "service_area_id"}[level]
    groups: dict[str | None, Rollup] = {}
    for case in cases:
        key = getattr(case, attr)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Rollup(level.value, key)
        group.cases += 1
        overdue = False
        for result in case.results:
            counts = group.by_standard.get(result.standard)
            if counts is None:
                counts = group.by_standard[result.standard] = StandardCounts()
            setattr(counts, result.status, getattr(counts, result.status) + 1)
            counts.no_record += result.no_record
            overdue |= result.status == Status.OVERDUE
        group.cases_overdue += overdue
    return sorted(groups.values(), key=lambda g: (-g.cases_overdue, g.key or ""))
