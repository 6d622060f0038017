"""The My week read model, the audit opened from a sampled case, and a cancelled area draw."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop.errors import RuleViolation
from desktop.models import Audit, AuditTemplate, Claim, Sample, SampleItem
from desktop.services.context import Cancelled, ServiceContext
from desktop.services.sampling.my_week import (
    NOT_STARTED,
    WEEKLY_TEMPLATE,
    WeekCase,
    coordinated_areas,
    draw_my_area,
    draw_my_week,
    initials,
    open_audit_for,
    read_my_week,
)
from desktop.services.sampling.replacement import replace_item
from desktop.services.sampling.weeks import shift_week, week_span
from tests.unit.services.sampling.caseload import Caseload

WEEK = "2026-W48"


@pytest.fixture
def load(store) -> Caseload:  # type: ignore[no-untyped-def]
    return Caseload(store)


def as_user(ctx: ServiceContext, user_id: str, **extra: object) -> ServiceContext:
    return ServiceContext(store=ctx.store, user_id=user_id, clock=ctx.clock,
                          **extra)  # type: ignore[arg-type]


def county(load: Caseload, area: str = "North", n: int = 12) -> None:
    for rag in ("red", "amber", "green"):
        load.cases_of(n, rag, area, child_name="Synthetic Child-Example")


def audit_started(ctx: ServiceContext, load: Caseload
                  ) -> tuple[ServiceContext, WeekCase, str]:
    """An auditor, the first case of their drawn week and the audit opened from it."""
    county(load)
    me = as_user(ctx, load.auditor("am-north", "North"))
    item = draw_my_week(me, WEEK).cases[0]
    return me, item, open_audit_for(me, item.item_id)


def samples(store) -> int:  # type: ignore[no-untyped-def]
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Sample))


def test_weeks_step_across_year_ends_and_read_as_dates() -> None:
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert shift_week("2027-W01", -1) == "2026-W53"
    assert shift_week("2026-W48", 0) == "2026-W48"
    assert week_span("2026-W48") == "23 to 29 Nov 2026"
    assert week_span("2026-W49") == "30 Nov to 6 Dec 2026"
    assert week_span("2026-W53") == "28 Dec 2026 to 3 Jan 2027"


def test_initials_not_names() -> None:
    assert initials("Synthetic Child-Example") == "SCE"
    assert initials("  ") == ""
    assert initials("ann (unborn)") == "A"


def test_before_the_draw_the_week_is_empty_with_the_quotas_wanted(ctx, load) -> None:
    me = as_user(ctx, load.auditor("am-north", "North"))
    me.clock = lambda: dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)  # Sunday night, GMT
    assert read_my_week(me).week == "2026-W48"
    me.clock = lambda: dt.datetime(2026, 6, 28, 23, 30, tzinfo=dt.UTC)  # Monday 00:30 BST
    assert read_my_week(me).week == "2026-W27"
    week = read_my_week(me, WEEK)
    assert week.sample_id is None and week.cases == []
    assert [(q.rag, q.wanted, q.drawn) for q in week.quotas] == [
        ("red", 10, 0), ("amber", 10, 0), ("green", 5, 0)]


def test_draw_shows_each_case_with_its_reason_and_quota_progress(ctx, load) -> None:
    county(load)
    me = as_user(ctx, load.auditor("am-north", "North"))
    week = draw_my_week(me, WEEK)
    assert week.sample_id is not None and week.drawn_by is None
    assert len(week.cases) == 25
    assert {c.initials for c in week.cases} == {"SCE"}
    assert {c.team for c in week.cases} == {"North team"}
    assert all(c.why and c.status_text == NOT_STARTED for c in week.cases)
    assert [(q.rag, q.wanted, q.drawn, q.audited, q.shortfall) for q in week.quotas] == [
        ("red", 10, 10, 0, 0), ("amber", 10, 10, 0, 0), ("green", 5, 5, 0, 0)]
    assert read_my_week(me, WEEK).cases == week.cases


def test_a_short_stratum_says_why(ctx, load) -> None:
    for rag, n in (("red", 14), ("amber", 12), ("green", 2)):
        load.cases_of(n, rag)
    me = as_user(ctx, load.auditor("am-north", "North"))
    green = draw_my_week(me, WEEK).quotas[2]
    assert (green.wanted, green.drawn, green.shortfall) == (5, 5, 3)
    assert green.shortfall_text.startswith("Green: only 2 of the 5 wanted were eligible; ")
    assert " filled from the " in green.shortfall_text
    assert "stratum" not in green.shortfall_text


def test_a_coordinators_allocation_shows_who_drew_it(ctx, load) -> None:
    county(load)
    auditor = load.auditor("am-north", "North")
    coordinator = load.auditor("coord", "North", roles="coordinator")
    boss = as_user(ctx, coordinator)
    assert coordinated_areas(boss) == ["North"]
    draw_my_area(boss, "North", WEEK)
    week = read_my_week(as_user(ctx, auditor), WEEK)
    assert week.drawn_by == "Auditor coord" and len(week.active) == 25
    with pytest.raises(RuleViolation):
        draw_my_area(as_user(ctx, auditor), "North", WEEK)
    assert coordinated_areas(as_user(ctx, auditor)) == []


def test_dropped_case_is_marked_and_its_replacement_names_it(ctx, load) -> None:
    county(load)
    me = as_user(ctx, load.auditor("am-north", "North"))
    first = draw_my_week(me, WEEK).cases[0]
    replace_item(me, first.item_id, "closed_since_draw")
    week = read_my_week(me, WEEK)
    dropped = next(c for c in week.cases if c.item_id == first.item_id)
    assert dropped.dropped and dropped.status_text == "dropped: closed since the draw"
    new = week.cases[-1]
    assert new.replaces_ref == first.case_ref and f"replaces {first.case_ref}" in new.why
    assert len(week.active) == 25 and week.quotas[0].drawn == 10
    with pytest.raises(RuleViolation):
        open_audit_for(me, first.item_id)


def test_open_audit_starts_a_draft_once_then_resumes_it(ctx, load) -> None:
    me, item, audit_id = audit_started(ctx, load)
    assert open_audit_for(me, item.item_id) == audit_id
    with ctx.store.read() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        assert (audit.status, audit.sample_item_id, audit.case_id) == (
            "draft", item.item_id, item.case_id)
        template = session.get(AuditTemplate, audit.template_id)
        assert template is not None and template.code == WEEKLY_TEMPLATE
    again = read_my_week(me, WEEK).cases[0]
    assert (again.audit_id, again.status_text) == (audit_id, "draft")
    other = as_user(ctx, load.auditor("am-south", "North"))
    with pytest.raises(RuleViolation):
        open_audit_for(other, item.item_id)


def test_submitted_audits_count_as_audited(ctx, load) -> None:
    me, item, audit_id = audit_started(ctx, load)
    with ctx.store.transaction() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        audit.status = "open_for_comment"
    week = read_my_week(me, WEEK)
    assert week.cases[0].status_text == "submitted, open for comment"
    stratum = next(q for q in week.quotas if q.rag == item.stratum)
    assert stratum.audited == 1


def test_cancelling_an_area_draw_while_saving_leaves_no_sample(ctx, load) -> None:
    county(load, n=30)
    for name in ("a1", "a2", "a3"):
        load.auditor(name, "North")
    boss_id = load.auditor("coord", "North", roles="coordinator")
    stages: list[str] = []

    def progress(done: int, total: int, stage: str) -> None:
        stages.append(stage)
        if stage.startswith("saved 2 of"):
            boss.cancel.cancel()

    boss = as_user(ctx, boss_id, progress=progress)
    with pytest.raises(Cancelled):
        draw_my_area(boss, "North", WEEK)
    assert "saved 1 of 3 samples" in stages
    assert samples(ctx.store) == 0
    with ctx.store.read() as session:
        assert session.scalar(select(func.count()).select_from(SampleItem)) == 0
        assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_cancel_after_the_samples_are_saved_does_not_pretend_they_were_not(ctx, load) -> None:
    county(load)
    boss_id = load.auditor("coord", "North", roles="auditor,coordinator")

    def progress(done: int, total: int, stage: str) -> None:
        if stage == "saved":
            boss.cancel.cancel()

    boss = as_user(ctx, boss_id, progress=progress)
    drawn = draw_my_area(boss, "North", WEEK)
    assert len(drawn.samples) == 1 and samples(ctx.store) == 1
