"""The declarative base and the identity every synced record carries.

Why every record looks the same: sync (docs/architecture.md) merges records from many laptops
and a central database. A UUID key means two offline devices never collide; the hybrid
logical clock (``version``) orders changes without trusting wall clocks; ``device_id``
says who changed it last; ``deleted`` is a tombstone, because a hard delete cannot be
replayed on another device.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Table, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: Random bytes fetched from the operating system at once (16 per id).
_ID_POOL_BYTES = 16 * 1024


class _IdPool(threading.local):
    """Random bytes for ids, per thread, refilled 1,024 ids at a time.

    Why not ``uuid.uuid4()`` per id: each call is a ``getrandom`` system call that lets
    go of the GIL and takes it straight back. A worker making 100,000 ids in a row did
    that so often that the GUI thread, woken each time too late to win the GIL, waited
    400 ms for it (the convoy effect; gui_stall_import_100k). The bytes are the same
    operating-system randomness, fetched in bulk.
    """

    def __init__(self) -> None:
        self.data = b""
        self.used = 0


_pool = _IdPool()


def _new_pool_after_fork() -> None:
    """A forked child must not hand out the ids its parent will hand out."""
    global _pool
    _pool = _IdPool()


os.register_at_fork(after_in_child=_new_pool_after_fork)


def new_id() -> str:
    """A random (version 4) UUID as text."""
    pool = _pool
    if pool.used >= len(pool.data):
        pool.data = os.urandom(_ID_POOL_BYTES)
        pool.used = 0
    start = pool.used
    pool.used = start + 16
    return str(uuid.UUID(bytes=pool.data[start:start + 16], version=4))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores naive UTC, always hands back an aware UTC datetime.

    Why: SQLite has no time zones, PostgreSQL does; storing naive UTC on both and
    attaching UTC on the way out keeps comparisons right on both stores.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        #: Every model maps one table; DeclarativeBase types ``__table__`` as any
        #: FromClause (a class may map a join or a select), which insert() refuses.
        __table__: ClassVar[Table]


class Fact:
    """A row that is appended once and never changed: no version, no change-log row.

    ``seq`` numbers a table's facts in the order this store learnt them (the store
    assigns it; sync sends facts after the last ``seq`` sent). The store keeps the next
    number in ``store_meta`` so that ``seq`` can sit last in a clustered key.
    """

    seq: Mapped[int] = mapped_column(Integer, autoincrement=False)


class Synced:
    """Columns every synced record has. Filled by the store's change recorder."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Hybrid logical clock of the last change (the record's version), sortable as text.
    hlc: Mapped[str] = mapped_column(String(40), default="")
    #: The device that made the last change.
    device_id: Mapped[str] = mapped_column(String(36), default="")
    #: A tombstone: deleted records stay so the deletion can sync.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    #: Columns the change log never carries (they describe the change itself).
    SYNC_COLUMNS = frozenset({"created_at", "updated_at", "hlc", "device_id"})
