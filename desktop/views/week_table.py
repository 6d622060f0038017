"""The table model of the My week list: one row per sampled case, dropped ones marked.

Why dropped cases stay in the list: the service keeps them with their reason (a silent
swap would hide bias), and the auditor should see which case replaced which. They are
greyed and struck through, and their status says "dropped: <reason>" in words. The grey
is the palette's text taken towards its background only as far as 4.5:1 allows
(palette.muted_text): a fixed #6b6b6b read at 2.6:1 on a dark list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.models.enums import Cohort, Rag
from desktop.qt import (
    QAbstractTableModel,
    QApplication,
    QColor,
    QFont,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from desktop.services.sampling.my_week import WeekCase
from desktop.views.case_table import COHORT_LABELS, RAG_COLOURS
from desktop.views.palette import muted_text
from desktop.views.plain import plain_tip

CASE_REF, CHILD, RAG, COHORT, TEAM, WHY, STATUS = range(7)
HEADERS = ("Case ref", "Child", "RAG", "Cohort", "Team", "Why chosen", "Audit status")
#: The row's :class:`WeekCase`.
CASE_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def rag_word(rag: str | None) -> str:
    return rag.capitalize() if rag else "No rating"


def cohort_words(cohort: str) -> str:
    try:
        return COHORT_LABELS[Cohort(cohort)]
    except ValueError:
        return cohort


class WeekTableModel(QAbstractTableModel):
    """The week's cases, in the order they were drawn (replacements last)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cases: list[WeekCase] = []

    def set_cases(self, cases: Sequence[WeekCase]) -> None:
        self.beginResetModel()
        self._cases = list(cases)
        self.endResetModel()

    def case_at(self, row: int) -> WeekCase | None:
        return self._cases[row] if 0 <= row < len(self._cases) else None

    def row_of(self, item_id: str) -> int:
        """The row showing ``item_id``, or -1."""
        return next((n for n, c in enumerate(self._cases) if c.item_id == item_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cases)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        case = self.case_at(index.row()) if index.isValid() else None
        if case is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(case, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(self._text(case, column))
        if role == CASE_ROLE:
            return case
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{HEADERS[column]}: {self._text(case, column)}"
        if case.dropped:
            return self._dropped_style(role)
        if column == RAG and case.rag in RAG_COLOURS:
            background, foreground = RAG_COLOURS[Rag(case.rag)]
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(background)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(foreground)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == RAG:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _dropped_style(role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            return muted_text(QApplication.palette())
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setStrikeOut(True)
            font.setItalic(True)
            return font
        return None

    @staticmethod
    def _text(case: WeekCase, column: int) -> str:
        if column == RAG:
            return rag_word(case.rag)
        if column == COHORT:
            return cohort_words(case.cohort)
        values = {CASE_REF: case.case_ref, CHILD: case.initials, TEAM: case.team,
                  WHY: case.why, STATUS: case.status_text}
        return values.get(column, "")
