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
    with pytest.raises(PermissionRefused):
        settle(org.as_user(org.sw), conflict_id, keep_other=False)
    with store.read() as session:
        refusals = session.scalars(select(Event).where(Event.action == "refuse")).all()
        assert len(refusals) == 1
    assert [c.id for c in open_conflicts(org.as_user(org.qa))] == [conflict_id]
    settle(org.as_user(org.qa), conflict_id, keep_other=False)
    assert open_conflicts(org.as_user(org.qa)) == []
