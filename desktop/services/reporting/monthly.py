"""What the monthly QA report shows (seed 002): the month's weighted compliance and its
trend over earlier months, every figure taken from the statistics service.

Why no arithmetic here: the report must show the statistics service's numbers exactly
(issue 11: "figures equal the statistics service's"), so this module only chooses the
periods and asks ``compliance_report`` for each.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from desktop.errors import InputProblem
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.statistics.compliance import ComplianceReport, compliance_report

#: Months of trend shown before the report's own month.
TREND_MONTHS = 5
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class MonthlyData:
    month: str
    key_messages: str
    current: ComplianceReport
    trend: tuple[ComplianceReport, ...]  # oldest first, the report's month last


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` as its first and last day."""
    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise InputProblem(f"'{text}' is not a month like 2026-11")
    first = dt.date(int(match[1]), int(match[2]), 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def month_name(first: dt.date) -> str:
    return first.strftime("%B %Y")


def monthly_data(ctx: ServiceContext, month: str, key_messages: str = "") -> MonthlyData:
    """The month's figures and the trend of the months before it, with progress."""
    guard(ctx, P.REPORTS)
    first, last = parse_month(month)
    periods = []
    start = first
    for _ in range(TREND_MONTHS):
        start = (start - dt.timedelta(days=1)).replace(day=1)
        periods.append(start)
    periods = [*reversed(periods), first]
    reports = []
    for index, start in enumerate(periods):
        ctx.report(index, len(periods), "compliance by month")
        end = last if start == first else (start + dt.timedelta(days=32)).replace(day=1) \
            - dt.timedelta(days=1)
        reports.append(compliance_report(ctx, start, end))
    ctx.report(len(periods), len(periods), "compliance by month")
    return MonthlyData(f"{first:%Y-%m}", key_messages, reports[-1], tuple(reports))
