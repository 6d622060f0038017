"""ISO weeks as the sampler names them: ``2026-W48``."""

from __future__ import annotations

import datetime as dt
import re

from desktop.errors import InputProblem

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> str:
    """The canonical week text; refuses anything that is not a real ISO week."""
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
