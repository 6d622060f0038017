"""What the Settings screen's People tab needs of the staff service: roles in words, each
refused field named, a refused list's every count, and the areas a person may be given."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.audits.refused import ImportRefused
from desktop.services.caseload.report import LISTED, NotListed
from desktop.services.people.staff import (
    PersonRefused,
    StaffRefused,
    add_user,
    import_staff,
    roles_in_words,
    service_area_choices,
)
from tests.unit.services.caseload.helpers import fixed_ctx


def test_roles_are_words_in_the_roles_order() -> None:
    assert roles_in_words(("qa", "auditor", "moderator")) == "Auditor, QA officer, Moderator"
    assert roles_in_words(("head_of_service",)) == "Head of service"
    assert roles_in_words(()) == ""


def test_a_refused_person_names_each_field_at_fault(store) -> None:
    ctx = fixed_ctx(store)
    with pytest.raises(PersonRefused) as refused:
        add_user(ctx, username="bad name", name="", roles="", areas="")
    assert refused.value.reasons == {
        "name": "the name is blank",
        "username": "a username is letters, digits and . _ @ - (at most 80), starting "
                    "with a letter or digit",
        "roles": "no roles and no job title: fill in Roles, or a job title; known titles "
                 "are Head of Service, Service Manager, Area Manager, Senior Manager, "
                 "Locality Director, Improvement Lead, Improvement Director, Practice Lead, "
                 "Principal Social Worker, Assistant Director, Service Director, Director of "
                 "Children's Services and 28 more",
        "areas": "no service area"}
    add_user(ctx, username="am-x", name="Testperson X", roles="auditor", areas="North")
    with pytest.raises(PersonRefused) as taken:
        add_user(ctx, username="AM-X", name="Testperson Y", roles="auditor", areas="North")
    assert taken.value.reasons == {"username": "the username is taken"}
    assert taken.value.message == "the username 'AM-X' is taken"


def test_a_refused_list_carries_every_count_for_the_window(store, tmp_path: Path) -> None:
    rows = "".join(f"Testperson {n},user {n},auditor,North\n" for n in range(LISTED + 5))
    path = tmp_path / "staff.csv"
    path.write_text("Name,Username,Roles,Service areas\n" + rows, encoding="utf-8")
    with pytest.raises(StaffRefused) as refused:
        import_staff(fixed_ctx(store), path)
    assert isinstance(refused.value, ImportRefused)
    report = refused.value.report
    assert (report.problem_count, report.bad_rows, len(report.errors)) == (
        LISTED + 5, LISTED + 5, LISTED)
    assert report.not_listed == 5 and not report.written
    assert [p.row for p in report.errors[:2]] == [2, 3]
    assert isinstance(refused.value.problems[-1], NotListed)
    assert "bad rows" in refused.value.message
    assert service_area_choices(fixed_ctx(store)) == []


def test_the_areas_a_person_may_be_given_are_the_stores(store) -> None:
    ctx = fixed_ctx(store)
    add_user(ctx, username="u1", name="Testperson One", roles="auditor", areas="South;north")
    assert service_area_choices(ctx) == ["north", "South"]


def test_a_social_worker_is_linked_to_their_worker_by_staff_reference(store) -> None:
    """Issue 20: a social worker added with a staff reference reads their cases' audits,
    so they must be linked to the worker the caseload names (made now, with the id a
    later caseload import derives from the same reference, when none exists yet)."""
    from sqlalchemy import select

    from desktop.models import User, Worker, identity

    ctx = fixed_ctx(store)
    add_user(ctx, username="u0", name="Testperson Zero", roles="auditor", areas="North")
    add_user(ctx, username="sw1", name="Testperson Sw", roles="social_worker",
             areas="North", staff_ref="W53701")
    add_user(ctx, username="tm1", name="Testperson Tm", roles="team_manager",
             areas="North", staff_ref="W53702")
    add_user(ctx, username="sw2", name="Testperson Other", roles="social_worker",
             areas="North", staff_ref="W53701")
    with store.read() as session:
        linked = {u.username: u.worker_id for u in session.scalars(select(User))}
        workers = {w.staff_ref: w for w in session.scalars(select(Worker))}
    assert linked["sw1"] == identity.worker_id("W53701") == workers["W53701"].id
    assert linked["sw2"] == linked["sw1"]  # the same reference is the same worker
    assert linked["tm1"] == workers["W53702"].id
    assert workers["W53702"].role == "team_manager"
    assert workers["W53701"].role == "social_worker"
    assert linked["u0"] is None
