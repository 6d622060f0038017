"""Moderation: a seeded share of finalised audits, re-graded blind, agreement by kappa."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.errors import PermissionRefused, RuleViolation
from desktop.models import Audit, Moderation
from desktop.services.audits import lifecycle, moderation
from desktop.services.audits.finalise import finalise_due
from desktop.services.event_log import events_for
from desktop.store import Store
from tests.unit.services.audits.world import World, make_world

TOOL = {"theme": "Pre-birth", "reason_for_tool": "Actions", "child_seen_and_heard": "met",
        "plan_progressing": "met", "record_up_to_date": "met", "supervision_oversight": "met",
        "practice_grade": "good", "fed_back_to_manager": "yes"}


def _finalised(world: World, count: int, grade: str = "good",
               auditor: str | None = None) -> list[str]:
    ctx = world.as_user(auditor or world.auditor)
    ids = []
    for _ in range(count):
        audit_id = lifecycle.start_audit(ctx, world.case(), "quality_case_tool")
        for code, value in TOOL.items():
            lifecycle.save_answer(ctx, audit_id, code, value)
        lifecycle.save_details(ctx, audit_id, overview="Summary", grade=grade,
                               auditor_rag="amber")
        lifecycle.submit(ctx, audit_id)
        ids.append(audit_id)
    world.clock.advance(hours=73)
    finalise_due(ctx)
    return ids


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def test_draw_is_a_seeded_share_and_tops_up(world: World, store: Store) -> None:
    audits = _finalised(world, 25)
    qa = world.as_user(world.qa)
    with pytest.raises(PermissionRefused, match="may not moderate"):
        moderation.select_for_moderation(world.as_user(world.auditor), seed=1)
    draw = moderation.select_for_moderation(qa, seed=7)
    assert (draw.eligible, draw.target, draw.already, len(draw.selected)) == (25, 3, 0, 3)
    again = moderation.select_for_moderation(qa, seed=99)
    assert (again.already, again.selected) == (3, [])
    more = moderation.select_for_moderation(qa, seed=7, share=0.2)
    assert len(more.selected) == 2
    chosen = {moderation.moderation_view(qa, m).audit_id for m in draw.selected}
    assert chosen <= set(audits)
    # The same seed on the same audits draws the same ones (reproducible).
    with store.transaction() as session:
        for row in session.scalars(select(Moderation)):
            row.deleted = True
    redraw = moderation.select_for_moderation(qa, seed=7)
    assert {moderation.moderation_view(qa, m).audit_id for m in redraw.selected} == chosen


def test_view_hides_the_first_grade_and_results_compare(world: World) -> None:
    _finalised(world, 4, grade="good")
    qa = world.as_user(world.qa)
    draw = moderation.select_for_moderation(qa, share=1.0, seed=3)
    assert len(draw.selected) == 4
    view = moderation.moderation_view(qa, draw.selected[0])
    fields = {f.name for f in dataclasses.fields(view)}
    assert "grade" not in fields
    assert "practice_grade" not in {a.code for a in view.answers}
    assert "good" not in {a.value for a in view.answers}
    assert json.loads(events_for(qa, "audit", view.audit_id)[-1].detail_json) == {
        "moderation": draw.selected[0]}
    own = _auditor_as_moderator(world)
    with pytest.raises(RuleViolation, match="your own audit"):
        moderation.moderation_view(own, draw.selected[0])
    with pytest.raises(RuleViolation, match="your own audit"):
        moderation.record_moderation(own, draw.selected[0], "good")
    for moderation_id, grade in zip(draw.selected, ("good", "good", "inadequate",
                                                    "requires_improvement"), strict=True):
        moderation.record_moderation(qa, moderation_id, grade, note="Checked")
    with pytest.raises(RuleViolation, match="already been moderated"):
        moderation.record_moderation(qa, draw.selected[0], "good")
    differ = moderation.moderation_results(qa, disagreements_only=True)
    assert {r.moderator_grade for r in differ} == {"inadequate", "requires_improvement"}
    assert all(r.audit_grade == "good" for r in differ)
    result = moderation.moderation_agreement(qa)
    assert result.pairs == 4 and result.percent == 0.5


def _auditor_as_moderator(world: World):  # type: ignore[no-untyped-def]
    from desktop.models import User

    with world.store.transaction() as session:
        user = session.get(User, world.auditor)
        assert user is not None
        user.roles = "auditor,moderator"
    return world.as_user(world.auditor)


USERS = ("u1", "u2", "u3")


@settings(max_examples=300, deadline=None)
@given(auditors=st.dictionaries(st.text("abcdef0123", min_size=1, max_size=3),
                                st.sampled_from(USERS), max_size=15),
       data=st.data(), moderator=st.sampled_from(USERS),
       wanted=st.integers(-2, 20), seed=st.integers(0, 2**32))
def test_a_draw_never_holds_the_moderators_own_audit(auditors: dict[str, str],
                                                       data: st.DataObject, moderator: str,
                                                       wanted: int, seed: int) -> None:
    drawn = data.draw(st.sets(st.sampled_from(sorted(auditors))) if auditors else st.just(set()))
    chosen, shortfall = moderation.draw_audits(auditors, drawn, moderator, wanted, seed)
    assert all(auditors[a] != moderator for a in chosen)
    assert set(chosen) <= set(auditors) - drawn and chosen == sorted(set(chosen))
    assert len(chosen) + shortfall == max(0, wanted)
    others = {a for a, auditor in auditors.items() if auditor != moderator and a not in drawn}
    assert shortfall == max(0, wanted - len(others))  # short only when nothing else is left
    assert moderation.draw_audits(auditors, drawn, moderator, wanted, seed) == (chosen,
                                                                                 shortfall)


def test_a_moderator_is_never_given_their_own_audits_and_is_told_the_shortfall(
        world: World, store: Store) -> None:
    """Every share and both moderators over a small period: 3 audits of one moderator's, 1
    of the other's, 1 of a plain auditor's."""
    by_moderator = {world.auditor: _finalised(world, 3), world.qa: []}
    by_moderator[world.qa] = _finalised(world, 1, auditor=world.qa)
    _finalised(world, 1, auditor=world.auditor2)
    moderators = {world.auditor: _auditor_as_moderator(world), world.qa: world.as_user(world.qa)}
    for user_id, ctx in moderators.items():
        own = len(by_moderator[user_id])
        for share in (0.2, 0.4, 0.6, 0.8, 1.0):
            for seed in range(3):
                draw = moderation.select_for_moderation(ctx, share=share, seed=seed)
                with store.transaction() as session:
                    auditors = list(session.scalars(
                        select(Audit.auditor_id).join(Moderation,
                                                      Moderation.audit_id == Audit.id)
                        .where(Moderation.id.in_(draw.selected))))
                    for row in session.scalars(select(Moderation)):
                        row.deleted = True  # the next draw starts afresh
                assert user_id not in auditors and len(auditors) == len(draw.selected)
                target = math.ceil(share * 5)
                assert (draw.eligible, draw.target, draw.own) == (5, target, own)
                assert draw.shortfall == max(0, target - (5 - own))
                assert len(draw.selected) + draw.shortfall == target
