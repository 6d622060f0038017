"""The time of a RAG discussion is never invented (item 6 of the trial report): the audit
form's panel does not ask when it happened, so the case tool and the concerns screen say
"Recorded <when>" for it; a date given on the concerns screen reads "Discussed <date>"."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.reports.case_tool import _rag
from desktop.services import disagreements
from desktop.services.audits.drafts import Discussion, Submission, submit_form
from desktop.services.disagreements import Participant
from desktop.services.reporting.case_tool import case_tools
from desktop.store import Store
from desktop.views.concern_tables import discussion
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import World, make_world


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def words(flowables: list[object]) -> str:
    return " ".join(getattr(f, "text", "") for f in flowables)


def test_a_discussion_from_the_form_reads_recorded_then_discussed_once_dated(
        world: World) -> None:
    ctx, audit_id, _case = filled(world, "amber", "green")
    outcome = submit_form(ctx, audit_id, Submission(discussion=Discussion(
        (Participant("social_worker", world.worker.id),), "Review the plan.")))
    assert outcome.result is not None and outcome.result.disagreement_id is not None
    [tool] = case_tools(ctx, [audit_id])
    assert tool.disagreement is not None and not tool.disagreement.discussion_dated
    text = words(_rag(tool))
    assert "Recorded " in text and "Discussed " not in text
    [row] = disagreements.list_disagreements(ctx, audit_id=audit_id)
    assert discussion(row).startswith("Recorded ")

    when = outcome.result.submitted_at - dt.timedelta(days=1, minutes=17)
    disagreements.record_discussion(
        world.as_user(world.qa), outcome.result.disagreement_id, discussed_at=when,
        participants=(Participant("social_worker", world.worker.id),),
        next_steps="Review the plan.")
    [tool] = case_tools(ctx, [audit_id])
    assert tool.disagreement is not None and tool.disagreement.discussion_dated
    assert "Discussed " in words(_rag(tool))
    [row] = disagreements.list_disagreements(ctx, audit_id=audit_id)
    assert discussion(row).startswith("Discussed ")
