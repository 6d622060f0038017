from __future__ import annotations

import datetime as dt

from desktop.services.working_days import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)

D = dt.date


def test_bank_holidays_of_england_are_not_working_days() -> None:
    assert not is_working_day(D(2026, 12, 25))  # Christmas, Friday
    assert not is_working_day(D(2026, 12, 28))  # Boxing Day observed, Monday
    assert not is_working_day(D(2026, 8, 31))   # late summer bank holiday
    assert not is_working_day(D(2026, 11, 21))  # Saturday
    assert is_working_day(D(2026, 11, 23))


def test_next_working_day_skips_christmas() -> None:
    assert next_working_day(D(2026, 12, 24)) == D(2026, 12, 29)
    assert next_working_day(D(2026, 11, 20)) == D(2026, 11, 23)  # Friday -> Monday


def test_seven_working_days_before_due_crosses_easter() -> None:
    # Due Friday 10 April 2026: Good Friday 3 April and Easter Monday 6 April are skipped.
    assert add_working_days(D(2026, 4, 10), -7) == D(2026, 3, 30)


def test_working_days_between_counts_end_not_start() -> None:
    assert working_days_between(D(2026, 11, 20), D(2026, 11, 23)) == 1
    assert working_days_between(D(2026, 11, 23), D(2026, 11, 20)) == -1
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 29)) == 1
    assert working_days_between(D(2026, 11, 23), D(2026, 11, 23)) == 0
