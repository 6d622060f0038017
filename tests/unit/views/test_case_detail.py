"""The case detail pane as a reviewer uses it: read the compliance panel, show the name."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Case
from desktop.qt import Qt
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.services.standards.caseload import caseload_standards
from desktop.views.case_detail import STATUS_COLOURS, CaseDetail
from desktop.views.window import MainWindow
from tests.unit.views.conftest import AS_OF
from tests.unit.views.driving import open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
NOON = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)


def _pane(qtbot: QtBot, path: Path) -> tuple[MainWindow, CaseDetail, ServiceContext]:
    window = open_as(qtbot, path, role="qa")  # QA reaches every case it may pick
    window.clock = lambda: NOON
    pane = CaseDetail(window)
    qtbot.addWidget(pane)
    pane.resize(700, 800)
    pane.show()
    qtbot.waitExposed(pane)
    assert window.store is not None
    return window, pane, ServiceContext(store=window.store, clock=lambda: NOON)


def _column(pane: CaseDetail, column: int) -> list[str]:
    table = pane.compliance
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_the_compliance_panel_says_each_status_in_words(qtbot: QtBot, county_path: Path
                                                         ) -> None:
    _window, pane, ctx = _pane(qtbot, county_path)
    judged = next(c for c in caseload_standards(ctx, AS_OF).cases
                  if c.overdue and any(r.status == "met" for r in c.results))
    with qtbot.waitSignal(pane.shown, timeout=20_000):
        pane.show_case(judged.case_id)
    assert pane.heading.text() == f"Case {judged.case_ref}"
    statuses = _column(pane, 3)
    overdue = [r for r in judged.results if r.status == "overdue"]
    for result in overdue:
        row = [r.standard for r in judged.results].index(result.standard)
        words = statuses[row]
        assert words.startswith("Overdue")
        if result.due is not None:
            assert words == f"Overdue since {result.due:%d/%m/%Y}"
        cell = pane.compliance.item(row, 3)
        assert cell.background().color().name() == STATUS_COLOURS["overdue"][0]
    assert "Met" in statuses
    for words in statuses:
        assert words.split()[0] in {"Overdue", "Overdue:", "Due", "Met", "Not"}
    # The timeline is there too, newest first.
    model = pane.timeline_model
    assert model.rowCount() > 0
    days = [entry.on for entry in model.rows]
    assert days == sorted(days, reverse=True)


def test_show_full_name_reveals_it_and_logs_the_view(qtbot: QtBot, county_path: Path
                                                      ) -> None:
    window, pane, ctx = _pane(qtbot, county_path)
    with window.store.read() as session:  # type: ignore[union-attr]
        case = session.scalars(select(Case).where(Case.child_name.contains(" "))
                               .order_by(Case.case_ref)).first()
        assert case is not None
        case_id, name = case.id, case.child_name
    with qtbot.waitSignal(pane.shown, timeout=20_000):
        pane.show_case(case_id)
    initials = pane.name_label.text()
    assert initials and initials != name and len(initials) <= 4
    # Opening the record is a view of it; the full name is a view of its own.
    opened = [e for e in events_for(ctx, "case", case_id) if e.action == "view"]
    assert [json.loads(e.detail_json) for e in opened] == [{"shown": "detail"}]
    with qtbot.waitSignal(pane.name_revealed, timeout=20_000):
        qtbot.mouseClick(pane.reveal_button, Qt.MouseButton.LeftButton)
    assert pane.name_label.text() == name
    assert not pane.reveal_button.isEnabled()
    views = [e for e in events_for(ctx, "case", case_id) if e.action == "view"][1:]
    assert len(views) == 1
    assert window.user is not None and views[0].user_id == window.user.id
    assert json.loads(views[0].detail_json) == {"shown": "full_name"}
    assert not any(part in views[0].detail_json for part in name.split())
    # Another case goes back to initials.
    with window.store.read() as session:  # type: ignore[union-attr]
        other = session.scalar(select(Case.id).where(Case.id != case_id,
                                                     Case.child_name != ""))
    assert other is not None
    with qtbot.waitSignal(pane.shown, timeout=20_000):
        pane.show_case(other)
    assert pane.name_label.text() != name and pane.reveal_button.isEnabled()
