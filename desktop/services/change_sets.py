"""What a piece of work changed, as the store itself records it: a change set.

Why from the store and not declared by hand: every local write of a record appends a
row to the change log in the same transaction (desktop/store/changes.py), naming its
table. Asking the log what was written while a task ran gives the tables it changed,
and no write can forget to say so (the hand-written refresh keys they replace went
stale one forgotten key at a time). Anki's operations return ``OpChanges`` for the same
purpose; here the window asks after each task and each screen decides from the set
whether to read again.

Cheap when nothing was written: the newest change number and case event, read before
and after (two indexed look-ups), tell whether anything was; only then is the log read.

What the change log does not hold is named by :class:`Outside`: the settings files, and
a sync, which applies other devices' records without logging them as local changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from desktop.models import Base, CaseEvent
from desktop.models.log import Change
from desktop.store import Store


class Outside(StrEnum):
    """Changes that leave no row in the change log."""

    SETTINGS_FILES = "settings files"
    #: A sync applied other devices' records: anything may have changed.
    SYNC = "sync"


Kind = type[Base] | Outside


@dataclass(frozen=True)
class ChangeSet:
    """The kinds of records a piece of work changed.

    Attributes:
        tables: the names of the tables written.
        outside: changes the change log does not show.
    """

    tables: frozenset[str] = frozenset()
    outside: frozenset[Outside] = frozenset()

    @classmethod
    def of(cls, *kinds: Kind) -> ChangeSet:
        tables = frozenset(k.__tablename__ for k in kinds if not isinstance(k, Outside))
        return cls(tables, frozenset(k for k in kinds if isinstance(k, Outside)))

    def __bool__(self) -> bool:
        return bool(self.tables or self.outside)

    def __or__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(self.tables | other.tables, self.outside | other.outside)

    def touches(self, kinds: Iterable[Kind]) -> bool:
        """Whether a screen that shows ``kinds`` must read again (a sync touches all)."""
        if Outside.SYNC in self.outside:
            return True
        for kind in kinds:
            if isinstance(kind, Outside):
                if kind in self.outside:
                    return True
            elif kind.__tablename__ in self.tables:
                return True
        return False


#: What a sync (or anything that may have touched every table) changed.
EVERYTHING = ChangeSet(outside=frozenset({Outside.SYNC}))


@dataclass
class ChangeWatch:
    """Follows one store's change log (and its append-only facts) for one window.

    Used only on the worker thread that runs the window's tasks one at a time; the
    lock covers a second caller all the same. ``seen`` is the newest change-log row
    already reported, ``facts_seen`` the newest case event (facts leave no change-log
    row: desktop/models/base.py).
    """

    store: Store
    seen: int = -1
    facts_seen: int = -1
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def mark(self) -> tuple[int, int]:
        """Taken before a task: the newest change and case event (two indexed look-ups
        on a pooled connection; the first mark is nobody's news)."""
        counters = self.store.change_counters()
        with self._lock:
            if self.seen < 0:
                self.seen, self.facts_seen = counters
        return counters

    def since(self, mark: tuple[int, int]) -> ChangeSet:
        """What was written since ``mark``: nothing, unless the counters moved."""
        counters = self.store.change_counters()
        if counters == mark:
            return ChangeSet()
        with self._lock:
            tables: set[str] = set()
            if counters[0] > self.seen:
                with self.store.read() as session:
                    tables = set(session.scalars(
                        select(Change.table_name).where(Change.seq > self.seen).distinct()))
                self.seen = counters[0]
            if counters[1] > self.facts_seen:
                tables.add(CaseEvent.__tablename__)
                self.facts_seen = counters[1]
        return ChangeSet(frozenset(tables))
