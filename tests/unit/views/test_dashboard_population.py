"""The dashboard's compliance chart names a figure's population (issue 24, item 5):
a standard asked of Green cases only reads "Face-to-face visit (Green cases only)" on
its axis and in the sentence a screen reader reads, never as a caseload-wide figure."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QtCharts
from desktop.services.statistics.compliance import Figure
from desktop.services.statistics.estimates import Estimate
from desktop.views import dashboard_charts as charts

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def estimate(rate: float) -> Estimate:
    return Estimate(rate, rate - 0.1, rate + 0.05, 0.04, 40.0, 60, 60, rate, 0.95)


def test_a_green_only_figure_says_it_covers_green_cases(qtbot: QtBot) -> None:
    figures = [Figure("risk_assessment", "risk_assessment", estimate(0.73),
                      ("amber", "green", "red")),
               Figure("visit_f2f", "visit_f2f", estimate(0.71), ("green",),
                      "Green cases only")]
    shown = charts.compliance(figures, "1 Oct 2026 to 31 Oct 2026", dark=False)
    view = charts.chart_view("Compliance")
    qtbot.addWidget(view)
    view.setChart(shown.chart)
    view.resize(640, 320)
    (axis,) = [a for a in shown.chart.axes() if isinstance(a, QtCharts.QCategoryAxis)]
    assert list(reversed(axis.categoriesLabels())) == [
        "Risk assessment", "Face-to-face visit<br>(Green cases only)"]
    assert "Face-to-face visit (Green cases only): 71.0%" in shown.text
    assert "Risk assessment: 73.0%" in shown.text
