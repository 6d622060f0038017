"""The Reports screen's choices: active auditors, exercises latest first, every plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.services import exercises, plans
from desktop.services.context import ServiceContext
from desktop.services.reporting.choices import report_choices
from desktop.services.users import people
from desktop.store import Store

DATA = Path(__file__).resolve().parents[2] / "data"


def test_auditors_exercises_and_plans(store: Store) -> None:
    from desktop.services.demo_county import build_demo_county

    ctx = ServiceContext(store=store)
    build_demo_county(ctx, cases=60, seed=2, as_of=dt.date(2026, 11, 20))
    for title, start in (("Undated", None), ("Older", dt.date(2026, 9, 1)),
                         ("Newer", dt.date(2026, 10, 5))):
        exercises.create_exercise(ctx, exercises.ExerciseInput(title=title, period_from=start))
    plan = plans.import_plan(ctx, DATA / "plan_inspection.csv", title="Inspection plan")

    found = report_choices(ctx)
    assert [e.title for e in found.exercises] == ["Newer", "Older", "Undated"]
    assert found.exercises[0].period_from == dt.date(2026, 10, 5)
    assert [p.id for p in found.plans] == [plan.plan_id]
    expected = [p.id for p in people(ctx) if "auditor" in p.roles]
    assert [p.id for p in found.auditors] == expected and expected
