"""The QA dashboard driven as a QA officer would: pick a week and a window, read charts.

Every bar and point is compared with what the weekly report's and the statistics
service's own functions say for the same period, so the dashboard cannot drift from
the printed reports.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import Qt, QtCharts
from desktop.services.reporting.weekly import weekly_data
from desktop.services.statistics.compliance import compliance_report
from desktop.views.dashboard import DashboardScreen
from desktop.views.window import MainWindow
from tests.unit.views.driving import open_screen_as
from tests.unit.views.test_case_tool_clicks import NOW, WAIT, WEEK
from tests.unit.views.test_reports_screen import ctx_of, pick

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def open_dashboard(qtbot: QtBot, path: Path) -> tuple[MainWindow, DashboardScreen]:
    return open_screen_as(qtbot, path, DashboardScreen, "drawn", NOW)


def series(screen: DashboardScreen, key: str) -> list[QtCharts.QAbstractSeries]:
    chart = screen.views[key].chart()
    assert chart is not None
    return list(chart.series())


def bar_values(screen: DashboardScreen, key: str) -> dict[str, list[float]]:
    """Each bar set's values, top category first (the chart lists them bottom up)."""
    (bars,) = series(screen, key)
    assert isinstance(bars, QtCharts.QHorizontalBarSeries)
    return {s.label(): [s.at(i) for i in range(s.count())][::-1] for s in bars.barSets()}


def categories(screen: DashboardScreen, key: str) -> list[str]:
    chart = screen.views[key].chart()
    (axis,) = [a for a in chart.axes() if isinstance(a, QtCharts.QBarCategoryAxis)]
    return [c.replace("<br>", " ") for c in reversed(axis.categories())]  # wrapped names


def test_the_charts_show_the_services_figures(qtbot: QtBot, county_path: Path) -> None:
    window, screen = open_dashboard(qtbot, county_path)
    assert screen.week() == WEEK and screen.window_weeks() == 12
    ctx = ctx_of(window)
    weekly = weekly_data(ctx, WEEK)
    end = dt.date(2026, 11, 22)
    report = compliance_report(ctx, end - dt.timedelta(days=83), end)
    assert weekly.total.audits > 0 and report.by_standard

    # Compliance: one point per standard with a figure, on its interval's bar.
    points = [s for s in series(screen, "compliance") if isinstance(s, QtCharts.QScatterSeries)]
    bars = [s for s in series(screen, "compliance") if isinstance(s, QtCharts.QLineSeries)
            and not isinstance(s, QtCharts.QScatterSeries)]
    sufficient = [f for f in report.by_standard if f.estimate.sufficient]
    expected = sorted(round(100 * f.estimate.rate, 1) for f in sufficient
                      if f.estimate.rate is not None)
    assert sorted(p.x() for p in points[0].points()) == expected
    assert sorted((round(b.at(0).x(), 6), round(b.at(1).x(), 6)) for b in bars) == sorted(
        (round(100 * f.estimate.low, 6), round(100 * f.estimate.high, 6)) for f in sufficient
        if f.estimate.low is not None and f.estimate.high is not None)
    for point, bar in zip(sorted(points[0].points(), key=lambda p: p.y()),
                          sorted(bars, key=lambda b: b.at(0).y()), strict=True):
        assert bar.at(0).x() <= point.x() <= bar.at(1).x()  # the point on its interval
    (x_axis,) = screen.views["compliance"].chart().axes(Qt.Orientation.Horizontal)
    assert "95% interval" in x_axis.titleText()

    # Quota, grades, disagreements: the weekly report's numbers, bar for bar.
    quota = bar_values(screen, "quota")
    assert quota["Quota"] == [q.wanted for q in weekly.quotas]
    assert quota["Audited"] == [q.audited for q in weekly.quotas]
    assert categories(screen, "quota") == [q.name for q in weekly.quotas]
    grades = bar_values(screen, "grades")["Audits"]
    assert grades[:4] == [weekly.total.grades.get(g, 0) for g in
                          ("outstanding", "good", "requires_improvement", "inadequate")]
    assert sum(grades) == weekly.total.audits
    teams = [t for t in weekly.teams if t.audits]
    assert categories(screen, "disagreements") == [t.name for t in teams]
    assert bar_values(screen, "disagreements")["RAG disagreements"] == [
        t.disagreements for t in teams]

    # Colour is never the only signal: every chart has its figures in words.
    for key, view in screen.views.items():
        assert screen.texts[key].text(), key
        assert view.accessibleDescription(), key
    assert (f"{weekly.total.audits} submitted audits (open for comment, queried or "
            "finalised)") in screen.status.text()


def test_another_week_and_window_redraw_from_the_keyboard(qtbot: QtBot,
                                                          county_path: Path) -> None:
    window, screen = open_dashboard(qtbot, county_path)
    ctx = ctx_of(window)
    with qtbot.waitSignal(screen.drawn, timeout=WAIT) as drawn:
        pick(qtbot, screen.window_choice, "the 4 weeks to that week's end")
    data = drawn.args[0]
    assert data.window_weeks == 4
    assert data.compliance.start == dt.date(2026, 10, 26)
    assert data.compliance.end == dt.date(2026, 11, 22)

    earlier = "2026-W46"
    with qtbot.waitSignal(screen.drawn, timeout=WAIT) as drawn:
        pick(qtbot, screen.week_choice, screen.week_choice.itemText(
            screen.week_choice.findData(earlier)))
    assert drawn.args[0].week.week == earlier
    weekly = weekly_data(ctx, earlier)
    assert bar_values(screen, "quota")["Audited"] == [q.audited for q in weekly.quotas]
    assert earlier in screen.views["grades"].chart().title()


def test_a_week_without_audits_says_so(qtbot: QtBot, county_path: Path) -> None:
    window, screen = open_dashboard(qtbot, county_path)
    oldest = screen.week_choice.count() - 1
    week = screen.week_choice.itemData(oldest)
    assert weekly_data(ctx_of(window), week).total.audits == 0
    with qtbot.waitSignal(screen.drawn, timeout=WAIT):
        pick(qtbot, screen.week_choice, screen.week_choice.itemText(oldest))
    assert screen.texts["grades"].text() == f"No submitted audits in {week}, so no grades."
    assert "no submitted audits" in screen.views["grades"].chart().title()
    assert screen.texts["disagreements"].text().startswith("No submitted audits")
    assert not series(screen, "grades")  # nothing drawn that could be misread
