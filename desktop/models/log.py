"""The change log (what sync replays) and the event log (who did what).

Neither is itself synced record-by-record: the change log *is* the sync stream, and
the event log is append-only, hash-chained and carries ids only, never names or text.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, UTCDateTime


class Change(Base):
    """One local change to one record, written in the same transaction as the change.

    Holds enough to replay it elsewhere (docs/architecture.md, 'Sync'): the record, the version it
    was based on, the changed fields with their new values, the new hybrid logical
    clock and the device.
    """

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_record", "table_name", "record_id"),
        Index("ix_change_log_pending", "pushed_at", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(36))
    #: "insert", "update" or "delete" (a tombstone).
    op: Mapped[str] = mapped_column(String(10))
    base_version: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(36))
    #: JSON object of field -> new value (dates ISO, datetimes ISO UTC).
    fields_json: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Set by sync once the change has been sent; NULL means pending.
    pushed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Event(Base):
    """An entry of the event log: who did what to which record, by ids only."""

    __tablename__ = "event_log"
    __table_args__ = (Index("ix_event_log_entity", "entity", "entity_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    device_id: Mapped[str] = mapped_column(String(36))
    #: An :class:`~desktop.models.enums.EventAction` code.
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(36))
    #: Codes and ids only, as JSON (e.g. {"fields": ["status"], "to": "submitted"}).
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class ChainAnchor(Base):
    """A head of an event-log chain: this store's, as it sent it in a sync bundle
    (``kind`` "sent"), or another device's, as a bundle from it carried it ("seen").

    Why kept: every device's chain is keyed by its own store key, so no one else can
    recompute it; what another store can do is remember the hashes it was shown and
    notice when the same device later shows another hash for the same entry (its history
    was rewritten). Local: never synced, never sent back (docs/security.md, 'Anchors').
    """

    __tablename__ = "chain_anchors"
    __table_args__ = (PrimaryKeyConstraint("kind", "device_id", "seq", "hash", "key_id"),)

    kind: Mapped[str] = mapped_column(String(10))
    device_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    #: Which key the entry was chained under (see ``desktop/store/events.py``, key_id).
    key_id: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Meta(Base):
    """Facts about this store: its device id, when it was made."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
