"""The audit lifecycle walked end to end with a fake clock, and every refused transition."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from desktop.errors import InputProblem, PermissionRefused, RuleViolation
from desktop.models import Audit, Case, Change, Event, RagDisagreement, SampleItem
from desktop.services import actions, event_log
from desktop.services.audits import comments, lifecycle
from desktop.services.audits.finalise import finalise_due, sweep
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.store import Store
from desktop.store import events as store_events
from tests.unit.services.audits.world import World, make_world

TEMPLATE = "risk_assessment_rag"
MET = {"ra_in_place": "met", "ra_quality": "met", "ra_response_proportionate": "met",
       "vtt_completed": "met", "rag_agrees": "yes"}


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def filled(world: World, rag: str = "amber", auditor_rag: str = "amber",
           answers: dict[str, str] | None = None) -> tuple[ServiceContext, str, str]:
    """A draft with every required answer and the audit's own fields; a rating other
    than the case's is given as a disagreement with its rationale (as the form must)."""
    ctx = world.as_user(world.auditor)
    case_id = world.case(rag)
    audit_id = lifecycle.start_audit(ctx, case_id, TEMPLATE)
    if answers is None:
        answers = dict(MET) if auditor_rag == rag else {
            **MET, "rag_agrees": "no", "rag_rationale": "The record understates the risk."}
    for code, value in answers.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="Risks are understood and reviewed.",
                           positive_practice="Clear analysis.", grade="good",
                           auditor_rag=auditor_rag)
    return ctx, audit_id, case_id


def audit_row(store: Store, audit_id: str) -> Audit:
    with store.read() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        return audit


def test_draft_to_finalised_with_no_comments(world: World, store: Store) -> None:
    ctx, audit_id, case_id = filled(world)
    assert audit_row(store, audit_id).status == "draft"
    result = lifecycle.submit(ctx, audit_id)
    assert result.status == "open_for_comment"
    assert result.comment_until - result.submitted_at == dt.timedelta(hours=72)
    assert result.recorded_rag == "amber" and result.disagreement_id is None
    assert result.standards_version_id is not None
    with store.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.last_audit == dt.date(2026, 11, 2)
    [case_event] = events_for(ctx, "case", case_id)
    assert json.loads(case_event.detail_json) == {"audit": audit_id, "fields": ["last_audit"]}
    world.clock.advance(hours=71, minutes=59)
    assert finalise_due(ctx) == ([], [])
    world.clock.advance(minutes=1)
    assert finalise_due(ctx) == ([audit_id], [])
    audit = audit_row(store, audit_id)
    assert audit.status == "finalised" and audit.finalised_at == result.comment_until
    logged = events_for(ctx, "audit", audit_id)
    actions_logged = [json.loads(e.detail_json).get("to") for e in logged if e.action != "seal"]
    assert actions_logged[-1] == "finalised" and "open_for_comment" in actions_logged
    # Sealed when submitted and again when finalised (desktop/services/audits/seal.py).
    assert [json.loads(e.detail_json)["on"] for e in logged if e.action == "seal"] == [
        "submit", "finalise"]


def test_answers_are_saved_one_by_one_so_nothing_is_lost(world: World, store: Store) -> None:
    ctx = world.as_user(world.auditor)
    audit_id = lifecycle.start_audit(ctx, world.case(), TEMPLATE)
    lifecycle.save_answer(ctx, audit_id, "ra_in_place", "Partly met")
    lifecycle.save_answer(ctx, audit_id, "ra_date", dt.date(2026, 10, 1))
    # A new store session (as after a crash) sees both answers already committed.
    assert lifecycle.problems(ctx, audit_id)[0] == "question 'ra_quality' is required"
    from desktop.services.audits.views import show_audit

    view = show_audit(ctx, audit_id, log=False)
    values = {a.code: a.value for a in view.answers}
    assert values["ra_in_place"] == "partly_met" and values["ra_date"] == "2026-10-01"


