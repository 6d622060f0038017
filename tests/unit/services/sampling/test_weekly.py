"""The weekly sample against a real store: exclusions, saving, coordinator mode."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from desktop.errors import InputProblem
from desktop.models import Audit, AuditTemplate, Case, Change, Claim, Event, Sample, SampleItem
from desktop.services.sampling.weekly import draw_area, draw_weekly
from desktop.services.sampling.weeks import parse_week, week_start
from tests.unit.services.sampling.caseload import Caseload

WEEK = "2026-W48"  # Monday 23 November 2026


@pytest.fixture
def load(store) -> Caseload:  # type: ignore[no-untyped-def]
    return Caseload(store)


def full_area(load: Caseload, area: str = "North", n: int = 12) -> None:
    for rag in ("red", "amber", "green"):
        load.cases_of(n, rag, area)


def count(store, model) -> int:  # type: ignore[no-untyped-def]
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_week_text_is_checked() -> None:
    assert parse_week("2026-W48") == "2026-W48"
    assert week_start("2026-W53") == dt.date(2026, 12, 28)
    with pytest.raises(InputProblem):
        parse_week("2026-48")
    with pytest.raises(InputProblem):
        parse_week("2025-W53")  # 2025 has 52 ISO weeks


def test_draw_saves_sample_items_and_claims_and_drawing_again_returns_it(ctx, load) -> None:
    full_area(load)
    auditor = load.auditor("am-north", "North")
    first = draw_weekly(ctx, "am-north", WEEK, seed=1)
    assert first.saved and not first.existing and first.sample_id
    assert Counter(i.stratum for i in first.items) == {"red": 10, "amber": 10, "green": 5}
    with ctx.store.read() as session:
        claims = session.scalars(select(Claim)).all()
        assert {c.case_id for c in claims} == {i.case_id for i in first.items}
        assert {(c.auditor_id, c.iso_week) for c in claims} == {(auditor, WEEK)}
        changed = set(session.scalars(select(Change.table_name)))
        assert {"samples", "sample_items", "claims"} <= changed
        assert session.scalar(select(func.count()).select_from(Event)) == 1
    again = draw_weekly(ctx, auditor, WEEK, seed=999)
    assert again.existing and again.sample_id == first.sample_id
    assert [i.case_id for i in again.items] == [i.case_id for i in first.items]
    assert count(ctx.store, Sample) == 1


def test_dry_run_saves_nothing_and_is_reproducible(ctx, load) -> None:
    full_area(load, n=30)
    load.auditor("am-north", "North")
    a = draw_weekly(ctx, "am-north", WEEK, seed=5, dry_run=True)
    b = draw_weekly(ctx, "am-north", WEEK, seed=5, dry_run=True)
    c = draw_weekly(ctx, "am-north", WEEK, seed=6, dry_run=True)
    assert not a.saved and count(ctx.store, Sample) == 0 and count(ctx.store, Claim) == 0
    assert [i.case_id for i in a.items] == [i.case_id for i in b.items]
    assert [i.case_id for i in a.items] != [i.case_id for i in c.items]
    saved = draw_weekly(ctx, "am-north", WEEK, seed=5)
    assert [i.case_id for i in saved.items] == [i.case_id for i in a.items]


def test_every_exclusion_of_the_sampler(ctx, load) -> None:
    monday = dt.date(2026, 11, 23)
    eligible = load.cases_of(3, "red")
    closed = load.cases_of(1, "red", status="closed", closed_on=dt.date(2026, 11, 1))
    tomb = load.cases_of(1, "red", deleted=True)
    unrated = load.cases_of(1, None)
    other_area = load.cases_of(1, "red", area="South")
    last_audit_recent = load.cases_of(1, "red", last_audit=monday - dt.timedelta(days=27))
    last_audit_old = load.cases_of(1, "red", last_audit=monday - dt.timedelta(days=28))
    audited_recent = load.cases_of(1, "red")
    audited_boundary = load.cases_of(1, "red")
    draft_recent = load.cases_of(1, "red")
    discarded_draft = load.cases_of(1, "red")
    claimed_this_week = load.cases_of(1, "red")
    claimed_last_week = load.cases_of(1, "red")
    claimed_four_weeks_ago = load.cases_of(1, "red")
    released_claim = load.cases_of(1, "red")
    # Not an auditor: a weekly draw shares an area's cases between its auditors.
    other = load.auditor("other", "North", roles="qa")
    with ctx.store.transaction() as session:
        template = AuditTemplate(code="t", title="t")
        session.add(template)
        session.flush()

        def audit(case_id: str, on: dt.date, status: str, deleted: bool = False) -> Audit:
            return Audit(case_id=case_id, auditor_id=other, template_id=template.id,
                         status=status, audit_date=on, deleted=deleted)

        session.add_all([
            audit(audited_recent[0], monday - dt.timedelta(days=27), "finalised"),
            audit(audited_boundary[0], monday - dt.timedelta(days=28), "finalised"),
            audit(draft_recent[0], monday - dt.timedelta(days=2), "draft"),
            audit(discarded_draft[0], monday - dt.timedelta(days=2), "draft", deleted=True),
            Claim(case_id=claimed_this_week[0], auditor_id=other, iso_week=WEEK),
            # Drawn last week and not audited yet: still inside the gap (issue 10).
            Claim(case_id=claimed_last_week[0], auditor_id=other, iso_week="2026-W47"),
            Claim(case_id=claimed_four_weeks_ago[0], auditor_id=other, iso_week="2026-W44"),
            Claim(case_id=released_claim[0], auditor_id=other, iso_week=WEEK, released=True),
        ])
    load.auditor("am-north", "North")
    view = draw_weekly(ctx, "am-north", WEEK, dry_run=True)
    chosen = {i.case_id for i in view.items}
    expected = {*eligible, *last_audit_old, *audited_boundary, *discarded_draft,
                *claimed_four_weeks_ago, *released_claim}
    assert chosen == expected
    excluded = {*closed, *tomb, *unrated, *other_area, *last_audit_recent, *audited_recent,
                *draft_recent, *claimed_this_week, *claimed_last_week}
    assert not chosen & excluded
    [red] = [s for s in view.shortfalls if s.stratum == "red"]
    assert (red.found, red.unfilled) == (len(expected), 10 - len(expected))


def test_shortfall_is_saved_and_filled_from_the_next_higher_risk_stratum(ctx, load) -> None:
    load.cases_of(15, "red")
    load.cases_of(15, "amber")
    load.cases_of(2, "green")
    load.auditor("am-north", "North")
    view = draw_weekly(ctx, "am-north", WEEK, seed=2)
    assert len(view.items) == 25
    [short] = view.shortfalls
    assert (short.stratum, short.found, short.filled_from) == ("green", 2, {"amber": 3})
    with ctx.store.read() as session:
        sample = session.scalars(select(Sample)).one()
        assert json.loads(sample.shortfalls_json)[0]["text"].startswith(
            "Green: only 2 of the 5 wanted were eligible")
        filled = session.scalars(select(SampleItem).where(SampleItem.rag_at_draw == "amber",
                                                          SampleItem.stratum == "green")).all()
        assert len(filled) == 3
        assert {f.reason for f in filled} == {
            "filled from the Amber cases: the Green cases were 3 short"}


def test_coordinator_mode_18_auditors_no_overlap(ctx, load) -> None:
    for area in ("North", "South"):
        for rag in ("red", "amber", "green"):
            load.cases_of(120, rag, area)
    for i in range(18):
        areas = ("North",) if i < 8 else ("South",) if i < 14 else ("North", "South")
        load.auditor(f"aud{i:02d}", *areas)
    load.auditor("not-an-auditor", "North", roles="qa")
    result = draw_area(ctx, "North", WEEK, seed=11)
    assert len(result.samples) == 12  # 8 North-only and 4 covering both
    first_round = [i.case_id for s in result.samples for i in s.items]
    assert len(first_round) == 12 * 25 == len(set(first_round))
    south = draw_area(ctx, "South", WEEK, seed=11)
    assert len(south.samples) == 10
    assert sum(s.existing for s in south.samples) == 4  # kept, not redrawn
    everything = [i.case_id for s in south.samples for i in s.items] + first_round
    assert len(set(everything)) == 18 * 25
    with ctx.store.read() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 18 * 25
        areas = {r[0]: r[1] for r in session.execute(select(Case.id, Case.service_area_id))}
    for sample in south.samples:
        for item in sample.items:
            assert areas[item.case_id] in sample.criteria["service_area_ids"]


def test_unknown_area_auditor_or_no_areas(ctx, load) -> None:
    load.area("North")
    load.auditor("no-areas")
    with pytest.raises(InputProblem, match="no service areas"):
        draw_weekly(ctx, "no-areas", WEEK)
    with pytest.raises(InputProblem, match="no user"):
        draw_weekly(ctx, "nobody", WEEK)
    with pytest.raises(InputProblem, match="no service area called"):
        draw_area(ctx, "Atlantis", WEEK)
    with pytest.raises(InputProblem, match="no active auditors"):
        draw_area(ctx, "North", WEEK)
