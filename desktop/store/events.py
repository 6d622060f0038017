"""The event log: who viewed, changed, exported or printed what, by ids only.

Why hash-chained: a later issue makes the log tamper-evident; each entry already
carries the hash of the one before, so nothing has to be rebuilt then.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.base import new_id, utcnow
from desktop.models.log import Event
from desktop.store.changes import recorder_of


def record_event(session: Session, *, user_id: str | None, action: str, entity: str,
                 entity_id: str, detail: dict[str, Any] | None = None) -> Event:
    """Append an event in the caller's transaction. ``detail`` must hold codes and ids only."""
    recorder = recorder_of(session)
    session.flush()
    prev = session.scalar(select(Event.hash).order_by(Event.seq.desc()).limit(1)) or ""
    at = utcnow()
    detail_json = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))
    event = Event(id=new_id(), at=at, user_id=user_id, device_id=recorder.device_id,
                  action=action, entity=entity, entity_id=entity_id, detail_json=detail_json,
                  prev_hash=prev)
    payload = "|".join([prev, event.id, at.isoformat(), user_id or "", action, entity,
                        entity_id, detail_json])
    event.hash = hashlib.sha256(payload.encode()).hexdigest()
    session.add(event)
    return event