def test_submission_refused_with_required_answers_missing(world: World, store: Store) -> None:
    ctx, audit_id, _ = filled(world, answers={"ra_in_place": "met"})
    with pytest.raises(RuleViolation) as refused:
        lifecycle.submit(ctx, audit_id)
    message = refused.value.message
    assert "'ra_quality' is required" in message and "'vtt_completed' is required" in message
    assert audit_row(store, audit_id).status == "draft"


def test_submission_refused_without_grade_rag_or_overview(world: World) -> None:
    ctx = world.as_user(world.auditor)
    audit_id = lifecycle.start_audit(ctx, world.case(), TEMPLATE)
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    with pytest.raises(RuleViolation, match=r"overview.*grade.*RAG"):
        lifecycle.submit(ctx, audit_id)


def test_not_met_needs_an_action_or_a_written_reason(world: World, store: Store) -> None:
    ctx, audit_id, _case_id = filled(world, answers={**MET, "ra_quality": "not met"})
    with pytest.raises(RuleViolation, match="'ra_quality' is not met: add an action"):
        lifecycle.submit(ctx, audit_id)
    actions.add_action(ctx, actions.NewAction(
        description="Update the risk analysis", due_on=dt.date(2026, 11, 20),
        audit_id=audit_id, question_code="ra_quality", owner_worker_id=world.worker.id))
    assert lifecycle.submit(ctx, audit_id).status == "open_for_comment"
    # The other route: a written reason on the answer.
    ctx2, audit2, _ = filled(world, answers={**MET, "vtt_completed": "not_met"})
    lifecycle.save_answer(ctx2, audit2, "vtt_completed", "not_met",
                          note="VTT review is booked for this week; no action needed")
    assert lifecycle.submit(ctx2, audit2).status == "open_for_comment"


def test_bad_answers_and_strangers_are_refused(world: World) -> None:
    ctx = world.as_user(world.auditor)
    audit_id = lifecycle.start_audit(ctx, world.case(), TEMPLATE)
    with pytest.raises(InputProblem, match="not one of: met, partly_met"):
        lifecycle.save_answer(ctx, audit_id, "ra_in_place", "maybe")
    with pytest.raises(InputProblem, match="not a date"):
        lifecycle.save_answer(ctx, audit_id, "ra_date", "31/02/2026")
    with pytest.raises(InputProblem, match="no question 'nope'"):
        lifecycle.save_answer(ctx, audit_id, "nope", "met")
    with pytest.raises(InputProblem, match="not a grade"):
        lifecycle.save_details(ctx, audit_id, grade="excellent")
    with pytest.raises(RuleViolation, match="only the audit's own auditor"):
        lifecycle.save_answer(world.as_user(world.auditor2), audit_id, "ra_in_place", "met")
    with pytest.raises(RuleViolation, match="already has an audit in progress"):
        with world.store.read() as session:
            case_id = session.get(Audit, audit_id).case_id  # type: ignore[union-attr]
        lifecycle.start_audit(ctx, case_id, TEMPLATE)
    with pytest.raises(RuleViolation, match="needs a signed-in user"):
        lifecycle.start_audit(world.as_user(None), world.case(), TEMPLATE)


def test_a_query_holds_the_audit_open_until_answered(world: World, store: Store) -> None:
    ctx, audit_id, _ = filled(world)
    submitted = lifecycle.submit(ctx, audit_id)
    tm = world.as_user(world.tm_user)
    comments.post_comment(tm, audit_id, "Thanks, agreed.")
    assert audit_row(store, audit_id).status == "open_for_comment"
    world.clock.advance(hours=10)
    query_id = comments.post_comment(tm, audit_id, "The visit on the 3rd was missed off?",
                                     is_query=True)
    assert audit_row(store, audit_id).status == "queried"
    world.clock.advance(hours=100)
    finalised, held = finalise_due(ctx)
    assert finalised == [] and held == [audit_id]
    with pytest.raises(RuleViolation, match="comment window closed"):
        comments.post_comment(tm, audit_id, "Anything else?")
    with pytest.raises(RuleViolation, match="only the audit's auditor"):
        comments.answer_query(tm, query_id, "I answer myself")
    comments.answer_query(ctx, query_id, "Yes, I have added it to the findings.")
    assert audit_row(store, audit_id).status == "open_for_comment"
    with pytest.raises(RuleViolation, match="already been answered"):
        comments.answer_query(ctx, query_id, "again")
    report = sweep(ctx)
    assert report.finalised == [audit_id]
    audit = audit_row(store, audit_id)
    assert audit.finalised_at == world.clock.now > submitted.comment_until
    assert [c.is_query for c in comments.comments_of(ctx, audit_id)] == [False, True, False]


