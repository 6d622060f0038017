"""What sync keeps beside the records: conflicts to settle (synced) and its own state (local).

Why conflicts are synced records: every device merges the same changes to the same
result, and the value that lost is kept as a conflict with an id derived from what
lost (table, record, field, losing version), so the devices that saw the same clash
hold one record, and a person's settling it on one laptop reaches the others.

Why the rest is local: which bundles this store has applied, the version of each field
it last sent or received, the pull cursor and the sync log describe this store's
conversation with a target, not the council's data. None of them holds personal data:
ids, versions and counts only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Synced, UTCDateTime


class SyncConflict(Synced, Base):
    """A field where two devices' concurrent edits met: both values, until a person settles.

    ``winner_json``/``loser_json`` are the two values as JSON; the merge already keeps
    the winner (the later hybrid logical clock, ties by device). ``status`` "open" or
    "settled"; settling writes the chosen value to the record as a normal edit.
    """

    __tablename__ = "sync_conflicts"
    __table_args__ = (Index("ix_sync_conflicts_record", "table_name", "record_id"),)

    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    winner_version: Mapped[str] = mapped_column(String(40))
    winner_device: Mapped[str] = mapped_column(String(36), default="")
    winner_json: Mapped[str] = mapped_column(Text, default="null")
    loser_version: Mapped[str] = mapped_column(String(40))
    loser_device: Mapped[str] = mapped_column(String(36), default="")
    loser_json: Mapped[str] = mapped_column(Text, default="null")
    status: Mapped[str] = mapped_column(String(10), default="open")
    settled_by_id: Mapped[str | None] = mapped_column(String(36), default=None)


class SyncFieldVersion(Base):
    """The versions one field of one record has had, as last sent or received by sync.

    Why a history and not one version: two writes are concurrent when neither side's
    history holds the other's version; that is ancestry, which survives clocks a day
    apart, where comparing clocks would not. ``history`` is the versions separated by
    spaces, in clock order, the newest (the value's own version) last; it keeps the
    last :data:`desktop.sync.merge.HISTORY` versions.
    """

    __tablename__ = "sync_field_versions"
    __table_args__ = (PrimaryKeyConstraint("table_name", "record_id", "field"),
                      {"sqlite_with_rowid": False})

    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    history: Mapped[str] = mapped_column(Text)


class SyncApplied(Base):
    """A bundle (or server batch) this store has applied: applying it again is a no-op."""

    __tablename__ = "sync_applied"

    bundle_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    changes: Mapped[int] = mapped_column(Integer, default=0)


class SyncLogEntry(Base):
    """One line of the sync log: what a sync did, in counts and codes, never row values."""

    __tablename__ = "sync_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    target: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(20))
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    pulled: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(300), default="")


class SyncRejected(Base):
    """A bundle this store could not open (torn, altered, another council's key) or not
    apply here: fetched again at every sync until it applies or a person sets it aside.

    Why kept: a rejected bundle used to be skipped for ever by the central database's
    cursor, or to fail every later sync of every device; here it is named once with its
    device, retried, and ``set_aside_at`` records a person's choice to stop retrying it
    (issue 21, items 2 and 7). Ids, a reason and times only.
    """

    __tablename__ = "sync_rejected"
    __table_args__ = (PrimaryKeyConstraint("target", "bundle_id"),)

    target: Mapped[str] = mapped_column(String(200))
    bundle_id: Mapped[str] = mapped_column(String(200))
    device: Mapped[str] = mapped_column(String(36), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    first_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    set_aside_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class SyncTarget(Base):
    """What one target (a shared folder, a central database) holds of this store.

    Why per target: the change log's rows are dropped once a target holds them, so a
    store that synced to a folder and then to a database had nothing left to send it,
    and a new laptop started from that database received none of its records (issue
    21, item 3). Each target keeps here the case events it has (``fact_seq``: every
    event up to that number) and the records relayed to it
    (``relay_seq``, in :class:`SyncOutbox`); ``whole`` says it still lacks everything
    this store held when it was first seen beside another target, so its next push
    sends every record. ``target`` is the target's identity (the folder's absolute path
    or the database's host, port, name and schema), ``label`` what the log calls it.
    """

    __tablename__ = "sync_targets"

    target: Mapped[str] = mapped_column(String(300), primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    fact_seq: Mapped[int] = mapped_column(Integer, default=0)
    relay_seq: Mapped[int] = mapped_column(Integer, default=0)
    whole: Mapped[bool] = mapped_column(Boolean, default=False)
    first_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SyncOutbox(Base):
    """A record that changed here and that some target of this store may lack.

    Why: with two targets (a QA install bridging a folder and a database, a laptop
    moving from one to the other), what one target delivers, and what this store sent
    to one, must reach the other. One row per record (the latest change, numbered by
    ``seq``), written only while the store has more than one target; ``origin`` is the
    target the change came from or went to first ("" when every target needs it), so
    it is not echoed back. Rows every target holds are removed.
    """

    __tablename__ = "sync_outbox"
    __table_args__ = (PrimaryKeyConstraint("table_name", "record_id"),
                      Index("ix_sync_outbox_seq", "seq"))

    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(300), default="")



class SyncFactOrigin(Base):
    """A run of case events (``first_seq`` to ``last_seq``) received from a target.

    Why: case events are sent once, by the device that recorded them. A laptop that
    received 27,418 events in a snapshot sent them all back with its first push, and
    every other store then checked each against its own, one by one (issue 21, item 6).
    Events of a run are never sent back to the target they came from (others, met
    later or bridged, still receive them). Runs every target has passed are removed.
    """

    __tablename__ = "sync_fact_origins"

    first_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(300), default="")
