"""The action tracker's filters: mine, my teams, due this week, source, review due."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.errors import InputProblem, RuleViolation
from desktop.services import actions
from desktop.services.actions import NewAction, week_of_day
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import World, make_world


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def _ids(rows: list[actions.ActionRow]) -> set[str]:
    return {r.id for r in rows}


def test_mine_is_what_i_own_or_raised_in_my_audits(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    action_id = actions.add_action(ctx, NewAction("Visit the child", dt.date(2026, 11, 20),
                                                  audit_id=audit_id))
    assert _ids(actions.list_actions(ctx, mine=world.auditor)) == {action_id}
    assert actions.list_actions(ctx, mine=world.auditor2) == []
    # The team manager owns nothing here: the case's worker owns it.
    assert actions.list_actions(ctx, mine=world.tm_user) == []
    own = actions.add_action(ctx, NewAction("Supervise", dt.date(2026, 11, 20),
                                            audit_id=audit_id,
                                            owner_worker_id=world.manager.id))
    assert _ids(actions.list_actions(ctx, mine=world.tm_user)) == {own}


def test_my_teams_are_my_own_team_and_my_areas_teams(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    action_id = actions.add_action(ctx, NewAction("Visit the child", dt.date(2026, 11, 20),
                                                  audit_id=audit_id))
    assert _ids(actions.list_actions(ctx, teams_of=world.tm_user)) == {action_id}
    assert _ids(actions.list_actions(ctx, teams_of=world.hos)) == {action_id}
    assert actions.list_actions(ctx, teams_of=world.qa) == []  # QA has no service area


def test_due_this_week_source_and_review_due(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    assert week_of_day(dt.date(2026, 11, 4)) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    this_week = actions.add_action(ctx, NewAction("Visit", dt.date(2026, 11, 8),
                                                  audit_id=audit_id))
    next_week = actions.add_action(ctx, NewAction("Review", dt.date(2026, 11, 9),
                                                  audit_id=audit_id))
    assert _ids(actions.list_actions(ctx, due_this_week=True)) == {this_week}
    assert _ids(actions.list_actions(ctx, source="audit")) == {this_week, next_week}
    assert actions.list_actions(ctx, source="plan") == []
    with pytest.raises(InputProblem, match="not an action source"):
        actions.list_actions(ctx, source="rumour")
    # The review date is two weeks after the audit date (today, 2 November).
    assert not any(r.review_due for r in actions.list_actions(ctx))
    world.clock.advance(days=14)
    assert _ids(actions.list_actions(ctx, review_due=True)) == {this_week, next_week}
    actions.set_status(world.as_user(world.qa), [this_week], "cancelled", reason="Closed")
    [row] = actions.list_actions(ctx, review_due=True)
    assert row.id == next_week and row.review_due
    assert row.case_ref == "SYN-0001" and row.owner_name == "Worker One"


def test_one_refused_action_is_one_sentence_without_its_id(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    action_id = actions.add_action(ctx, NewAction("Visit", dt.date(2026, 11, 8),
                                                  audit_id=audit_id))
    with pytest.raises(RuleViolation) as refused:
        actions.set_status(ctx, [action_id], "done")
    assert refused.value.message == ("the action can be confirmed done only by the owner's "
                                     "manager")


def test_priority_is_kept_and_a_bad_one_refused_in_one_sentence(world: World) -> None:
    ctx, audit_id, _ = filled(world)
    high = actions.add_action(ctx, NewAction("Visit", dt.date(2026, 11, 8), audit_id=audit_id,
                                             priority="high"))
    usual = actions.add_action(ctx, NewAction("Review", dt.date(2026, 11, 9),
                                              audit_id=audit_id))
    assert {r.id: r.priority for r in actions.list_actions(ctx)} == {high: "high",
                                                                     usual: "medium"}
    with pytest.raises(InputProblem) as refused:
        actions.add_action(ctx, NewAction("Call", dt.date(2026, 11, 9), audit_id=audit_id,
                                          priority="urgent"))
    assert refused.value.message == "an action's priority must be high, medium or low"
    assert len(actions.list_actions(ctx)) == 2  # nothing was written
