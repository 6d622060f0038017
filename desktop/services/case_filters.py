"""The case list's computed filters (an overdue standard, not audited lately) and the
choices its filter combos offer.

Why apart from :mod:`desktop.services.case_list`: these filters are not columns of the
case row. "Overdue" is the standards engine's verdict as of today, evaluated in bulk
over every open case (a few seconds on 100,000, reported and cancellable), and "not
audited in 4 weeks" reads the audits table. Each gives the set of case ids that pass,
which the list's scan then applies as one membership test per row.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select

from desktop.errors import InputProblem
from desktop.models import Audit, Case, Team, Worker
from desktop.models.enums import AuditStatus, Cohort
from desktop.models.log import Change, Meta
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.gc_pause import paused_gc
from desktop.services.standards.engine import Evaluator, Standard
from desktop.services.standards.facts import load_facts
from desktop.services.standards.settings import StandardsSettings, load_settings

#: ``CaseQuery.overdue`` value for "any standard overdue".
ANY_STANDARD = "any"
#: "Not audited in 4 weeks": no audit beyond a draft dated within this many days.
NOT_AUDITED_DAYS = 28
#: Cases evaluated between two progress reports (and cancel checks).
PROGRESS_EVERY = 5_000

STANDARD_LABELS = {
    Standard.VISIT_F2F.value: "Face-to-face visit",
    Standard.VISIT_COMPLEX_GREEN.value: "Complex Green visit by a social worker",
    Standard.VTT_REVIEW.value: "VTT review",
    Standard.OVERSIGHT.value: "Management oversight",
    Standard.RISK_ASSESSMENT.value: "Risk assessment",
}
COHORT_NAMES = {
    Cohort.CHILD_IN_NEED.value: "Child in need", Cohort.CHILD_PROTECTION.value: "CP plan",
    Cohort.CHILD_IN_CARE.value: "Child in care", Cohort.CARE_LEAVER.value: "Care leaver",
    Cohort.UNBORN.value: "Unborn", Cohort.DISABLED.value: "Disabled children",
    Cohort.FOSTERING.value: "Fostering", Cohort.SGO.value: "SGO",
}


@dataclass(frozen=True)
class Choice:
    """One entry of a filter combo: what the query takes, and what a person reads.

    Attributes:
        group: for a worker, their team's id (so a team pick can narrow the workers).
    """

    value: str
    label: str
    group: str | None = None


@dataclass(frozen=True)
class FilterChoices:
    """What the case list's filter combos offer, each sorted as a person looks for it.

    ``standards`` starts with "Any standard" (:data:`ANY_STANDARD`).
    """

    teams: list[Choice]
    workers: list[Choice]
    cohorts: list[Choice]
    standards: list[Choice]


def filter_choices(ctx: ServiceContext) -> FilterChoices:
    """The teams, workers and cohorts of the store's live cases, and the standards."""
    guard(ctx, P.VIEW_CASES)
    with ctx.store.reading() as conn:
        teams = [Choice(i, name) for i, name in conn.execute(
            select(Team.id, Team.name).where(Team.deleted.is_(False)).order_by(Team.name))]
        workers = [Choice(i, name, team) for i, name, team in conn.execute(
            select(Worker.id, Worker.name, Worker.team_id).where(Worker.deleted.is_(False))
            .order_by(Worker.name, Worker.staff_ref))]
        present = set(conn.scalars(select(Case.cohort).where(Case.deleted.is_(False))
                                   .distinct()))
    order = list(COHORT_NAMES)
    cohorts = [Choice(c, COHORT_NAMES.get(c, c))
               for c in sorted(present, key=lambda c: (c not in order,
                                                       order.index(c) if c in order else 0, c))]
    standards = [Choice(ANY_STANDARD, "Any standard")]
    standards += [Choice(code, label) for code, label in STANDARD_LABELS.items()]
    return FilterChoices(teams, workers, cohorts, standards)


