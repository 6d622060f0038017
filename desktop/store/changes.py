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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, event, func, insert, inspect, literal_column, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop.errors import RuleViolation
from desktop.models.base import Base, Fact, Synced, new_id, utcnow
from desktop.models.log import Change, Meta
from desktop.store.hlc import HIGH_WATER, HybridClock

RECORDER_KEY = "dipsample.recorder"
#: ``session.info`` flag: the session applies changes received by sync (see
#: :meth:`ChangeRecorder.applying_remote`).
REMOTE_KEY = "dipsample.applying_remote"
#: ``session.info`` flag: this transaction's clock has caught up with the store
#: (:meth:`ChangeRecorder.catch_up`).
_CAUGHT_UP = "dipsample.clock_caught_up"


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


def insert_table_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` with one executemany; no change log (the event log)."""
    if rows:
        _executemany_insert(session, table, rows)


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
    """``INSERT`` many rows: every key of the first row, taken from each row."""
    _insert_columns(session, table, {key: list(map(itemgetter(key), rows)) for key in rows[0]})


def _insert_columns(session: Session, table: Any, columns: dict[str, list[Any]]) -> None:
    """``INSERT`` rows given by column (equal lengths); on SQLite through the driver.

    Why: SQLAlchemy builds and processes a parameter dict per row in Python, which costs
    several times the database work for 100,000 rows. Here each column goes through its
    own bind processor and then the driver's own adapter (a date becomes the text the
    driver would make of it), so stored values are exactly what the Core path stores.
    By column the work is mostly in C, and a value repeated as one object (every row's
    ``created_at``) is converted once.

    Why NULL goes in as ``nullif(?, X'')``: the driver looks for an adapter for every
    value that is not exactly text or a number, and for None that search raises and
    discards two exceptions (1.6 us a value, sixteen times a text's cost; the
    100,000-case demo binds two million Nones). So a column holding None is written
    through ``nullif`` and its Nones are bound as an empty bytearray, which the driver
    binds at once and ``nullif`` turns into NULL. Any other value is stored as it was,
    with the column's affinity as before; a column that holds an empty blob of its own
    keeps the plain parameter.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        keys = list(columns)
        connection.execute(insert(table), [dict(zip(keys, values, strict=True))
                                           for values in zip(*columns.values(), strict=True)])
        return
    adapters = _Adapters(dialect.dbapi)
    bound: dict[str, list[Any]] = {}
    nullable = []
    for key, values in columns.items():
        # dialect_impl: the processor the Core path uses (the bare type's own one left
        # a date-time without its fraction of a second, which then compared unequal).
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            values = _converted(process, values)
        kinds = set(map(type, values))
        if not kinds <= _NATIVE:
            values = adapters.adapted(values, kinds)
            kinds = set(map(type, values))
        if _NONE in kinds and not (kinds & _BLOBS and _has_empty_blob(values)):
            nullable.append(key)
            values = (list(map(_NULL_FOR_NONE.get, values, values)) if kinds <= _NATIVE
                      else [_NULL if v is None else v for v in values])
        bound[key] = values
    sql, order = _insert_sql(dialect, table, tuple(bound), frozenset(nullable))
    count = len(next(iter(bound.values())))
    for key in order:
        if key not in bound:  # a column the rows leave out: its scalar default (SQLAlchemy
            default = table.c[key].default  # adds it to the INSERT, as the ORM would)
            if default is None or not default.is_scalar:
                raise KeyError(f"{table.name}.{key} is not given and has no plain default")
            bound[key] = [default.arg] * count
    connection.exec_driver_sql(sql, list(zip(*[bound[key] for key in order], strict=True)))


@lru_cache(maxsize=256)
def _insert_sql(dialect: Any, table: Any, keys: tuple[str, ...], nullable: frozenset[str]
                ) -> tuple[str, tuple[str, ...]]:
    """The ``INSERT`` of ``keys`` (``nullable`` ones through ``nullif``) and its
    parameter order; kept, as every chunk of a bulk write has the same shape."""
    params = {key: func.nullif(bindparam(key), literal_column("X''")) if key in nullable
              else bindparam(key) for key in keys}
    compiled = insert(table).values(params).compile(dialect=dialect)
    return str(compiled), tuple(compiled.positiontup or ())


_NONE = type(None)
#: Types the driver binds without looking for an adapter (all hashable).
_NATIVE = frozenset({str, int, float, bytes, _NONE})
#: Bound for None in a ``nullif(?, X'')`` column (see :func:`_insert_columns`).
_NULL = bytearray()
_NULL_FOR_NONE = {None: _NULL}
_BLOBS = frozenset({bytes, bytearray, memoryview})


def _has_empty_blob(values: list[Any]) -> bool:
    """Whether ``nullif(?, X'')`` would turn one of ``values`` into NULL too."""
    return any(len(v) == 0 for v in values if isinstance(v, bytes | bytearray | memoryview))


_UNSET = object()


def _converted(convert: Callable[[Any], Any], values: list[Any],
               kind: type | None = None) -> list[Any]:
    """``convert`` of each value of type ``kind`` (None: of every value but None).

    A run of one object (every row's ``created_at``) is converted once.
    """
    out = []
    last: Any = _UNSET
    result: Any = None
    for value in values:
        if value is None if kind is None else type(value) is not kind:
            out.append(value)
            continue
        if value is not last:
            last, result = value, convert(value)
        out.append(result)
    return out


class _Adapters:
    """The driver's registered adapters (``dbapi.adapters``), applied before binding.

    Why: the driver looks up and calls a Python adapter for every value that is not
    exactly text, a number or bytes (a million dates for the demo's cases, and every
    text enum member). Adapting each distinct day once and handing the driver plain
    text does that work once per day; a ``str`` or ``int`` subclass without an adapter
    is bound by the driver as its plain value, which is what it is given here.
    """

    def __init__(self, dbapi: Any) -> None:
        self.registry: dict[tuple[type, type], Callable[[Any], Any]] = getattr(
            dbapi, "adapters", {})
        self.protocol = getattr(dbapi, "PrepareProtocol", None)

    def adapted(self, values: list[Any], kinds: set[type]) -> list[Any]:
        """``values`` (of the types ``kinds``) as the driver would adapt them."""
        for kind in kinds - _NATIVE:
            adapt = self.registry.get((kind, self.protocol))  # type: ignore[arg-type]
            if adapt is None:
                if issubclass(kind, str):
                    values = _converted(str.__str__, values, kind)
                elif issubclass(kind, int):
                    values = _converted(int.__int__, values, kind)
            elif kind is dt.date:
                # Equal dates are the same day, so one text serves every equal value.
                text = {v: adapt(v) for v in set(values) if type(v) is dt.date}
                values = list(map(text.get, values, values))
            else:
                values = _converted(adapt, values, kind)
        return values


class ChangeRecorder:
    """Stamps synced records with clock, device and time, and builds change-log rows."""

    def __init__(self, clock: HybridClock, device_id: str) -> None:
        self.clock = clock
        self.device_id = device_id
        #: The clock's high-water mark as last committed to the store (see
        #: :func:`save_high_water`).
        self.saved_mark = ""

    def change_row(self, table: str, record_id: str, op: str, base: str, version: str,
                   fields: Mapping[str, Any] | None, at: dt.datetime) -> dict[str, Any]:
        """A change-log row; ``fields`` None for an insert (the record is its own copy)."""
        return {"table_name": table, "record_id": record_id, "op": op, "base_version": base,
                "version": version, "device_id": self.device_id,
                "fields_json": RECORD_ITSELF if fields is None else _dumps(fields), "at": at,
                "pushed_at": None}

    @contextmanager
    def applying_remote(self, session: Session) -> Iterator[None]:
        """Within this, ``session`` writes changes received from another device.

        Why: a received change must keep its own version and device (restamping it would
        make every device see a new change and send it back, for ever) and must not
        enter this store's change log (which holds what this device has to send). The
        clock still observes each version, so later local changes sort after it.
        Records are still refused a hard delete.
        """
        before = session.info.get(REMOTE_KEY)
        session.info[REMOTE_KEY] = True
        try:
            yield
        finally:
            if before is None:
                session.info.pop(REMOTE_KEY, None)
            else:
                session.info[REMOTE_KEY] = before

    # -- the ORM path -------------------------------------------------------------
    def catch_up(self, session: Session) -> None:
        """Before this transaction's first stamp: move the clock above what another
        process committed to the same store (its newest change and the high-water mark).

        Why: the window and a scheduled ``dipsample sync`` (or any command) each hold a
        clock of their own in memory. A person who reads a value the other process
        applied and then edits it must write above it, or every other store takes the
        edit for old news (issue 21). A writer holds the store's write lock from its
        first statement (``BEGIN IMMEDIATE``), so what it reads here cannot change
        before it commits; two lookups by key, once per transaction.
        """
        if session.info.get(_CAUGHT_UP):
            return
        connection = session.connection()
        newest = connection.execute(select(Change.version).order_by(Change.seq.desc())
                                    .limit(1)).scalar()
        mark = connection.execute(select(Meta.value).where(Meta.key == HIGH_WATER)).scalar()
        for version in (newest, mark):
            if version:
                self.clock.observe(version)
        session.info[_CAUGHT_UP] = True

    def before_flush(self, session: Session) -> None:
        if session.info.get(REMOTE_KEY):
            self._observe_remote(session)
            return
        if any(isinstance(obj, Synced) for obj in (*session.new, *session.dirty)):
            self.catch_up(session)
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

    def _observe_remote(self, session: Session) -> None:
        """A remote flush: keep every stamp as received, only move the clock on."""
        for obj in session.deleted:
            if isinstance(obj, Synced):
                raise RuleViolation(
                    f"{type(obj).__name__} records are never deleted; mark them deleted instead."
                )
        for obj in (*session.new, *session.dirty):
            if isinstance(obj, Synced):
                if not obj.hlc or not obj.device_id:
                    raise RuntimeError("a received change must carry its version and device")
                self.clock.observe(obj.hlc)
            elif isinstance(obj, Fact) and obj.seq is None:
                obj.seq = _take_seq(session, type(obj), 1)

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
        self.catch_up(session)
        now = utcnow()
        stamps = {"created_at": now, "updated_at": now, "device_id": self.device_id}
        tick = self.clock.tick
        versions = []
        for row in rows:
            if "id" not in row:
                row["id"] = new_id()
            if "deleted" not in row:
                row["deleted"] = False
            row.update(stamps)
            row["hlc"] = version = tick()
            versions.append(version)
        _executemany_insert(session, model.__table__, rows)  # type: ignore[attr-defined]
        # The change log by column: the same values as change_row() gives each insert.
        count = len(rows)
        _insert_columns(session, Change.__table__, {
            "table_name": [model.__tablename__] * count,  # type: ignore[attr-defined]
            "record_id": [row["id"] for row in rows], "op": ["insert"] * count,
            "base_version": [""] * count, "version": versions,
            "device_id": [self.device_id] * count, "fields_json": [RECORD_ITSELF] * count,
            "at": [now] * count, "pushed_at": [None] * count})

    def bulk_update(self, session: Session, model: type[Synced],
                    updates: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
        """Apply ``(record id, base version, changed fields)`` updates and log each one.

        Rows are grouped by the set of fields they change, so each group is one
        executemany.
        """
        self.catch_up(session)
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
        for keys, rows in groups.items():
            values: dict[str, Any] = {k: bindparam(f"p_{k}") for k in (
                *keys, "updated_at", "hlc", "device_id")}
            stmt = update(table).where(table.c.id == bindparam("b_id")).values(values)
            session.connection().execute(stmt, rows)
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


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    recorder = session.info.get(RECORDER_KEY)
    if recorder is not None and recorder.clock.high_water() > recorder.saved_mark:
        save_high_water(session, recorder)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_CAUGHT_UP, None)
    done = session.info.pop(_SAVED_KEY, None)
    recorder = session.info.get(RECORDER_KEY)
    if done is not None and recorder is not None:
        recorder.saved_mark = max(recorder.saved_mark, done)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CAUGHT_UP, None)
    session.info.pop(_SAVED_KEY, None)


_SAVED_KEY = "dipsample.high_water_saved"


def save_high_water(session: Session, recorder: ChangeRecorder) -> None:
    """Keep the clock's high-water mark in ``store_meta``, in this transaction.

    Why: the clock must resume above every version this store holds or gave (a write
    made after seeing a value must sort after it on every device, and a version never
    goes backwards on a device; docs/sync.md). Neither the records nor the change log
    keep that: sync deletes the change-log rows it sent but the newest, and the newest
    may be a conflict stamped with an older version received (a chaos run went
    backwards so after a restart, issue 21). So every transaction after which the clock
    stands higher than the mark last saved (a local write, an apply) writes it, and it
    commits or rolls back with them; one statement, none for a transaction that moved
    the clock nowhere.
    """
    mark = recorder.clock.high_water()
    if not mark:
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        upsert = sqlite_insert(Meta.__table__).values(key=HIGH_WATER, value=mark)
        connection.execute(upsert.on_conflict_do_update(
            index_elements=["key"], set_={"value": upsert.excluded.value},
            where=upsert.excluded.value > Meta.__table__.c.value))
    else:
        held = connection.execute(select(Meta.value).where(Meta.key == HIGH_WATER)).scalar()
        if held is None:
            connection.execute(insert(Meta.__table__).values(key=HIGH_WATER, value=mark))
        elif held < mark:
            connection.execute(update(Meta.__table__).where(Meta.key == HIGH_WATER)
                               .values(value=mark))
    session.info[_SAVED_KEY] = mark


def highest_version(connection: Any) -> str:
    """The highest version anywhere in the store: every synced table's ``hlc`` and the
    change log. Read once, by the first open of a store that has no high-water mark yet
    (one made before it existed); each record's ``hlc`` is at least every version in
    its fields' histories (a merge keeps the later), so the histories need no reading.
    """
    highest = ""
    tables = [m.class_.__table__ for m in Base.registry.mappers  # type: ignore[attr-defined]
              if issubclass(m.class_, Synced)]
    for table in tables:
        found = connection.execute(select(func.max(table.c.hlc))).scalar()
        highest = max(highest, found or "")
    found = connection.execute(select(func.max(Change.version))).scalar()
    return max(highest, found or "")


def defer_foreign_keys(session: Session) -> None:
    """Check foreign keys at commit rather than per statement, in this transaction.

    Why: sync applies records from many devices in one transaction, and a record may
    arrive before the record it points to (an audit before its case, pulled from
    another device's bundle). SQLite still refuses the commit if one stays missing.
    """
    if session.connection().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
