"""Every local change appends to the change log, in the same transaction.

What a row holds: the record, the version it replaced (``base_version``), the new
version (a hybrid logical clock), the device, and for an update or a tombstone the
changed fields with their new values. An insert's row holds no copy of the record
(``fields_json`` is empty): records are never deleted, so the record itself is the copy,
and sync sends it as it is when it pushes the insert. Copies made a 100,000-case store
twice its size.

Why a flush hook: no service can forget to log a change, and the log row commits or
rolls back with the change itself. Bulk paths (the caseload import) use
:func:`bulk_insert`/:func:`bulk_update`, which stamp and log through the same
:class:`ChangeRecorder`, so sync sees one kind of change whichever path made it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from desktop.errors import RuleViolation
from desktop.models.base import Base, Fact, Synced, new_id, utcnow
from desktop.models.log import Change, Meta
from desktop.store.hlc import HybridClock

RECORDER_KEY = "dipsample.recorder"


def to_json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return to_json_value(value)
    raise TypeError(f"cannot log a {type(value).__name__}")


#: The C encoder calls ``default`` only for dates; a dict comprehension over every field
#: cost more than the rest of a bulk insert (100,000-row import benchmark).
_encode = json.JSONEncoder(separators=(",", ":"), sort_keys=True, default=_json_default).encode


def _dumps(fields: Mapping[str, Any]) -> str:
    return _encode(fields)


#: ``fields_json`` of an insert: "the record as it is" (see the module docstring).
RECORD_ITSELF = ""


def insert_facts(session: Session, model: type[Fact], rows: Sequence[dict[str, Any]]) -> None:
    """Append facts (case events): each row gets the next ``seq``; no change-log rows.

    Rows are written in the order of the table's clustered key, and numbered in that
    order. Why: a WITHOUT ROWID table is a B-tree on that key, and rows inserted in
    random order each land on a random page of a tree far bigger than the page cache
    (the 100,000-case demo spent 15 s there). The sort is stable, so facts with the same
    key but ``seq`` (two RAG changes of a case on one day) keep the caller's order.
    """
    if not rows:
        return
    rows = sorted(rows, key=_clustered_key(model))
    first = _take_seq(session, model, len(rows))
    for offset, row in enumerate(rows):
        row["seq"] = first + offset
    _executemany_insert(session, model.__table__, rows)  # type: ignore[attr-defined]


def _clustered_key(model: type[Fact]) -> Callable[[dict[str, Any]], Any]:
    """The sort key of ``model``'s rows: its primary key columns but ``seq``."""
    columns = [c.key for c in model.__table__.primary_key.columns  # type: ignore[attr-defined]
               if c.key != "seq"]
    return itemgetter(*columns)


def _take_seq(session: Session, model: type[Fact], count: int) -> int:
    """Reserve ``count`` numbers of ``model``'s ``seq``; returns the first.

    Safe without a race because every write transaction holds SQLite's write lock.
    """
    key = f"{model.__tablename__}.seq"  # type: ignore[attr-defined]
    conn = session.connection()
    current = conn.execute(select(Meta.value).where(Meta.key == key)).scalar()
    first = int(current) + 1 if current is not None else 1
    last = str(first + count - 1)
    if current is None:
        conn.execute(insert(Meta.__table__).values(key=key, value=last))
    else:
        conn.execute(update(Meta.__table__).where(Meta.key == key).values(value=last))
    return first


