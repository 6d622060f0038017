"""What a push sends: the current state of each record changed since the last push.

Why not the change log itself: a 100,000-case import wrote 100,000 log rows, and a
record edited fifty times offline has fifty rows; sync needs only each record's state
now and the history of the fields that changed (their ancestry), so a first sync is one
pass over the data. Once a target holds them, the pushed log rows are deleted (the
newest is kept: opening a store restores the clock from it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from desktop.models import CaseEvent, Change, Meta, SyncApplied, SyncFieldVersion
from desktop.store.changes import insert_table_rows, to_json_value
from desktop.sync.bundle import RecordChange
from desktop.sync.merge import (
    ALL,
    compact,
    data_fields,
    joined,
    row_to_json,
    split,
    synced_models,
)

CHUNK = 500
#: ``SyncApplied.target`` of this device's own bundles (what a snapshot of it covers).
SENT = "sent"
FACTS_SENT = "sync.facts_sent"
FACT_COLUMNS = ("case_id", "kind", "occurred_on", "by", "worker_id", "rag_from", "rag_to",
                "origin", "note")


@dataclass
class Outgoing:
    changes: list[RecordChange] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    #: The newest change-log row included (everything up to it is sent by this push).
    last_seq: int = 0
    last_fact: int = 0
    histories: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.changes and not self.facts


#: Where the store keeps the last case-event number it gave (desktop/store/changes.py).
FACTS_GIVEN = f"{CaseEvent.__tablename__}.seq"
Reader = Session | Connection


def pending_count(session: Reader) -> int:
    return session.scalar(select(func.count()).select_from(Change).where(
        Change.pushed_at.is_(None))) or 0


def collect(session: Reader) -> Outgoing:
    """Everything to push; with nothing to push, two small lookups and no scan."""
    out = Outgoing()
    models = synced_models()
    marks = dict(session.execute(select(Meta.key, Meta.value).where(
        Meta.key.in_([FACTS_SENT, FACTS_GIVEN]))).all())
    after = int(marks.get(FACTS_SENT) or 0)
    given = marks.get(FACTS_GIVEN)
    if given is None or int(given) > after:  # new case events (or not known: look)
        _collect_facts(session, out, after)
    if session.scalar(select(Change.seq).where(Change.pushed_at.is_(None)).limit(1)) is None:
        return out
    touched: dict[tuple[str, str], dict[str, list[str]]] = {}
    for seq, table, record_id, op, version, fields_json in session.execute(
            select(Change.seq, Change.table_name, Change.record_id, Change.op, Change.version,
                   Change.fields_json).where(Change.pushed_at.is_(None)).order_by(Change.seq)):
        out.last_seq = seq
        model = models.get(table)
        if model is None:
            continue
        fields = touched.setdefault((table, record_id), {})
        # An insert writes every field: one entry stands for all (ALL), see below.
        for name in (ALL,) if op == "insert" else json.loads(fields_json):
            fields.setdefault(name, []).append(version)
    by_table: dict[str, list[str]] = {}
    for table, record_id in touched:
        by_table.setdefault(table, []).append(record_id)
    for table, ids in by_table.items():
        model = models[table]
        columns = model.__table__  # type: ignore[attr-defined]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            stored: dict[str, dict[str, list[str]]] = {}
            for record_id, name, history in session.execute(
                    select(SyncFieldVersion.record_id, SyncFieldVersion.field,
                           SyncFieldVersion.history).where(
                        SyncFieldVersion.table_name == table,
                        SyncFieldVersion.record_id.in_(chunk))):
                stored.setdefault(record_id, {})[name] = split(history)
            every = set(data_fields(model))
            for row in session.execute(select(columns).where(columns.c.id.in_(chunk))
                                       ).mappings().all():
                fields = touched[(table, row["id"])]
                known = stored.get(row["id"], {})
                histories, names = _histories(fields, known, every)
                out.histories[(table, row["id"])] = histories
                out.changes.append(RecordChange(
                    table=table, id=row["id"], version=row["hlc"], device=row["device_id"],
                    fields=names, row=row_to_json(row), field_versions=histories))
    return out


def _collect_facts(session: Reader, out: Outgoing, after: int) -> None:
    for row in session.execute(select(CaseEvent.seq, *[getattr(CaseEvent, c)
                                                       for c in FACT_COLUMNS])
                               .where(CaseEvent.seq > after).order_by(CaseEvent.seq)):
        out.last_fact = row[0]
        out.facts.append({c: to_json_value(v) for c, v in zip(FACT_COLUMNS, row[1:],
                                                               strict=True)})


def _histories(fields: dict[str, list[str]], known: dict[str, list[str]], every: set[str]
                ) -> tuple[dict[str, str], dict[str, str]]:
    """The histories to send for a record's pending ``fields``, and the fields named.

    A record sent whole (an insert among its changes, or every field changed) is named
    :data:`ALL` with one history for its fields and only those that differ on their own.
    """
    whole = known.get(ALL, [])
    inserted = fields.get(ALL)
    if inserted is not None:
        common = joined(whole, inserted)
        histories = {name: joined(known.get(name, []), split(common), versions)
                     for name, versions in fields.items() if name != ALL}
        return {ALL: common, **histories}, {ALL: ""}
    histories = {name: joined(known.get(name, whole), versions)
                 for name, versions in fields.items()}
    if set(fields) == every:
        return compact(histories), {ALL: ""}
    return histories, {name: "" for name in fields}


def mark_sent(session: Session, out: Outgoing, at: Any, bundle_id: str = "") -> None:
    """After the target holds ``out``: keep the field histories, drop the sent log rows,
    and remember the bundle (a snapshot of this store names what it holds)."""
    keep_histories(session, out.histories)
    if bundle_id and session.get(SyncApplied, bundle_id) is None:
        session.add(SyncApplied(bundle_id=bundle_id, target=SENT, applied_at=at,
                                changes=len(out.changes)))
    if out.last_seq:
        newest = session.scalar(select(func.max(Change.seq)))
        session.execute(delete(Change).where(Change.seq <= out.last_seq,
                                             Change.seq != newest))
        session.execute(update(Change).where(Change.seq <= out.last_seq)
                        .values(pushed_at=at))
    if out.last_fact:
        if session.get(Meta, FACTS_SENT) is None:
            session.add(Meta(key=FACTS_SENT, value=str(out.last_fact)))
        else:
            session.execute(update(Meta).where(Meta.key == FACTS_SENT)
                            .values(value=str(out.last_fact)))


def keep_histories(session: Session, histories: dict[tuple[str, str], dict[str, str]]) -> None:
    """Store the histories sent, a chunk of records at a time.

    A record sent whole (its histories hold :data:`ALL`) replaces every row it had; one
    sent in part replaces the rows of the fields it names.
    """
    items = list(histories.items())
    for start in range(0, len(items), CHUNK):
        chunk = items[start:start + CHUNK]
        whole = [(t, r) for (t, r), h in chunk if ALL in h]
        parts = [(t, r, f) for (t, r), h in chunk if ALL not in h for f in h]
        if whole:
            session.execute(delete(SyncFieldVersion).where(tuple_(
                SyncFieldVersion.table_name, SyncFieldVersion.record_id).in_(whole)))
        if parts:
            session.execute(delete(SyncFieldVersion).where(tuple_(
                SyncFieldVersion.table_name, SyncFieldVersion.record_id,
                SyncFieldVersion.field).in_(parts)))
        insert_table_rows(session, SyncFieldVersion.__table__, [
            {"table_name": t, "record_id": r, "field": f, "history": h}
            for (t, r), fields in chunk for f, h in fields.items()])
