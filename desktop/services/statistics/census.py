"""The practice standards counted on every open case: a census, not an estimate.

Why beside the audit estimates (issue 24, item 4): the case system's own dates (visits,
oversight, VTT reviews, risk assessments) are there for every open case, so the
standards engine (``desktop/services/standards``) can say for the whole caseload how
many cases are in time. That figure has no sampling error: nothing was sampled. It is
only as good as the records it reads, which is what the audits test; so the monthly
report prints the two side by side, and each says what it is.

What counts: the engine's status of each standard on each case on the day. "Met" and
"due soon" are in time (the rollups count due-soon as compliant: a visit due in three
days is being met), "overdue" is late, "not applicable" leaves the case out of that
standard's figure. Any other status (a standard whose source field was not in the
council's export, say) is neither in time nor late: the case is left out and counted
in ``CensusCell.unknown``, so a figure never counts a case it cannot judge. A case with
no RAG rating has no visit interval: its face-to-face visit is not known (trial item 9:
278 unrated cases read "0.0% (0 of 278)" when the engine called them late), counted in
``CensusCell.unrated`` as well so the report can say why in words.

The same minimum as the estimates: fewer than ``MIN_AUDITS`` (10) applicable cases
give "insufficient" and no percentage (a figure of 3 cases moves 33 points with one
case).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from desktop.models import ServiceArea
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.gc_pause import paused_gc
from desktop.services.standards.engine import CaseStandards, Evaluator, Standard, Status
from desktop.services.standards.facts import load_facts
from desktop.services.standards.settings import StandardsSettings, load_settings
from desktop.services.statistics.compliance import ALL_CASES, RAG_ORDER
from desktop.services.statistics.estimates import MIN_AUDITS

IN_TIME = frozenset({Status.MET.value, Status.DUE_SOON.value})
LATE = frozenset({Status.OVERDUE.value})
NOT_APPLICABLE = Status.NOT_APPLICABLE.value
#: A case with no RAG on record, as the census's RAG columns name it.
NOT_RATED = "not rated"
#: Who each standard applies to, by the engine's rules (docs/domain.md).
POPULATIONS = {Standard.VISIT_COMPLEX_GREEN.value: "complex Green cases only",
               Standard.VTT_REVIEW.value: "Green cases only"}
#: A service area the case system left empty.
NO_AREA = "No service area"
PROGRESS_EVERY = 5000


@dataclass
class CensusCell:
    """One standard's count in one group of cases.

    Attributes:
        unknown: cases whose status was neither in time, late nor not applicable
            (the engine could not judge them); left out of the figure.
    """

    in_time: int = 0
    late: int = 0
    unknown: int = 0
    #: Of ``unknown``: cases not judged because they have no RAG rating on record.
    unrated: int = 0

    @property
    def applicable(self) -> int:
        return self.in_time + self.late

    @property
    def sufficient(self) -> bool:
        return self.applicable >= MIN_AUDITS

    @property
    def rate(self) -> float | None:
        """In time among applicable cases; None below the minimum."""
        return self.in_time / self.applicable if self.sufficient else None

    @property
    def note(self) -> str:
        """"insufficient: 4 cases (needs 10)" below the minimum, else ""."""
        if self.sufficient:
            return ""
        n = self.applicable
        return f"insufficient: {n} case{'' if n == 1 else 's'} (needs {MIN_AUDITS})"

    def add(self, status: str, unrated: bool = False) -> None:
        """Count one case's status; ``unrated``: the case has no RAG rating."""
        if status in IN_TIME:
            self.in_time += 1
        elif status in LATE:
            self.late += 1
        elif status != NOT_APPLICABLE:
            self.unknown += 1
            self.unrated += unrated


@dataclass
class CensusFigure:
    """One standard over the caseload, overall, by RAG and by service area (names)."""

    standard: str
    population: str
    overall: CensusCell = field(default_factory=CensusCell)
    by_rag: dict[str, CensusCell] = field(default_factory=dict)
    by_area: dict[str, CensusCell] = field(default_factory=dict)


@dataclass(frozen=True)
class Census:
    """Attributes:
        as_of: the day the caseload was counted on.
        cases: open cases counted.
        rags: the RAG columns, in order (``NOT_RATED`` last when any case has none).
        areas: the service areas, by name.
    """

    as_of: dt.date
    cases: int
    figures: list[CensusFigure]
    rags: list[str]
    areas: list[str]
    settings_checksum: str = ""

    def figure(self, standard: str) -> CensusFigure | None:
        return next((f for f in self.figures if f.standard == standard), None)


def census(cases: Iterable[CaseStandards], as_of: dt.date, area_names: Mapping[str, str],
           settings_checksum: str = "") -> Census:
    """The census of ``cases`` (pure: the engine's results in, counts out)."""
    figures: dict[str, CensusFigure] = {}
    rags: set[str] = set()
    areas: set[str] = set()
    count = 0
    for case in cases:
        count += 1
        rag = case.rag or NOT_RATED
        area = area_names.get(case.service_area_id or "", NO_AREA)
        rags.add(rag)
        areas.add(area)
        for result in case.results:
            figure = figures.get(result.standard)
            if figure is None:
                figure = figures[result.standard] = CensusFigure(
                    result.standard, POPULATIONS.get(result.standard, ALL_CASES))
            unrated = case.rag is None
            figure.overall.add(result.status, unrated)
            figure.by_rag.setdefault(rag, CensusCell()).add(result.status, unrated)
            figure.by_area.setdefault(area, CensusCell()).add(result.status, unrated)
    order = [s.value for s in Standard]
    ordered = sorted(figures.values(), key=lambda f: (
        order.index(f.standard) if f.standard in order else len(order), f.standard))
    rag_columns = [r for r in RAG_ORDER if r in rags] + sorted(rags - {*RAG_ORDER, NOT_RATED})
    if NOT_RATED in rags:
        rag_columns.append(NOT_RATED)
    return Census(as_of, count, ordered, rag_columns, sorted(areas, key=str.casefold),
                  settings_checksum)


def caseload_census(ctx: ServiceContext, as_of: dt.date,
                    settings: StandardsSettings | None = None) -> Census:
    """The census of every case open on ``as_of``, by the standards in force now.

    Read over the whole caseload whoever asks (``ctx.store``), as the estimates are:
    it describes the council's caseload and holds counts only, never a record.
    """
    guard(ctx, Permission.REPORTS)
    settings = settings or load_settings()
    ctx.report(0, 1, "reading the caseload")
    with paused_gc():
        with ctx.store.read() as session:
            facts = load_facts(session, as_of)
            names = dict(session.execute(select(ServiceArea.id, ServiceArea.name)).all())
        evaluator = Evaluator(settings, as_of)

        def evaluated() -> Iterable[CaseStandards]:
            for index, case in enumerate(facts):
                if index % PROGRESS_EVERY == 0:
                    ctx.report(index, len(facts), "counting the standards")
                yield evaluator.evaluate(case)

        found = census(evaluated(), as_of, names, settings.checksum())
    ctx.report(len(facts), len(facts), "counting the standards")
    return found
