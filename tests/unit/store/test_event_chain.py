"""The event log's hash chain is the same whether events are appended one by one or in bulk."""

from __future__ import annotations

from sqlalchemy import select

from desktop.models import Event
from desktop.store.events import NewEvent, chain_hash, record_event, record_events


def test_single_and_bulk_events_form_one_unbroken_chain(store) -> None:
    """Both paths number the entries and hash every column under the store's chain key."""
    with store.transaction() as session:
        record_event(session, user_id=None, action="create", entity="audit", entity_id="a1")
        record_event(session, user_id=None, action="view", entity="case", entity_id="c1",
                     detail={"screen": "case"})
    with store.transaction() as session:
        record_events(session, None, [NewEvent("create", "audit", f"a{n}", {"n": n})
                                      for n in range(2, 6)])
    with store.transaction() as session:
        record_event(session, user_id=None, action="change", entity="case", entity_id="c1")
    with store.read() as session:
        events = list(session.scalars(select(Event).order_by(Event.seq)))
    assert [e.entity_id for e in events] == ["a1", "c1", "a2", "a3", "a4", "a5", "c1"]
    assert [e.seq for e in events] == list(range(1, 8))
    previous = ""
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == chain_hash(
            store.chain_key, seq=event.seq, event_id=event.id, at=event.at.isoformat(),
            user_id=event.user_id, device_id=event.device_id, action=event.action,
            entity=event.entity, entity_id=event.entity_id, detail_json=event.detail_json,
            prev_hash=previous)
        previous = event.hash


def test_a_bulk_of_nothing_writes_nothing(store) -> None:
    with store.transaction() as session:
        record_events(session, None, [])
    with store.read() as session:
        assert session.scalars(select(Event)).first() is None
