"""Applying another device's changes: field by field, by ancestry, losers kept.

The rule (docs/sync.md, 'Merge'): every field of every record keeps the versions it
has had (its history). A received field whose history holds this store's version was
written after seeing it: it is taken. One whose version this store's history already
holds is old news: nothing to do. Otherwise the two were written without seeing each
other (concurrent): the later hybrid logical clock wins (the clock's text ends with the
device, so there are no ties), and the losing value is kept as a :class:`SyncConflict`
for a person to settle, unless both wrote the same value. The merged history is the
union of both, so every device reaches the same value whatever order bundles arrive in.

Sets kept as comma-joined text (a case's flags, a user's roles) merge concurrent edits
as their union, so two additions made apart are both kept.

Bookkeeping fields (:data:`BOOKKEEPING`: when a standards version took effect, when and
how a week's sample was drawn, when a case was claimed, a sort position) are merged
like any other field, the later clock winning, but the losing value is not kept as a
conflict: no person could choose between two such values, and every device showed
meaningless conflicts on them (issue 21).

A delete is the field ``deleted``; a delete never silently beats a later edit: when a
record would end deleted while another of its fields was written later than the
delete, it stays alive and the delete is kept as a conflict.

Why Core statements and not the ORM: received values keep their own versions and
devices and never enter this store's change log; the recorder's flush hook is for
local edits. Conflicts, on the other hand, are made with the ORM: they are this
device's new records and sync onwards like any other.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Date, insert, select, update
from sqlalchemy.orm import Session

from desktop.models import Base, Change, SyncConflict, Synced, SyncFieldVersion
from desktop.models.base import UTCDateTime, utcnow
from desktop.models.identity import APP, natural_id
from desktop.store.changes import insert_table_rows, recorder_of, to_json_value
from desktop.sync.bundle import RecordChange

#: Comma-joined sets: concurrent edits merge as the union, not as one value.
SET_FIELDS = frozenset({("cases", "flags"), ("users", "roles")})
#: Fields that never matter to a person: concurrent values merge by the later clock with
#: no conflict kept. Why each: the same standards settings saved on two laptops are one
#: version (a natural id) whose moment and label differ only by when each saved it; the
#: same week drawn on two laptops is one sample (a natural id) with two draws' stamps
#: and seeds, and items (natural ids) whose draw details and positions differ by draw,
#: with one claim per auditor, case and week (a natural id) stamped by each; a position
#: is a sort hint. Fields written together in one change carry one version, so the later
#: clock takes them all from the same side: a draw's seed and its criteria stay together.
BOOKKEEPING = frozenset({
    ("standards_versions", "effective_from"), ("standards_versions", "number"),
    ("samples", "drawn_at"), ("samples", "seed"), ("samples", "criteria_json"),
    ("samples", "shortfalls_json"),
    ("sample_items", "position"), ("sample_items", "reason"), ("sample_items", "stratum"),
    ("sample_items", "rag_at_draw"), ("sample_items", "selection_probability"),
    ("sample_items", "design_stratum"),
    ("claims", "claimed_at"), ("claims", "sample_item_id"),
    ("actions", "position"),
})
#: Records applied together (one lookup of which are here already, one insert of the rest).
CHUNK = 500
#: Versions kept per field (older ones are far behind every device in practice).
HISTORY = 64
#: In a change's ``fields``: every field; in histories: the history of every field not
#: named on its own (a record sent whole, an insert, would otherwise repeat one history
#: for each of its fields, in the bundle and in ``sync_field_versions``).
ALL = "*"


def compact(histories: dict[str, str]) -> dict[str, str]:
    """Every field's history, the commonest one once as :data:`ALL`."""
    if not histories:
        return {}
    counts: dict[str, int] = {}
    for history in histories.values():
        counts[history] = counts.get(history, 0) + 1
    common = max(counts, key=lambda h: (counts[h], h))
    out = {ALL: common}
    out.update({f: h for f, h in histories.items() if h != common})
    return out


