"""get_live: a record by id, refused in one sentence when missing or tombstoned."""

from __future__ import annotations

import pytest

from desktop.errors import InputProblem
from desktop.models import ServiceArea
from desktop.services.records import get_live
from desktop.store import Store


def test_a_live_record_is_returned_and_a_missing_or_tombstoned_one_refused(
        store: Store) -> None:
    with store.transaction() as session:
        live = ServiceArea(name="Synthetic North")
        gone = ServiceArea(name="Synthetic South")
        session.add_all([live, gone])
    with store.transaction() as session:
        row = session.get(ServiceArea, gone.id)
        assert row is not None
        row.deleted = True
    with store.read() as session:
        assert get_live(session, ServiceArea, live.id, "service area").name == \
            "Synthetic North"
        with pytest.raises(InputProblem, match=rf"^no service area with id {gone.id}$"):
            get_live(session, ServiceArea, gone.id, "service area")
        with pytest.raises(InputProblem, match=r"^no service area with id nothing$"):
            get_live(session, ServiceArea, "nothing", "service area")
