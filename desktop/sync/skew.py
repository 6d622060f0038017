"""How far this computer's clock is from the sync target's: measured at each sync, shown
when it is more than a few minutes.

Why measure it at all, when the merge no longer trusts wall clocks (docs/sync.md,
'Guarantees'): versions stay right whatever the clock says, but the times a person
reads are still the laptop's own (when an answer was typed, when a conflict's two
values were written, the 72-hour deadlines). A laptop three hours slow writes
"10:05" for something done at 13:05; saying so in the status bar and in ``dipsample
sync status`` lets IT fix the clock before those times mislead anyone.

How: the engine reads the target's own time during a sync (PostgreSQL's ``now()``, or
the modification time of a probe file the folder target writes) and calls
:func:`clock_skew` with it; the offset is this computer's wall clock (the one its hybrid
clock reads) minus the target's. It is kept in ``store_meta`` (:data:`SKEW_KEY`), and
written only when it moved by more than :data:`REWRITE_S`: a quiet sync every few
minutes then commits nothing (a commit would make the next quiet sync read the whole
sync state again, desktop/sync/engine.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from desktop.models import Meta
from desktop.store import Store

#: ``store_meta`` key of the last measured offset (JSON: milliseconds, when measured).
SKEW_KEY = "sync.clock_skew"
#: Beyond this many seconds either way the status bar and ``sync status`` say so.
SHOWN_S = 300
#: The stored offset is written again only when it moved by more than this.
REWRITE_S = 30.0


@dataclass(frozen=True)
class ClockSkew:
    """This computer's clock minus the target's, as last measured.

    Attributes:
        offset_s: seconds; positive when this computer's clock is fast (ahead).
        measured_at: the target's time when it was measured (aware UTC).
    """

    offset_s: float
    measured_at: dt.datetime

    @property
    def off(self) -> bool:
        """Far enough off to tell a person."""
        return abs(self.offset_s) > SHOWN_S

    @property
    def text(self) -> str:
        """"This computer's clock is 182 minutes slow (about 3 hours)", or "" when within
        :data:`SHOWN_S`."""
        if not self.off:
            return ""
        minutes = round(abs(self.offset_s) / 60)
        way = "fast" if self.offset_s > 0 else "slow"
        about = f" (about {round(minutes / 60)} hours)" if minutes >= 120 else ""
        return f"This computer's clock is {minutes} minutes {way}{about}"


#: The offset last written or read per store file, in this process (see the module
#: docstring: a quiet sync reads nothing and writes nothing).
_known: dict[Path, ClockSkew | None] = {}


def clock_skew(store: Store, target_time: dt.datetime,
               local_time: dt.datetime | None = None) -> ClockSkew:
    """Record how far this computer's clock is from ``target_time`` (the target's own
    time, read during this sync); returns the measurement.

    ``local_time`` is this computer's time at the same moment (by default now, from the
    wall clock the store's hybrid clock reads, so a test's laptop "hours behind" is
    measured as such). Call it with the target's time read as close as possible to
    the call: the offset includes how long the read took.
    """
    if target_time.tzinfo is None:
        raise ValueError("the target's time must be aware (UTC)")
    if local_time is None:
        local_time = dt.datetime.fromtimestamp(store.clock.physical_ms() / 1000, dt.UTC)
    offset_ms = round((local_time - target_time).total_seconds() * 1000)
    skew = ClockSkew(offset_ms / 1000, target_time.astimezone(dt.UTC))
    held = _known[store.path] if store.path in _known else read_skew(store)
    if held is not None and abs(held.offset_s - skew.offset_s) <= REWRITE_S:
        return skew
    value = json.dumps({"offset_ms": offset_ms,
                        "at": skew.measured_at.isoformat()})
    with store.transaction() as session:
        row = session.get(Meta, SKEW_KEY)
        if row is None:
            session.add(Meta(key=SKEW_KEY, value=value))
        else:
            row.value = value
    _known[store.path] = skew
    return skew


def read_skew(store: Store) -> ClockSkew | None:
    """The offset last measured (None: never measured here)."""
    with store.read() as session:
        value = session.scalar(select(Meta.value).where(Meta.key == SKEW_KEY))
    skew = None
    if value:
        try:
            data = json.loads(value)
            skew = ClockSkew(int(data["offset_ms"]) / 1000,
                             dt.datetime.fromisoformat(data["at"]))
        except (ValueError, KeyError, TypeError):
            skew = None
    _known[store.path] = skew
    return skew
