"""The QA dashboard: a week's audits against quota, grades and disagreements, and the
compliance estimates of the weeks up to it, as charts.

Why a screen of its own and not only the printed reports: the QA team watches these
figures during the week, before anything is printed; the dashboard reads them with the
same services the weekly and monthly reports use (:mod:`desktop.services.reporting.
dashboard`), on the worker, and draws them with Qt Charts (:mod:`dashboard_charts`).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from desktop.errors import UserError
from desktop.models import Action, Audit, AuditAnswer, Case, RagDisagreement, Sample, SampleItem
from desktop.qt import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.reports import formats
from desktop.services.auth.roles import Permission
from desktop.services.change_sets import Kind, Outside
from desktop.services.context import ServiceContext
from desktop.services.reporting.dashboard import DashboardData, dashboard_data, week_audits_words
from desktop.services.statistics.compliance import WINDOWS_WEEKS
from desktop.views import dashboard_charts as charts
from desktop.views.action_dialogs import labelled
from desktop.views.periods import fill_weeks, host_today
from desktop.views.plain import plain_label, plain_tip
from desktop.views.screen import Host, Screen
from desktop.views.worker import show_error


class DashboardScreen(Screen):
    """Signals:
        drawn(object): the charts show this DashboardData.

    Attributes:
        week_choice, window_choice: the week and the compliance window.
        views: the four chart views by name ("compliance", "quota", "grades",
            "disagreements"); texts: the sentence under each.
        status: what is being read, or why nothing is shown.
        data: the figures on screen.
    """

    key = "dashboard"
    needs = Permission.REPORTS
    title = "QA das&hboard"
    reads: ClassVar[frozenset[Kind]] = frozenset({Audit, AuditAnswer, Sample, SampleItem, Action,
                                                  RagDisagreement, Case, Outside.SETTINGS_FILES})

    drawn = Signal(object)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.data: DashboardData | None = None
        self._generation = 0
        self._weeks_of: dt.date | None = None
        self.week_choice = QComboBox()
        self.week_choice.setAccessibleName("Week")
        self.window_choice = QComboBox()
        self.window_choice.setAccessibleName("Compliance over the weeks up to the week")
        for weeks in reversed(WINDOWS_WEEKS):
            self.window_choice.addItem(f"the {weeks} weeks to that week's end", weeks)
        form = QFormLayout()
        labelled(form, "&Week", self.week_choice)
        labelled(form, "Complian&ce over", self.window_choice)
        self.status = plain_label("")
        self.status.setAccessibleName("Dashboard status")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addLayout(form)
        top.addWidget(self.status, 1)

        # The compliance and grade charts hold a few rows; quota and disagreements one
        # row per auditor or team, so they go side by side below and grow with them.
        grid = QGridLayout()
        self.views: dict[str, charts.QtCharts.QChartView] = {}
        self.texts: dict[str, QLabel] = {}
        for index, (key, accessible) in enumerate((
                ("compliance", "Compliance per standard with its interval"),
                ("grades", "Grades of the week's audits"),
                ("quota", "Audits against quota"),
                ("disagreements", "RAG disagreements by team"))):
            view = charts.chart_view(accessible)
            text = plain_label("")
            text.setAccessibleName(f"{accessible}, in words")
            text.setWordWrap(True)
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.addWidget(view, 1)
            cell_layout.addWidget(text)
            grid.addWidget(cell, index // 2, index % 2)
            self.views[key] = view
            self.texts[key] = text
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)
        self._fill_weeks()
        self.week_choice.currentIndexChanged.connect(lambda _i: self._chosen())
        self.window_choice.currentIndexChanged.connect(lambda _i: self._chosen())

    def _fill_weeks(self) -> None:
        today = host_today(self.host)
        if today == self._weeks_of:
            return
        self._weeks_of = today
        self.week_choice.blockSignals(True)
        fill_weeks(self.week_choice, today)
        self.week_choice.blockSignals(False)

    def week(self) -> str:
        return str(self.week_choice.currentData())

    def window_weeks(self) -> int:
        return int(self.window_choice.currentData())

    def _chosen(self) -> None:
        if self.host.store is not None and not self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Read the figures of the week and window chosen (F5, or a new choice)."""
        if self.host.store is None:
            return
        self._fill_weeks()
        week, window = self.week(), self.window_weeks()
        self._generation += 1
        generation = self._generation
        self.status.setText(f"Reading the figures of {week}…")

        def read(ctx: ServiceContext) -> DashboardData:
            return dashboard_data(ctx, week, window)

        (self.host.call("Reading the dashboard's figures", read, dialog=False)
         .success(lambda data: self._draw(generation, data))
         .failure(lambda exc: self._unreadable(generation, exc))
         .run())

    def _draw(self, generation: int, data: DashboardData) -> None:
        if generation != self._generation:
            return  # a later choice is on its way
        self.data = data
        dark = charts.is_dark(self.palette())
        weekly, report = data.week, data.compliance
        period = f"{formats.day(report.start)} to {formats.day(report.end)}"
        drawn = {
            "compliance": charts.compliance(report.by_standard, period, dark),
            "quota": charts.quota(weekly.quotas, weekly.week, dark),
            "grades": charts.grades(weekly.total, weekly.week, dark),
            "disagreements": charts.disagreements(weekly.teams, weekly.week, dark),
        }
        for key, shown in drawn.items():
            old = self.views[key].chart()
            self.views[key].setChart(shown.chart)
            if old is not None and old is not shown.chart:
                old.deleteLater()
            self.views[key].setMinimumHeight(
                max(charts.MIN_HEIGHT, charts.FRAME_PX + charts.ROW_PX * shown.rows))
            self.views[key].setAccessibleDescription(shown.text)
            self.texts[key].setText(shown.summary)
            self.texts[key].setToolTip(plain_tip(shown.text))
        self.status.setText(
            f"{week_audits_words(weekly)}. Compliance: {report.audits} audits from "
            f"{period}; the figures are estimates for the whole open caseload, or for the "
            "cases a figure names (\"Green cases only\"), each with its 95% interval.")
        self.drawn.emit(data)

    def _unreadable(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, UserError):
            self.status.setText(f"No figures: {exc.message}")
        else:
            self.status.setText("No figures.")
            show_error(self, exc, self.host.db_path)
