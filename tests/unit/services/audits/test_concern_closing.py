"""Who may close a concern of significant harm (item 4 of the trial report).

Seed 001 asks the team manager to respond; the auditor who raised the worry, or QA,
judges the response and closes it. The team manager who responded may not close it
(refused and logged), and the list says so to each reader (``may_close``)."""

from __future__ import annotations

import pytest

from desktop.errors import PermissionRefused
from desktop.services import escalations
from desktop.services.event_log import events_for
from desktop.store import Store
from tests.unit.services.audits.world import World, make_world


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def responded(world: World, responder: str | None = None) -> str:
    ctx = world.as_user(world.auditor)
    escalation_id = escalations.raise_concern(ctx, world.case("red"), "Worried about X")
    escalations.respond(world.as_user(responder or world.tm_user), escalation_id,
                        "Visited today")
    return escalation_id


def closable(world: World, user: str, escalation_id: str) -> bool:
    [row] = [r for r in escalations.list_escalations(world.as_user(user))
             if r.id == escalation_id]
    return row.may_close


def test_the_team_manager_who_responded_may_not_close_it(world: World) -> None:
    escalation_id = responded(world)
    tm = world.as_user(world.tm_user)
    assert not closable(world, world.tm_user, escalation_id)
    with pytest.raises(PermissionRefused, match="auditor who raised the concern, or QA"):
        escalations.close(tm, escalation_id, "")
    assert [e.action for e in events_for(world.as_user(world.qa), "escalation",
                                         escalation_id)].count("refuse") == 1
    [row] = escalations.list_escalations(world.as_user(world.auditor))
    assert row.status == "responded"


def test_another_auditor_or_the_head_of_service_may_not_close_it(world: World) -> None:
    escalation_id = responded(world)
    for someone in (world.auditor2, world.hos):
        assert not closable(world, someone, escalation_id)
        with pytest.raises(PermissionRefused):
            escalations.close(world.as_user(someone), escalation_id, "")


@pytest.mark.parametrize("closer", ["auditor", "qa"])
def test_the_raising_auditor_or_qa_closes_it(world: World, closer: str) -> None:
    escalation_id = responded(world)
    user = getattr(world, closer)
    assert closable(world, user, escalation_id)
    escalations.close(world.as_user(user), escalation_id, "Satisfied")
    [row] = escalations.list_escalations(world.as_user(world.auditor))
    assert row.status == "closed" and not row.may_close


def test_qa_who_responded_may_not_close_their_own_answer(world: World) -> None:
    escalation_id = responded(world, world.qa)
    assert not closable(world, world.qa, escalation_id)
    assert closable(world, world.auditor, escalation_id)
    with pytest.raises(PermissionRefused):
        escalations.close(world.as_user(world.qa), escalation_id, "")


def test_nobody_may_close_before_the_response(world: World) -> None:
    ctx = world.as_user(world.auditor)
    escalation_id = escalations.raise_concern(ctx, world.case("red"), "Worried about X")
    assert not closable(world, world.auditor, escalation_id)
