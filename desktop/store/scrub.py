"""Taking a purged value out of the copies the store keeps besides the record itself.

Why: a retention purge (desktop/services/retention.py) blanks a child's name and the
texts about them in the records, but the store holds older copies of those values too:

- the change log (``change_log.fields_json``): every update row holds the new values
  of the fields it changed, so each earlier name of the child is there, pushed or not;
- sync's conflicts (``sync_conflicts.winner_json`` / ``loser_json``): both values of a
  field where two laptops' edits met;
- the pages SQLite has not yet overwritten: the write-ahead log keeps earlier versions
  of each page until a checkpoint (freed pages are zeroed by ``secure_delete``).

``sync_field_versions`` holds versions only, never a value, and the event log ids and
codes only, so neither needs this.

What sync needs: the change-log rows are rewritten, not removed: each keeps its
version, so another laptop that has not yet received it still merges it in order, but
it now carries the blanked value. The purge's own rows are left pending, so it reaches
every other laptop, which blanks its own copy of the records.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from desktop.models.log import Change
from desktop.store.changes import RECORD_ITSELF, to_json_value

if TYPE_CHECKING:
    from desktop.store.database import Store

#: Record ids per statement (SQLite's limit on bound parameters is far above it).
CHUNK = 500

#: ``(table name, record id) -> {field: the value it now holds}``.
Blanked = Mapping[tuple[str, str], Mapping[str, Any]]


def scrub_change_log(session: Session, blanked: Blanked) -> int:
    """Rewrite every change-log row of the records in ``blanked`` so that each of those
    fields holds its blanked value; the number of rows rewritten (in the caller's
    transaction, after the purge's own changes are flushed)."""
    by_table: dict[str, dict[str, dict[str, Any]]] = {}
    for (table, record_id), fields in blanked.items():
        by_table.setdefault(table, {})[record_id] = {
            name: to_json_value(value) for name, value in fields.items()}
    rewritten: list[dict[str, Any]] = []
    for table, records in by_table.items():
        ids = sorted(records)
        for start in range(0, len(ids), CHUNK):
            rows = session.execute(select(Change.seq, Change.record_id, Change.fields_json)
                                   .where(Change.table_name == table,
                                          Change.record_id.in_(ids[start:start + CHUNK]),
                                          Change.fields_json != RECORD_ITSELF)).all()
            for seq, record_id, fields_json in rows:
                fields = json.loads(fields_json)
                wanted = {name: value for name, value in records[record_id].items()
                          if name in fields and fields[name] != value}
                if wanted:
                    fields.update(wanted)
                    rewritten.append({"b_seq": seq, "p_fields": json.dumps(
                        fields, separators=(",", ":"), sort_keys=True)})
    if rewritten:
        log = Change.__table__
        session.connection().execute(
            update(log).where(log.c.seq == bindparam("b_seq"))
            .values(fields_json=bindparam("p_fields")), rewritten)
    return len(rewritten)


def checkpoint(store: Store) -> None:
    """Copy the write-ahead log into the file and empty it, so that the earlier page
    images it held (with the values just blanked) are gone from the disk too.

    Best effort: another process reading the store keeps the log's frames for a while;
    they go at its next checkpoint.
    """
    with store.engine.connect() as conn, contextlib.suppress(Exception):
        # Through the driver: the connection's own BEGIN would make it a no-op.
        raw = conn.connection.dbapi_connection
        if raw is not None:  # None only once the connection is invalidated
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
