"""Replacing a sampled case, targeted samples, and claim collisions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem, RuleViolation
from desktop.models import Claim, SampleItem
from desktop.services.context import ServiceContext
from desktop.services.sampling.claims import claim_collisions
from desktop.services.sampling.replacement import replace_item
from desktop.services.sampling.settings import SamplingSettings
from desktop.services.sampling.targeted import TargetCriteria, draw_targeted
from desktop.services.sampling.weekly import draw_weekly
from tests.unit.services.sampling.caseload import Caseload

WEEK = "2026-W48"
RED_ONLY = SamplingSettings(quotas={"red": 10, "amber": 0, "green": 0})


@pytest.fixture
def load(store) -> Caseload:  # type: ignore[no-untyped-def]
    return Caseload(store)


def test_replacement_keeps_the_drop_and_comes_from_the_same_stratum(ctx, load) -> None:
    for rag in ("red", "amber", "green"):
        load.cases_of(15, rag)
    load.auditor("am-north", "North")
    sample = draw_weekly(ctx, "am-north", WEEK, seed=3)
    dropped = next(i for i in sample.items if i.stratum == "amber")
    result = replace_item(ctx, dropped.item_id, "conflict_of_interest")
    assert result.stratum == "amber" and result.rag == "amber"
    assert result.case_id not in {i.case_id for i in sample.items}
    assert result.reason == ("replacement (a conflict of interest): chosen at random from "
                             "the Amber cases")
    again = draw_weekly(ctx, "am-north", WEEK)
    kept = next(i for i in again.items if i.item_id == dropped.item_id)
    assert (kept.status, kept.drop_reason) == ("dropped", "conflict_of_interest")
    new = next(i for i in again.items if i.item_id == result.new_item_id)
    assert new.replaces_item_id == dropped.item_id and new.status == "active"
    assert len(again.active_items) == 25 and len(again.items) == 26
    with ctx.store.read() as session:
        claims = {c.case_id: c.released for c in session.scalars(select(Claim))}
    assert claims[dropped.case_id] is True and claims[result.case_id] is False
    with pytest.raises(RuleViolation, match="dropped"):
        replace_item(ctx, dropped.item_id, "closed_since_draw")


def test_replacement_is_reproducible_and_priority_first(store, load) -> None:
    load.cases_of(10, "red")
    load.cases_of(6, "red", cohort="cic")
    load.cases_of(1, "red", cohort="care_leaver")
    load.auditor("am-north", "North")
    settings = RED_ONLY
    ctx = ServiceContext(store=store)
    sample = draw_weekly(ctx, "am-north", WEEK, seed=4, settings=settings)
    assert sample.items[0].reason == "priority cohort: care leaver"
    item = sample.items[3]
    result = replace_item(ctx, item.item_id, "other", "worker is a relative",
                          settings=settings)
    assert result.reason.startswith("replacement (other): chosen at random from the Red")
    with store.read() as session:
        saved = session.get(SampleItem, item.item_id)
        assert saved.drop_note == "worker is a relative"


def test_drop_reason_rules(ctx, load) -> None:
    load.cases_of(12, "red")
    load.auditor("am-north", "North")
    sample = draw_weekly(ctx, "am-north", WEEK, seed=1, settings=RED_ONLY)
    item = sample.items[0]
    with pytest.raises(InputProblem, match="not a drop reason"):
        replace_item(ctx, item.item_id, "bored")
    with pytest.raises(InputProblem, match="explanation"):
        replace_item(ctx, item.item_id, "other", "  ")
    with pytest.raises(InputProblem, match="no sample item"):
        replace_item(ctx, "missing", "closed_since_draw")
    # 12 Red cases, 10 sampled: two replacements possible, the third finds none.
    replace_item(ctx, sample.items[0].item_id, "closed_since_draw", settings=RED_ONLY)
    replace_item(ctx, sample.items[1].item_id, "sibling_audited", settings=RED_ONLY)
    with pytest.raises(RuleViolation, match="no eligible case"):
        replace_item(ctx, sample.items[2].item_id, "sibling_audited", settings=RED_ONLY)


def test_only_the_auditor_or_a_coordinator_may_replace(store, load) -> None:
    load.cases_of(12, "red")
    load.auditor("am-north", "North")
    stranger = load.auditor("stranger", "North")
    coordinator = load.auditor("coord", "North", roles="coordinator")
    sample = draw_weekly(ServiceContext(store=store), "am-north", WEEK, seed=1,
                         settings=RED_ONLY)
    with pytest.raises(RuleViolation, match="only the sample's auditor"):
        replace_item(ServiceContext(store=store, user_id=stranger), sample.items[0].item_id,
                     "closed_since_draw")
    replace_item(ServiceContext(store=store, user_id=coordinator), sample.items[0].item_id,
                 "closed_since_draw", settings=RED_ONLY)


def test_targeted_sample_by_cohort_and_flag(ctx, load) -> None:
    load.cases_of(5, "green", cohort="care_leaver", flags="unsuitable_accommodation")
    load.cases_of(3, "amber", cohort="care_leaver", area="South")
    load.cases_of(10, "red", cohort="cin")
    load.auditor("qa-lead", roles="qa")
    by_cohort = draw_targeted(ctx, "qa-lead", WEEK, TargetCriteria(cohort="care_leaver"), 6,
                              dry_run=True)
    assert len(by_cohort.items) == 6 and by_cohort.shortfalls == []
    assert all(i.reason == "targeted (cohort care_leaver): priority cohort: care leaver"
               for i in by_cohort.items)
    by_flag = draw_targeted(ctx, "qa-lead", WEEK,
                            TargetCriteria(flag="unsuitable_accommodation"), 8)
    assert len(by_flag.items) == 5 and by_flag.saved
    [short] = by_flag.shortfalls
    assert (short.wanted, short.found, short.unfilled) == (8, 5, 3)
    # The claims of the targeted sample exclude those cases from the weekly draw.
    load.auditor("am-north", "North")
    weekly = draw_weekly(ctx, "am-north", WEEK, dry_run=True)
    assert not {i.case_id for i in weekly.items} & {i.case_id for i in by_flag.items}
    with pytest.raises(InputProblem):
        draw_targeted(ctx, "qa-lead", WEEK, TargetCriteria(), 5)
    with pytest.raises(InputProblem, match="no team"):
        draw_targeted(ctx, "qa-lead", WEEK, TargetCriteria(team="Nowhere"), 5)
    by_team = draw_targeted(ctx, "qa-lead", WEEK, TargetCriteria(team="South team"), 5,
                            dry_run=True)
    assert len(by_team.items) == 3


def test_claim_collisions_lists_cases_claimed_by_two_auditors(ctx, load) -> None:
    [a, b, c] = load.cases_of(3, "red")
    one = load.auditor("one", "North")
    two = load.auditor("two", "North")
    with ctx.store.transaction() as session:
        session.add_all([
            Claim(case_id=a, auditor_id=one, iso_week=WEEK),
            Claim(case_id=a, auditor_id=two, iso_week=WEEK),
            Claim(case_id=b, auditor_id=one, iso_week=WEEK),
            Claim(case_id=b, auditor_id=two, iso_week="2026-W49"),
            Claim(case_id=c, auditor_id=one, iso_week=WEEK),
            Claim(case_id=c, auditor_id=two, iso_week=WEEK, released=True),
        ])
    [collision] = claim_collisions(ctx, WEEK)
    assert collision.case_id == a and collision.week == WEEK
    assert {h.auditor_id for h in collision.claims} == {one, two}
    assert claim_collisions(ctx, "2026-W49") == []


def test_replacement_fills_from_the_next_stratum_when_its_own_is_exhausted(ctx, load) -> None:
    load.cases_of(10, "red")
    load.cases_of(3, "amber")
    load.auditor("am-north", "North")
    settings = SamplingSettings(quotas={"red": 10, "amber": 0, "green": 0})
    sample = draw_weekly(ctx, "am-north", WEEK, seed=1, settings=settings)
    result = replace_item(ctx, sample.items[0].item_id, "closed_since_draw", settings=settings)
    assert (result.stratum, result.rag) == ("red", "amber")
    assert result.reason == ("replacement (closed since the draw): filled from the Amber "
                             "cases: no Red case was left to choose")


def test_a_replacement_records_its_group_and_chance_and_a_targeted_pick_none(
        ctx, load) -> None:  # type: ignore[no-untyped-def]
    for rag in ("red", "amber", "green"):
        load.cases_of(15, rag)
    load.auditor("am-north", "North")
    sample = draw_weekly(ctx, "am-north", WEEK, seed=3)
    assert all(i.design_stratum and 0 < (i.probability or 0) <= 1 for i in sample.items)
    dropped = next(i for i in sample.items if i.stratum == "green")
    result = replace_item(ctx, dropped.item_id, "conflict_of_interest")
    again = {i.item_id: i for i in draw_weekly(ctx, "am-north", WEEK).items}
    new = again[result.new_item_id]
    # The dropped case's own group: 15 Green cases, 5 drawn, so 1 in 10 left.
    assert new.design_stratum == dropped.design_stratum
    assert new.probability == pytest.approx(1 / 10)
    targeted = draw_targeted(ctx, "am-north", WEEK, TargetCriteria(rag="red"), 2, seed=1)
    assert [(i.probability, i.design_stratum) for i in targeted.items] == [(None, None)] * 2
