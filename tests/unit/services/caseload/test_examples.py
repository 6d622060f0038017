"""Every built-in profile imports its example file; every encoding; the .xlsx."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from desktop.models import ServiceArea, Team, Worker
from desktop.models.log import Change, Event
from desktop.services.caseload import import_caseload
from desktop.services.caseload.resolve import derived_staff_ref
from tests.unit.services.caseload.helpers import DATA, case, counts, fixed_ctx

D = dt.date


@pytest.mark.parametrize(("name", "profile", "rows"), [
    ("mosaic_caseload.csv", "mosaic", 6),
    ("lcs_caseload_bom.csv", "lcs", 5),
    ("mosaic_caseload_cp1252.csv", "mosaic", 2),
    ("eclipse_caseload.xlsx", "eclipse", 4),
])
def test_each_example_imports_with_its_profile(store, name: str, profile: str,
                                               rows: int) -> None:
    ctx = fixed_ctx(store)
    detected = import_caseload(ctx, DATA / name)
    assert detected.profile == profile
    assert (detected.rows, detected.created, detected.errors) == (rows, rows, [])
    assert detected.written
    assert counts(store)["cases"] == rows
    again = import_caseload(ctx, DATA / name, profile)
    assert (again.created, again.updated, again.unchanged) == (0, 0, rows)


def test_mosaic_fields(store) -> None:
    import_caseload(fixed_ctx(store), DATA / "mosaic_caseload.csv", "mosaic")
    first = case(store, "100001")
    assert first.child_name == "Testchild Amberley"
    assert (first.cohort, first.rag, first.rag_set_on) == ("cp", "red", D(2026, 10, 2))
    assert first.date_of_birth == D(2015, 3, 14)
    assert (first.last_f2f_visit, first.last_f2f_visit_by) == (D(2026, 10, 20),
                                                               "social_worker")
    assert first.last_oversight == D(2026, 10, 1)
    assert first.flags == "missing"
    assert first.source == "import:mosaic"
    third = case(store, "100003")
    assert third.flags == "placement_at_risk,stepped_down"
    assert third.last_f2f_visit_by == "partner_agency"
    unborn = case(store, "100004")
    assert unborn.cohort == "unborn" and unborn.date_of_birth == D(2027, 1, 18)
    closed = case(store, "100006")
    assert (closed.status, closed.closed_on) == ("closed", D(2026, 9, 30))
    with store.read() as session:
        assert sorted(session.scalars(select(ServiceArea.name))) == ["Exeter", "North", "South"]
        team = session.scalar(select(Team).where(Team.name == "Exeter Locality 2"))
        assert team is not None and team.service_area.name == "Exeter"
        quill = session.scalar(select(Worker).where(Worker.staff_ref == "W1001"))
        assert quill is not None and quill.role == "social_worker"
        assert quill.team_id == case(store, "100001").team_id
        heron = session.scalar(select(Worker).where(
            Worker.staff_ref == derived_staff_ref("Testmanager Heron")))
        assert heron is not None and heron.role == "team_manager"
    assert case(store, "100005").team_manager_id == heron.id


def test_lcs_initials_words_and_mixed_dates(store) -> None:
    import_caseload(fixed_ctx(store), DATA / "lcs_caseload_bom.csv", "lcs")
    first = case(store, "LCS-0001")
    assert (first.child_name, first.cohort, first.rag) == ("T.A.", "cp", "red")
    assert first.date_of_birth == D(2014, 2, 4)
    assert first.flags == "exploitation,not_in_school"
    third = case(store, "LCS-0003")
    assert third.flags == "placement_with_parents,stepped_down"
    fourth = case(store, "LCS-0004")
    assert fourth.date_of_birth == D(2005, 12, 1)
    assert fourth.rag_set_on == D(2026, 7, 1)  # ISO
    assert fourth.last_f2f_visit == D(2025, 8, 31)  # Excel serial 45900 as text
    fifth = case(store, "LCS-0005")
    assert fifth.date_of_birth == D(2016, 5, 3)  # d/m/yyyy, never May 3rd read as March
    assert fifth.cohort == "disabled"


def test_cp1252_names_survive(store) -> None:
    import_caseload(fixed_ctx(store), DATA / "mosaic_caseload_cp1252.csv")
    assert case(store, "200001").child_name == "Zoë Testchild-Ångström"
    with store.read() as session:
        assert session.scalar(select(Worker.name).where(Worker.staff_ref == "W2001")) == (
            "Testworker Renée")


def test_eclipse_xlsx_cells(store) -> None:
    report = import_caseload(fixed_ctx(store), DATA / "eclipse_caseload.xlsx", "eclipse")
    assert report.created == 4
    first = case(store, "E-90001")
    assert (first.cohort, first.rag, first.flags) == ("disabled", "red", "edge_of_care")
    assert first.date_of_birth == D(2013, 5, 6)
    second = case(store, "E-90002")
    assert second.rag == "green" and second.rag_set_on == D(2026, 6, 5)
    assert second.last_f2f_visit == D(2026, 9, 15)  # an Excel serial number cell
    fourth = case(store, "E-90004")
    assert (fourth.status, fourth.closed_on) == ("closed", D(2026, 10, 15))


def test_import_writes_change_log_and_one_event(store) -> None:
    ctx = fixed_ctx(store)
    report = import_caseload(ctx, DATA / "mosaic_caseload.csv")
    with store.read() as session:
        logged = session.scalars(select(Change.table_name).where(
            Change.table_name == "cases")).all()
        assert len(logged) == report.created
        entries = session.scalars(select(Event).where(Event.entity == "caseload_import")).all()
    assert len(entries) == 1
    detail = json.loads(entries[0].detail_json)
    assert entries[0].action == "create"
    assert detail["created"] == 6 and detail["profile"] == "mosaic"
    assert "Testchild" not in entries[0].detail_json
    import_caseload(ctx, DATA / "mosaic_caseload.csv")
    with store.read() as session:
        actions = session.scalars(select(Event.action).where(
            Event.entity == "caseload_import").order_by(Event.seq)).all()
    assert actions == ["create", "change"]
