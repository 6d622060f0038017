"""The action tracker: due dates, review date, working-day overdue, transitions, bulk."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.errors import PermissionRefused, RuleViolation
from desktop.services import actions
from desktop.services.actions import NewAction
from desktop.services.audits import lifecycle
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import World, make_world


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def _action(world: World, audit_id: str, due: dt.date, what: str = "Visit the child") -> str:
    return actions.add_action(world.as_user(world.auditor),
                              NewAction(description=what, due_on=due, audit_id=audit_id))


def test_due_date_in_the_past_or_unrealistic_is_refused(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    with pytest.raises(RuleViolation, match="01/11/2026 is in the past"):
        _action(world, audit_id, dt.date(2026, 11, 1))
    with pytest.raises(RuleViolation, match="realistic"):
        _action(world, audit_id, dt.date(2028, 1, 1))
    with pytest.raises(RuleViolation, match="needs a due date"):
        actions.add_action(ctx, NewAction(description="x", due_on=None, audit_id=audit_id))
    assert _action(world, audit_id, dt.date(2026, 11, 2))  # today is fine


def test_review_date_owner_and_overdue_in_working_days(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    action_id = _action(world, audit_id, dt.date(2026, 12, 22))
    [row] = actions.list_actions(ctx)
    assert row.review_on == dt.date(2026, 11, 16) and row.owner_worker_id == world.worker.id
    assert row.overdue_working_days == 0
    world.clock.now = dt.datetime(2026, 12, 29, 12, 0, tzinfo=dt.UTC)
    # 23 Dec, 24 Dec, (25, 26, 27, 28 holidays/weekend), 29 Dec: 3 working days.
    [row] = actions.list_actions(ctx, overdue=True)
    assert row.id == action_id and row.overdue_working_days == 3
    assert actions.list_actions(ctx, owner=world.worker.id)[0].id == action_id
    assert actions.list_actions(ctx, owner=world.auditor) == []
    assert [r.id for r in actions.due_for_review(ctx)] == [action_id]


def test_status_walk_with_manager_confirmation_and_qa_verification(world: World) -> None:
    _, audit_id, _ = filled(world)
    action_id = _action(world, audit_id, dt.date(2026, 11, 20))
    auditor, tm, qa = (world.as_user(u) for u in (world.auditor, world.tm_user, world.qa))
    actions.set_status(auditor, [action_id], "in_progress")
    with pytest.raises(RuleViolation, match="only by the owner's manager"):
        actions.set_status(auditor, [action_id], "done")
    with pytest.raises(RuleViolation, match="cannot go from in_progress to verified"):
        actions.set_status(qa, [action_id], "verified")
    actions.set_status(tm, [action_id], "done", evidence="Visit recorded 10/11")
    with pytest.raises(PermissionRefused, match="verify an action"):  # and logged
        actions.set_status(tm, [action_id], "verified")
    actions.set_status(qa, [action_id], "verified")
    [row] = actions.list_actions(auditor)
    assert row.status == "verified" and row.evidence == "Visit recorded 10/11"
    with pytest.raises(RuleViolation, match="cannot go from verified"):
        actions.set_status(qa, [action_id], "cancelled", reason="no longer needed")


def test_cancel_needs_a_reason_and_bulk_is_all_or_nothing(world: World) -> None:
    _, audit_id, _ = filled(world)
    ids = [_action(world, audit_id, dt.date(2026, 11, 20), f"Action {n}") for n in range(3)]
    qa = world.as_user(world.qa)
    with pytest.raises(RuleViolation, match="needs a reason"):
        actions.set_status(qa, ids, "cancelled")
    actions.set_status(qa, [ids[0]], "cancelled", reason="Case closed")
    with pytest.raises(RuleViolation, match=f"no action was changed: {ids[0]} cannot go"):
        actions.set_status(qa, ids, "in_progress")
    assert {r.status for r in actions.list_actions(qa) if r.id != ids[0]} == {"open"}
    assert actions.set_status(qa, ids[1:], "in_progress") == 2
    assert {r.id: r.status for r in actions.list_actions(qa)} == {
        ids[0]: "cancelled", ids[1]: "in_progress", ids[2]: "in_progress"}


def test_no_actions_on_a_finalised_audit(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    lifecycle.submit(ctx, audit_id)
    _action(world, audit_id, dt.date(2026, 11, 20))  # still in the window: allowed
    world.clock.advance(hours=80)
    from desktop.services.audits.finalise import finalise_due

    finalise_due(ctx)
    with pytest.raises(RuleViolation, match="reopen it to add actions"):
        _action(world, audit_id, dt.date(2026, 11, 20))
