"""The case table model: Qt's model tester, paging, roles, one-row updates."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop.qt import QColor, Qt
from desktop.services.case_list import CaseRow, SortKey
from desktop.views import case_table as columns
from desktop.views.case_table import OBJECT_ROLE, PAGE, SORT_ROLE, CaseTableModel


def make_rows(count: int) -> list[CaseRow]:
    rags = ("red", "amber", "green", None)
    return [CaseRow(id=f"id-{i}", case_ref=f"DC{i:07d}", child_name=f"Child {i}",
                    rag=rags[i % 4], cohort="cp" if i % 2 else "cin", team=f"Team {i % 5}",
                    worker=f"Worker {i % 7}",
                    last_visit=dt.date(2026, 11, 1) + dt.timedelta(days=i % 20) if i % 3 else None,
                    status="open" if i % 10 else "closed")
               for i in range(count)]


class ListSource:
    """Rows from a list; ``deferred`` keeps requests until ``deliver()`` (like the worker)."""

    def __init__(self, rows: list[CaseRow], deferred: bool = False) -> None:
        self.rows = {r.id: r for r in rows}
        self.deferred = deferred
        self.requests: list[list[str]] = []
        self.waiting: list[tuple[list[str], Callable[[list[CaseRow]], None]]] = []

    def fetch(self, ids: Sequence[str], done: Callable[[list[CaseRow]], None]) -> None:
        self.requests.append(list(ids))
        if self.deferred:
            self.waiting.append((list(ids), done))
        else:
            done([self.rows[i] for i in ids])

    def deliver(self) -> None:
        waiting, self.waiting = self.waiting, []
        for ids, done in waiting:
            done([self.rows[i] for i in ids])


@pytest.fixture
def rows() -> list[CaseRow]:
    return make_rows(450)


def test_qt_model_tester_passes(qtmodeltester: ModelTester, rows: list[CaseRow]) -> None:
    model = CaseTableModel(ListSource(rows))
    model.set_ids([r.id for r in rows])
    qtmodeltester.check(model, force_py=True)


def test_rows_arrive_a_page_at_a_time(qtbot: QtBot, rows: list[CaseRow]) -> None:
    source = ListSource(rows, deferred=True)
    model = CaseTableModel(source)
    model.set_ids([r.id for r in rows])
    assert model.rowCount() == 450
    assert model.index(0, columns.CASE_REF).data() is None  # not loaded yet
    assert model.index(5, columns.CHILD).data() is None
    assert source.requests == [[r.id for r in rows[:PAGE]]]  # one request for the page
    with qtbot.waitSignal(model.dataChanged) as changed:
        source.deliver()
    top, bottom = changed.args[0], changed.args[1]
    assert (top.row(), bottom.row(), bottom.column()) == (0, PAGE - 1, len(columns.HEADERS) - 1)
    assert model.index(0, columns.CASE_REF).data() == "DC0000000"
    model.index(449, 0).data()
    assert source.requests[-1] == [r.id for r in rows[2 * PAGE:]]


def test_rows_from_before_a_reload_do_not_repaint_the_new_list(rows: list[CaseRow]) -> None:
    source = ListSource(rows, deferred=True)
    model = CaseTableModel(source)
    model.set_ids([r.id for r in rows])
    model.index(0, 0).data()
    model.set_ids([r.id for r in reversed(rows)])
    painted: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles: painted.append(top.row()))
    source.deliver()
    assert painted == []
    # the rows were still cached; the new list shows the delivered ones at once
    assert model.index(449, columns.CASE_REF).data() == "DC0000000"


def test_display_sort_and_object_roles(rows: list[CaseRow]) -> None:
    model = CaseTableModel(ListSource(rows))
    model.set_ids([r.id for r in rows])
    red = model.index(0, columns.RAG)
    assert red.data() == "Red"
    assert red.data(Qt.ItemDataRole.BackgroundRole) == QColor(columns.RAG_COLOURS["red"][0])
    assert model.index(3, columns.RAG).data() == ""  # not rated
    assert model.index(3, columns.RAG).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(1, columns.COHORT).data() == "CP plan"
    assert model.index(1, columns.LAST_VISIT).data() == "02/11/2026"
    assert model.index(1, columns.LAST_VISIT).data(SORT_ROLE) == "2026-11-02"
    assert model.index(0, columns.LAST_VISIT).data() == ""
    assert model.index(0, columns.STATUS).data() == "Closed"
    assert model.index(7, columns.WORKER).data(OBJECT_ROLE) is rows[7]
    assert model.headerData(columns.TEAM, Qt.Orientation.Horizontal) == "Team"


def test_a_changed_case_repaints_only_its_row(qtbot: QtBot, rows: list[CaseRow]) -> None:
    model = CaseTableModel(ListSource(rows))
    model.set_ids([r.id for r in rows])
    model.index(42, 0).data()
    changed = dataclasses.replace(rows[42], rag="red")
    with qtbot.waitSignal(model.dataChanged) as signal:
        model.update_row(changed)
    assert (signal.args[0].row(), signal.args[1].row()) == (42, 42)
    assert model.index(42, columns.RAG).data() == "Red"


def test_header_click_asks_for_a_sorted_reload(qtbot: QtBot, rows: list[CaseRow]) -> None:
    model = CaseTableModel(ListSource(rows))
    with qtbot.waitSignal(model.sort_requested) as signal:
        model.sort(columns.LAST_VISIT, Qt.SortOrder.DescendingOrder)
    assert signal.args == [SortKey.LAST_VISIT, True]
