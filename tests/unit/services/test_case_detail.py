"""A case's detail: identity by initials, RAG history, compliance in words, the timeline,
and the full name only through a logged reveal."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Audit, Case, CaseEvent, UserServiceArea
from desktop.models.log import Event
from desktop.services.case_detail import age_on, case_detail, reveal_name, status_text
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.services.standards.caseload import caseload_standards
from desktop.services.users import people
from tests.unit.services.county import demo_county

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    with demo_county(tmp_path_factory.mktemp("detail"), cases=300, seed=8,
                     as_of=AS_OF) as ctx:
        auditor = next(p for p in people(ctx) if "auditor" in p.roles)
        yield dataclasses.replace(ctx, user_id=auditor.id)


def test_status_in_words() -> None:
    assert status_text("overdue", dt.date(2026, 11, 3)) == "Overdue since 03/11/2026"
    assert status_text("due_soon", dt.date(2026, 11, 28)) == "Due 28/11/2026"
    assert status_text("met", dt.date(2026, 12, 28)) == "Met"
    assert status_text("overdue", None) == "Overdue: nothing on record"
    assert status_text("not_applicable", None) == "Not applicable"
    assert age_on(dt.date(2010, 11, 21), AS_OF) == 15
    assert age_on(dt.date(2010, 11, 20), AS_OF) == 16
    assert age_on(dt.date(2027, 1, 1), AS_OF) is None


def test_compliance_matches_the_engine(county: ServiceContext) -> None:
    judged = next(c for c in caseload_standards(county, AS_OF).cases if c.overdue)
    detail = case_detail(county, judged.case_id)
    assert detail.as_of == AS_OF
    assert [c.standard for c in detail.compliance] == [r.standard for r in judged.results]
    for shown, result in zip(detail.compliance, judged.results, strict=True):
        assert (shown.status, shown.due, shown.last_met) == (result.status, result.due,
                                                              result.last_met)
        assert shown.text == status_text(result.status, result.due)
    assert any(c.text.startswith("Overdue") for c in detail.compliance)


def test_identity_history_and_timeline(county: ServiceContext) -> None:
    with county.store.read() as session:
        audited = session.scalar(select(Audit.case_id).where(Audit.grade.is_not(None)))
        changed = session.scalar(select(CaseEvent.case_id).where(
            CaseEvent.kind == "rag_change", CaseEvent.rag_from.is_not(None)))
        case = session.get(Case, audited)
        assert case is not None
        name, ref, born = case.child_name, case.case_ref, case.date_of_birth
        grades = {a.grade for a in session.scalars(select(Audit).where(
            Audit.case_id == audited))}
    detail = case_detail(county, audited)
    who = detail.identity
    assert (who.case_ref, who.date_of_birth) == (ref, born)
    assert who.initials and who.initials != name and name not in repr(detail)
    assert who.team and who.worker and who.cohort_text
    days = [e.on for e in detail.timeline]
    assert days == sorted(days, reverse=True), "newest first"
    audits = [e for e in detail.timeline if e.kind == "audit"]
    assert audits and all(e.detail.split(";")[0].lower().replace(" ", "_") in grades
                          for e in audits)
    assert {e.kind for e in detail.timeline} >= {"event", "audit"}
    history = case_detail(county, changed).rag_history
    assert history and [s.on for s in history] == sorted((s.on for s in history),
                                                         reverse=True)


def test_a_closed_case_has_no_standard_due(county: ServiceContext) -> None:
    with county.store.read() as session:
        closed = session.scalar(select(Case.id).where(
            Case.status == "closed", Case.service_area_id.in_(  # the auditor's own areas
                select(UserServiceArea.service_area_id).where(
                    UserServiceArea.user_id == county.user_id))))
    assert closed is not None
    detail = case_detail(county, closed)
    assert {c.status for c in detail.compliance} == {"not_applicable"}
    # Trial item 10: each standard's last-met date agrees with the timeline, not
    # "never" for all five beside a timeline of visits.
    last = {c.standard: c.last_met for c in detail.compliance}
    for standard, what in (("visit_f2f", "Face-to-face visit"),
                           ("oversight", "Management oversight"),
                           ("risk_assessment", "Risk assessment")):
        listed = [e.on for e in detail.timeline if e.what == what and e.on <= AS_OF]
        if listed:
            assert last[standard] is not None and last[standard] >= max(listed)
    assert any(day is not None for day in last.values())
    with pytest.raises(InputProblem, match="no longer in the store"):
        case_detail(county, "no-such-case")


def test_reveal_name_is_logged_without_the_name(county: ServiceContext) -> None:
    with county.store.read() as session:
        case = session.scalars(select(Case).where(Case.child_name != "")).first()
        assert case is not None
        case_id, name = case.id, case.child_name
        before = session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1))
    assert reveal_name(county, case_id) == name
    logged = events_for(county, "case", case_id)
    view = logged[-1]
    assert view.seq > (before or 0)
    assert (view.action, view.user_id) == ("view", county.user_id)
    assert json.loads(view.detail_json) == {"shown": "full_name"}
    for part in name.split():
        assert part not in view.detail_json


def test_the_first_standards_version_is_in_force_from_the_first_audit(
        county: ServiceContext) -> None:
    """Trial item 24: v1 read "in force from" the day the store recorded it, after the
    audits that record it; it is in force since the store began."""
    from sqlalchemy import func

    from desktop.services.standards.settings_history import standards_history

    with county.store.read() as session:
        first = session.scalar(select(func.min(Audit.audit_date)))
    assert first is not None and first < AS_OF
    v1 = standards_history(county)[-1]
    assert v1.number == 1 and v1.since_start and v1.effective_from.date() <= first