def test_finalising_during_the_window_does_not_happen(world: World, store: Store) -> None:
    ctx, audit_id, _ = filled(world)
    lifecycle.submit(ctx, audit_id)
    world.clock.advance(hours=24)
    assert finalise_due(ctx) == ([], [])
    assert audit_row(store, audit_id).status == "open_for_comment"


def test_reopen_needs_a_reason_and_is_logged(world: World, store: Store) -> None:
    ctx, audit_id, _ = filled(world)
    with pytest.raises(RuleViolation, match="only a submitted or finalised"):
        lifecycle.reopen(ctx, audit_id, "typo")
    lifecycle.submit(ctx, audit_id)
    world.clock.advance(hours=73)
    finalise_due(ctx)
    with pytest.raises(RuleViolation, match="needs a reason"):
        lifecycle.reopen(ctx, audit_id, "   ")
    with pytest.raises(PermissionRefused, match="only the auditor, QA"):
        lifecycle.reopen(world.as_user(world.auditor2), audit_id, "wrong case")
    lifecycle.reopen(world.as_user(world.qa), audit_id, "Grade entered against wrong case")
    audit = audit_row(store, audit_id)
    assert audit.status == "reopened" and audit.reopen_reason.startswith("Grade entered")
    event, seal = events_for(ctx, "audit", audit_id)[-2:]
    assert event.user_id == world.qa and json.loads(event.detail_json)["to"] == "reopened"
    assert seal.action == "seal" and json.loads(seal.detail_json)["on"] == "reopen"
    assert "Grade" not in event.detail_json
    lifecycle.save_details(ctx, audit_id, grade="requires_improvement")
    world.clock.advance(hours=1)
    again = lifecycle.submit(ctx, audit_id)
    assert again.status == "open_for_comment"
    assert audit_row(store, audit_id).audit_date == dt.date(2026, 11, 2)


def test_rag_difference_opens_a_disagreement(world: World, store: Store) -> None:
    ctx, audit_id, case_id = filled(world, rag="green", auditor_rag="red")
    lifecycle.save_answer(ctx, audit_id, "rag_rationale", "Escalating concerns at home")
    result = lifecycle.submit(ctx, audit_id)
    assert result.disagreement_id is not None
    with store.read() as session:
        row = session.get(RagDisagreement, result.disagreement_id)
        assert row is not None
        assert (row.recorded_rag, row.auditor_rag, row.status) == ("green", "red", "open")
        assert row.rationale == "Escalating concerns at home" and row.case_id == case_id


def test_submission_marks_the_sample_item_audited(world: World, store: Store) -> None:
    from desktop.models import Sample

    ctx = world.as_user(world.auditor)
    case_id = world.case()
    with store.transaction() as session:
        sample = Sample(auditor_id=world.auditor, iso_week="2026-W45")
        session.add(sample)
        session.flush()
        item = SampleItem(sample_id=sample.id, case_id=case_id, stratum="amber")
        session.add(item)
        session.flush()
        item_id = item.id
    audit_id = lifecycle.start_audit(ctx, case_id, TEMPLATE, sample_item_id=item_id)
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="ok", grade="good", auditor_rag="amber")
    lifecycle.submit(ctx, audit_id)
    with store.read() as session:
        assert session.get(SampleItem, item_id).status == "audited"  # type: ignore[union-attr]