def _executemany_insert(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """``INSERT`` many rows; on SQLite through the driver with pre-processed tuples.

    Why: SQLAlchemy builds and processes a parameter dict per row in Python, which costs
    several times the database work for 100,000 rows. The columns' own bind processors
    are applied here instead, so stored values are exactly what the Core path stores.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        connection.execute(insert(table), list(rows))
        return
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    order = compiled.positiontup or []
    steps = [(key, table.c[key].type.bind_processor(dialect)) for key in order]
    params = [tuple([row[k] if p is None or row[k] is None else p(row[k]) for k, p in steps])
              for row in rows]
    connection.exec_driver_sql(str(compiled), params)


class ChangeRecorder:
    """Stamps synced records with clock, device and time, and builds change-log rows."""

    def __init__(self, clock: HybridClock, device_id: str) -> None:
        self.clock = clock
        self.device_id = device_id

    def change_row(self, table: str, record_id: str, op: str, base: str, version: str,
                   fields: Mapping[str, Any] | None, at: dt.datetime) -> dict[str, Any]:
        """A change-log row; ``fields`` None for an insert (the record is its own copy)."""
        return {"table_name": table, "record_id": record_id, "op": op, "base_version": base,
                "version": version, "device_id": self.device_id,
                "fields_json": RECORD_ITSELF if fields is None else _dumps(fields), "at": at,
                "pushed_at": None}

    # -- the ORM path -------------------------------------------------------------
    def before_flush(self, session: Session) -> None:
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for obj in session.deleted:
            if isinstance(obj, Synced):
                raise RuleViolation(
                    f"{type(obj).__name__} records are never deleted; mark them deleted instead."
                )
        facts: dict[type[Fact], list[Fact]] = {}
        for obj in list(session.new):
            if isinstance(obj, Synced):
                rows.append(self._stamp_new(obj, now))
            elif isinstance(obj, Fact) and obj.seq is None:
                facts.setdefault(type(obj), []).append(obj)
        for model, new in facts.items():
            first = _take_seq(session, model, len(new))
            for offset, fact in enumerate(new):
                fact.seq = first + offset
        for obj in list(session.dirty):
            if isinstance(obj, Synced) and obj not in session.new:
                row = self._stamp_changed(obj, now)
                if row is not None:
                    rows.append(row)
        for row in rows:
            session.add(Change(**row))

    def _columns(self, obj: Base) -> list[str]:
        return [attr.key for attr in inspect(type(obj)).column_attrs
                if attr.key not in Synced.SYNC_COLUMNS]

    def _stamp_new(self, obj: Synced, now: dt.datetime) -> dict[str, Any]:
        if obj.id is None:
            obj.id = new_id()
        if obj.deleted is None:
            obj.deleted = False
        obj.created_at = obj.created_at or now
        obj.updated_at = now
        obj.hlc = self.clock.tick()
        obj.device_id = self.device_id
        columns = inspect(type(obj)).columns
        for key in self._columns(obj):  # type: ignore[arg-type]
            if getattr(obj, key) is None:
                default = columns[key].default
                if default is not None and getattr(default, "is_scalar", False):
                    setattr(obj, key, default.arg)
        return self.change_row(obj.__tablename__, obj.id, "insert", "", obj.hlc,  # type: ignore[attr-defined]
                               None, now)

    def _stamp_changed(self, obj: Synced, now: dt.datetime) -> dict[str, Any] | None:
        state = inspect(obj)
        changed: dict[str, Any] = {}
        for key in self._columns(obj):  # type: ignore[arg-type]
            history = state.attrs[key].history
            if history.has_changes():
                new = history.added[0] if history.added else None
                old = history.deleted[0] if history.deleted else None
                if new != old:
                    changed[key] = new
        if not changed:
            return None
        base = state.attrs["hlc"].history
        base_version = (base.deleted[0] if base.deleted else obj.hlc) or ""
        op = "delete" if changed.get("deleted") is True else "update"
        obj.updated_at = now
        obj.hlc = self.clock.tick()
        obj.device_id = self.device_id
        return self.change_row(obj.__tablename__, obj.id, op, base_version, obj.hlc,  # type: ignore[attr-defined]
                               changed, now)

    # -- the bulk path ------------------------------------------------------------
    def bulk_insert(self, session: Session, model: type[Synced], rows: Sequence[dict[str, Any]]
                    ) -> None:
        """Insert many new records and their change-log rows with two executemany calls.

        Each row must hold every column of ``model`` except the sync columns; ``id``
        is assigned when missing.
        """
        if not rows:
            return
        now = utcnow()
        table = model.__tablename__  # type: ignore[attr-defined]
        changes = []
        for row in rows:
            if "id" not in row:
                row["id"] = new_id()
            row.setdefault("deleted", False)
            row.update(created_at=now, updated_at=now, hlc=self.clock.tick(),
                       device_id=self.device_id)
            changes.append(self.change_row(table, row["id"], "insert", "", row["hlc"],
                                           None, now))
        _executemany_insert(session, model.__table__, rows)  # type: ignore[attr-defined]
        _executemany_insert(session, Change.__table__, changes)

    def bulk_update(self, session: Session, model: type[Synced],
                    updates: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
        """Apply ``(record id, base version, changed fields)`` updates and log each one.

        Rows are grouped by the set of fields they change, so each group is one
        executemany.
        """
        now = utcnow()
        table = model.__table__  # type: ignore[attr-defined]
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        changes = []
        count = 0
        for record_id, base, fields in updates:
            if not fields:
                continue
            version = self.clock.tick()
            op = "delete" if fields.get("deleted") is True else "update"
            changes.append(self.change_row(model.__tablename__, record_id, op, base, version,  # type: ignore[attr-defined]
                                           fields, now))
            params = {f"p_{k}": v for k, v in fields.items()}
            params.update(b_id=record_id, p_updated_at=now, p_hlc=version,
                          p_device_id=self.device_id)
            groups.setdefault(tuple(sorted(fields)), []).append(params)
            count += 1
        for keys, params in groups.items():
            values = {k: bindparam(f"p_{k}") for k in (*keys, "updated_at", "hlc",
                                                        "device_id")}
            stmt = update(table).where(table.c.id == bindparam("b_id")).values(values)
            session.connection().execute(stmt, params)
        if changes:
            session.execute(insert(Change.__table__), changes)
        return count


def recorder_of(session: Session) -> ChangeRecorder:
    recorder = session.info.get(RECORDER_KEY)
    if recorder is None:
        raise RuntimeError("session was not made by a Store")
    return recorder


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context: object, instances: object) -> None:
    recorder = session.info.get(RECORDER_KEY)
    if recorder is not None:
        recorder.before_flush(session)
