"""What a push sends: the current state of each record changed since the last push.

Why not the change log itself: a 100,000-case import wrote 100,000 log rows, and a
record edited fifty times offline has fifty rows; sync needs only each record's state
now and the history of the fields that changed (their ancestry), so a first sync is one
pass over the data. Once a target holds them, the pushed log rows are deleted (the
newest is kept: opening a store restores the clock from it).

Per target (issue 21, item 3): what each target holds is kept in ``sync_targets``. A
store's first target is taken to hold what it was sent; a target met beside another
one lacks everything, and its first push sends every record whole (with its field
histories, as a snapshot does). While a store has more than one target, the records
one target delivered or was sent are noted in ``sync_outbox`` and relayed whole to the
others, never back to where they came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, select, tuple_, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop.models import (
    CaseEvent,
    Change,
    Meta,
    SyncApplied,
    SyncFactOrigin,
    SyncFieldVersion,
    SyncOutbox,
    SyncTarget,
)
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


#: ``store_meta``: the last number given to a ``sync_outbox`` row.
OUTBOX_SEQ = "sync.outbox.seq"


@dataclass
class Delivery:
    """What one target holds of this store, as read at the start of a sync.

    ``target`` is its identity (``sync_targets.target``); ``known`` says it has a row
    yet. ``others`` gives every other target that holds a known part of this store
    (not owed a whole push) with its ``relay_seq``: while there is one, what this target
    delivers, or is sent first, is noted for them in ``sync_outbox``.
    """

    target: str
    label: str
    known: bool = False
    fact_seq: int = 0
    relay_seq: int = 0
    whole: bool = False
    others: dict[str, int] = field(default_factory=dict)

    def holders(self, relay_seq: int | None = None) -> dict[str, int]:
        """Every target but those owed a whole push, with what it has been relayed."""
        mine = self.relay_seq if relay_seq is None else relay_seq
        return {**self.others, self.target: mine}


@dataclass
class Outgoing:
    changes: list[RecordChange] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    #: The newest change-log row included (everything up to it is sent by this push).
    last_seq: int = 0
    last_fact: int = 0
    histories: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    #: After this push the target holds every case event up to this number, and every
    #: record noted in the outbox up to ``relay_upto``; ``whole``: every record was sent.
    facts_upto: int = 0
    relay_upto: int = 0
    whole: bool = False
    #: Something to record for the target even with nothing to send (a whole push of a
    #: store with no records, relays that were all its own).
    advances: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes and not self.facts


#: Where the store keeps the last case-event number it gave (desktop/store/changes.py).
FACTS_GIVEN = f"{CaseEvent.__tablename__}.seq"
Reader = Session | Connection


def pending_count(session: Reader) -> int:
    return session.scalar(select(func.count()).select_from(Change).where(
        Change.pushed_at.is_(None))) or 0


def read_delivery(session: Reader, target: str, label: str) -> Delivery:
    """What ``target`` holds of this store. A target without a row is either this
    store's first (taken to hold what was sent before, as stores did before per-target
    delivery: the case events up to ``sync.facts_sent``) or one met beside another,
    which lacks everything (``whole``)."""
    rows = session.execute(select(SyncTarget.target, SyncTarget.fact_seq,
                                  SyncTarget.relay_seq, SyncTarget.whole)).all()
    others = {t: r for t, _, r, w in rows if t != target and not w}
    for name, fact_seq, relay_seq, whole in rows:
        if name == target:
            return Delivery(target, label, True, fact_seq, relay_seq, whole, others)
    if rows:
        return Delivery(target, label, False, 0, 0, True, others)
    sent = session.scalar(select(Meta.value).where(Meta.key == FACTS_SENT))
    return Delivery(target, label, False, int(sent or 0), 0, False, others)


def remember_target(session: Session, delivery: Delivery, at: Any) -> None:
    """Give a target met for the first time its row (before anything is sent to it)."""
    if session.get(SyncTarget, delivery.target) is None:
        session.add(SyncTarget(target=delivery.target, label=delivery.label[:200],
                               fact_seq=delivery.fact_seq, relay_seq=delivery.relay_seq,
                               whole=delivery.whole, first_at=at, last_at=at))


def collect(session: Reader, delivery: Delivery | None = None) -> Outgoing:
    """Everything to push to the target ``delivery`` describes (None: as if it held
    everything sent before); with nothing to push, a few small lookups and no scan."""
    out = Outgoing()
    models = synced_models()
    marks = dict(session.execute(select(Meta.key, Meta.value).where(
        Meta.key.in_([FACTS_SENT, FACTS_GIVEN, OUTBOX_SEQ]))).all())
    after = delivery.fact_seq if delivery is not None else int(marks.get(FACTS_SENT) or 0)
    given = marks.get(FACTS_GIVEN)
    if given is None or int(given) > after:  # new case events (or not known: look)
        came: list[tuple[int, int]] = []
        if delivery is not None:  # never back to the target they came from
            came = [(int(a), int(b)) for a, b in session.execute(
                select(SyncFactOrigin.first_seq, SyncFactOrigin.last_seq).where(
                    SyncFactOrigin.origin == delivery.target,
                    SyncFactOrigin.last_seq > after))]
        _collect_facts(session, out, after, came)
    out.facts_upto = max(after, out.last_fact, int(given or 0))
    relay: dict[str, list[str]] | None = {}
    if delivery is not None:
        counter = int(marks.get(OUTBOX_SEQ) or 0)
        out.relay_upto = max(counter, delivery.relay_seq)
        out.whole = delivery.whole
        if delivery.whole:
            relay = None  # every record
        elif counter > delivery.relay_seq:
            relay = {}
            for table, record_id in session.execute(
                    select(SyncOutbox.table_name, SyncOutbox.record_id).where(
                        SyncOutbox.seq > delivery.relay_seq,
                        SyncOutbox.origin != delivery.target)):
                relay.setdefault(table, []).append(record_id)
        out.advances = (delivery.whole or not delivery.known
                        or out.relay_upto > delivery.relay_seq
                        or out.facts_upto > delivery.fact_seq)
    if session.scalar(select(Change.seq).where(Change.pushed_at.is_(None)).limit(1)) is None:
        if relay is None or relay:
            out.changes += whole_changes(session, relay, set())
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
    if relay is None or relay:
        out.changes += whole_changes(session, relay, set(touched))
    return out


def whole_changes(session: Reader, only: dict[str, list[str]] | None,
                  skip: set[tuple[str, str]]) -> list[RecordChange]:
    """Records sent whole, with every field's history: those ``only`` names by table
    (None: every record, as a snapshot or a new target's first push), but ``skip``
    (records whose pending changes go with their own histories)."""
    models = synced_models()
    changes: list[RecordChange] = []
    everything = only is None
    stored: dict[tuple[str, str], dict[str, str]] = {}
    if everything:
        for table, record_id, name, history in session.execute(select(
                SyncFieldVersion.table_name, SyncFieldVersion.record_id,
                SyncFieldVersion.field, SyncFieldVersion.history)):
            stored.setdefault((table, record_id), {})[name] = history
    for name, model in models.items():
        if not everything and name not in (only or {}):
            continue
        table = model.__table__  # type: ignore[attr-defined]
        if everything:
            chunks: list[list[Any]] = [[]]
        else:
            ids = sorted(set((only or {})[name]))
            chunks = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
        for chunk in chunks:
            query = select(table)
            if not everything:
                query = query.where(table.c.id.in_(chunk))
                for record_id, field_name, history in session.execute(
                        select(SyncFieldVersion.record_id, SyncFieldVersion.field,
                               SyncFieldVersion.history).where(
                            SyncFieldVersion.table_name == name,
                            SyncFieldVersion.record_id.in_(chunk))):
                    stored.setdefault((name, record_id), {})[field_name] = history
            for row in session.execute(query).mappings().all():
                if (name, row["id"]) in skip:
                    continue
                histories = stored.get((name, row["id"])) or {ALL: row["hlc"]}
                changes.append(RecordChange(
                    name, row["id"], row["hlc"], row["device_id"], {ALL: ""},
                    row_to_json(row),
                    histories if ALL in histories else compact(histories)))
    return changes


def _collect_facts(session: Reader, out: Outgoing, after: int,
                   came: list[tuple[int, int]]) -> None:
    """The case events after number ``after``, but the runs ``came`` (received from the
    target being pushed to)."""
    for row in session.execute(select(CaseEvent.seq, *[getattr(CaseEvent, c)
                                                       for c in FACT_COLUMNS])
                               .where(CaseEvent.seq > after,
                                      *[~CaseEvent.seq.between(a, b) for a, b in came])
                               .order_by(CaseEvent.seq)):
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


def mark_sent(session: Session, out: Outgoing, at: Any, bundle_id: str = "",
              delivery: Delivery | None = None) -> None:
    """After the target holds ``out``: keep the field histories, drop the sent log rows,
    remember the bundle (a snapshot of this store names what it holds), and record what
    the target now holds; with other targets, what it was sent first is noted for
    them."""
    keep_histories(session, out.histories)
    if delivery is not None:
        delivered(session, out, delivery, at)
        if delivery.others and out.histories:
            note_outbox(session, list(out.histories), delivery.target,
                        delivery.holders(out.relay_upto))
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


def delivered(session: Session, out: Outgoing, delivery: Delivery, at: Any) -> None:
    """Record that the target of ``delivery`` holds what ``out`` sent (or had to send)."""
    session.execute(update(SyncTarget).where(SyncTarget.target == delivery.target).values(
        fact_seq=max(out.facts_upto, delivery.fact_seq),
        relay_seq=max(out.relay_upto, delivery.relay_seq), whole=False, last_at=at))
    prune_outbox(session, delivery.holders(max(out.relay_upto, delivery.relay_seq)))
    passed = session.scalar(select(func.min(SyncTarget.fact_seq)))
    if passed:  # runs of received events every target has passed
        session.execute(delete(SyncFactOrigin).where(SyncFactOrigin.last_seq <= passed))


def received_facts(session: Session, first: int, last: int, origin: str) -> None:
    """Case events ``first`` to ``last`` came from target ``origin``: never sent back to
    it. A target that held every event before them holds these too (no scan later)."""
    if last < first:
        return
    before = session.scalars(select(SyncFactOrigin).where(
        SyncFactOrigin.last_seq == first - 1, SyncFactOrigin.origin == origin)).first()
    if before is not None:
        before.last_seq = last
    else:
        session.add(SyncFactOrigin(first_seq=first, last_seq=last, origin=origin))
    session.execute(update(SyncTarget).where(SyncTarget.target == origin,
                                             SyncTarget.fact_seq >= first - 1)
                    .values(fact_seq=last))


def note_outbox(session: Session, keys: list[tuple[str, str]], origin: str,
                holders: dict[str, int]) -> None:
    """Note that records ``keys`` changed here, and that target ``origin`` holds them
    (it sent them, or was sent them first): relayed to every other target.

    A record still waiting for some target to receive an earlier change from elsewhere
    is then owed to every target, ``origin`` too (its state here now merges both).
    """
    if not keys:
        return
    current = int(session.scalar(select(Meta.value).where(Meta.key == OUTBOX_SEQ)) or 0)
    seq = current + 1
    if session.get(Meta, OUTBOX_SEQ) is None:
        session.add(Meta(key=OUTBOX_SEQ, value=str(seq)))
    else:
        session.execute(update(Meta).where(Meta.key == OUTBOX_SEQ).values(value=str(seq)))
    unique = sorted(set(keys))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start:start + CHUNK]
        held = {(t, r): (s, o) for t, r, s, o in session.execute(select(
            SyncOutbox.table_name, SyncOutbox.record_id, SyncOutbox.seq, SyncOutbox.origin
        ).where(tuple_(SyncOutbox.table_name, SyncOutbox.record_id).in_(chunk)))}
        rows = []
        for key in chunk:
            before = held.get(key)
            owed = before is not None and before[1] != origin and any(
                relay < before[0] for name, relay in holders.items() if name != before[1])
            rows.append({"table_name": key[0], "record_id": key[1], "seq": seq,
                         "origin": "" if owed else origin})
        statement = sqlite_insert(SyncOutbox)
        session.execute(statement.on_conflict_do_update(
            index_elements=["table_name", "record_id"],
            set_={"seq": statement.excluded.seq, "origin": statement.excluded.origin}), rows)


def prune_outbox(session: Session, holders: dict[str, int]) -> None:
    """Remove the outbox rows every target holds (all of them with one target left)."""
    origins = list(session.scalars(select(SyncOutbox.origin).distinct()))
    for origin in origins:
        others = [relay for name, relay in holders.items() if name != origin]
        query = delete(SyncOutbox).where(SyncOutbox.origin == origin)
        if others:
            query = query.where(SyncOutbox.seq <= min(others))
        session.execute(query)


def pending_for(session: Reader, delivery: Delivery) -> int:
    """What a target lacks of this store: changes not sent anywhere yet, the records to
    relay to it, and, when it is owed a whole push, every record."""
    pending = pending_count(session)
    if delivery.whole:
        for model in synced_models().values():
            pending += session.scalar(select(func.count()).select_from(model)) or 0
    elif delivery.others or delivery.relay_seq:
        pending += session.scalar(select(func.count()).select_from(SyncOutbox).where(
            SyncOutbox.seq > delivery.relay_seq,
            SyncOutbox.origin != delivery.target)) or 0
    return pending
