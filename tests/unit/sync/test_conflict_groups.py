"""Conflicts as a person settles them: grouped by clash, in words, settled through the
ordinary rules, and the choice reaching the other laptop."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.errors import PermissionRefused, RuleViolation
from desktop.models import Action, Audit, Event, Sample, SampleItem, SyncConflict, new_id
from desktop.services import actions
from desktop.services.audits import lifecycle
from desktop.store import Store
from desktop.sync.conflicts import open_conflicts, settle
from tests.unit.sync.conflict_world import (
    Laptops,
    action_version,
    answer_clash,
    answer_of,
    clash,
    draft_audit,
    laptops,
    question_text,
)
from tests.unit.sync.helpers import records, until_quiet

WHEN = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$")


@pytest.fixture
def world(pair: tuple[Store, Store], share: Path) -> Laptops:
    return laptops(*pair, share)


def _settled_alike(world: Laptops) -> None:
    """After syncing until quiet, both laptops hold the same answers and conflicts."""
    until_quiet([world.a, world.b], world.share)
    on_a, on_b = records(world.a), records(world.b)
    for table in ("audit_answers", "actions", "sample_items", "sync_conflicts"):
        assert on_a[table] == on_b[table], table


def test_an_answer_clash_is_one_group_in_words_with_who_and_when(world: Laptops) -> None:
    audit_id = draft_audit(world)
    answer_clash(world, audit_id, "ra_in_place", "partly_met", "not_applicable")
    for store in (world.a, world.b):  # the same group, in the same words, on both
        [group] = open_conflicts(world.on(store, world.org.qa))
        assert group.kind == "Audit answer"
        assert group.case_ref == "SYN-0001"
        assert group.about == (f"Case SYN-0001, User auditor1's audit of 02/11/2026: "
                               f"{question_text(store, 'ra_in_place')}")
        assert (group.kept, group.other) == ("Not applicable", "Partly met")
        assert [f.label for f in group.fields] == ["Answer"]
        assert WHEN.match(group.kept_at) and WHEN.match(group.other_at)
    [on_a] = open_conflicts(world.on(world.a, world.org.qa))
    assert on_a.other_by == "User auditor1 (this computer)"  # A's own event log
    assert on_a.kept_by.startswith("User auditor1 (device ")  # the audit's auditor, on B
    # Nobody outside the audit's reach sees it: the second area's auditor.
    south = world.org.south_audit()
    with world.a.read() as session:
        south_auditor = session.scalar(select(Audit.auditor_id).where(Audit.id == south))
    assert open_conflicts(world.on(world.a, south_auditor)) == []
    assert open_conflicts(world.on(world.a, world.org.auditor2)) != []  # same area


def test_a_dropped_sample_item_is_one_conflict_settled_as_one(world: Laptops) -> None:
    org = world.org
    case_id = org.case()
    with world.a.transaction() as session:
        sample = Sample(id=new_id(), auditor_id=org.auditor, iso_week="2026-W45")
        session.add(sample)
        session.flush()
        item = SampleItem(id=new_id(), sample_id=sample.id, case_id=case_id,
                          stratum="amber")
        session.add(item)
        item_id = item.id
    world.sync()

    def drop(store: Store, reason: str, note: str, hour: int) -> None:
        with store.transaction() as session:
            found = session.get(SampleItem, item_id)
            assert found is not None
            found.status, found.drop_reason, found.drop_note = "dropped", reason, note
            found.dropped_at = dt.datetime(2026, 11, 2, hour, tzinfo=dt.UTC)

    def version(store: Store) -> str:
        with store.read() as session:
            return session.get(SampleItem, item_id).hlc  # type: ignore[union-attr]

    clash(world, lambda: drop(world.a, "closed_since_draw", "Closed on Friday.", 9),
          lambda: drop(world.b, "other", "Family moved away.", 11), version)
    with world.a.read() as session:
        assert len(session.scalars(select(SyncConflict)).all()) >= 2
    [group] = open_conflicts(world.on(world.a, org.auditor))
    assert group.kind == "Sample item"
    assert group.about == "Case SYN-0001 in User auditor1's sample for week 2026-W45"
    fields = {f.field: f for f in group.fields}
    assert {"drop_reason", "drop_note"} <= set(fields)
    assert fields["drop_reason"].other.value == "Closed since the draw"
    assert fields["drop_reason"].kept.value == "Other"
    assert "Why it was dropped: Closed since the draw" in group.other
    done = settle(world.on(world.a, org.auditor), group.id[:6], "other")
    assert done.written
    with world.a.read() as session:
        settled = session.get(SampleItem, item_id)
        assert settled is not None
        assert (settled.drop_reason, settled.drop_note) == ("closed_since_draw",
                                                            "Closed on Friday.")
        assert {c.status for c in session.scalars(select(SyncConflict))} == {"settled"}
        logged = session.scalars(select(Event).where(Event.entity == "sync_conflict")).all()
        assert len(logged) == len(group.fields)
    _settled_alike(world)
    assert open_conflicts(world.on(world.b, org.auditor)) == []
    with world.b.read() as session:
        assert session.get(SampleItem, item_id).drop_note == "Closed on Friday."  # type: ignore[union-attr]


def test_settling_other_then_keep_converges_on_both_laptops(world: Laptops) -> None:
    audit_id = draft_audit(world)
    auditor = world.org.auditor
    answer_clash(world, audit_id, "ra_in_place", "partly_met", "not_applicable")
    [group] = open_conflicts(world.on(world.a, auditor))
    settle(world.on(world.a, auditor), group.id, "other")
    assert answer_of(world.a, audit_id, "ra_in_place").value == "partly_met"
    assert open_conflicts(world.on(world.a, auditor)) == []
    _settled_alike(world)
    assert answer_of(world.b, audit_id, "ra_in_place").value == "partly_met"
    assert open_conflicts(world.on(world.b, auditor)) == []

    answer_clash(world, audit_id, "ra_quality", "partly_met", "not_applicable")
    [group] = open_conflicts(world.on(world.b, auditor))
    done = settle(world.on(world.b, auditor), group.id, "keep")
    assert not done.written
    _settled_alike(world)
    for store in (world.a, world.b):
        assert answer_of(store, audit_id, "ra_quality").value == "not_applicable"
        assert open_conflicts(world.on(store, world.org.qa)) == []


def test_the_other_value_of_a_submitted_audit_is_refused_as_an_edit_would_be(
        world: Laptops) -> None:
    audit_id = draft_audit(world)
    auditor = world.org.auditor
    answer_clash(world, audit_id, "ra_in_place", "partly_met", "not_applicable")
    lifecycle.submit(world.on(world.a, auditor), audit_id)
    [group] = open_conflicts(world.on(world.a, auditor))
    with pytest.raises(RuleViolation) as refused:
        settle(world.on(world.a, auditor), group.id, "other")
    assert refused.value.message == ("The other value cannot be used: the audit is open "
                                     "for comment; only a draft or a reopened audit can "
                                     "be edited.")
    with pytest.raises(PermissionRefused):  # another auditor may not settle it at all
        settle(world.on(world.a, world.org.auditor2), group.id, "keep")
    assert answer_of(world.a, audit_id, "ra_in_place").value == "not_applicable"
    settle(world.on(world.a, auditor), group.id, "keep")  # keeping edits nothing


def test_reviving_an_action_qa_cancelled_is_refused(world: Laptops) -> None:
    org = world.org
    case_id = org.case()
    with world.a.transaction() as session:
        action = Action(id=new_id(), case_id=case_id, owner_worker_id=org.worker.id,
                        description="Update the synthetic plan.", status="open")
        session.add(action)
        action_id = action.id
    world.sync()
    clash(world,
          lambda: actions.set_status(world.on(world.a, org.auditor), [action_id],
                                     "in_progress"),
          lambda: actions.set_status(world.on(world.b, org.qa), [action_id], "cancelled",
                                     reason="No longer needed."),
          action_version(action_id))
    [group] = open_conflicts(world.on(world.a, org.auditor))
    assert group.kind == "Action"
    assert group.about == ("Case SYN-0001, action for Worker One: Update the synthetic "
                           "plan.")
    assert (group.kept, group.other) == ("Cancelled", "In progress")
    with pytest.raises(RuleViolation) as refused:
        settle(world.on(world.a, org.auditor), group.id, "other")
    assert refused.value.message == ("The other value cannot be used: the action cannot "
                                     "go from cancelled to in progress.")
    with world.a.read() as session:
        assert session.get(Action, action_id).status == "cancelled"  # type: ignore[union-attr]
    assert len(open_conflicts(world.on(world.a, org.auditor))) == 1


def test_the_command_line_lists_as_json_and_settles_by_short_id(
        world: Laptops, capsys: pytest.CaptureFixture[str]) -> None:
    audit_id = draft_audit(world)
    answer_clash(world, audit_id, "ra_in_place", "partly_met", "not_applicable")
    db = str(world.a.path)
    capsys.readouterr()
    assert main(["sync", "conflicts", "--json", "--db", db]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["kind"] == "Audit answer" and listed["case_ref"] == "SYN-0001"
    assert question_text(world.a, "ra_in_place") in listed["about"]
    assert (listed["kept"], listed["other"]) == ("Not applicable", "Partly met")
    assert listed["fields"][0]["other"]["by"] == "User auditor1 (this computer)"
    assert main(["sync", "conflicts", "--db", db]) == 0
    text = capsys.readouterr().out
    assert listed["id"][:8] in text and "Partly met" in text
    assert main(["sync", "settle", listed["id"][:8], "sideways", "--db", db]) == 1
    assert main(["sync", "settle", listed["id"][:8], "other", "--db", db]) == 0
    assert "Partly met" in capsys.readouterr().out
    assert answer_of(world.a, audit_id, "ra_in_place").value == "partly_met"
    assert main(["sync", "conflicts", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out) == []
