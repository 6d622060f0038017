"""Every role is refused what the README's table does not give it, through the services:
a clear PermissionRefused and a "refuse" entry in the event log (issue 13, Done when)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.errors import PermissionRefused
from desktop.models import Event
from desktop.services import actions, case_detail, case_list, exercises
from desktop.services.audits import comments, lifecycle, moderation, views
from desktop.services.auth.roles import ROLE_PERMISSIONS, Permission, reach_table, roles_table
from desktop.services.case_list import CaseQuery
from desktop.services.context import ServiceContext
from desktop.services.people import staff
from desktop.services.reporting.exports import export_tables
from desktop.services.retention import purge_closed
from desktop.store import Store
from tests.unit.security.people import TEMPLATE, Org


@pytest.fixture
def org(store: Store) -> Org:
    return Org(store)


Op = Callable[[Org, ServiceContext], object]


def _start_audit(org: Org, ctx: ServiceContext) -> object:
    return lifecycle.start_audit(ctx, org.case(), TEMPLATE)


def _see_case(org: Org, ctx: ServiceContext) -> object:
    return case_detail.case_detail(ctx, org.case())


def _see_south_case(org: Org, ctx: ServiceContext) -> object:
    return case_detail.case_detail(ctx, org.south_case)


def _see_audit(org: Org, ctx: ServiceContext) -> object:
    return views.show_audit(ctx, org.submitted_audit())


def _see_south_audit(org: Org, ctx: ServiceContext) -> object:
    return views.show_audit(ctx, org.south_audit())


def _comment(org: Org, ctx: ServiceContext) -> object:
    return comments.post_comment(ctx, org.submitted_audit(), "Synthetic comment.")


def _comment_south(org: Org, ctx: ServiceContext) -> object:
    return comments.post_comment(ctx, org.south_audit(), "Synthetic comment.")


def _moderate(org: Org, ctx: ServiceContext) -> object:
    return moderation.select_for_moderation(ctx, seed=1)


def _add_user(org: Org, ctx: ServiceContext) -> object:
    return staff.add_user(ctx, username="new1", name="Synthetic New", roles="auditor",
                          areas="Synthetic North")


def _add_action(org: Org, ctx: ServiceContext) -> object:
    return actions.add_action(ctx, actions.NewAction("Synthetic action",
                                                     dt.date(2026, 12, 1)))


def _verify(org: Org, ctx: ServiceContext) -> object:
    action = actions.add_action(org.as_user(None), actions.NewAction(
        "Synthetic action", dt.date(2026, 12, 1), audit_id=org.submitted_audit()))
    return actions.set_status(ctx, [action], "verified")


def _reopen(org: Org, ctx: ServiceContext) -> object:
    return lifecycle.reopen(ctx, org.submitted_audit(), "Synthetic reason.")


def _exercise(org: Org, ctx: ServiceContext) -> object:
    return exercises.create_exercise(ctx, exercises.ExerciseInput(title="Synthetic"))


def _export(org: Org, ctx: ServiceContext) -> object:
    return export_tables(ctx)


def _list_cases(org: Org, ctx: ServiceContext) -> object:
    return case_list.list_cases(ctx, CaseQuery())


def _purge(org: Org, ctx: ServiceContext) -> object:
    return purge_closed(ctx, years=6)


REFUSED: list[tuple[str, str, Op]] = [
    ("auditor", "moderate", _moderate),
    ("auditor", "add a user", _add_user),
    ("auditor", "see a case of another area", _see_south_case),
    ("auditor", "see an audit of another area", _see_south_audit),
    ("tm_user", "start an audit", _start_audit),
    ("tm_user", "moderate", _moderate),
    ("tm_user", "add a user", _add_user),
    ("tm_user", "see a case of another team", _see_south_case),
    ("tm_user", "verify an action", _verify),
    ("auditor", "verify an action", _verify),
    ("auditor2", "reopen another auditor's audit", _reopen),
    ("sw", "see a case", _see_case),
    ("sw", "list cases", _list_cases),
    ("sw", "start an audit", _start_audit),
    ("sw", "add an action", _add_action),
    ("sw", "export", _export),
    ("sw", "see an audit of another worker's case", _see_south_audit),
    ("sw", "comment on another worker's case's audit", _comment_south),
    ("qa", "purge closed cases", _purge),
    ("admin", "see a case", _see_case),
    ("admin", "see an audit", _see_audit),
    ("admin", "start an audit", _start_audit),
    ("admin", "create an exercise", _exercise),
    ("hos", "start an audit", _start_audit),
    ("hos", "see a case of another area", _see_south_case),
    ("nobody", "list cases", _list_cases),
]


def by_role(cases: list[tuple[str, str, Op]]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(("who", "what", "op"), cases,
                                   ids=[f"{w}-{d}" for w, d, _ in cases])


@by_role(REFUSED)
def test_refused_with_a_message_and_an_event(org: Org, who: str, what: str, op: Op) -> None:
    user_id = getattr(org, who)
    ctx = org.as_user(user_id)
    with org.store.read() as session:
        before = session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1)) or 0
    with pytest.raises(PermissionRefused) as caught:
        op(org, ctx)
    message = caught.value.message
    assert message and "\n" not in message and len(message) < 200
    with org.store.read() as session:
        refusals = list(session.scalars(select(Event).where(
            Event.seq > before, Event.action == "refuse")))
    assert len(refusals) == 1, what
    [event] = refusals
    assert event.user_id == user_id and '"permission"' in event.detail_json


ALLOWED: list[tuple[str, str, Op]] = [
    ("auditor", "start an audit", _start_audit),
    ("auditor", "see a case of their area", _see_case),
    ("tm_user", "see their team's audit", _see_audit),
    ("sw", "see an audit of their own case", _see_audit),
    ("sw", "comment on an audit of their own case", _comment),
    ("tm_user", "comment on their team's audit", _comment),
    ("qa", "see a case of another area", _see_south_case),
    ("qa", "moderate", _moderate),
    ("admin", "add a user", _add_user),
    ("hos", "see a case of their area", _see_case),
]


@by_role(ALLOWED)
def test_allowed(org: Org, who: str, what: str, op: Op) -> None:
    op(org, org.as_user(getattr(org, who)))


def test_lists_hold_only_what_the_role_reaches(org: Org) -> None:
    mine = org.case()
    everything = case_list.list_cases(org.as_user(None), CaseQuery()).ids
    assert set(everything) == {mine, org.south_case}
    assert case_list.list_cases(org.as_user(org.auditor), CaseQuery()).ids == [mine]
    assert case_list.list_cases(org.as_user(org.tm_user), CaseQuery()).ids == [mine]
    assert set(case_list.list_cases(org.as_user(org.qa), CaseQuery()).ids) == set(everything)
    assert [r.id for r in case_list.first_page(org.as_user(org.auditor), CaseQuery())] == [mine]
    assert case_list.case_rows(org.as_user(org.auditor), everything)[0].id == mine
    assert len(case_list.case_rows(org.as_user(org.auditor), everything)) == 1
    audit = org.submitted_audit()
    south = org.south_audit()
    assert {a.id for a in views.list_audits(org.as_user(None))} == {audit, south}
    assert [a.id for a in views.list_audits(org.as_user(org.sw))] == [audit]
    assert [a.id for a in views.list_audits(org.as_user(org.auditor2))] == [audit]
    with pytest.raises(PermissionRefused):
        views.list_audits(org.as_user(org.admin))


def test_the_system_may_do_everything(org: Org) -> None:
    ctx = org.as_user(None)
    _see_south_case(org, ctx)
    _add_user(org, ctx)
    _export(org, ctx)


def test_the_readme_holds_the_table_the_code_enforces() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    assert roles_table() in readme and reach_table() in readme
    docs = (Path(__file__).parents[3] / "docs" / "security.md").read_text(encoding="utf-8")
    assert roles_table() in docs and reach_table() in docs


def test_every_permission_is_someones() -> None:
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)
