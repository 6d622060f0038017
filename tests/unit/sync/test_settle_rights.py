"""Settling a sync conflict is an edit: those who may not edit are refused and logged."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.errors import PermissionRefused
from desktop.models import Event, SyncConflict
from desktop.store import Store
from desktop.sync.conflicts import open_conflicts, settle
from tests.unit.security.people import Org


def test_a_social_worker_may_not_settle_and_qa_may(store: Store) -> None:
    org = Org(store)
    case_id = org.case("red")
    with store.transaction() as session:
        conflict = SyncConflict(table_name="cases", record_id=case_id,
                                field="child_name", winner_version="1", loser_version="2",
                                winner_json='"A. Synthetic"', loser_json='"B. Synthetic"')
        session.add(conflict)
        session.flush()
        conflict_id = conflict.id
    [group] = open_conflicts(org.as_user(org.qa))
    assert [f.conflict_id for f in group.fields] == [conflict_id]
    with pytest.raises(PermissionRefused):
        settle(org.as_user(org.sw), group.id, "keep")
    with store.read() as session:
        refusals = session.scalars(select(Event).where(Event.action == "refuse")).all()
        assert len(refusals) == 1
    settle(org.as_user(org.qa), group.id[:8], "keep")
    assert open_conflicts(org.as_user(org.qa)) == []
