"""Dates, times and ratings as a printed report writes them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def day(value: dt.date | None, missing: str = "not recorded") -> str:
    return value.strftime("%d %b %Y").lstrip("0") if value else missing


def moment(value: dt.datetime | None, missing: str = "not recorded") -> str:
    """A UTC time as the council's clock showed it (a case tool goes on the file)."""
    if value is None:
        return missing
    return value.astimezone(LONDON).strftime("%d %b %Y %H:%M").lstrip("0")


def rag(value: str | None) -> str:
    return value.capitalize() if value else "not recorded"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"
