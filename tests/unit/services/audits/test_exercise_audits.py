"""Themed dip-sample exercises (seed 002): made with a theme, cohort, area and period,
their audits attached by that filter (only those the person reaches) or one by one,
listed and shown with their progress."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem, PermissionRefused, RuleViolation
from desktop.models import Audit, Case, ExerciseSummary, ServiceArea, Team, User, UserServiceArea
from desktop.services import exercises
from desktop.services.audits import lifecycle
from desktop.services.audits.finalise import finalise_due
from desktop.services.exercises import ExerciseInput
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import MET, TEMPLATE
from tests.unit.services.audits.world import World, make_world

PERIOD = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def audit_of(world: World, user_id: str, *, submit: bool = True, case_id: str | None = None,
             **case: object) -> str:
    """An audit by ``user_id`` of ``case_id`` or a new case of the first area with
    ``case``'s fields, submitted or not."""
    ctx = world.as_user(user_id)
    audit_id = lifecycle.start_audit(ctx, case_id or world.case(**case), TEMPLATE)
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="Seen.", grade="good",
                           auditor_rag="amber")
    if submit:
        lifecycle.submit(ctx, audit_id)
    return audit_id


def second_area(world: World) -> tuple[str, str, str]:
    """Another area with its own auditor and a child protection case: (area id,
    auditor id, case id)."""
    with world.store.transaction() as session:
        area = ServiceArea(name="Synthetic South")
        session.add(area)
        session.flush()
        team = Team(name="Synthetic Team S", service_area_id=area.id)
        user = User(username="auditor3", name="User auditor3", roles="auditor")
        session.add_all([team, user])
        session.flush()
        session.add(UserServiceArea(user_id=user.id, service_area_id=area.id))
        case = Case(case_ref="SYN-S-0001", rag="amber", cohort="cp",
                    service_area_id=area.id, team_id=team.id, worker_id=world.worker.id,
                    opened_on=dt.date(2026, 1, 5))
        session.add(case)
        session.flush()
        return area.id, user.id, case.id


def neglect(**fields: object) -> ExerciseInput:
    values: dict[str, object] = {"title": "Neglect of children on plans", "theme": "Neglect",
                                 "cohort": "cp", "period_from": PERIOD[0],
                                 "period_to": PERIOD[1]}
    return ExerciseInput(**{**values, **fields})  # type: ignore[arg-type]


def test_an_exercise_has_a_theme_cohort_area_period_and_lead(store: Store) -> None:
    world = make_world(store)
    auditor = world.as_user(world.auditor)
    exercise_id = exercises.create_exercise(auditor, neglect(service_area_id=world.area.id))
    [row] = exercises.list_exercises(auditor)
    assert (row.id, row.title, row.theme, row.cohort) == (
        exercise_id, "Neglect of children on plans", "Neglect", "cp")
    assert (row.area, row.period_from, row.period_to) == ("Synthetic North", *PERIOD)
    assert (row.lead_id, row.lead) == (world.auditor, "User auditor1")
    assert row.progress == exercises.ExerciseProgress()
    with store.read() as session:  # the cohort is a column of its own (0013)
        stored = session.get(ExerciseSummary, exercise_id)
        assert stored is not None
        assert (stored.theme, stored.cohort) == ("Neglect", "cp")
    assert exercises.theme_words(row.theme, row.cohort) == (
        "Neglect (cohort: child protection plans)")  # as a printed summary names it

    view = exercises.show_exercise(auditor, exercise_id)
    changed = view.as_input()
    exercises.update_exercise(auditor, exercise_id, ExerciseInput(
        **{**changed.__dict__, "cohort": None, "findings": "Plans were reviewed late."}))
    again = exercises.show_exercise(auditor, exercise_id)
    assert (again.exercise.theme, again.exercise.cohort) == ("Neglect", None)
    assert again.findings == "Plans were reviewed late."

    with pytest.raises(InputProblem, match="not a cohort"):
        exercises.create_exercise(auditor, neglect(cohort="everyone"))
    # Brackets typed in a theme are the theme's own words, not a cohort.
    typed = exercises.create_exercise(auditor, neglect(theme="Neglect (cohort: care leavers)",
                                                       cohort=None))
    shown = exercises.show_exercise(auditor, typed).exercise
    assert (shown.theme, shown.cohort) == ("Neglect (cohort: care leavers)", None)
    with pytest.raises(PermissionRefused, match="create and change audit exercises"):
        exercises.create_exercise(world.as_user(world.tm_user), neglect())
    assert exercises.cohort_code("Child protection plans") == "cp"
    assert exercises.period_day("20/11/2026", "start") == dt.date(2026, 11, 20)
    with pytest.raises(InputProblem, match="period's end '31/02/2026' is not a date"):
        exercises.period_day("31/02/2026", "end")
    assert exercises.area_id_named(auditor, "synthetic north") == world.area.id
    with pytest.raises(InputProblem, match="there are: Synthetic North"):
        exercises.area_id_named(auditor, "Nowhere")


