"""A hybrid logical clock: orders changes across devices without trusting wall clocks.

Why: laptops' clocks drift and councils' laptops are offline for days. A hybrid
logical clock (Kulkarni et al., 2014) stays close to wall time yet never goes
backwards, and merging a remote clock keeps causality. The text form sorts in clock
order, so the store can compare versions as strings.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}.{self.counter:05d}.{self.node}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        wall, counter, node = text.split(".", 2)
        return cls(int(wall), int(counter), node)


class HybridClock:
    """Thread-safe; one per open store."""

    def __init__(self, device_id: str, now_ms: Callable[[], int] | None = None) -> None:
        self.node = device_id.replace("-", "")[:8]
        self._now_ms = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._wall = 0
        self._counter = 0
        self._lock = threading.Lock()

    def tick(self) -> str:
        """A new timestamp for a local change, later than every one seen so far."""
        with self._lock:
            physical = self._now_ms()
            if physical > self._wall:
                self._wall, self._counter = physical, 0
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
