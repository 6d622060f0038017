"""The case list's table model: 100,000 rows, fetched a page at a time as they are seen.

Why ids plus pages: the model holds the ordered ids of the matching cases (so the
scroll bar is right from the start) and asks its row source for the rows of a page only
when the view paints it; until they arrive the cells are blank. A reload (new filter or
order) is the only full reset; a changed case updates its own row (``dataChanged``),
as in Vorta's archive table model and Anki's browser table. A new filter keeps the
cached rows; File > Reload drops them (``fresh``), together with any page still on its
way, which may have been read before the change the person wants to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from desktop.models.enums import Cohort, Rag
from desktop.qt import (
    QAbstractTableModel,
    QColor,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from desktop.services.case_list import CaseRow, SortKey
from desktop.services.sampling.my_week import initials
from desktop.views.plain import plain_tip

CASE_REF, CHILD, RAG, COHORT, TEAM, WORKER, LAST_VISIT, STATUS = range(8)
HEADERS = ("Case ref", "Initials", "RAG", "Cohort", "Team", "Worker", "Last visit", "Status")
SORT_KEYS = (SortKey.CASE_REF, SortKey.CHILD, SortKey.RAG, SortKey.COHORT, SortKey.TEAM,
             SortKey.WORKER, SortKey.LAST_VISIT, SortKey.STATUS)
#: The raw value of a cell, for sorting in a proxy and for tests.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: The row's :class:`CaseRow`.
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE = 200

COHORT_LABELS = {
    Cohort.CHILD_IN_NEED: "Child in need", Cohort.CHILD_PROTECTION: "CP plan",
    Cohort.CHILD_IN_CARE: "Child in care", Cohort.CARE_LEAVER: "Care leaver",
    Cohort.UNBORN: "Unborn", Cohort.DISABLED: "Disabled children", Cohort.FOSTERING: "Fostering",
    Cohort.SGO: "SGO",
}
#: Background and text colours of the RAG cell (light tints, dark text: readable printed).
RAG_COLOURS = {Rag.RED: ("#f4c7c3", "#7a1712"), Rag.AMBER: ("#fde3b3", "#6b4300"),
               Rag.GREEN: ("#cdebd3", "#14532d")}

Index = QModelIndex | QPersistentModelIndex

# Plain values made once: reading Qt's enums and making colours on every call of
# ``data`` was most of the cost of painting the list.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ANSWERED = frozenset({_DISPLAY, _BACKGROUND, _FOREGROUND, _ALIGNMENT, _TOOLTIP,
                       int(SORT_ROLE), int(OBJECT_ROLE)})
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
#: The columns whose words a narrow list elides; their tooltip has them whole.
_WHOLE_IN_TIP = frozenset({COHORT, TEAM, WORKER})
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_RAG_BRUSHES = {rag.value: (QColor(background), QColor(foreground))
                for rag, (background, foreground) in RAG_COLOURS.items()}


class RowSource(Protocol):
    """Where the model gets rows: ``fetch(ids, done)`` calls ``done(rows)`` later."""

    def fetch(self, ids: Sequence[str], done: Callable[[list[CaseRow]], None]) -> None: ...


def format_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


class CaseTableModel(QAbstractTableModel):
    """Rows of the case list.

    Signals:
        sort_requested: (SortKey, descending) when the user clicks a header; the
            window reloads the ids in that order.

    Attributes:
        source: fetches pages of rows.
    """

    sort_requested = Signal(object, bool)

    def __init__(self, source: RowSource, parent: Any = None) -> None:
        super().__init__(parent)
        self.source = source
        self._ids: list[str] = []
        self._rows: dict[str, CaseRow] = {}
        #: The display texts of a row, made once: (the row they were made from, texts).
        self._cells: dict[str, tuple[CaseRow, tuple[str, ...]]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        #: Bumped when the cache is dropped: rows asked for before are not kept.
        self._epoch = 0

    # -- loading ----------------------------------------------------------------
    def set_ids(self, ids: Sequence[str], *, fresh: bool = False) -> None:
        """A reload: new ids and a full reset; cached rows kept unless ``fresh``."""
        self.beginResetModel()
        self._ids = list(ids)
        self._pending.clear()
        self._generation += 1
        if fresh:
            self._drop_cache()
        self.endResetModel()

    def show_first(self, rows: Sequence[CaseRow], *, fresh: bool = False) -> None:
        """The first screenful, before the full list of ids is known.

        Why: on 100,000 cases the full list takes about a second; these rows come from
        an index in milliseconds, so a person sees their cases at once. The ids that
        :meth:`set_ids` brings next start with these, and the rows stay cached.
        """
        self.beginResetModel()
        self._ids = [r.id for r in rows]
        self._pending.clear()
        self._generation += 1
        if fresh:
            self._drop_cache()
        for row in rows:
            self._rows[row.id] = row
        self.endResetModel()

    def clear_cache(self) -> None:
        """Forget every row; the view asks for them again as it paints."""
        self.beginResetModel()
        self._pending.clear()
        self._generation += 1
        self._drop_cache()
        self.endResetModel()

    def _drop_cache(self) -> None:
        self._rows.clear()
        self._cells.clear()
        self._epoch += 1

    def update_row(self, row: CaseRow) -> None:
        """One case changed: replace it and repaint just its row."""
        self._rows[row.id] = row
        try:
            position = self._ids.index(row.id)
        except ValueError:
            return
        self.dataChanged.emit(self.index(position, 0), self.index(position, len(HEADERS) - 1))

    def pages_pending(self) -> int:
        """How many pages were asked for and have not arrived yet."""
        return len(self._pending)

    def ids(self) -> list[str]:
        return list(self._ids)

    def row_at(self, position: int) -> CaseRow | None:
        """The row at ``position`` if loaded; otherwise asks for its page."""
        if not 0 <= position < len(self._ids):
            return None
        row = self._rows.get(self._ids[position])
        if row is None:
            self._request(position // PAGE)
            row = self._rows.get(self._ids[position])  # a source may answer at once
        return row

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        generation, epoch = self._generation, self._epoch
        ids = self._ids[page * PAGE:(page + 1) * PAGE]
        self.source.fetch(ids, lambda rows: self._arrived(generation, epoch, page, rows))

    def _arrived(self, generation: int, epoch: int, page: int, rows: list[CaseRow]) -> None:
        if epoch != self._epoch:
            return  # read before the cache was dropped: maybe out of date
        for row in rows:
            self._rows[row.id] = row
        if generation != self._generation:
            return
        self._pending.discard(page)
        first = page * PAGE
        last = min(len(self._ids), first + PAGE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(HEADERS) - 1))

    # -- the model interface ----------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _CELL_FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        """Why so plain: the view asks about a dozen roles of every visible cell on each
        paint; most are answered by the first line, and the rest from values made once
        per row (texts, colours), so a paint costs little more than a bare model's."""
        if role not in _ANSWERED or not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            cells = self._cells.get(row.id)
            if cells is None or cells[0] is not row:
                cells = (row, tuple(self._display(row, c) for c in range(len(HEADERS))))
                self._cells[row.id] = cells
            return cells[1][column]
        if role == SORT_ROLE:
            return self._raw(row, column)
        if role == OBJECT_ROLE:
            return row
        if column == RAG and row.rag in _RAG_BRUSHES:
            background, foreground = _RAG_BRUSHES[row.rag]
            if role == _BACKGROUND:
                return background
            if role == _FOREGROUND:
                return foreground
        if role == _ALIGNMENT and column in (RAG, LAST_VISIT):
            return _CENTRED
        if role == _TOOLTIP and column == CASE_REF:
            return plain_tip(f"{row.case_ref}: {row.team}")
        if role == _TOOLTIP and column in _WHOLE_IN_TIP:  # elided in a narrow list
            return plain_tip(str(self.data(index, _DISPLAY) or ""))
        return None

    @staticmethod
    def _raw(row: CaseRow, column: int) -> Any:
        values = (row.case_ref, row.child_name, row.rag or "", row.cohort, row.team, row.worker,
                  row.last_visit.isoformat() if row.last_visit else "", row.status)
        return values[column]

    @staticmethod
    def _display(row: CaseRow, column: int) -> str:
        if column == CHILD:  # the full name is behind a click in the detail, and logged
            return initials(row.child_name)
        if column == RAG:
            return row.rag.capitalize() if row.rag else ""
        if column == COHORT:
            try:
                return COHORT_LABELS[Cohort(row.cohort)]
            except ValueError:
                return row.cohort
        if column == LAST_VISIT:
            return format_date(row.last_visit)
        if column == STATUS:
            return row.status.capitalize()
        return str(CaseTableModel._raw(row, column))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(SORT_KEYS):
            self.sort_requested.emit(SORT_KEYS[column],
                                     order == Qt.SortOrder.DescendingOrder)
