"""A named point where a fault-injection test stops a real sync process to kill it.

Only ``DIPSAMPLE_SYNC_TEST_PAUSE`` set to a point's name (tests/unit/sync) makes the
process say so on stderr and wait there, until a line on standard input lets it go on
(or a minute passes); nothing else sets it.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_ENV = "DIPSAMPLE_SYNC_TEST_PAUSE"


def test_pause(point: str) -> None:
    if os.environ.get(PAUSE_ENV) == point:
        print(f"paused at {point}", file=sys.stderr, flush=True)
        if sys.stdin is not None and not sys.stdin.isatty():
            sys.stdin.readline()
        else:
            time.sleep(60)
