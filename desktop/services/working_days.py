"""Working days in England and Wales: weekdays that are not bank holidays.

Why a library: the ``holidays`` package is maintained, works offline and knows the
substitute days ("Boxing Day (observed)") and one-off holidays (coronations, jubilees)
that a hand-written list gets wrong. Reminders ("7 working days before due"),
escalation deadlines ("end of the next working day") and overdue counts use this.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

#: England and Wales share bank holidays; the holidays package names England "ENG".
DEFAULT_SUBDIVISION = "ENG"


@lru_cache(maxsize=64)
def _bank_holidays(year: int, subdivision: str) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_bank_holiday(day: dt.date, subdivision: str = DEFAULT_SUBDIVISION) -> bool:
    return day in _bank_holidays(day.year, subdivision)


def is_working_day(day: dt.date, subdivision: str = DEFAULT_SUBDIVISION) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day, subdivision)


def add_working_days(day: dt.date, n: int, subdivision: str = DEFAULT_SUBDIVISION) -> dt.date:
    """The date ``n`` working days after ``day`` (before it when ``n`` is negative).

    ``add_working_days(d, 0)`` is ``d`` itself, even on a weekend.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        current += dt.timedelta(days=step)
        if is_working_day(current, subdivision):
            remaining -= 1
    return current


def next_working_day(day: dt.date, subdivision: str = DEFAULT_SUBDIVISION) -> dt.date:
    """The first working day strictly after ``day``."""
    return add_working_days(day, 1, subdivision)


def working_days_between(start: dt.date, end: dt.date,
                         subdivision: str = DEFAULT_SUBDIVISION) -> int:
    """Working days in ``(start, end]``: how many working days ``end`` is after ``start``.

    Negative when ``end`` is before ``start``. "Overdue by N working days" is
    ``working_days_between(due, today)``.
    """
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start, subdivision)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current, subdivision):
            count += 1
    return count
