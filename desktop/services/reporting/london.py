"""The council's calendar: where a London day starts, as a UTC time to compare with.

Why: every time is stored in UTC, but a report's week or month is the council's (a
visit at 00:30 on 1 June in London is 31 May in UTC), so a report's boundaries are
London midnights.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
#: How every export and report names its times (issue 24, item 6).
ZONE_WORDS = "Europe/London local time"


def day_start(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in London, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)


def day_end(day: dt.date) -> dt.datetime:
    """Midnight ending ``day`` in London (the next day's start), in UTC."""
    return day_start(day + dt.timedelta(days=1))
