"""A read-only table of text that a person can copy from, as they would in Excel.

Why one model for several screens: the import preview, the refused rows, the template
versions and the standards history are all short grids of words; each is a
:class:`TextTableModel` in a :class:`CopyableTableView`, so Ctrl+C copies the selected
cells as tab-separated text that pastes into Excel or a support ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QApplication,
    QKeyEvent,
    QKeySequence,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QWidget,
)
from desktop.views.plain import plain_tip

Index = QModelIndex | QPersistentModelIndex


class TextTableModel(QAbstractTableModel):
    """Rows of text under column headers; :meth:`set_rows` replaces them all."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = list(headers)
        self.rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = None
                 ) -> None:
        self.beginResetModel()
        if headers is not None:
            self.headers = list(headers)
        self.rows = [tuple("" if c is None else str(c) for c in row) for row in rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            row = self.rows[index.row()]
            text = row[index.column()] if index.column() < len(row) else ""
            return text if role == Qt.ItemDataRole.DisplayRole else plain_tip(str(text))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return None

    def as_tsv(self, cells: Sequence[tuple[int, int]] | None = None,
               with_headers: bool = False) -> str:
        """The given (row, column) cells, or all, as lines of tab-separated text.

        Why rows and columns of the selection's bounds: a selection of whole rows
        pastes as rows; tabs and line breaks inside a cell become spaces so that the
        grid stays a grid.
        """
        if cells is None:
            cells = [(r, c) for r in range(len(self.rows)) for c in range(len(self.headers))]
        if not cells:
            return ""
        rows = sorted({r for r, _ in cells})
        columns = sorted({c for _, c in cells})
        chosen = set(cells)

        def clean(text: str) -> str:
            return " ".join(text.split())

        lines = ["\t".join(clean(self.headers[c]) for c in columns)] if with_headers else []
        for r in rows:
            lines.append("\t".join(clean(self.rows[r][c]) if (r, c) in chosen else ""
                                   for c in columns))
        return "\n".join(lines) + "\n"


class CopyableTableView(QTableView):
    """A table whose selected cells Ctrl+C copies as tab-separated text."""

    def __init__(self, model: TextTableModel, name: str, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.text_model = model
        self.setObjectName(name)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setVisible(False)

    def selected_text(self) -> str:
        cells = [(i.row(), i.column()) for i in self.selectionModel().selectedIndexes()]
        return self.text_model.as_tsv(cells)

    def copy_selection(self) -> None:
        QApplication.clipboard().setText(self.selected_text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)
