"""The form's services: one read of everything it shows, batched autosaves, submission
with its panels refused field by field."""

from __future__ import annotations

import pytest

from desktop.errors import PermissionRefused, RuleViolation
from desktop.models import RagDisagreement
from desktop.services.audits import lifecycle
from desktop.services.audits.drafts import (
    AnswerChange,
    Discussion,
    DraftChanges,
    Submission,
    panels_from_json,
    panels_to_json,
    save_draft,
    submit_form,
)
from desktop.services.audits.form import read_audit_form
from desktop.services.disagreements import Participant, agree
from desktop.services.escalations import raise_concern
from desktop.services.event_log import events_for
from desktop.store import Store
from tests.unit.services.audits.world import World, make_world

TEMPLATE = "risk_assessment_rag"
MET = (AnswerChange("ra_in_place", "met", ""), AnswerChange("ra_quality", "met", ""),
       AnswerChange("ra_response_proportionate", "met", ""),
       AnswerChange("vtt_completed", "met", ""), AnswerChange("rag_agrees", "no", ""))


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def draft(world: World, rag: str = "amber") -> tuple[str, str]:
    case_id = world.case(rag)
    return lifecycle.start_audit(world.as_user(world.auditor), case_id, TEMPLATE), case_id


def test_later_changes_win_field_by_field() -> None:
    first = DraftChanges(answers=(AnswerChange("a", "met", ""),), overview="One")
    later = DraftChanges(answers=(AnswerChange("a", "not_met", "why"),
                                  AnswerChange("b", "yes", "")), grade="good")
    merged = first.then(later)
    assert {a.code: a.value for a in merged.answers} == {"a": "not_met", "b": "yes"}
    assert merged.overview == "One" and merged.grade == "good"
    assert DraftChanges().empty and not merged.empty


def test_a_batch_saves_every_field_and_reports_a_bad_date(world: World) -> None:
    audit_id, _case = draft(world)
    ctx = world.as_user(world.auditor)
    saved = save_draft(ctx, audit_id, DraftChanges(
        answers=(AnswerChange("ra_in_place", "met", ""),
                 AnswerChange("ra_date", "2026-13-40", "")),
        overview="Typed so far", auditor_rag="red", significant_harm=True))
    assert [p.field for p in saved.problems] == ["ra_date"]
    form = read_audit_form(ctx, audit_id)
    answers = {a.code: a.value for a in form.view.answers}
    assert answers["ra_in_place"] == "met" and answers["ra_date"] is None
    assert form.view.overview == "Typed so far"
    assert form.view.summary.auditor_rag == "red" and form.view.summary.significant_harm


def test_many_autosaves_write_one_event_row(world: World) -> None:
    audit_id, _case = draft(world)
    ctx = world.as_user(world.auditor)
    before = [e for e in events_for(ctx, "audit", audit_id) if e.action == "change"]
    for n in range(1, 40):
        save_draft(ctx, audit_id, DraftChanges(
            answers=(AnswerChange("rag_rationale", "x" * n, ""),), overview="y" * n))
    after = [e for e in events_for(ctx, "audit", audit_id) if e.action == "change"]
    assert len(after) - len(before) == 1


def test_the_form_reads_case_rag_people_and_deadline(world: World) -> None:
    audit_id, _case_id = draft(world, "green")
    ctx = world.as_user(world.auditor)
    form = read_audit_form(ctx, audit_id)
    assert form.case_rag == "green" and form.editable
    assert form.workers[0].id == world.worker.id  # the case's own worker first
    assert world.manager.id in {m.id for m in form.workers}
    assert world.qa in {m.id for m in form.users}
    assert form.deadline_if_raised_now > form.now
    assert [q.code for q in form.view.answers][:2] == ["ra_in_place", "ra_date"]
    other = read_audit_form(world.as_user(world.auditor2), audit_id)
    assert not other.editable and not other.may_reopen
    assert read_audit_form(world.as_user(world.qa), audit_id).may_reopen