def test_discarded_draft_is_a_tombstone(world: World, store: Store) -> None:
    ctx, audit_id, _ = filled(world)
    lifecycle.discard_draft(ctx, audit_id)
    assert audit_row(store, audit_id).deleted is True
    with pytest.raises(InputProblem, match="no audit"):
        lifecycle.submit(ctx, audit_id)


def test_every_change_writes_an_event_with_ids_only(world: World, store: Store) -> None:
    ctx, audit_id, _ = filled(world)
    lifecycle.submit(ctx, audit_id)
    with store.read() as session:
        details = list(session.scalars(select(Event.detail_json)))
    # Created, edited (one session however many saves), submitted, sealed.
    assert [e.action for e in events_for(ctx, "audit", audit_id)] == ["create", "change",
                                                                      "change", "seal"]
    text = " ".join(details)
    assert "Risks are understood" not in text and "Clear analysis" not in text


def _audit_events(ctx: ServiceContext, audit_id: str) -> list[tuple[str, str | None]]:
    return [(e.action, json.loads(e.detail_json).get("to"))
            for e in events_for(ctx, "audit", audit_id)]


def test_autosaves_log_one_event_per_editing_session_and_submit_one(
        world: World, store: Store) -> None:
    """The window autosaves every ~2 s as the person types: 50 saves are one session."""
    ctx = world.as_user(world.auditor)
    audit_id = lifecycle.start_audit(ctx, world.case(), TEMPLATE)
    assert _audit_events(ctx, audit_id) == [("create", None)]
    typed = "Escalating concerns at home, seen by the duty team"
    for length in range(1, 51):  # the rationale as it is typed, one save per keystroke
        lifecycle.save_answer(ctx, audit_id, "rag_rationale", typed[:length])
    assert _audit_events(ctx, audit_id) == [("create", None), ("change", None)]
    [first] = [json.loads(e.detail_json) for e in events_for(ctx, "audit", audit_id)][1:]
    assert first == {"question": "rag_rationale", "answered": True}
    # The record and the change log (what sync replays) still see every save that changed
    # the stored value (a trailing space is stripped, so it changes nothing).
    with store.read() as session:
        answer_changes = session.scalar(select(func.count()).select_from(Change).where(
            Change.table_name == "audit_answers"))
    assert answer_changes == len({typed[:length].strip() for length in range(1, 51)})
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="Risks are understood.", grade="good",
                           auditor_rag="amber")
    assert len(_audit_events(ctx, audit_id)) == 2
    lifecycle.submit(ctx, audit_id)
    assert _audit_events(ctx, audit_id) == [("create", None), ("change", None),
                                            ("change", "open_for_comment"), ("seal", None)]


def test_an_edit_after_the_session_window_or_by_nobody_signed_in_is_logged(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session ends 30 minutes (the log's wall time) after the user's last logged change."""
    wall = [dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)]
    for module in (event_log, store_events):
        monkeypatch.setattr(module, "utcnow", lambda: wall[0])
    ctx = world.as_user(world.auditor)
    audit_id = lifecycle.start_audit(ctx, world.case(), TEMPLATE)
    lifecycle.save_answer(ctx, audit_id, "ra_in_place", "met")
    wall[0] += dt.timedelta(minutes=29, seconds=59)
    lifecycle.save_answer(ctx, audit_id, "ra_quality", "met")
    assert len(_audit_events(ctx, audit_id)) == 2
    wall[0] += dt.timedelta(seconds=1)  # 30 minutes after the last logged change
    lifecycle.save_answer(ctx, audit_id, "ra_quality", "partly met")
    lifecycle.save_details(ctx, audit_id, overview="Half written")
    assert len(_audit_events(ctx, audit_id)) == 3
    # A change with nobody signed in (a command-line fix) is never folded into a session.
    anonymous = world.as_user(None)
    lifecycle.save_answer(anonymous, audit_id, "ra_in_place", "met")
    lifecycle.save_answer(anonymous, audit_id, "ra_in_place", "partly met")
    assert [e.user_id for e in events_for(ctx, "audit", audit_id)][-2:] == [None, None]
