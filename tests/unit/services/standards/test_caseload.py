"""Standards read from a real store, settings versions and roll-ups."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from desktop import paths
from desktop.errors import EnvironmentProblem, InputProblem
from desktop.models import CaseEvent, StandardsVersion
from desktop.services.standards.caseload import caseload_standards
from desktop.services.standards.rollups import Level, rollup
from desktop.services.standards.settings import (
    current_standards_version,
    load_settings,
    settings_of,
)
from tests.unit.services.sampling.caseload import Caseload

D = dt.date


def test_settings_file_is_created_with_the_defaults() -> None:
    settings = load_settings()
    path = paths.config_dir() / "standards.json"
    data = json.loads(path.read_text())
    assert data["visit_days"] == {"amber": 14, "green": 42, "red": 7}
    assert data["reminder_working_days"] == 7 and data["oversight_days"] == 28
    assert "stepped_down" in data["complex_flags"] and data["complex_cohorts"] == ["cp"]
    assert settings.visit_days["red"] == 7


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"visit_dayz": {}}', "unknown setting 'visit_dayz'"),
    ('{"visit_days": {"red": 0, "amber": 14, "green": 42}}', "visit_days.red"),
    ('{"complex_flags": ["dragons"]}', "unknown code 'dragons'"),
    ('{"bank_holiday_region": "FR"}', "bank_holiday_region"),
])
def test_bad_settings_are_refused_with_the_reason(content: str, message: str) -> None:
    (paths.config_dir() / "standards.json").write_text(content)
    with pytest.raises(EnvironmentProblem, match=message):
        load_settings()


def test_a_changed_file_makes_a_new_version_and_the_same_file_does_not(ctx) -> None:
    first = current_standards_version(ctx)
    assert first.number == 1
    assert current_standards_version(ctx).id == first.id
    path = paths.config_dir() / "standards.json"
    data = json.loads(path.read_text())
    data["visit_days"]["red"] = 5
    path.write_text(json.dumps(data, indent=4))
    second = current_standards_version(ctx)
    assert second.number == 2 and second.id != first.id
    assert settings_of(second).visit_days["red"] == 5
    data["visit_days"]["red"] = 7
    path.write_text(json.dumps(data))  # back to the first content, other formatting
    assert current_standards_version(ctx).id == first.id
    with ctx.store.read() as session:
        assert session.scalar(select(func.count()).select_from(StandardsVersion)) == 2


@pytest.fixture
def load(store) -> Caseload:  # type: ignore[no-untyped-def]
    return Caseload(store)


def test_standards_from_the_store_use_the_event_history(ctx, load) -> None:
    [case] = load.cases_of(1, "red", rag_set_on=D(2026, 11, 20), cohort="cin",
                           last_f2f_visit=D(2026, 11, 21), last_f2f_visit_by="partner_agency",
                           last_oversight=D(2026, 11, 2), last_risk_assessment=D(2026, 11, 1))
    with ctx.store.transaction() as session:
        session.add_all([
            CaseEvent(case_id=case, kind="rag_change", occurred_on=D(2026, 10, 1),
                      rag_from="amber", rag_to="green"),
            CaseEvent(case_id=case, kind="rag_change", occurred_on=D(2026, 11, 20),
                      rag_from="green", rag_to="red"),
            CaseEvent(case_id=case, kind="visit_f2f", occurred_on=D(2026, 10, 20),
                      by="social_worker"),
            CaseEvent(case_id=case, kind="visit_f2f", occurred_on=D(2026, 11, 21),
                      by="partner_agency"),
            CaseEvent(case_id=case, kind="vtt_review", occurred_on=D(2026, 10, 1)),
        ])
    today = caseload_standards(ctx, D(2026, 11, 23)).cases[0]
    assert today.rag == "red" and not today.complex_green
    assert today.result("visit_f2f").last_met == D(2026, 11, 21)
    assert today.result("visit_f2f").due == D(2026, 11, 28)
    assert today.result("vtt_review").status == "not_applicable"
    # On 10 November the case was Green, stepped down on 1 October (so complex), last
    # seen by a social worker on 20 October: due 17 November; the later visits and the
    # step-up had not happened yet.
    past = caseload_standards(ctx, D(2026, 11, 10)).cases[0]
    assert past.rag == "green" and past.complex_green
    complex_visit = past.result("visit_complex_green")
    assert (complex_visit.last_met, complex_visit.due, complex_visit.status) == (
        D(2026, 10, 20), D(2026, 11, 17), "due_soon")
    assert past.result("visit_f2f").last_met == D(2026, 10, 20)
    assert past.result("vtt_review").due == D(2026, 11, 12)
    assert past.result("oversight").last_met == D(2026, 11, 2)


def test_open_cases_filters_and_overdue_only(ctx, load) -> None:
    load.cases_of(2, "red", last_f2f_visit=D(2026, 11, 20), last_oversight=D(2026, 11, 20),
                  last_risk_assessment=D(2026, 11, 20))
    load.cases_of(1, "red", area="South", last_f2f_visit=D(2026, 10, 1))
    load.cases_of(1, "amber", status="closed", closed_on=D(2026, 11, 1))
    load.cases_of(1, "amber", status="closed", closed_on=D(2026, 11, 30), area="South",
                  last_f2f_visit=D(2026, 11, 16))
    load.cases_of(1, "amber", opened_on=D(2026, 12, 1))
    assert len(caseload_standards(ctx, D(2026, 11, 23)).cases) == 4
    south = caseload_standards(ctx, D(2026, 11, 23), team="South team")
    assert len(south.cases) == 2
    overdue = caseload_standards(ctx, D(2026, 11, 23), overdue_only=True)
    assert {c.team_id for c in overdue.cases} == {load.teams["South"]}
    with pytest.raises(InputProblem, match="no team"):
        caseload_standards(ctx, D(2026, 11, 23), team="Nowhere")
    by_team = {r.key: r for r in rollup(caseload_standards(ctx, D(2026, 11, 23)).cases,
                                        Level.TEAM)}
    north = by_team[load.teams["North"]]
    assert north.cases == 2 and north.cases_overdue == 0
    assert north.by_standard["visit_f2f"].compliance == 1.0
    southern = by_team[load.teams["South"]]
    assert southern.by_standard["visit_f2f"].overdue == 1
    assert southern.by_standard["visit_f2f"].compliance == 0.5
    assert southern.by_standard["vtt_review"].applicable == 0
    assert southern.by_standard["vtt_review"].compliance is None
    assert rollup([], Level.WORKER) == []
