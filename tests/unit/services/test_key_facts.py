"""The case's key facts beside the audit form: what the record holds and what the standards
engine says of it, in its own words (a status it does not date, such as "not known from
this export", in the words it gives), read through the services and logged as a view."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import ColumnElement, select

from desktop.models import Case, UserServiceArea
from desktop.services.case_detail import case_detail, day_text, key_facts, status_text
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.services.standards.needs import NEEDED, record_carried
from desktop.services.users import people
from tests.unit.services.county import demo_county

AS_OF = dt.date(2026, 11, 20)


def as_auditor(ctx: ServiceContext) -> ServiceContext:
    auditor = next(p for p in people(ctx) if "auditor" in p.roles)
    return dataclasses.replace(ctx, user_id=auditor.id)


def their_case(ctx: ServiceContext, *conditions: ColumnElement[bool]) -> Case:
    """An open case of the auditor's own areas (the only ones they reach)."""
    with ctx.store.read() as session:
        areas = select(UserServiceArea.service_area_id).where(
            UserServiceArea.user_id == ctx.user_id)
        case = session.scalar(select(Case).where(
            Case.status == "open", Case.service_area_id.in_(areas), *conditions)
            .order_by(Case.case_ref).limit(1))
        assert case is not None
        session.expunge(case)
        return case


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    with demo_county(tmp_path_factory.mktemp("facts"), cases=200, seed=8,
                     as_of=AS_OF) as ctx:
        yield as_auditor(ctx)


def test_the_key_facts_are_the_record_and_the_engine(county: ServiceContext) -> None:
    case = their_case(county, Case.last_oversight.is_not(None))
    facts = key_facts(county, case.id)
    detail = case_detail(county, case.id)  # the Cases screen's pane: the same words
    assert (facts.case_ref, facts.rag, facts.cohort_text, facts.worker, facts.team) == (
        case.case_ref, case.rag, detail.identity.cohort_text, detail.identity.worker,
        detail.identity.team)
    assert facts.rag_history == detail.rag_history  # newest first, both
    assert facts.last_virtual_visit == case.last_virtual_visit
    by_standard = {c.standard: c for c in detail.compliance}
    shown = {f.compliance.standard: f for f in facts.dated}
    assert {"visit_f2f", "oversight", "vtt_review", "risk_assessment"} <= set(shown)
    for code, fact in shown.items():
        assert fact.compliance == by_standard[code]
        if fact.last is not None:
            assert fact.last_text.startswith(day_text(fact.last))
    assert shown["oversight"].last == case.last_oversight
    # Opening them is a view of the case, by the auditor, named as the facts.
    views = [e for e in events_for(county, "case", case.id)
             if e.action == "view" and '"key_facts"' in e.detail_json]
    assert len(views) == 1 and views[0].user_id == county.user_id


def test_a_status_the_engine_does_not_date_is_shown_in_its_words(tmp_path: Path) -> None:
    """An export without a last VTT review column: the engine says the VTT review is not
    known from this export, and the key facts say so, not "Not applicable" nor "never"."""
    with demo_county(tmp_path, cases=80, seed=5, as_of=AS_OF) as ctx:
        auditor = as_auditor(ctx)
        case = their_case(auditor, Case.rag == "green")
        with ctx.store.transaction() as session:  # the last import carried no VTT column
            record_carried(session, NEEDED - {"last_vtt_review"}, imported_at=ctx.now(),
                           exported_on=AS_OF)
        facts = key_facts(auditor, case.id)
    vtt = next(f for f in facts.dated if f.compliance.standard == "vtt_review")
    assert vtt.compliance.status == "not_known"
    assert vtt.compliance.text.startswith("Not known from this export")
    assert vtt.compliance.text == status_text("not_known", None, vtt.compliance.basis)
    assert vtt.last_text == "not known"
    risk = next(f for f in facts.dated if f.compliance.standard == "risk_assessment")
    assert risk.compliance.status != "not_known"  # the export carried that one