def test_submission_is_refused_field_by_field_and_writes_nothing(world: World,
                                                                  store: Store) -> None:
    audit_id, _case = draft(world)
    ctx = world.as_user(world.auditor)
    save_draft(ctx, audit_id, DraftChanges(answers=MET[1:], significant_harm=True))
    outcome = submit_form(ctx, audit_id, Submission(discussion=Discussion(
        participants=(Participant("social_worker", world.worker.id),))))
    assert outcome.result is None
    assert [p.field for p in outcome.problems] == [
        "ra_in_place", "overview", "grade", "auditor_rag", "rag_rationale", "concern",
        "next_steps"]
    assert all(p.short.endswith(".") for p in outcome.problems)
    assert read_audit_form(ctx, audit_id).view.summary.status == "draft"


def test_submission_records_the_discussion_and_the_agreed_rating(world: World,
                                                                 store: Store) -> None:
    audit_id, case_id = draft(world, "amber")
    ctx = world.as_user(world.auditor)
    save_draft(ctx, audit_id, DraftChanges(answers=MET, overview="Findings.",
                                           grade="good", auditor_rag="red",
                                           significant_harm=True))
    raise_concern(ctx, case_id, "A concern.", audit_id)
    outcome = submit_form(ctx, audit_id, Submission(
        rag_rationale="Recent incidents.",
        discussion=Discussion((Participant("team_manager", world.manager.id),),
                              "Review the plan this week.", "red")))
    assert outcome.problems == () and outcome.result is not None
    disagreement_id = outcome.result.disagreement_id
    assert disagreement_id is not None
    # The agreed rating changes the case's: the auditor alone cannot record it.
    assert "team manager" in outcome.note
    with store.read() as session:
        row = session.get(RagDisagreement, disagreement_id)
        assert row is not None
        assert (row.status, row.outcome_rag, row.rationale) == ("open", None,
                                                                "Recent incidents.")
        assert row.next_steps == "Review the plan this week."
    assert read_audit_form(ctx, audit_id).case_rag == "amber"
    with pytest.raises(PermissionRefused):
        agree(ctx, disagreement_id, "red")
    agree(world.as_user(world.tm_user), disagreement_id, "red")
    with store.read() as session:
        row = session.get(RagDisagreement, disagreement_id)
        assert row is not None and (row.status, row.outcome_rag) == ("agreed", "red")
    form = read_audit_form(ctx, audit_id)
    assert form.case_rag == "red" and form.escalation is not None
    assert form.view.summary.status == "open_for_comment"


PANELS = Submission(concern="  Bruise not explained.\nSeen twice.", rag_rationale="Two incidents. ",
                    discussion=Discussion((Participant("team_manager", "w-1"),
                                           Participant("qa", "u-2")), "Review it.", "red"))


def test_the_panels_are_kept_exactly_with_one_event_row(world: World) -> None:
    audit_id, _case = draft(world)
    ctx = world.as_user(world.auditor)
    assert read_audit_form(ctx, audit_id).panels == Submission()  # nothing typed yet
    before = [e for e in events_for(ctx, "audit", audit_id) if e.action == "change"]
    save_draft(ctx, audit_id, DraftChanges(overview="Typed"))
    for n in range(5):
        save_draft(ctx, audit_id, DraftChanges(panels=Submission(rag_rationale="x" * n)))
    save_draft(ctx, audit_id, DraftChanges(panels=PANELS))
    assert read_audit_form(ctx, audit_id).panels == PANELS  # spaces and lines as typed
    after = [e for e in events_for(ctx, "audit", audit_id) if e.action == "change"]
    assert len(after) - len(before) == 1
    # Another auditor cannot write them; the refusal is the draft's one sentence.
    with pytest.raises(RuleViolation, match="only the audit's own auditor"):
        save_draft(world.as_user(world.auditor2), audit_id, DraftChanges(panels=Submission()))
    assert read_audit_form(ctx, audit_id).panels == PANELS


def test_later_panels_win_whole_and_bad_json_reads_as_empty() -> None:
    merged = DraftChanges(panels=PANELS, grade="good").then(
        DraftChanges(panels=Submission(concern="Later")))
    assert merged.panels == Submission(concern="Later") and merged.grade == "good"
    assert DraftChanges(overview="x").then(DraftChanges(grade="good")).panels is None
    assert panels_from_json(panels_to_json(PANELS)) == PANELS
    for stored in ("", "{}", "[1]", "not json", '{"agreed_rag": "purple"}'):
        assert panels_from_json(stored) == Submission()
