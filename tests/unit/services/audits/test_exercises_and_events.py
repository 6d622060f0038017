"""Exercise summaries collect their audits' figures; views, exports and prints are logged."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop.errors import InputProblem, RuleViolation
from desktop.services import actions, exercises
from desktop.services.audits import lifecycle
from desktop.services.audits.views import show_audit
from desktop.services.event_log import events_for, log_change, log_export, log_print, log_view
from desktop.services.exercises import ExerciseInput
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import MET, filled
from tests.unit.services.audits.world import make_world


def test_exercise_figures_come_from_its_audits(store: Store) -> None:
    world = make_world(store)
    qa = world.as_user(world.qa)
    with pytest.raises(InputProblem, match="not a judgement"):
        exercises.create_exercise(qa, ExerciseInput(title="Pre-birth", judgement="fine"))
    with pytest.raises(RuleViolation, match="ends before it starts"):
        exercises.create_exercise(qa, ExerciseInput(
            title="Pre-birth", period_from=dt.date(2026, 11, 1),
            period_to=dt.date(2026, 10, 1)))
    exercise_id = exercises.create_exercise(qa, ExerciseInput(
        title="Pre-birth assessments", theme="Unborn children",
        period_from=dt.date(2026, 10, 1), period_to=dt.date(2026, 11, 30),
        judgement="requires_improvement", judgement_text="Improving but inconsistent"))
    ctx, first, _ = filled(world)
    lifecycle.submit(ctx, first)
    _, second, _ = filled(world, answers={**MET, "ra_quality": "not_met"})
    actions.add_action(ctx, actions.NewAction(description="Rewrite analysis",
                                              due_on=dt.date(2026, 11, 30), audit_id=second,
                                              question_code="ra_quality"))
    lifecycle.save_details(ctx, second, grade="inadequate")
    lifecycle.submit(ctx, second)
    _, draft, _ = filled(world)
    assert exercises.attach_audits(qa, exercise_id, [first, second, draft]) == 3
    figures = exercises.exercise_figures(qa, exercise_id)
    assert (figures.audits, figures.cases_seen) == (2, 2)
    assert figures.grades == {"inadequate": 1, "good": 1}
    assert figures.standards["ra_quality"].met == 1
    assert figures.standards["ra_quality"].not_met == 1
    assert (figures.actions_open, figures.actions_done) == (1, 0)
    other = exercises.create_exercise(qa, ExerciseInput(title="Another"))
    with pytest.raises(RuleViolation, match="another exercise"):
        exercises.attach_audits(qa, other, [first])


def test_views_exports_and_prints_are_logged_by_id(store: Store) -> None:
    world = make_world(store)
    ctx, audit_id, case_id = filled(world)
    show_audit(ctx, audit_id)
    log_view(ctx, "case", case_id)
    log_export(ctx, "audit", audit_id, fmt="pdf")
    log_print(ctx, "audit", audit_id)
    kinds = [(e.action, json.loads(e.detail_json)) for e in events_for(ctx, "audit", audit_id)]
    assert kinds[-3:] == [("view", {}), ("export", {"format": "pdf"}), ("print", {})]
    assert events_for(ctx, "case", case_id)[-1].user_id == world.auditor
    with pytest.raises(ValueError, match="not logged"):
        log_view(ctx, "user", world.auditor)
    with store.transaction() as session, pytest.raises(ValueError, match="free text"):
        log_change(session, ctx, "change", "audit", audit_id, note="Child seen at home")
