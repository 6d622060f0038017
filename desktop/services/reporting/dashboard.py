"""What the QA dashboard shows: one week's audits against quota, grades and
disagreements, and the compliance estimates of the weeks up to it.

Why the two periods: a week's 25 audits per auditor are what a coordinator chases
(quota, grades, disagreements), but one week of audits gives compliance intervals some
30 points wide, so compliance is read over a window of 4, 8 or 12 weeks ending with
that week (docs/statistics.md, "The population"). Every figure comes from the weekly
report's and the statistics service's own functions, so the dashboard and the printed
reports never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop.errors import InputProblem
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.reporting.weekly import WeeklyData, weekly_data
from desktop.services.sampling.weeks import parse_week, week_start
from desktop.services.statistics.compliance import (
    WINDOWS_WEEKS,
    ComplianceReport,
    compliance_report,
)


@dataclass(frozen=True)
class DashboardData:
    """Attributes:
        week: the week's findings by team and worker, and audits against quota.
        compliance: the weighted estimates of the window ending with the week.
        window_weeks: the window's length.
    """

    week: WeeklyData
    compliance: ComplianceReport
    window_weeks: int


def week_audits_words(weekly: WeeklyData) -> str:
    """The week's count in words that say what it counts.

    The weekly figures count every audit dated in the week and submitted, whether still
    open for comment, queried or finalised (:mod:`desktop.services.reporting.weekly`),
    so calling them "finalised" told QA that audits still open were settled.
    """
    audits = weekly.total.audits
    return (f"{weekly.week} ({weekly.span}): {audits} submitted audit"
            f"{'' if audits == 1 else 's'} (open for comment, queried or finalised)")


def dashboard_data(ctx: ServiceContext, week: str, window_weeks: int = 12) -> DashboardData:
    """The dashboard's figures for ``week`` and the ``window_weeks`` weeks up to it.

    Raises:
        InputProblem: ``week`` is not an ISO week, or the window is not 4, 8 or 12.
    """
    guard(ctx, Permission.REPORTS)
    if window_weeks not in WINDOWS_WEEKS:
        raise InputProblem(f"the compliance window is {window_weeks} weeks; it must be "
                           f"one of {', '.join(map(str, WINDOWS_WEEKS))}")
    week = parse_week(week)
    ctx.report(0, 2, "the week's audits")
    weekly = weekly_data(ctx, week)
    ctx.report(1, 2, "compliance estimates")
    end = week_start(week) + dt.timedelta(days=6)
    start = end - dt.timedelta(days=7 * window_weeks - 1)
    compliance = compliance_report(ctx, start, end)
    ctx.report(2, 2, "compliance estimates")
    return DashboardData(weekly, compliance, window_weeks)
