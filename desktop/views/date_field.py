"""One way to enter a date everywhere: dd/mm/yyyy typed, or picked from a calendar.

Why a field of our own and not a bare QDateEdit: a date question may be unanswered,
which a QDateEdit cannot show, and a person types the date the way every other date in
the app is written (dd/mm/yyyy); ISO (2026-11-20), as scripts and older drafts hold
it, is accepted too. What the person typed goes to the service as written when it is
not a date, so the refusal ("not a date") is the service's, beside the field.
"""

from __future__ import annotations

import datetime as dt

from desktop.qt import (
    QCalendarWidget,
    QDate,
    QEvent,
    QHBoxLayout,
    QKeyEvent,
    QLineEdit,
    QMenu,
    QObject,
    Qt,
    QToolButton,
    QWidget,
    QWidgetAction,
    Signal,
)
from desktop.services.dates import DateProblem, parse_date

DISPLAY = "%d/%m/%Y"
PLACEHOLDER = "dd/mm/yyyy"


def shown(day: dt.date) -> str:
    return day.strftime(DISPLAY)


def typed_date(text: str) -> dt.date | None:
    """The date ``text`` names in any accepted form, or None (blank or not a date)."""
    if not text.strip():
        return None
    try:
        return parse_date(text.strip())
    except DateProblem:
        return None


class DateField(QWidget):
    """A date typed as dd/mm/yyyy (ISO accepted) or picked from a calendar popup.

    Signals:
        textChanged: the typed text changed (typing or a pick), as QLineEdit's.

    Attributes:
        line: the text field (the focus goes there).
        pick: the button that opens the calendar.
    """

    textChanged = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText(PLACEHOLDER)
        self.line.setAccessibleName(name)
        self.line.setAccessibleDescription("A date as dd/mm/yyyy, or picked from the "
                                           "calendar beside it")
        self.line.textChanged.connect(self.textChanged.emit)
        self.line.editingFinished.connect(self._tidy)
        # The calendar lives in the button's popup, outside the form's tab chain: a
        # keyboard user types the date (Alt+Down opens the calendar from the field).
        menu = QMenu(self)
        self.calendar = QCalendarWidget(menu)
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        self.menu = menu
        self.pick = QToolButton()
        self.pick.setText("…")
        self.pick.setAccessibleName(f"Pick the date from a calendar: {name}")
        self.pick.setToolTip("Pick the date from a calendar (Alt+Down in the field)")
        self.pick.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pick.setMenu(menu)
        menu.aboutToShow.connect(self._show_current)
        self.line.installEventFilter(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.pick)
        # No focus proxy: Qt's tab chain then sends Tab from the field back to itself.

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Alt+Down in the field opens the calendar, as in a QDateEdit."""
        if (watched is self.line and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down
                and event.modifiers() & Qt.KeyboardModifier.AltModifier):
            self.pick.showMenu()
            return True
        return super().eventFilter(watched, event)

    def text(self) -> str:
        return self.line.text()

    def value(self) -> str | None:
        """ISO text when the typed text is a date, else the text as typed (None if blank),
        for the service to accept or refuse."""
        text = self.line.text().strip()
        if not text:
            return None
        day = typed_date(text)
        return day.isoformat() if day is not None else text

    def day(self) -> dt.date | None:
        """The date the field holds, or None when it is blank or cannot be read: the
        caller refuses it beside the field (``refusal``), never guesses another date."""
        return typed_date(self.line.text())

    def set_day(self, day: dt.date) -> None:
        self.line.setText(shown(day))

    def refusal(self) -> str:
        """One line saying why the text is not a date, for beside the field."""
        text = self.line.text().strip()
        if not text:
            return "Type a date as dd/mm/yyyy, or pick one from the calendar."
        return f"'{text}' is not a date: type it as dd/mm/yyyy (e.g. 04/01/2027)."

    def set_value(self, value: str | None) -> None:
        day = typed_date(value or "")
        self.line.setText(shown(day) if day is not None else (value or ""))

    def _tidy(self) -> None:
        day = typed_date(self.line.text())
        if day is not None and self.line.text() != shown(day):
            self.line.setText(shown(day))

    def _show_current(self) -> None:
        day = typed_date(self.line.text()) or dt.date.today()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _picked(self, picked: QDate) -> None:
        self.line.setText(shown(dt.date(picked.year(), picked.month(), picked.day())))
        self.menu.close()
        self.line.setFocus()
