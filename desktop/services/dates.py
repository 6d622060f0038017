"""Dates as English councils' case systems and spreadsheets export them.

Accepted:

* ``dd/mm/yyyy`` and ``d/m/yyyy`` (Excel's UK display), optionally followed by a time;
* ``dd-Mon-yy`` and ``dd-Mon-yyyy`` (Oracle-based systems and Business Objects), with
  ``-`` or a space, three-letter or full month names in any case;
* ISO ``yyyy-mm-dd``, optionally followed by a time (database extracts);
* Excel serial numbers, as numbers or as numeric text (a date column Excel lost the
  format of), fractions (a time of day) ignored;
* ``datetime``/``date`` values, as openpyxl returns formatted date cells.

Never ``mm/dd``: "12/31/2026" is refused, not swapped. Swapping silently would move a
child's last visit by months and pass or fail a standard wrongly; the user must see it.
Two-digit years follow Excel's rule (00-29 are 2000-2029, 30-99 are 1930-1999).

Parsing text is cached: an export repeats the same few hundred dates thousands of times,
and the 100,000-row import benchmark depends on it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

#: Excel's day 0 for modern serials (Excel counts a 29 February 1900 that never was).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serials accepted: five digits, 18/05/1927 to 14/10/2173. Narrower than Excel's range
#: on purpose: "2026" typed into a date column is a mistake, not 18 July 1905.
SERIAL_MIN, SERIAL_MAX = 10_000, 99_999
#: Two-digit years below this are 20yy, others 19yy (Excel's window).
TWO_DIGIT_PIVOT = 30

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"), start=1):
    MONTHS[_name] = _number
    MONTHS[_name[:3]] = _number
MONTHS["sept"] = 9

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{1,4})" + _TIME)
_MONTH_NAMED = re.compile(r"(\d{1,2})[- ]([A-Za-z]{3,9})\.?[- ](\d{2}|\d{4})" + _TIME)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_SERIAL = re.compile(r"\d{1,9}(?:\.\d+)?")

FORMATS_HINT = "use dd/mm/yyyy"


class DateProblem(ValueError):
    """A value that is not a date. ``reason`` is one short phrase fit for the user.

    The reason quotes the value: callers decide whether the column may be quoted
    (dates may; names never reach this module).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_date(value: object) -> dt.date | None:
    """Any cell value as a date; ``None`` for a blank cell.

    Raises:
        DateProblem: the value is not a date in an accepted format, or not a real date.
    """
    if value is None:
        return None
    if isinstance(value, str):
        result = _parse_text(value)
        if isinstance(result, str):
            raise DateProblem(result)
        return result
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateProblem(f"not a date ({value})")
    if isinstance(value, int | float):
        result = from_excel_serial(value)
        if isinstance(result, str):
            raise DateProblem(result)
        return result
    raise DateProblem(f"not a date ({value})")


def try_parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """``(date or None, None)`` or ``(None, reason)``: for validators collecting problems."""
    try:
        return parse_date(value), None
    except DateProblem as problem:
        return None, problem.reason


def from_excel_serial(serial: float) -> dt.date | str:
    """An Excel serial day number as a date, or the reason it is not one."""
    if not SERIAL_MIN <= serial < SERIAL_MAX + 1:  # also refuses NaN
        return f"not a date ({serial:g} is not an Excel date serial from 1927 to 2173)"
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < TWO_DIGIT_PIVOT else 1900
    return year


def _real(year: int, month: int, day: int, text: str) -> dt.date | str:
    if not 1 <= month <= 12:
        return f"not a date ({text}): there is no month {month}; dates are day/month/year"
    try:
        return dt.date(year, month, day)
    except ValueError:
        return f"not a date ({text})"


@lru_cache(maxsize=131072)
def _parse_text(raw: str) -> dt.date | str | None:
    """A date, ``None`` for blank, or the reason (a ``str``) it is not a date."""
    text = raw.strip()
    if not text:
        return None
    if m := _SLASHED.fullmatch(text):
        if len(m[3]) != 4:
            return f"not a date ({text}): the year must have four digits, dd/mm/yyyy"
        return _real(int(m[3]), int(m[2]), int(m[1]), text)
    if m := _ISO.fullmatch(text):
        return _real(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _MONTH_NAMED.fullmatch(text):
        month = MONTHS.get(m[2].casefold())
        if month is None:
            return f"not a date ({text}): unknown month '{m[2]}'"
        return _real(_year(m[3]), month, int(m[1]), text)
    if _SERIAL.fullmatch(text):
        return from_excel_serial(float(text))
    return f"not a date ({text}); {FORMATS_HINT}"
