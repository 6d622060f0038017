"""A council's own people: a staff list imported all or nothing, users added, listed and
deactivated; then its own caseload draws a full week (issue 9, item 3)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem, RuleViolation
from desktop.models import ServiceArea, Team, User, Worker
from desktop.services.audits.refused import ImportRefused
from desktop.services.caseload import import_caseload
from desktop.services.people.ids import expand_id
from desktop.services.people.staff import (
    add_user,
    import_staff,
    list_users,
    parse_roles,
    set_active,
)
from desktop.services.sampling.weekly import draw_area
from desktop.services.users import find_user
from tests.data import council_exports as council
from tests.unit.services.caseload.helpers import counts, fixed_ctx

STAFF = Path(__file__).resolve().parents[3] / "data" / "staff_list.csv"
WEEK = "2026-W48"


def test_the_staff_list_imports_with_roles_from_the_job_titles(store) -> None:
    result = import_staff(fixed_ctx(store), STAFF)
    assert (result.rows, result.created, result.updated) == (6, 6, 0)
    assert result.notes == ["skipped 1 line above the header (row 1; the header is row 2)",
                            "skipped 1 summary line at the end (row 9)"]
    assert sorted(result.new_areas) == ["North", "South"]
    members = {m.username: m for m in list_users(fixed_ctx(store))}
    assert members["am-north"].roles == ("auditor",) and members["am-north"].areas == (
        "North",)
    assert members["hos"].roles == ("auditor", "head_of_service")
    assert members["ld-north"].roles == ("auditor", "coordinator")  # coordinates the area
    assert members["hos"].areas == ("North", "South")  # "all"
    assert members["qa-lead"].roles == ("auditor", "moderator", "qa")
    with store.read() as session:
        frond = session.scalar(select(User).where(User.username == "tm-frond"))
        worker = session.get(Worker, frond.worker_id)
        assert (worker.staff_ref, worker.role) == ("T900", "team_manager")
    again = import_staff(fixed_ctx(store), STAFF)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_a_bad_row_refuses_the_whole_list(store, tmp_path: Path) -> None:
    text = STAFF.read_text(encoding="utf-8").replace(",am-south,", ",am north,").replace(
        "qa;moderator;auditor", "qa;wizard")
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    before = counts(store)
    with pytest.raises(ImportRefused) as refused:
        import_staff(fixed_ctx(store), path)
    assert [(p.row, p.column) for p in refused.value.problems] == [(5, "Username"),
                                                                   (7, "Roles")]
    assert "wizard" not in refused.value.message
    assert counts(store) == before
    with store.read() as session:
        assert session.scalar(select(User.id)) is None


def test_add_list_deactivate(store) -> None:
    ctx = fixed_ctx(store)
    member = add_user(ctx, username="am-exe", name="Testperson Gale", roles="",
                      areas="Exeter", job_title="Area Manager (Exeter)")
    assert member.roles == ("auditor",) and member.areas == ("Exeter",)
    with pytest.raises(InputProblem, match="the username 'AM-EXE' is taken"):
        add_user(ctx, username="AM-EXE", name="Testperson Gale", roles="auditor",
                 areas="Exeter")
    with pytest.raises(InputProblem, match="not a known job title; known titles are Head "
                       "of Service, Service Manager, Area Manager"):
        add_user(ctx, username="x1", name="Testperson X", roles="boss", areas="Exeter")
    gone = set_active(ctx, member.id[:6], False)
    assert not gone.active
    assert [m.username for m in list_users(ctx)] == []
    assert [m.username for m in list_users(ctx, include_inactive=True)] == ["am-exe"]
    with pytest.raises(InputProblem, match="no service area"):
        add_user(ctx, username="x2", name="Testperson Y", roles="auditor", areas="")


def test_a_user_cannot_deactivate_themselves(store) -> None:
    member = add_user(fixed_ctx(store), username="admin1", name="Testperson Admin",
                      roles="administrator", areas="North")
    ctx = fixed_ctx(store)
    ctx.user_id = member.id
    with pytest.raises(RuleViolation):
        set_active(ctx, "admin1", False)


def test_roles_words_and_titles() -> None:
    assert parse_roles("Auditor; QA officer") == ("auditor", "qa")
    assert parse_roles("", "Locality Director (South)") == ("auditor", "coordinator")
    assert parse_roles(None, "Business Support") == ("coordinator",)
    assert parse_roles(None, "Chief Cook") == ()
    assert parse_roles("auditor, wizard") is None


def test_short_ids_are_accepted_and_ambiguous_ones_refused(store) -> None:
    ctx = fixed_ctx(store)
    one = add_user(ctx, username="u1", name="Testperson One", roles="auditor", areas="North")
    with store.read() as session:
        assert find_user(session, one.id[:8]).username == "u1"
        assert expand_id(session, User, one.id[:5].upper(), "user") == one.id
        with pytest.raises(InputProblem, match="no user with the id 'zz'"):
            expand_id(session, User, "zz", "user")
        areas = [a for a in session.scalars(select(ServiceArea.id))]
    assert areas


def caseload_rows(per_rag: int) -> list[list[str]]:
    """North cases in the Westshire export's shape: ``per_rag`` of each RAG, all seen
    recently and never audited, so every one may be sampled."""
    rows = []
    template = council.ROWS[0]
    header = council.HEADER
    for rag in ("Red", "Amber", "Green"):
        for number in range(per_rag):
            row = list(template)
            row[header.index("Child Ref")] = f"WS-{rag[0]}{number:03d}"
            row[header.index("Last Name")] = f"Test{rag}{number}"
            row[header.index("RAG")] = rag
            row[header.index("Legal Status")] = "CIN"
            row[header.index("Last Audit")] = "-"
            rows.append(row)
    return rows


def test_users_then_caseload_then_a_full_week_for_the_area(store, tmp_path: Path) -> None:
    ctx = fixed_ctx(store)
    import_staff(ctx, STAFF)
    path = council.write_csv(tmp_path / "caseload.csv", "cp1252", caseload_rows(45))
    report = import_caseload(ctx, path, council.PROFILE)
    assert (report.errors, report.created) == ([], 135)
    drawn = draw_area(ctx, "North", WEEK)
    with store.read() as session:
        names = {u.id: u.username for u in session.scalars(select(User))}
    assert sorted(names[s.auditor_id] for s in drawn.samples) == [
        "am-north", "hos", "ld-north", "qa-lead"]
    for sample in drawn.samples:
        rags = [i.rag for i in sample.active_items]
        assert (rags.count("red"), rags.count("amber"), rags.count("green")) == (10, 10, 5)
        assert not any(s.unfilled for s in sample.shortfalls)
    refs = [i.case_ref for s in drawn.samples for i in s.active_items]
    assert len(refs) == len(set(refs)) == 100


def staff_csv(path: Path, rows: list[list[str]]) -> Path:
    """A staff list with a Teams column, written to ``path``."""
    out = io.StringIO()
    csv.writer(out).writerows([["Name", "Username", "Roles", "Service areas", "Teams"],
                               *rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_new_team_needs_one_area(store, tmp_path: Path) -> None:
    """A team manager's team that the store does not know yet is made in the manager's
    one service area; with two, which area it belongs to is not known: the list is
    refused whole, naming the row and column, and nothing is written."""
    two = staff_csv(tmp_path / "two.csv",
                    [["Testmanager Gorse", "tm-g", "team manager", "North;South", "New Team"]])
    before = counts(store)
    with pytest.raises(ImportRefused) as refused:
        import_staff(fixed_ctx(store), two)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "Teams")]
    assert "a new team needs one service area" in refused.value.message
    assert counts(store) == before
    with store.read() as session:
        assert session.scalar(select(User.id)) is None

    one = staff_csv(tmp_path / "one.csv",
                    [["Testperson Ash", "am-n", "auditor", "North", ""],  # North first
                     ["Testmanager Gorse", "tm-g", "team manager", "South", "New Team"]])
    result = import_staff(fixed_ctx(store), one)
    assert (result.created, result.new_areas, result.new_teams) == (
        2, ["North", "South"], ["New Team"])
    with store.read() as session:
        manager = session.scalar(select(User).where(User.username == "tm-g"))
        worker = session.get(Worker, manager.worker_id)
        team = session.get(Team, worker.team_id)
        area = session.get(ServiceArea, team.service_area_id)
        assert (worker.role, team.name, area.name) == ("team_manager", "New Team", "South")
