"""The event log's hash chain is the same whether events are appended one by one or in bulk."""

from __future__ import annotations

from sqlalchemy import select

from desktop.models import Event
from desktop.store.events import NewEvent, _chain_hash, record_event, record_events


def test_single_and_bulk_events_form_one_unbroken_chain(store) -> None:
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
    previous = ""
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == _chain_hash(previous, event.id, event.at.isoformat(),
                                         event.user_id, event.action, event.entity,
                                         event.entity_id, event.detail_json)
        previous = event.hash


def test_a_bulk_of_nothing_writes_nothing(store) -> None:
    with store.transaction() as session:
        record_events(session, None, [])
    with store.read() as session:
        assert session.scalars(select(Event)).first() is None
