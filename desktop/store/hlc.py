"""A hybrid logical clock: orders changes across devices without trusting wall clocks.

Why: laptops' clocks drift and councils' laptops are offline for days. A hybrid
logical clock (Kulkarni et al., 2014) stays close to wall time yet never goes
backwards, and merging a remote clock keeps causality. The text form sorts in clock
order, so the store can compare versions as strings.

Why each number carries its length: the old text form padded the counter to five
digits, so counter 100,000 (a big import after a clock step back) sorted before 99,999.
Now each number is written as a letter giving its count of digits ("a" one digit, "b"
two, ... "z" 26) followed by the digits: a longer number is a later letter, equal
lengths compare digit by digit, so the text sorts exactly as the numbers do. Every
form this store wrote before (digits first) sorts before every new one, and the clock
never goes back, so the switch keeps the order too.

Why the clock is restored from every version the store holds, sent or received: a
laptop whose wall clock is hours behind takes its causality from the versions it has
seen, not from its own time. When it restarted from its own last write only, an edit
made after seeing another laptop's later-clocked value got an earlier version than
that value, and every other store took it for old news (issue 21). The store keeps the
clock's high-water mark (``store_meta`` :data:`HIGH_WATER`, written in the same
transaction as whatever moved the clock, a local write or an apply;
desktop/store/changes.py) and opening resumes above it and above the newest change-log
row.

Why the physical time is injectable: tests run a laptop "three hours behind" by
giving its store a clock of its own, and a real ``dipsample`` process by
:data:`OFFSET_ENV`, which only tests set.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: ``store_meta`` key of the highest version this store's clock has reached by
#: observing other devices' versions (its own ticks are in the change log).
HIGH_WATER = "clock.high_water"
#: Test only: seconds added to this process's wall clock for the hybrid clock (and the
#: skew it reports), so a test can run a real ``dipsample sync`` "hours ahead" or
#: "hours behind" (tests/integration/test_sync_chaos.py). Nothing else sets it.
OFFSET_ENV = "DIPSAMPLE_TEST_CLOCK_OFFSET"


def system_ms() -> Callable[[], int]:
    """This computer's wall clock in milliseconds (moved by :data:`OFFSET_ENV` in tests)."""
    try:
        offset = round(float(os.environ.get(OFFSET_ENV, "") or 0) * 1000)
    except ValueError:
        offset = 0
    if not offset:
        return lambda: time.time_ns() // 1_000_000
    return lambda: time.time_ns() // 1_000_000 + offset


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{encode_number(self.wall_ms)}.{encode_number(self.counter)}.{self.node}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        wall, counter, node = text.split(".", 2)
        return cls(decode_number(wall), decode_number(counter), node)


#: The largest number the text form holds (26 digits: beyond any clock's reach).
LARGEST = 10 ** 26 - 1


def encode_number(value: int) -> str:
    """``value`` as text that sorts as the numbers do (see the module docstring)."""
    if not 0 <= value <= LARGEST:
        raise ValueError("a clock value must be between 0 and 10**26 - 1")
    digits = str(value)
    return chr(ord("a") + len(digits) - 1) + digits


def decode_number(text: str) -> int:
    """The number of :func:`encode_number`'s text, or of the older digits-only form."""
    return int(text[1:] if text[:1].isalpha() else text)


class HybridClock:
    """Thread-safe; one per open store."""

    def __init__(self, device_id: str, now_ms: Callable[[], int] | None = None) -> None:
        self.node = device_id.replace("-", "")[:8]
        self._now_ms = now_ms or system_ms()
        self._wall = 0
        self._counter = 0
        self._lock = threading.Lock()

    def physical_ms(self) -> int:
        """The wall clock this hybrid clock reads (milliseconds since the epoch, UTC)."""
        return self._now_ms()

    def high_water(self) -> str:
        """The latest timestamp given or seen so far (empty before any)."""
        with self._lock:
            if not self._wall and not self._counter:
                return ""
            return str(Timestamp(self._wall, self._counter, self.node))

    def tick(self) -> str:
        """A new timestamp for a local change, later than every one seen so far."""
        with self._lock:
            physical = self._now_ms()
            if physical > self._wall:
                self._wall, self._counter = physical, 0
            elif self._counter >= LARGEST:
                self._wall, self._counter = self._wall + 1, 0
            else:
                self._counter += 1
            return str(Timestamp(self._wall, self._counter, self.node))

    def observe(self, remote: str) -> None:
        """Merge a timestamp seen on another device (or restored from the log)."""
        if not remote:
            return
        other = Timestamp.parse(remote)
        with self._lock:
            if other.wall_ms > self._wall:
                self._wall, self._counter = other.wall_ms, other.counter
            elif other.wall_ms == self._wall:
                self._counter = max(self._counter, other.counter)
