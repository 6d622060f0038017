"""The weekly report's overdue figure from the actions' status history (schema 0013): a
week reprinted after an action was sent back from done, done again or cancelled gives
the same figure, whatever the action's stamps say today."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from desktop.models import Action, ActionStatusChange
from desktop.services import actions
from desktop.services.reporting.london import day_end
from desktop.services.reporting.weekly import weekly_data
from desktop.store import Store
from tests.unit.reports.test_weekly import _submitted_audit
from tests.unit.services.audits.world import World, make_world

WEEK = "2026-W45"  # Monday 2 to Sunday 8 November 2026
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)


def _week_with_actions(store: Store, days: tuple[int, ...]) -> tuple[World, list[str]]:
    """An audit submitted on the week's Monday with an action due on each of ``days``."""
    world = make_world(store, MONDAY)
    audit_id, _case = _submitted_audit(world, "amber")
    auditor = world.as_user(world.auditor)
    return world, [actions.add_action(auditor, actions.NewAction(
        description=f"Action due {day}", due_on=dt.date(2026, 11, day), audit_id=audit_id))
        for day in days]


def _overdue(world: World) -> tuple[int, int]:
    data = weekly_data(world.as_user(world.qa), WEEK)
    return data.total.overdue, data.caseload_overdue


def test_done_in_the_week_sent_back_and_done_again_gives_the_same_figure(
        store: Store) -> None:
    world, (done_in_week, still_open) = _week_with_actions(store, (3, 4))
    manager, qa = world.as_user(world.tm_user), world.as_user(world.qa)
    world.clock.advance(days=3)  # Thursday 5 November
    actions.set_status(manager, [done_in_week], "done")
    world.clock.advance(days=5)  # Tuesday 10 November: the week is over
    before = _overdue(world)
    assert before == (1, 1)  # only the one due on the 4th and never done

    world.clock.advance(days=1)
    actions.set_status(qa, [done_in_week], "in_progress")  # sent back: no completion now
    assert _overdue(world) == before
    world.clock.advance(days=1)
    actions.set_status(manager, [done_in_week], "done")  # done again, after the week
    assert _overdue(world) == before
    with store.read() as session:
        moves = session.execute(
            select(ActionStatusChange.from_status, ActionStatusChange.to_status,
                   ActionStatusChange.at).where(ActionStatusChange.action_id == done_in_week)
            .order_by(ActionStatusChange.at)).all()
        action = session.get(Action, done_in_week)
        assert action is not None and action.completed_at == MONDAY + dt.timedelta(days=10)
    assert moves == [("open", "done", MONDAY + dt.timedelta(days=3)),
                     ("done", "in_progress", MONDAY + dt.timedelta(days=9)),
                     ("in_progress", "done", MONDAY + dt.timedelta(days=10))]
    assert still_open  # untouched: read from its stamps (no move recorded), unfinished


def test_a_cancellation_counts_from_its_own_time_not_the_records_last_change(
        store: Store) -> None:
    """Cancelled on the week's Wednesday by the app's clock: finished at its end, though
    the record's ``updated_at`` (the computer's wall clock, moved by any later write)
    is after it."""
    world, (cancelled,) = _week_with_actions(store, (3,))
    world.clock.advance(days=2)  # Wednesday 4 November
    actions.set_status(world.as_user(world.qa), [cancelled], "cancelled",
                       reason="The child moved away")
    world.clock.advance(days=6)
    assert _overdue(world) == (0, 0)
    with store.read() as session:
        action = session.get(Action, cancelled)
        assert action is not None
        assert action.updated_at > day_end(dt.date(2026, 11, 8))  # what was read before


def test_an_action_done_before_the_history_keeps_its_past_when_sent_back(
        store: Store) -> None:
    """An action made done without a recorded move (before schema 0013, or the demo
    county), after the week: its first recorded move first records "done at its
    completion time", so sending it back leaves it unfinished at the week's end, as its
    stamps said (without that, "done before it was sent back" would read as done all
    along)."""
    world, (legacy,) = _week_with_actions(store, (3,))
    completed = MONDAY + dt.timedelta(days=8)  # Tuesday 10 November, after the week
    world.clock.advance(days=8)
    with store.transaction() as session:
        action = session.get(Action, legacy)
        assert action is not None
        action.status, action.completed_at = "done", completed
        action.confirmed_at = completed
    world.clock.advance(days=1)
    before = _overdue(world)
    assert before == (1, 1)
    actions.set_status(world.as_user(world.qa), [legacy], "in_progress")
    assert _overdue(world) == before
    with store.read() as session:
        moves = session.execute(
            select(ActionStatusChange.from_status, ActionStatusChange.to_status,
                   ActionStatusChange.at)
            .where(ActionStatusChange.action_id == legacy)
            .order_by(ActionStatusChange.at)).all()
    assert moves == [("open", "done", completed),
                     ("done", "in_progress", MONDAY + dt.timedelta(days=9))]