def received(histories: dict[str, str], change: RecordChange) -> dict[str, str]:
    """The histories to keep for a record first made from ``change``: compacted when the
    change holds every field; otherwise only the fields it names (the others' history is
    not known here, which later merges read as "nothing seen")."""
    return compact(histories) if ALL in change.fields else histories


def field_names(model: type[Synced], fields: Iterable[str]) -> list[str]:
    """The fields a change names (:data:`ALL` for every one)."""
    names = list(fields)
    return data_fields(model) if ALL in names else names


@functools.cache
def synced_models() -> dict[str, type[Synced]]:
    """Every synced table by name, parents before children (the order of foreign keys).

    Made once (the mapping does not change while the program runs); do not modify."""
    order = {t.name: n for n, t in enumerate(Base.metadata.sorted_tables)}
    models = {m.tables[0].name: m.class_ for m in Base.registry.mappers
              if issubclass(m.class_, Synced)}
    return dict(sorted(models.items(), key=lambda kv: order[kv[0]]))


def data_fields(model: type[Synced]) -> list[str]:
    """The fields a change may carry: every column but the id and the sync stamps."""
    return list(_data_fields(cast(Any, model)))  # a mapped class: hashable


@functools.cache
def _data_fields(model: type[Any]) -> tuple[str, ...]:
    return tuple(c.key for c in model.__table__.columns
                 if c.key != "id" and c.key not in Synced.SYNC_COLUMNS)


