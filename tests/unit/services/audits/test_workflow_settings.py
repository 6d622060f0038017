"""``workflow.json``: defaults from docs/domain.md, a council's overrides, bad values refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop import paths
from desktop.errors import EnvironmentProblem
from desktop.services.audits import lifecycle
from desktop.services.workflow_settings import WorkflowSettings, load_workflow_settings
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import make_world


def _write(**values: object) -> None:
    (paths.config_dir() / "workflow.json").write_text(json.dumps(values), encoding="utf-8")


def test_defaults_are_written_when_missing() -> None:
    settings = load_workflow_settings()
    assert settings == WorkflowSettings()
    assert (settings.comment_window_hours, settings.escalation_working_days,
            settings.action_review_days, settings.moderation_share) == (72, 1, 14, 0.10)
    assert json.loads((paths.config_dir() / "workflow.json").read_text())[
        "comment_window_hours"] == 72


def test_a_council_override_changes_the_window_and_review(store: Store) -> None:
    _write(comment_window_hours=48, action_review_days=10)
    world = make_world(store)
    ctx, audit_id, _ = filled(world)
    result = lifecycle.submit(ctx, audit_id)
    assert result.comment_until - result.submitted_at == dt.timedelta(hours=48)


@pytest.mark.parametrize(("values", "message"), [
    ({"comment_window_hours": -1}, "comment_window_hours' must be a whole number"),
    ({"moderation_share": 10}, "moderation_share' must be a fraction"),
    ({"working_day_ends_at": "5pm"}, "working_day_ends_at' must be a time"),
    ({"comment_window": 72}, "unknown setting 'comment_window'"),
])
def test_bad_settings_are_refused(values: dict[str, object], message: str) -> None:
    _write(**values)
    with pytest.raises(EnvironmentProblem, match=message):
        load_workflow_settings()