def test_attaching_by_the_filter_takes_only_the_audits_the_person_reaches(
        store: Store) -> None:
    world = make_world(store)
    _south, auditor3, south_case = second_area(world)
    mine = [audit_of(world, world.auditor, cohort="cp") for _ in range(2)]
    other_cohort = audit_of(world, world.auditor, cohort="cin")
    draft = audit_of(world, world.auditor2, submit=False, cohort="cp")
    theirs = audit_of(world, auditor3, case_id=south_case)
    auditor = world.as_user(world.auditor)
    exercise_id = exercises.create_exercise(auditor, neglect())  # every area

    before = {a.id: a.matches for a in exercises.period_audits(auditor, exercise_id)}
    assert before == {mine[0]: True, mine[1]: True, other_cohort: False, draft: True}
    result = exercises.attach_matching(auditor, exercise_id)
    assert result == exercises.AttachResult(attached=3, already=0, elsewhere=0)
    view = exercises.show_exercise(auditor, exercise_id)
    assert {a.id for a in view.audits} == {*mine, draft}
    assert view.exercise.progress == exercises.ExerciseProgress(
        attached=3, submitted=2, finalised=0, cases_seen=2)

    qa = world.as_user(world.qa)
    assert exercises.attach_matching(qa, exercise_id) == exercises.AttachResult(
        attached=1, already=3, elsewhere=0)
    assert {a.id for a in exercises.show_exercise(qa, exercise_id).audits} == {
        *mine, draft, theirs}
    # The auditor still counts only the audits they reach.
    [row] = exercises.list_exercises(auditor)
    assert row.progress.attached == 3
    # An audit outside their reach cannot be taken out by them, by id or otherwise.
    with pytest.raises(PermissionRefused, match="outside the records"):
        exercises.detach_audits(auditor, exercise_id, [theirs])


def test_progress_detaching_and_an_audit_held_by_another_exercise(store: Store) -> None:
    world = make_world(store)
    first, second, third = (audit_of(world, world.auditor, cohort="cp") for _ in range(3))
    qa = world.as_user(world.qa)
    exercise_id = exercises.create_exercise(qa, neglect())
    elsewhere = exercises.create_exercise(qa, ExerciseInput(title="Another theme"))
    exercises.attach_audits(qa, elsewhere, [third])
    result = exercises.attach_matching(qa, exercise_id)
    assert result == exercises.AttachResult(attached=2, already=0, elsewhere=1)
    world.clock.advance(hours=72)
    finalise_due(world.as_user(None))
    progress = exercises.show_exercise(qa, exercise_id).exercise.progress
    assert progress == exercises.ExerciseProgress(attached=2, submitted=2, finalised=2,
                                                  cases_seen=2)

    assert exercises.detach_audits(qa, exercise_id, [first]) == 1
    with pytest.raises(InputProblem, match="not part of this exercise"):
        exercises.detach_audits(qa, exercise_id, [third])
    assert [a.id for a in exercises.show_exercise(qa, exercise_id).audits] == [second]
    listed = {a.id: a.exercise_id for a in exercises.period_audits(qa, exercise_id)}
    assert listed == {first: None, third: elsewhere}
    with store.read() as session:
        audit = session.get(Audit, first)
        assert audit is not None and audit.exercise_id is None

    undated = exercises.create_exercise(qa, ExerciseInput(title="No period yet"))
    assert exercises.period_audits(qa, undated) == []
    with pytest.raises(RuleViolation, match="give the exercise a period"):
        exercises.attach_matching(qa, undated)


def test_ids_as_typed_and_the_reach_of_the_list(store: Store) -> None:
    world = make_world(store)
    south, auditor3, _case = second_area(world)
    audit_id = audit_of(world, world.auditor, cohort="cp")
    qa = world.as_user(world.qa)
    council = exercises.create_exercise(qa, neglect(title="Council-wide"))
    southern = exercises.create_exercise(qa, neglect(title="South only",
                                                     service_area_id=south))
    assert exercises.exercise_id_of(qa, council[:8]) == council
    assert exercises.audit_ids_of(qa, [audit_id[:6], audit_id]) == [audit_id]
    auditor = world.as_user(world.auditor)
    assert [e.title for e in exercises.list_exercises(auditor)] == ["Council-wide"]
    assert {e.title for e in exercises.list_exercises(world.as_user(auditor3))} == {
        "Council-wide", "South only"}
    with pytest.raises(InputProblem, match="no exercise with the id"):
        exercises.exercise_id_of(auditor, southern)
    with pytest.raises(InputProblem):
        exercises.show_exercise(auditor, southern)
    with store.read() as session:
        assert session.scalar(select(Audit.exercise_id).where(Audit.id == audit_id)) is None
