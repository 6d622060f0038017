"""Past its due date is overdue, whatever the day (issue 25, item 5): on Sunday
6 December an action due Friday 4 December was listed by ``actions --overdue`` with an
empty "overdue" column, because no working day had passed since."""

from __future__ import annotations

import datetime as dt

from desktop.cli.commands.actions import overdue_cell
from desktop.services import actions
from desktop.services.actions import NewAction
from desktop.store import Store
from desktop.views.action_table import attention_tone, attention_words
from desktop.views.row_table import Tone
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import make_world

FRIDAY = dt.date(2026, 12, 4)
SUNDAY = dt.date(2026, 12, 6)


def test_an_action_due_friday_is_overdue_on_sunday_in_every_listing(store: Store) -> None:
    world = make_world(store)
    ctx, audit_id, _ = filled(world)
    friday = actions.add_action(ctx, NewAction("Visit the child", FRIDAY, audit_id=audit_id))
    monday = actions.add_action(ctx, NewAction("Review the plan", dt.date(2026, 12, 7),
                                               audit_id=audit_id))
    world.clock.advance(days=(SUNDAY - world.clock.now.date()).days)
    assert ctx.today() == SUNDAY
    [row] = actions.list_actions(ctx, overdue=True)
    assert (row.id, row.overdue, row.overdue_working_days) == (friday, True, 0)
    assert attention_words(row) == "Overdue since Fri 04/12/2026; review due"
    assert attention_tone(row) is Tone.LATE
    assert overdue_cell(row) == "<1d"
    rows = {r.id: r for r in actions.list_actions(ctx)}
    assert list(rows) == [friday, monday]  # the overdue one first
    assert not rows[monday].overdue and attention_words(rows[monday]) == "Review due"
    assert overdue_cell(rows[monday]) == ""
    world.clock.advance(days=1)  # Monday: a working day has passed
    [row] = actions.list_actions(ctx, overdue=True)
    assert (row.overdue, row.overdue_working_days) == (True, 1)
    assert attention_words(row) == "Overdue by 1 working day; review due"
    assert overdue_cell(row) == "1d"