def data_version(ctx: ServiceContext) -> tuple[int, str]:
    """A value that changes whenever the store's records or case events change: the
    last change-log number and the last case-event number (two indexed reads)."""
    with ctx.store.reading() as conn:
        changes = conn.scalar(select(func.max(Change.seq))) or 0
        events = conn.scalar(select(Meta.value).where(Meta.key == "case_events.seq")) or ""
    return changes, str(events)


#: The last few overdue sets, by what they depend on (see :func:`overdue_case_ids`).
_OVERDUE_CACHE: OrderedDict[tuple[object, ...], frozenset[str]] = OrderedDict()
_CACHE_SIZE = 4
_CACHE_LOCK = threading.Lock()


def overdue_case_ids(ctx: ServiceContext, standard: str, *,
                     where: list[ColumnElement[bool]] | None = None,
                     as_of: dt.date | None = None) -> frozenset[str]:
    """Ids of the cases open today with ``standard`` (or :data:`ANY_STANDARD`) overdue.

    ``where`` narrows the cases evaluated (the list's column filters), so a team's
    overdue cases cost a team's evaluation, not the county's.

    Why remembered: the evaluation takes seconds on 100,000 cases, and the list asks for
    the same set again for its first page, for every re-sort and for every letter typed
    in the filter box. The set is reused only while nothing in the store has changed
    (:func:`data_version`), for the same day, settings and filters.
    """
    guard(ctx, P.VIEW_CASES)
    if standard != ANY_STANDARD and standard not in STANDARD_LABELS:
        raise InputProblem(f"'{standard}' is not a practice standard")
    as_of = as_of or ctx.today()
    settings = load_settings()
    conditions = where or []
    key = (str(ctx.store.path), as_of, settings.checksum(), data_version(ctx), standard,
           tuple(str(c.compile(compile_kwargs={"literal_binds": True})) for c in conditions))
    with _CACHE_LOCK:
        cached = _OVERDUE_CACHE.get(key)
    if cached is not None:
        return cached
    found = _evaluate_overdue(ctx, standard, conditions, as_of, settings)
    with _CACHE_LOCK:
        _OVERDUE_CACHE[key] = found
        while len(_OVERDUE_CACHE) > _CACHE_SIZE:
            _OVERDUE_CACHE.popitem(last=False)
    return found


def _evaluate_overdue(ctx: ServiceContext, standard: str, where: list[ColumnElement[bool]],
                      as_of: dt.date, settings: StandardsSettings) -> frozenset[str]:
    ctx.report(0, 1, "reading cases")
    found: set[str] = set()
    with paused_gc():
        with ctx.read() as session:
            facts = load_facts(session, as_of, where)
        evaluator = Evaluator(settings, as_of)
        total = len(facts)
        for index, case in enumerate(facts):
            if index % PROGRESS_EVERY == 0:
                ctx.report(index, total, "checking standards")
            evaluated = evaluator.evaluate(case)
            if standard == ANY_STANDARD:
                if evaluated.overdue:
                    found.add(case.case_id)
            elif evaluated.result(standard).status == "overdue":
                found.add(case.case_id)
    ctx.report(total, total, "checking standards")
    return frozenset(found)


def recently_audited_ids(ctx: ServiceContext, *, as_of: dt.date | None = None,
                         days: int = NOT_AUDITED_DAYS) -> set[str]:
    """Ids of the cases with an audit beyond a draft dated in the last ``days`` days.

    An audit exactly ``days`` days ago no longer counts: four weeks have passed (the
    sampler's re-audit gap reads the same way).
    """
    guard(ctx, P.VIEW_CASES)
    as_of = as_of or ctx.today()
    since = as_of - dt.timedelta(days=days)
    with ctx.store.reading() as conn:
        return set(conn.scalars(select(Audit.case_id).where(
            Audit.deleted.is_(False), Audit.status != AuditStatus.DRAFT.value,
            Audit.audit_date > since, Audit.audit_date <= as_of).distinct()))
