"""The QA dashboard's count of the week's audits says what it counts (item 7 of the trial
report): an audit open for comment is counted, and not called "finalised"."""

from __future__ import annotations

from desktop.services.audits import lifecycle
from desktop.services.reporting.dashboard import week_audits_words
from desktop.services.reporting.weekly import weekly_data
from desktop.services.sampling.weeks import week_of
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import make_world


def test_an_open_for_comment_audit_is_counted_as_submitted_not_finalised(
        store: Store) -> None:
    world = make_world(store)
    ctx, audit_id, _case = filled(world)
    result = lifecycle.submit(ctx, audit_id)
    assert result.status == "open_for_comment"
    weekly = weekly_data(world.as_user(world.qa), week_of(world.clock().date()))
    words = week_audits_words(weekly)
    assert "1 submitted audit " in words and "open for comment" in words
    assert "finalised audit" not in words
