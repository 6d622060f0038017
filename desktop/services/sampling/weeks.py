"""ISO weeks as the sampler names them: ``2026-W48``."""

from __future__ import annotations

import datetime as dt
import re

from desktop.errors import InputProblem

#: ``2026-W48``, in either case (``2026-w48``, as ``report weekly`` took it already) and
#: with or without the leading zero or the dash (``2026-w5``, ``2026W05``).
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def parse_week(text: str) -> str:
    """The canonical week text; refuses anything that is not a real ISO week.

    Why any case: a person types ``2026-w50`` as readily as ``2026-W50``, and one command
    taking it while another refused it (tester's item 21) made the refusal look like a
    different rule, not a typing habit.
    """
    match = _WEEK.match(text.strip())
    if match is None:
        raise InputProblem(f"'{text}' is not an ISO week like 2026-W48")
    year, week = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InputProblem(f"{text} does not exist (year {year} has no week {week})") from None
    return f"{year:04d}-W{week:02d}"


def week_start(week: str) -> dt.date:
    """The Monday of the week."""
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 1)


def week_of(day: dt.date) -> str:
    year, number, _ = day.isocalendar()
    return f"{year:04d}-W{number:02d}"


def shift_week(week: str, by: int) -> str:
    """The week ``by`` weeks after ``week`` (before, when negative), across year ends."""
    return week_of(week_start(parse_week(week)) + dt.timedelta(weeks=by))


def week_span(week: str) -> str:
    """The week's Monday to Sunday in words, as a person names a week: 16 to 22 Nov 2026."""
    monday = week_start(parse_week(week))
    sunday = monday + dt.timedelta(days=6)
    first = (f"{monday.day}" if monday.month == sunday.month
             else f"{monday.day} {monday:%b}" if monday.year == sunday.year
             else f"{monday.day} {monday:%b %Y}")
    return f"{first} to {sunday.day} {sunday:%b %Y}"
