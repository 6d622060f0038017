"""The moderator's list (blind until graded), the outcome beside the first grade, and the
agreement per auditor."""

from __future__ import annotations

import pytest

from desktop.errors import RuleViolation
from desktop.models import User
from desktop.services.audits import moderation
from desktop.services.statistics.agreement import GRADE_SCALE, agreement
from desktop.store import Store
from tests.unit.services.audits.test_moderation import _finalised
from tests.unit.services.audits.world import World, make_world


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def _graded(world: World) -> dict[str, str]:
    """Audits by both auditors with a spread of grades: audit id -> first grade."""
    firsts: dict[str, str] = {}
    for auditor, grades in ((world.auditor, ("good", "good", "inadequate", "outstanding")),
                            (world.auditor2, ("requires_improvement", "good", "inadequate"))):
        for grade in grades:
            for audit_id in _finalised(world, 1, grade=grade, auditor=auditor):
                firsts[audit_id] = grade
    return firsts


def test_the_list_is_blind_until_the_grade_is_saved(world: World) -> None:
    firsts = _graded(world)
    qa = world.as_user(world.qa)
    draw = moderation.select_for_moderation(qa, share=1.0, seed=5)
    items = moderation.moderation_items(qa)
    assert {i.audit_id for i in items} == set(firsts)
    assert all(not i.done and i.audit_grade is None for i in items)
    assert {i.auditor for i in items} == {"User auditor1", "User auditor2"}
    first = items[0]
    with pytest.raises(RuleViolation, match="once your own grade is saved"):
        moderation.moderation_outcome(qa, first.moderation_id)
    moderation.record_moderation(qa, first.moderation_id, "requires_improvement")
    outcome = moderation.moderation_outcome(qa, first.moderation_id)
    assert (outcome.audit_grade, outcome.moderator_grade) == (firsts[first.audit_id],
                                                              "requires_improvement")
    after = moderation.moderation_items(qa)
    assert [i.done for i in after] == [False] * (len(draw.selected) - 1) + [True]
    assert after[-1].audit_grade == firsts[first.audit_id]
    # An auditor who also moderates never sees their own audits in the list.
    with world.store.transaction() as session:
        user = session.get(User, world.auditor2)
        assert user is not None
        user.roles = "auditor,moderator"
    theirs = moderation.moderation_items(world.as_user(world.auditor2))
    own = {i.audit_id for i in items if i.auditor == "User auditor2"}
    assert own and not own & {i.audit_id for i in theirs}
    assert all(not i.done for i in theirs), "another moderator's graded ones are not theirs"


def test_agreement_per_auditor(world: World) -> None:
    firsts = _graded(world)
    qa = world.as_user(world.qa)
    draw = moderation.select_for_moderation(qa, share=1.0, seed=5)
    regrade = {"good": "good", "inadequate": "requires_improvement",
               "outstanding": "good", "requires_improvement": "requires_improvement"}
    by_auditor: dict[str, list[tuple[str, str]]] = {}
    for item in moderation.moderation_items(qa):
        moderation.record_moderation(qa, item.moderation_id, regrade[firsts[item.audit_id]])
        by_auditor.setdefault(item.auditor, []).append(
            (firsts[item.audit_id], regrade[firsts[item.audit_id]]))
    assert len(draw.selected) == len(firsts)
    table = moderation.agreement_by_auditor(qa)
    assert [row.auditor for row in table] == ["User auditor1", "User auditor2"]
    for row in table:
        expected = agreement(by_auditor[row.auditor], GRADE_SCALE)
        assert row.agreement.pairs == len(by_auditor[row.auditor])
        assert row.agreement.percent == expected.percent
        assert row.agreement.linear.kappa == pytest.approx(expected.linear.kappa)
    assert table[0].agreement.percent == 0.5  # good, good agree; inadequate, outstanding not
    assert table[0].agreement.linear.kappa is not None
