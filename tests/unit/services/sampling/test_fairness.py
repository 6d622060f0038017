"""Fair draws across weeks and areas (issue 10, item 4), through the real sampler."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from desktop.errors import RuleViolation
from desktop.models import Audit, AuditTemplate, Case, ServiceArea, User
from desktop.services.audits.lifecycle import start_audit
from desktop.services.context import ServiceContext
from desktop.services.sampling.records import SampleView
from desktop.services.sampling.weekly import draw_area, draw_weekly
from desktop.store import Store
from tests.unit.services.sampling.caseload import Caseload
from tests.unit.services.statistics.design_simulation import County, build_county

WEEK, NEXT = "2027-W02", "2027-W03"


def by_username(store: Store, samples: list[SampleView]) -> dict[str, list[str]]:
    with store.read() as session:
        names = dict(session.execute(select(User.id, User.username)).all())
        refs = dict(session.execute(select(Case.id, Case.case_ref)).all())
    return {names[s.auditor_id]: sorted(refs[i.case_id] for i in s.items) for s in samples}


def areas_of_cases(store: Store) -> dict[str, str]:
    with store.read() as session:
        return dict(session.execute(select(Case.id, Case.service_area_id)).all())


def area_id(store: Store, name: str) -> str:
    with store.read() as session:
        found = session.scalar(select(ServiceArea.id).where(ServiceArea.name == name))
    assert found is not None
    return found


@pytest.fixture
def county(store: Store) -> County:
    return build_county(store)


def test_a_case_drawn_this_week_is_not_drawn_next_week_before_its_audit(
        ctx: ServiceContext, county: County) -> None:
    this = [i.case_id for area in ("North", "South", "SGO")
            for s in draw_area(ctx, area, WEEK, seed=1).samples if not s.existing
            for i in s.items]
    assert len(this) == 100
    # Next week's draw comes before any of this week's audits.
    following = [i.case_id for area in ("North", "South", "SGO")
                 for s in draw_area(ctx, area, NEXT, seed=2).samples if not s.existing
                 for i in s.items]
    assert len(following) == 100
    assert not set(this) & set(following)


def test_a_person_of_every_area_is_drawn_from_the_first_coordinators_area(
        ctx: ServiceContext, county: County, store: Store) -> None:
    # Two orders of the coordinators' draws, in weeks far enough apart that neither
    # excludes the other's cases. The person of every area is drawn by the first
    # coordinator to draw, from that coordinator's area only (tester's item 22), so who
    # gets what now depends on the order; every sample is full and no case is drawn twice.
    area_of = areas_of_cases(store)
    for week, order in (("2027-W10", ("North", "SGO", "South")),
                        ("2027-W20", ("SGO", "South", "North"))):
        samples = [s for area in order for s in draw_area(ctx, area, week, seed=5).samples
                   if not s.existing]
        drawn = by_username(store, samples)
        assert set(drawn) == {"am-north", "am-south", "sm-sgo", "hos-all"}
        assert all(len(cases) == 25 for cases in drawn.values())
        every = [ref for cases in drawn.values() for ref in cases]
        assert len(every) == len(set(every))
        [everyone] = [s for s in samples if by_username(store, [s]).keys() == {"hos-all"}]
        assert {area_of[i.case_id] for i in everyone.items} == {area_id(store, order[0])}


def test_multi_area_auditors_are_spread_at_random_across_their_areas(
        ctx: ServiceContext, county: County, store: Store) -> None:
    # Their own draw (``sample --auditor``) spreads them across their areas; a
    # coordinator's draw for one area keeps them to that area's cases.
    area_of = areas_of_cases(store)
    splits = []
    for n in range(4):
        week = f"2027-W{10 + 5 * n:02d}"  # weeks apart: no re-audit gap between them
        mine = draw_weekly(ctx, "hos-all", week, seed=n)
        assert len(mine.items) == 25
        split = Counter(area_of[i.case_id] for i in mine.items)
        # Not all from one area or all from the priority cohorts.
        assert len(split) >= 2
        assert any(i.design_stratum and "/other/" in i.design_stratum for i in mine.items)
        splits.append(tuple(sorted(split.values())))
    # The remainders land at random: the split is not the same every week.
    assert len(set(splits)) > 1
    samples = draw_area(ctx, "North", "2027-W40", seed=1).samples
    [north] = [s for s in samples if by_username(store, [s]).keys() == {"hos-all"}]
    assert {area_of[i.case_id] for i in north.items} == {area_id(store, "North")}


def test_one_areas_draw_does_not_use_another_areas_cases_for_its_shortfalls(
        ctx: ServiceContext, store: Store) -> None:
    load = Caseload(store)
    for rag in ("red", "amber"):
        load.cases_of(30, rag, "North")
    load.cases_of(30, "red", "South")
    load.cases_of(30, "amber", "South")
    load.cases_of(5, "green", "South")  # exactly the South auditor's Green quota
    load.auditor("am-north", "North")
    load.auditor("am-south", "South")
    load.auditor("hos-both", "North", "South")
    # North (no Green at all) is drawn first; its two auditors are short of Green.
    north = by_username(store, draw_area(ctx, "North", WEEK, seed=3).samples)
    south = by_username(store, draw_area(ctx, "South", WEEK, seed=3).samples)
    with store.read() as session:
        rag = dict(session.execute(select(Case.case_ref, Case.rag)).all())
    assert Counter(rag[r] for r in south["am-south"])["green"] == 5
    assert all(rag[r] != "green" for r in north["am-north"] + north["hos-both"])
    assert len(north["hos-both"]) == 25 and len(south["am-south"]) == 25


def test_starting_an_audit_checks_the_re_audit_gap(store: Store) -> None:
    load = Caseload(store)
    recent, old = load.cases_of(2, "red")
    auditor = load.auditor("am-north", "North")
    today = dt.date(2026, 11, 23)
    with store.transaction() as session:
        template = AuditTemplate(code="old", title="Old")
        session.add(template)
        session.flush()
        session.add_all([Audit(case_id=recent, auditor_id=auditor, template_id=template.id,
                               status="finalised", audit_date=today - dt.timedelta(days=27)),
                         Audit(case_id=old, auditor_id=auditor, template_id=template.id,
                               status="finalised", audit_date=today - dt.timedelta(days=28))])
    ctx = ServiceContext(store=store, user_id=auditor, clock=lambda: dt.datetime(
        2026, 11, 23, 10, tzinfo=dt.UTC))
    with pytest.raises(RuleViolation, match="can be audited again from 24 Nov 2026"):
        start_audit(ctx, recent, "risk_assessment_rag")
    assert start_audit(ctx, old, "risk_assessment_rag")
