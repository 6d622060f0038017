"""A table of service rows (dataclasses) described by a list of columns.

Why one model for several screens (the action tracker, the concerns screen, and others):
each lists a few hundred to a few thousand rows the service has already ordered; the
columns differ, the behaviour does not (words in every cell, an attention tone in colour
beside the words, the row object for the screen's buttons, sortable keys for the header).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from desktop.models.enums import Rag
from desktop.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QColor,
    QFont,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QtCore,
    QWidget,
)
from desktop.services.context import ServiceContext
from desktop.views.case_table import RAG_COLOURS
from desktop.views.plain import plain_tip
from desktop.views.screen import Host

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
T = TypeVar("T")
#: The row object itself, for the screen's buttons.
ROW_ROLE = Qt.ItemDataRole.UserRole + 10
#: A value that sorts as a person expects (dates as ISO text, counts as numbers).
SORT_ROLE = Qt.ItemDataRole.UserRole + 11
#: The roles a cell's tone answers; a view asks for others (alignment, icon, check
#: state, size) at every cell it draws or measures, and those need no tone worked out.
TONE_ROLES = frozenset({Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
                        Qt.ItemDataRole.FontRole})
#: Every role the table answers (looked at before the cell: most asked are not).
ANSWERED = TONE_ROLES | {Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         ROW_ROLE, SORT_ROLE}


class Tone(Enum):
    """How loudly a cell asks for attention; the words in the cell say why."""

    LATE = "late"  # overdue: the RAG red pair
    SOON = "soon"  # review due, awaiting someone: the RAG amber pair


TONE_COLOURS = {Tone.LATE: RAG_COLOURS[Rag.RED], Tone.SOON: RAG_COLOURS[Rag.AMBER]}


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header, the words in its cells and, optionally, a sort key and
    the tone of a cell (None: plain)."""

    header: str
    text: Callable[[R], str]
    sort: Callable[[R], Any] | None = None
    tone: Callable[[R], Tone | None] | None = None


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows under :class:`Column` s; :meth:`set_rows` replaces them all."""

    #: Empty until ``__init__`` sets them. Why at class level too: when a window is
    #: torn down, the garbage collector may clear this wrapper's attributes while Qt
    #: still asks the model for its header once more; it then reads as an empty model
    #: instead of raising inside Qt's event loop (seen in a full test run).
    columns: Sequence[Column[Any]] = ()
    rows: Sequence[Any] = ()

    def __init__(self, columns: Sequence[Column[R]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in ANSWERED or not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(column.text(row))
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return column.sort(row) if column.sort is not None else column.text(row)
        if role not in TONE_ROLES:
            return None
        tone = column.tone(row) if column.tone is not None else None
        if tone is None:
            return None
        background, foreground = TONE_COLOURS[tone]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(background)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(foreground)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and section < len(self.columns)):
            return self.columns[section].header
        return None


def filtering_proxy(model: RowTableModel[Any], parent: QWidget) -> QSortFilterProxyModel:
    """A proxy that keeps the service's order until a header is clicked, and filters
    by typed text found in any column (case-insensitive)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


def row_view(model: QtCore.QAbstractItemModel, name: str, accessible: str) -> QTableView:
    """A read-only table of whole rows, several selectable, sortable by its header
    (until a header is clicked, in the service's order)."""
    view = QTableView()
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    fit_columns_once(view)
    return view


#: The widest a column is made by fitting it to its words, in average characters.
FIT_LIMIT_CHARS = 42
#: Set on a view whose column widths came back from QSettings: the person's own widths.
RESTORED = "dipsample_header_restored"


class _Fitter(QObject):
    """Fits its view's columns once; a child of the view, so that its connections to
    the model end with the view (a model outliving its view no longer calls into a
    deleted one)."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.limit = view.fontMetrics().averageCharWidth() * FIT_LIMIT_CHARS

    def fit(self) -> None:
        view = self.view
        model = view.model()
        if view.property(RESTORED) or model is None or model.rowCount() == 0:
            return
        view.setProperty(RESTORED, True)
        view.resizeColumnsToContents()
        header = view.horizontalHeader()  # asked now: a view may have been given another
        for column in range(model.columnCount()):
            if header.sectionSize(column) > self.limit:
                header.resizeSection(column, self.limit)

    def rows_inserted(self, *_args: object) -> None:
        self.fit()


def fit_columns_once(view: QTableView) -> None:
    """Fit the columns to their words when the first rows arrive, once.

    Why: the words are the point ("Overdue by 3 working days", "Waiting for the team
    manager"); Qt's default 100-pixel columns cut them to "Overdue by…". Widths the
    person set (remembered in QSettings) win, and later reads never undo a resize.
    """
    model = view.model()
    view.horizontalHeader().setResizeContentsPrecision(200)  # a screenful, not every row
    fitter = _Fitter(view)
    model.modelReset.connect(fitter.fit)
    model.rowsInserted.connect(fitter.rows_inserted)


def selected_rows(view: QTableView) -> list[Any]:
    """The row objects of the view's selected rows, top to bottom."""
    indexes = sorted(view.selectionModel().selectedRows(), key=lambda i: i.row())
    return [index.data(ROW_ROLE) for index in indexes]


def reselect(view: QTableView, ids: set[str]) -> None:
    """Select again the rows whose objects have these ``id`` s (after a reload)."""
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data(ROW_ROLE).id in ids:
            view.selectionModel().select(
                model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                | QItemSelectionModel.SelectionFlag.Rows)


class LatestRead:
    """Reads a screen's rows on the worker and shows only the newest read's result.

    Why: a person ticking two filters quickly starts two reads; the first to finish
    may be the older one, and showing it would contradict the ticks.
    """

    def __init__(self) -> None:
        self.serial = 0

    def run(self, host: Host, label: str, fn: Callable[[ServiceContext], T],
            show: Callable[[T], None]) -> None:
        self.serial += 1
        serial = self.serial

        def shown(result: T) -> None:
            if serial == self.serial:
                show(result)

        host.call(label, fn, dialog=False).success(shown).run()
