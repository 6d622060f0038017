"""The weeks a screen offers, counted back from the host's today in the council's time.

Why one place: the Reports screen and the QA dashboard offer the same list of ISO weeks
with their dates, and both count from the host's clock (tests fix it) in London time,
where a week starts on Monday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from desktop.qt import QComboBox
from desktop.services.sampling.weeks import shift_week, week_of, week_span
from desktop.views.screen import Host

LONDON = ZoneInfo("Europe/London")
#: Weeks offered, counting back from this one (older ones can be typed where allowed).
WEEKS_BACK = 26


def host_today(host: Host) -> dt.date:
    return host.clock().astimezone(LONDON).date()


def fill_weeks(box: QComboBox, today: dt.date, back: int = WEEKS_BACK) -> None:
    """This week and the ``back - 1`` before it, as "2026-W47 (16 to 22 Nov 2026)"."""
    this_week = week_of(today)
    box.clear()
    for step in range(back):
        week = shift_week(this_week, -step)
        box.addItem(f"{week} ({week_span(week)})", week)
