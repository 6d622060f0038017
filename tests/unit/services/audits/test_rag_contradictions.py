"""Contradictory RAG answers are refused at submission, beside the question (item 3 of
the trial report): agreeing with the record's rating while giving another, or
disagreeing with no rationale. A disagreement is never opened without its reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.errors import RuleViolation
from desktop.models import RagDisagreement
from desktop.services.audits import lifecycle
from desktop.services.audits.drafts import Submission, submit_form
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import MET, filled
from tests.unit.services.audits.world import World, make_world


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def disagreements(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(RagDisagreement)) or 0


def test_agreeing_yet_rating_otherwise_is_refused_beside_the_question(
        world: World, store: Store) -> None:
    ctx, audit_id, _case = filled(world, "amber", "green", answers=MET)  # "yes", Green
    outcome = submit_form(ctx, audit_id, Submission())
    assert outcome.result is None
    fields = {p.field: p.short for p in outcome.problems}
    assert "rag_agrees" in fields
    assert fields["rag_agrees"].count(".") == 1 and "Amber" in fields["rag_agrees"]
    with pytest.raises(RuleViolation, match="agree with the RAG rating"):
        lifecycle.submit(ctx, audit_id, rag_rationale="A reason.")
    assert disagreements(store) == 0
    with store.read() as session:
        assert lifecycle.load_audit(session, audit_id).status == "draft"


def test_disagreeing_without_a_rationale_is_refused_and_opens_nothing(
        world: World, store: Store) -> None:
    ctx, audit_id, _case = filled(world, "amber", "green",
                                  answers={**MET, "rag_agrees": "no"})
    outcome = submit_form(ctx, audit_id, Submission(rag_rationale="   "))
    assert [p.field for p in outcome.problems] == ["rag_rationale"]
    assert outcome.result is None
    with pytest.raises(RuleViolation, match="no rationale"):
        lifecycle.submit(ctx, audit_id)
    assert disagreements(store) == 0


def test_saying_no_with_the_same_rating_still_needs_a_rationale(world: World) -> None:
    ctx, audit_id, _case = filled(world, "amber", "amber",
                                  answers={**MET, "rag_agrees": "no"})
    assert [p.field for p in lifecycle.field_problems(ctx, audit_id)] == ["rag_rationale"]


@pytest.mark.parametrize("panel", ["", "Recent incidents."])
def test_a_disagreement_opens_with_its_reason(world: World, store: Store,
                                              panel: str) -> None:
    answers = {**MET, "rag_agrees": "no"}
    if not panel:
        answers["rag_rationale"] = "Recent incidents."
    ctx, audit_id, _case = filled(world, "amber", "green", answers=answers)
    outcome = submit_form(ctx, audit_id, Submission(rag_rationale=panel))
    assert outcome.problems == () and outcome.result is not None
    with store.read() as session:
        row = session.get(RagDisagreement, outcome.result.disagreement_id)
        assert row is not None and row.rationale == "Recent incidents."
