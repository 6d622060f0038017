"""The case list's filters by team, worker, cohort, overdue standard and "not audited in 4
weeks", each checked against a plain Python pass over every case of a demo county."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Audit, Case
from desktop.services.case_filters import ANY_STANDARD, filter_choices
from desktop.services.case_list import CaseQuery, SortKey, case_rows, first_page, list_cases
from desktop.services.context import Cancelled, ServiceContext
from desktop.services.standards.caseload import caseload_standards
from desktop.services.standards.engine import Standard
from tests.unit.services.county import demo_county

AS_OF = dt.date(2026, 11, 20)


@dataclass(frozen=True)
class Plain:
    """A case as the plain computation sees it."""

    id: str
    case_ref: str
    team_id: str | None
    worker_id: str | None
    cohort: str
    status: str
    rag: str | None


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    with demo_county(tmp_path_factory.mktemp("filters"), cases=700, seed=5,
                     as_of=AS_OF) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def everything(county: ServiceContext) -> list[Plain]:
    with county.store.read() as session:
        return [Plain(c.id, c.case_ref, c.team_id, c.worker_id, c.cohort, c.status, c.rag)
                for c in session.scalars(select(Case).where(Case.deleted.is_(False)))]


def _refs(cases: list[Plain]) -> list[str]:
    return sorted(c.id for c in cases)


def _listed(ctx: ServiceContext, query: CaseQuery) -> list[str]:
    listing = list_cases(ctx, query)
    head = first_page(ctx, query, limit=30)
    assert [r.id for r in head] == listing.ids[:30], "first page is the listing's head"
    return sorted(listing.ids)


def _busiest(values: list[str | None]) -> str:
    counted = {v: values.count(v) for v in values if v is not None}
    return max(counted, key=lambda v: counted[v])


def test_team_worker_and_cohort(county: ServiceContext, everything: list[Plain]) -> None:
    team = _busiest([c.team_id for c in everything])
    worker = _busiest([c.worker_id for c in everything])
    expected = [c for c in everything if c.team_id == team]
    assert 0 < len(expected) < len(everything)
    assert _listed(county, CaseQuery(team_id=team)) == _refs(expected)
    assert _listed(county, CaseQuery(worker_id=worker)) == _refs(
        [c for c in everything if c.worker_id == worker])
    assert _listed(county, CaseQuery(cohort="cp")) == _refs(
        [c for c in everything if c.cohort == "cp"])
    both = CaseQuery(team_id=team, cohort="cin", open_only=True, sort=SortKey.CHILD)
    assert _listed(county, both) == _refs(
        [c for c in everything if c.team_id == team and c.cohort == "cin"
         and c.status == "open"])
    listing = list_cases(county, CaseQuery(team_id=team, rag="red"))
    assert listing.total == len(everything), "the total still counts every case"
    assert listing.rag_counts["amber"] == 0
    assert listing.rag_counts["red"] == sum(1 for c in expected if c.rag == "red"
                                            and c.status == "open")


def test_overdue_any_and_one_standard(county: ServiceContext, everything: list[Plain]
                                      ) -> None:
    judged = caseload_standards(county, AS_OF).cases
    overdue = {c.case_id for c in judged if c.overdue}
    visits = {c.case_id for c in judged
              if c.result(Standard.VISIT_F2F.value).status == "overdue"}
    assert 0 < len(visits) < len(overdue) < len(everything)
    assert _listed(county, CaseQuery(overdue=ANY_STANDARD)) == sorted(overdue)
    assert _listed(county, CaseQuery(overdue=Standard.VISIT_F2F.value)) == sorted(visits)
    team = _busiest([c.team_id for c in everything])
    in_team = {c.id for c in everything if c.team_id == team}
    assert _listed(county, CaseQuery(overdue=ANY_STANDARD, team_id=team,
                                     sort=SortKey.RAG)) == sorted(overdue & in_team)
    with pytest.raises(InputProblem, match="not a practice standard"):
        list_cases(county, CaseQuery(overdue="bedtime"))


def test_not_audited_in_four_weeks(county: ServiceContext, everything: list[Plain]) -> None:
    with county.store.read() as session:
        audits = [(a.case_id, a.status, a.audit_date) for a in session.scalars(
            select(Audit).where(Audit.deleted.is_(False)))]
    recent = {case_id for case_id, status, day in audits
              if status != "draft" and day is not None
              and AS_OF - dt.timedelta(days=28) < day <= AS_OF}
    expected = [c for c in everything if c.id not in recent]
    assert len(recent) > 0 and len(expected) < len(everything)
    assert _listed(county, CaseQuery(not_audited=True)) == _refs(expected)
    assert _listed(county, CaseQuery(not_audited=True, overdue=ANY_STANDARD,
                                     open_only=True)) == sorted(
        {c.case_id for c in caseload_standards(county, AS_OF).cases if c.overdue} - recent)


def test_the_overdue_filter_can_be_cancelled(county: ServiceContext) -> None:
    seen: list[str] = []

    def progress(done: int, total: int, stage: str) -> None:
        seen.append(stage)
        if stage == "checking standards":
            cancelling.cancel.cancel()

    cancelling = ServiceContext(store=county.store, clock=county.clock, progress=progress)
    query = CaseQuery(overdue=Standard.RISK_ASSESSMENT.value, cohort="cin")
    with pytest.raises(Cancelled):
        list_cases(cancelling, query)
    assert "checking standards" in seen
    seen.clear()
    watching = ServiceContext(store=county.store, clock=county.clock,
                              progress=lambda _done, _total, stage: seen.append(stage))
    list_cases(watching, query)
    assert "checking standards" in seen, "nothing remembered from the cancelled run"
    seen.clear()
    assert list_cases(watching, query).shown > 0
    assert "checking standards" not in seen, "the second asking reuses the evaluation"


def test_filter_choices(county: ServiceContext, everything: list[Plain]) -> None:
    choices = filter_choices(county)
    team_ids = {c.value for c in choices.teams}
    assert {c.team_id for c in everything if c.team_id} <= team_ids
    assert [c.label for c in choices.teams] == sorted(c.label for c in choices.teams)
    assert {c.worker_id for c in everything if c.worker_id} <= {c.value for c in
                                                                   choices.workers}
    assert all(c.group in team_ids for c in choices.workers if c.group)
    assert {c.value for c in choices.cohorts} == {c.cohort for c in everything}
    assert choices.cohorts[0].label == "Child in need"
    assert choices.standards[0].value == ANY_STANDARD
    assert {c.value for c in choices.standards[1:]} == {s.value for s in Standard}
    # A team picked from the choices filters the list to that team's cases.
    rows = case_rows(county, list_cases(county, CaseQuery(
        team_id=choices.teams[0].value)).ids)
    assert {r.team for r in rows} <= {choices.teams[0].label}


def test_a_change_in_the_store_is_seen_at_once(county: ServiceContext) -> None:
    """The remembered overdue set is dropped as soon as the store changes (runs last:
    it closes a case of the shared county)."""
    before = list_cases(county, CaseQuery(overdue=ANY_STANDARD)).ids
    with county.store.transaction() as session:
        case = session.get(Case, before[0])
        assert case is not None
        case.status, case.closed_on = "closed", AS_OF
    after = list_cases(county, CaseQuery(overdue=ANY_STANDARD)).ids
    assert after == before[1:]