def row_to_json(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {k: to_json_value(v) for k, v in row.items()}


def value_from_json(model: type[Synced], key: str, value: Any) -> Any:
    if value is None:
        return None
    kind = model.__table__.c[key].type  # type: ignore[attr-defined]
    if isinstance(kind, UTCDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    return value


@functools.cache
def _converters(model: type[Any]) -> tuple[tuple[str, ...],
                                              tuple[tuple[str, Any], ...]]:
    """``model``'s columns, and those whose JSON value needs converting (as
    :func:`value_from_json` does) with the converter: looked up once per model."""
    dated: list[tuple[str, Callable[[str], object]]] = []
    for column in model.__table__.columns:
        if isinstance(column.type, UTCDateTime):
            dated.append((column.key, dt.datetime.fromisoformat))
        elif isinstance(column.type, Date):
            dated.append((column.key, dt.date.fromisoformat))
    return (tuple(c.key for c in model.__table__.columns),
            tuple(dated))


def _histories(model: type[Synced], stored_rows: Iterable[tuple[str, str]],
               pending_rows: Iterable[tuple[str, str, str]]) -> dict[str, list[str]]:
    """Each field's history from its stored rows (field, history) and the changes made
    here and not yet sent (op, version, fields as JSON)."""
    stored = {f: split(h) for f, h in stored_rows}
    every = stored.pop(ALL, [])
    found = {f: list(stored.get(f, every)) for f in data_fields(model)
             if f in stored or every}
    for op, version, fields_json in pending_rows:
        names = data_fields(model) if op == "insert" else list(json.loads(fields_json))
        for name in names:
            found.setdefault(name, []).append(version)
    return found


def split(history: str) -> list[str]:
    return history.split() if history else []


def joined(*histories: Iterable[str]) -> str:
    merged = sorted(set().union(*histories))
    return " ".join(merged[-HISTORY:])


def join_set(*texts: str | None) -> str:
    """The canonical text of the union of comma-joined sets (sorted, as join_flags)."""
    return ",".join(sorted({part for text in texts if text for part in text.split(",")
                            if part}))


def node_of(version: str) -> str:
    """The device part of a version (the first characters of its device id)."""
    return version.rsplit(".", 1)[-1]


def conflict_id(table: str, record_id: str, field: str, loser_version: str) -> str:
    """Every device that sees the same clash makes the same conflict record."""
    return natural_id("sync_conflict", f"{table}:{record_id}:{field}:{loser_version}", APP)


@dataclass
class Applied:
    records: int = 0
    conflicts: int = 0


class Merger:
    """Applies received changes within one transaction of this store."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.models = synced_models()
        self.device = recorder_of(session).device_id
        self.clock = recorder_of(session).clock
        self.result = Applied()
        #: Rows and histories read ahead for :meth:`apply` (:meth:`_prefetch`).
        self._held: dict[str, tuple[Mapping[Any, Any], dict[str, list[str]]]] = {}

    def histories(self, table: str, record_id: str) -> dict[str, list[str]]:
        """Each field's history here: what sync stored, plus local changes not yet sent."""
        stored = self.session.execute(
            select(SyncFieldVersion.field, SyncFieldVersion.history).where(
                SyncFieldVersion.table_name == table, SyncFieldVersion.record_id == record_id))
        pending = self.session.execute(select(Change.op, Change.version, Change.fields_json)
                                       .where(Change.table_name == table,
                                              Change.record_id == record_id,
                                              Change.pushed_at.is_(None)))
        return _histories(self.models[table], stored, pending)

    def _prefetch(self, table: str, ids: list[str]) -> None:
        """Read the rows and histories of ``ids`` (records this store holds) in three
        queries, for :meth:`apply` to take instead of three queries each.

        Why: a laptop that switches target, or meets a colleague's first push, receives
        thousands of records it already holds, most with nothing new; reading each one's
        row and histories apart was most of such a pull (57,000 records, 172,000
        queries, 55 s in one test run). Each prefetched entry is used once: a record
        twice in one pull is read again for its second change, after the first changed it.
        """
        self._held.clear()
        if not ids:
            return
        model = self.models[table]
        table_of = model.__table__  # type: ignore[attr-defined]
        columns = table_of.c
        stored: dict[str, list[tuple[str, str]]] = {}
        pending: dict[str, list[tuple[str, str, str]]] = {}
        rows: dict[str, Mapping[Any, Any]] = {}
        for start in range(0, len(ids), CHUNK):
            some = ids[start:start + CHUNK]
            for row in self.session.execute(select(table_of).where(
                    columns.id.in_(some))).mappings():
                rows[row["id"]] = row
            for record_id, field, history in self.session.execute(
                    select(SyncFieldVersion.record_id, SyncFieldVersion.field,
                           SyncFieldVersion.history).where(
                        SyncFieldVersion.table_name == table,
                        SyncFieldVersion.record_id.in_(some))):
                stored.setdefault(record_id, []).append((field, history))
            for record_id, op, version, fields_json in self.session.execute(
                    select(Change.record_id, Change.op, Change.version, Change.fields_json)
                    .where(Change.table_name == table, Change.record_id.in_(some),
                           Change.pushed_at.is_(None))):
                pending.setdefault(record_id, []).append((op, version, fields_json))
        for record_id, local in rows.items():
            self._held[record_id] = (local, _histories(model, stored.get(record_id, []),
                                                     pending.get(record_id, [])))

    def apply_many(self, changes: list[RecordChange]) -> None:
        """Apply ``changes`` (parents first); records new here go in a chunk at a time.

        Why: a new laptop, or a QA install, receives every record once; one insert and
        three lookups per record made that pull far slower than the push that sent
        them. Records this store already holds take :meth:`apply`, one by one.
        """
        order = {name: n for n, name in enumerate(self.models)}
        changes = sorted(changes, key=lambda c: order.get(c.table, len(order)))
        for start in range(0, len(changes), CHUNK):
            chunk = changes[start:start + CHUNK]
            by_table: dict[str, list[RecordChange]] = {}
            for change in chunk:
                if change.table in self.models:
                    by_table.setdefault(change.table, []).append(change)
            for name, group in by_table.items():
                self._apply_group(name, group)

    def _apply_group(self, name: str, group: list[RecordChange]) -> None:
        model = self.models[name]
        table = model.__table__  # type: ignore[attr-defined]
        held = set(self.session.scalars(select(table.c.id).where(
            table.c.id.in_({c.id for c in group}))))
        fresh: dict[str, RecordChange] = {}
        self._prefetch(name, list({c.id for c in group if c.id in held}))
        for change in group:
            if change.id in held or change.id in fresh:
                if change.id in fresh:  # twice in one pull: the first goes in first
                    self._insert_many(model, [fresh.pop(change.id)])
                    held.add(change.id)
                self.apply(change)
            else:
                fresh[change.id] = change
        self._held.clear()
        self._insert_many(model, list(fresh.values()))

    def _insert_many(self, model: type[Synced], changes: list[RecordChange]) -> None:
        if not changes:
            return
        table = model.__table__  # type: ignore[attr-defined]
        plain, dated = _converters(cast(Any, model))
        known = set(data_fields(model)) & set(table.c.keys())
        # The clock keeps the latest it observed: the newest version of the chunk is all
        # it needs (one observation per record was a tenth of a new laptop's first pull).
        self.clock.observe(max(change.version for change in changes))
        rows = []
        histories = []
        for change in changes:
            get = change.row.get
            row = {k: get(k) for k in plain}
            for key, convert in dated:
                value = row[key]
                if value is not None:
                    row[key] = convert(value)
            rows.append(row)
            sent = change.field_versions
            if ALL in change.fields and sent.get(ALL) and all(sent.values()):
                # Sent whole (a snapshot, a first push): its histories are compact
                # already; keep them so, rather than spread to every field and compacted
                # again (the same history for every field, at a fifth of the cost).
                kept = {f: joined(h.split()) for f, h in sent.items()
                        if f == ALL or f in known}
            else:
                remote = {f: joined((sent.get(f) or sent.get(ALL) or "").split() or
                                    [change.version])
                          for f in field_names(model, change.fields)
                          if f in table.c and f != "id"}
                kept = received(remote, change)
            histories += [{"table_name": change.table, "record_id": change.id, "field": f,
                           "history": h} for f, h in kept.items()]
        insert_table_rows(self.session, table, rows)
        insert_table_rows(self.session, SyncFieldVersion.__table__, histories)
        self.result.records += len(changes)

    def apply(self, change: RecordChange) -> None:
        model = self.models.get(change.table)
        if model is None:
            return  # a table this version does not know: a newer DipSample made it
        self.clock.observe(change.version)
        table = model.__table__  # type: ignore[attr-defined]
        ahead = self._held.pop(change.id, None)
        local = ahead[0] if ahead is not None else self.session.execute(
            select(table).where(table.c.id == change.id)).mappings().first()
        sent = change.field_versions
        remote_h = {f: (sent.get(f) or sent.get(ALL) or "").split() or [change.version]
                    for f in field_names(model, change.fields) if f in table.c and f != "id"}
        if local is None:
            row = {k: value_from_json(model, k, v) for k, v in change.row.items()
                   if k in table.c}
            self.session.execute(insert(table).values(row))
            self._store(change.table, change.id,
                        received({f: joined(h) for f, h in remote_h.items()}, change))
            self.result.records += 1
            return
        local_h = ahead[1] if ahead is not None else self.histories(change.table, change.id)
        values: dict[str, Any] = {}
        merged: dict[str, str] = {}
        written: dict[str, str] = {}
        for name, theirs in remote_h.items():
            ours = local_h.get(name, [])
            r = max(theirs)
            if r in ours:
                continue
            mine = max(ours) if ours else ""
            merged[name] = joined(ours, theirs)
            remote_value = value_from_json(model, name, change.row.get(name))
            if not mine or mine in theirs:
                if local[name] != remote_value:
                    values[name] = remote_value
                written[name] = r
                continue
            if (change.table, name) in SET_FIELDS:
                # Concurrent edits of a set: both additions kept (docs/sync.md).
                union = join_set(local[name], remote_value)
                if union != local[name]:
                    values[name] = union
                written[name] = max(r, mine)
                continue
            # Concurrent: the later clock wins, the loser is kept (bookkeeping: not kept).
            keep = (change.table, name) not in BOOKKEEPING
            if r > mine:
                if local[name] != remote_value:
                    values[name] = remote_value
                    if keep:
                        self._conflict(change, name, r, remote_value, mine, local[name])
                written[name] = r
            else:
                written[name] = mine
                if keep and local[name] != remote_value:
                    self._conflict(change, name, mine, local[name], r, remote_value)
        created = value_from_json(model, "created_at", change.row.get("created_at"))
        if created is not None and created < local["created_at"]:
            values["created_at"] = created  # one record made on two devices: the first
        if not merged:
            if values:
                self.session.execute(update(table).where(table.c.id == change.id)
                                     .values(values))
            return
        self._keep_alive(change, local, local_h, values, written)
        if change.version > local["hlc"]:
            values.update(hlc=change.version, device_id=change.device,
                          updated_at=value_from_json(model, "updated_at",
                                                     change.row.get("updated_at")))
        if values:
            self.session.execute(update(table).where(table.c.id == change.id).values(values))
        self._store(change.table, change.id, merged)
        self.result.records += 1

    def _keep_alive(self, change: RecordChange, local: Mapping[Any, Any],
                    local_h: dict[str, list[str]], values: dict[str, Any],
                    written: dict[str, str]) -> None:
        """A delete never silently beats a later edit.

        The rule is a function of the merged histories alone, so every device decides
        alike whatever order changes came in: a record stays alive when any other
        field was written with a later clock than its delete. An edit its deleter had
        seen is earlier than the delete (the clock orders what was seen), so only an
        edit made without seeing the delete can keep the record, and then the delete
        is kept as a conflict for a person to settle.
        """
        if not values.get("deleted", local["deleted"]):
            return
        versions = {f: max(h) for f, h in local_h.items() if h}
        versions.update(written)
        deleted_at = versions.get("deleted", "")
        later = max((v for f, v in versions.items() if f != "deleted"), default="")
        if deleted_at and later > deleted_at:
            values["deleted"] = False
            self._conflict(change, "deleted", later, False, deleted_at, True)

    def _conflict(self, change: RecordChange, name: str, winner: str, winner_value: Any,
                  loser: str, loser_value: Any) -> None:
        """Keep the losing value as a conflict record, stamped with the winner's version.

        Why that stamp and not a new tick: every device that meets the same clash makes
        the same record with the same version, so their copies are one change (the
        second is old news), and a person's settling it, which is later than both,
        wins everywhere. It is logged as a change of this device so that it syncs to
        devices that never meet the clash themselves. The devices it names are those
        in the two versions (the clock's node), so every copy names the same ones.
        """
        winner_device, loser_device = node_of(winner), node_of(loser)
        key = conflict_id(change.table, change.id, name, loser)
        if (change.table == SyncConflict.__tablename__
                or self.session.get(SyncConflict, key) is not None):
            return
        now = utcnow()
        self.session.execute(insert(SyncConflict.__table__).values(
            id=key, created_at=now, updated_at=now, hlc=winner, device_id=winner_device,
            deleted=False, table_name=change.table, record_id=change.id, field=name,
            winner_version=winner, winner_device=winner_device,
            winner_json=json.dumps(to_json_value(winner_value)), loser_version=loser,
            loser_device=loser_device, loser_json=json.dumps(to_json_value(loser_value)),
            status="open", settled_by_id=None))
        recorder = recorder_of(self.session)
        self.session.execute(insert(Change.__table__).values(recorder.change_row(
            SyncConflict.__tablename__, key, "insert", "", winner, None, now)))
        self.result.conflicts += 1

    def _store(self, table: str, record_id: str, histories: dict[str, str]) -> None:
        store_histories(self.session, table, record_id, histories)


def store_histories(session: Session, table: str, record_id: str,
                    histories: dict[str, str]) -> None:
    """Upsert field histories of one record."""
    if not histories:
        return
    existing = set(session.scalars(select(SyncFieldVersion.field).where(
        SyncFieldVersion.table_name == table, SyncFieldVersion.record_id == record_id,
        SyncFieldVersion.field.in_(list(histories)))))
    new = [{"table_name": table, "record_id": record_id, "field": f, "history": h}
           for f, h in histories.items() if f not in existing]
    if new:
        session.execute(insert(SyncFieldVersion), new)
    for name in existing:
        session.execute(update(SyncFieldVersion).where(
            SyncFieldVersion.table_name == table, SyncFieldVersion.record_id == record_id,
            SyncFieldVersion.field == name).values(history=histories[name]))
