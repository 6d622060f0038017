"""Every accepted date shape, and the refusals that keep day and month from swapping."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.services.dates import DateProblem, parse_date, try_parse_date

D = dt.date


@pytest.mark.parametrize(("value", "expected"), [
    ("31/01/2026", D(2026, 1, 31)),
    ("1/2/2026", D(2026, 2, 1)),
    ("01/02/2026 00:00", D(2026, 2, 1)),
    ("05-Jan-26", D(2026, 1, 5)),
    ("5-jan-95", D(1995, 1, 5)),
    ("05-JAN-2026", D(2026, 1, 5)),
    ("05 Sept 2025", D(2025, 9, 5)),
    ("5 March 2025", D(2025, 3, 5)),
    ("2026-01-31", D(2026, 1, 31)),
    ("2026-01-31T13:45:00", D(2026, 1, 31)),
    ("2026-01-31 13:45:00.123+00:00", D(2026, 1, 31)),
    ("45678", D(2025, 1, 21)),
    ("45678.75", D(2025, 1, 21)),
    (45678, D(2025, 1, 21)),
    (45678.99, D(2025, 1, 21)),
    (dt.datetime(2025, 3, 4, 23, 59), D(2025, 3, 4)),
    (D(2025, 3, 4), D(2025, 3, 4)),
    ("  31/01/2026  ", D(2026, 1, 31)),
    ("", None),
    ("   ", None),
    (None, None),
])
def test_accepted_formats(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


def test_excel_serials_match_excel() -> None:
    # 1 January 2000 is serial 36526 in Excel's 1900 system; 29/02/2024 is 45351.
    assert parse_date(36526) == D(2000, 1, 1)
    assert parse_date("45351") == D(2024, 2, 29)


@pytest.mark.parametrize(("value", "reason"), [
    ("12/31/2026", "there is no month 31"),
    ("31/02/2026", "not a date (31/02/2026)"),
    ("29-Feb-25", "not a date (29-Feb-25)"),
    ("01/01/26", "four digits"),
    ("05-Foo-26", "unknown month 'Foo'"),
    ("2026", "not an Excel date serial"),
    (2026, "not an Excel date serial"),
    ("tomorrow", "use dd/mm/yyyy"),
    (True, "not a date"),
    (float("nan"), "not an Excel date serial"),
    ("2026-13-01", "there is no month 13"),
])
def test_refusals_say_why(value: object, reason: str) -> None:
    with pytest.raises(DateProblem) as caught:
        parse_date(value)
    assert reason in caught.value.reason
    assert try_parse_date(value) == (None, caught.value.reason)


@given(st.dates(min_value=D(1930, 1, 1), max_value=D(2100, 12, 31)))
def test_every_written_form_round_trips(day: dt.date) -> None:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec"]
    forms = [day.strftime("%d/%m/%Y"), f"{day.day}/{day.month}/{day.year}", day.isoformat(),
             f"{day.day:02d}-{months[day.month - 1]}-{day.year}",
             str((day - D(1899, 12, 30)).days)]
    if day.year < 2030:
        forms.append(f"{day.day:02d}-{months[day.month - 1]}-{day.year % 100:02d}")
    for form in forms:
        assert parse_date(form) == day, form


@given(st.text(max_size=20))
def test_any_text_is_a_date_blank_or_a_reason(text: str) -> None:
    value, reason = try_parse_date(text)
    assert (reason is None) or (value is None and reason.startswith("not a date"))
