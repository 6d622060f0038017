"""An action's status history reaches every laptop: the weekly report printed on a
laptop synced from the tracker's store gives the same overdue figure, for an action
done in the week and sent back after it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from desktop.models import ActionStatusChange
from desktop.services import actions
from desktop.services.reporting.weekly import weekly_data
from desktop.store import Store
from tests.unit.reports.test_weekly_history import WEEK, _week_with_actions
from tests.unit.sync.helpers import until_quiet


def test_a_synced_laptop_prints_the_same_overdue_figure(
        pair: tuple[Store, Store], share: Path) -> None:
    tracker, laptop = pair
    world, (sent_back, _open) = _week_with_actions(tracker, (3, 4))
    world.clock.advance(days=3)
    actions.set_status(world.as_user(world.tm_user), [sent_back], "done")
    world.clock.advance(days=6)
    actions.set_status(world.as_user(world.qa), [sent_back], "in_progress")
    until_quiet([tracker, laptop], share)

    qa = world.as_user(world.qa)
    here = weekly_data(qa, WEEK)
    there = weekly_data(dataclasses.replace(qa, store=laptop), WEEK)
    assert (here.total.overdue, here.caseload_overdue) == (1, 1)
    assert (there.total.overdue, there.caseload_overdue) == (1, 1)
    with laptop.read() as session:
        assert session.scalar(select(func.count()).select_from(ActionStatusChange)) == 2
        assert session.scalar(select(func.max(ActionStatusChange.at))) == dt.datetime(
            2026, 11, 11, 10, tzinfo=dt.UTC)
