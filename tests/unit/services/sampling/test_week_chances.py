"""A sample item's recorded selection probability is its group's cases taken over its
cases (n_g / N_g, docs/statistics.md), whatever seeds the areas were drawn with
(issue 24, item 5: 215 of 450 were wrong when each area had its own seed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from desktop.models import Audit, AuditTemplate, Case, Sample, SampleItem
from desktop.services.sampling.allocate import design_stratum
from desktop.services.sampling.settings import SamplingSettings
from desktop.services.sampling.weekly import draw_area
from tests.unit.services.sampling.caseload import Caseload

WEEK = "2026-W48"
SETTINGS = SamplingSettings()


def county(store) -> Caseload:  # type: ignore[no-untyped-def]
    """Two areas, each with priority and other cases of every RAG; auditors of one area
    and two of both (so drawing one area works out the other's week too)."""
    load = Caseload(store)
    for area in ("North", "South"):
        load.cases_of(14, "red", area, cohort="cp")
        load.cases_of(40, "red", area, cohort="cin")
        load.cases_of(6, "amber", area, cohort="care_leaver")
        load.cases_of(45, "amber", area, cohort="cin")
        load.cases_of(30, "green", area, cohort="cin")
    for name, areas in (("n1", ("North",)), ("n2", ("North",)), ("n3", ("North",)),
                        ("s1", ("South",)), ("s2", ("South",)),
                        ("b1", ("North", "South")), ("b2", ("North", "South"))):
        load.auditor(name, *areas)
    return load


def wrong_chances(store) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """(group, recorded, true) for every live weekly item whose chance is not its
    group's cases taken over its cases (every case of the caseload was eligible)."""
    priority = set(SETTINGS.priority_cohorts)
    with store.read() as session:
        sizes = Counter(design_stratum(rag, area, cohort in priority)
                        for rag, area, cohort in session.execute(
                            select(Case.rag, Case.service_area_id, Case.cohort)))
        items = session.execute(
            select(SampleItem.design_stratum, SampleItem.selection_probability)
            .join(Sample, Sample.id == SampleItem.sample_id)
            .where(Sample.iso_week == WEEK, SampleItem.status == "active")).all()
    taken = Counter(group for group, _chance in items)
    assert len(items) == 7 * 25
    return [(group, chance, taken[group] / sizes[group]) for group, chance in items
            if chance != pytest.approx(taken[group] / sizes[group], abs=1e-12)]


def test_areas_drawn_with_different_seeds_record_true_chances(ctx) -> None:
    county(ctx.store)
    draw_area(ctx, "North", WEEK, seed=1, settings=SETTINGS)
    draw_area(ctx, "South", WEEK, seed=2, settings=SETTINGS)
    assert wrong_chances(ctx.store) == []


def test_a_case_audited_between_the_draws_stays_in_its_group(ctx) -> None:
    """North's cases audited before South is drawn have left the eligible cases, not
    their groups: the chances still count them."""
    load = county(ctx.store)
    north = draw_area(ctx, "North", WEEK, seed=3, settings=SETTINGS)
    with ctx.store.transaction() as session:
        template = AuditTemplate(code="t", title="t")
        session.add(template)
        session.flush()
        session.add_all(Audit(case_id=item.case_id, auditor_id=load.users["n1"],
                              template_id=template.id, status="draft",
                              audit_date=dt.date(2026, 11, 24))
                        for item in north.samples[0].items[:5])
    draw_area(ctx, "South", WEEK, seed=4, settings=SETTINGS)
    assert wrong_chances(ctx.store) == []
