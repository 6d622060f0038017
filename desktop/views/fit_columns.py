"""Table columns that fit the table's width: words wrap onto a second line before a
column runs off the right edge.

Why: at 1024x700 the concerns screen pushed its Deadline column off the right, the
reports preview cut its Status column and the action tracker scrolled sideways inside
itself. Qt offers a column its words' width (the table then runs past its edge) or a
share of the width (the words are then cut). Here each column asks for its words'
width, up to ``CAP_CHARS``; when the columns together are wider than the table, the
columns named to give way first do (free text whose tooltip holds it all), then the
widest columns: first to ``CAP_CHARS``, then down to the width at which their words
fit on two lines (or the lines the table allows), and never below their header's own
words. Rows are then that many lines high and the words wrap; words past the last line
are elided, and the cell's tooltip has them all.

When even that is too wide (a list of nine columns in a pane of 250 pixels), the
columns named ``optional`` step aside, one after another in the order given, until the
others' words fit (free text at its narrowest, the rest on the lines allowed); they come
back when the table is wide enough. A screen names only columns whose facts the pane
beside the list shows for the row picked.

The person's own widths win: once they drag a column's edge the fitter leaves the
columns alone (and shows any column it had set aside), and :meth:`ColumnFit.save` /
:meth:`ColumnFit.restore` remember that with the screen's other layout (a header
restored from the last session otherwise holds only widths fitted to that session's
window, which may have been wider).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from desktop.qt import (
    QEvent,
    QFont,
    QObject,
    QSettings,
    Qt,
    QTableView,
    QtGui,
    QTimer,
    Signal,
    Slot,
)

#: The width, in average characters, a column's words are cut to (the tooltip has them)
#: before any column wraps (as row_table's first fit).
CAP_CHARS = 42
#: The lines a row grows to when its columns must wrap to fit.
LINES = 2
#: Room kept beyond the words' own width in a wrapped column: words do not break
#: evenly onto lines.
WRAP_SLACK = 1.15
#: A cell's margins, in pixels, within the width Qt asks for its words.
MARGIN = 8
#: The rows read for each column's longest word (a screenful and more; as row_table).
WORD_ROWS = 200


def _fill(widths: list[int], floors: Sequence[int], room: int,
          columns: Sequence[int]) -> list[int]:
    """``widths`` with the widest of ``columns`` narrowed, none below its floor, until
    the whole is no wider than ``room`` (or every one of them is at its floor)."""
    if sum(widths) <= room or not columns:
        return widths

    def at(cap: int) -> list[int]:
        return [max(min(floors[c], w), min(w, cap)) if c in columns else w
                for c, w in enumerate(widths)]

    low, high = 0, max(widths[c] for c in columns)
    while low < high:  # the largest cap that fits
        middle = (low + high + 1) // 2
        if sum(at(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    return at(low)


def wrapped_width(full: int, lines: int) -> int:
    """The width at which words ``full`` pixels wide on one line fit on ``lines`` lines."""
    if lines <= 1:
        return full
    return min(full, math.ceil((full - MARGIN) / lines * WRAP_SLACK) + MARGIN)


def plan_widths(fulls: Sequence[int], headers: Sequence[int], room: int, *, cap: int,
                first: Mapping[int, int] | None = None, lines: int = LINES,
                words: Sequence[int] | None = None) -> list[int]:
    """The width of each column in ``room`` pixels.

    ``fulls``: each column's words on one line; ``headers``: its header's words, below
    which it never goes; ``cap``: the width a column's words are cut to before any
    column wraps; ``first``: columns that give way first, to ``cap`` and then, one after
    another in the order given, to the width given (free text, say); ``lines``: how
    many lines a row may wrap onto; ``words``: each column's longest word, which no
    wrapping breaks (a case reference, a date), so a column wraps no narrower.
    """
    every = range(len(fulls))
    widths = [max(f, h) for f, h in zip(fulls, headers, strict=True)]
    capped = [max(headers[c], min(fulls[c], cap)) for c in every]
    free = [c for c in (first or {}) if c < len(widths)]
    widths = _fill(widths, capped, room, free)
    if first:
        floors = [max(headers[c], first.get(c, 0)) for c in every]
        for column in free:  # one at a time, in the order given
            widths = _fill(widths, floors, room, [column])
    widths = _fill(widths, capped, room, list(every))
    if lines > 1:
        longest = words or [0] * len(fulls)
        wrapped = [max(headers[c], min(longest[c], fulls[c]), wrapped_width(fulls[c], lines))
                   for c in every]
        widths = _fill(widths, wrapped, room, list(every))
    return _fill(widths, headers, room, list(every))


def set_aside(fulls: Sequence[int], headers: Sequence[int], room: int, *, cap: int,
              first: Mapping[int, int] | None = None, lines: int = LINES,
              optional: Sequence[int] = (), words: Sequence[int] | None = None) -> set[int]:
    """The columns of ``optional`` to hide, in the order given, until the others' words
    fit ``room``: free text (``first``) at its narrowest, the rest wrapped onto
    ``lines`` lines (none past ``cap``, none below its longest word), none below its
    header."""
    first = first or {}
    longest = words or [0] * len(fulls)

    def need(column: int) -> int:
        full = min(fulls[column], cap)
        if column in first:
            return max(headers[column], min(full, first[column]))
        wrapped = max(wrapped_width(full, lines), min(longest[column], full)) if lines > 1 \
            else full
        return max(headers[column], wrapped)

    needs = {c: need(c) for c in range(len(fulls))}
    hidden: set[int] = set()
    for column in optional:
        if sum(w for c, w in needs.items() if c not in hidden) <= room:
            break
        if column < len(fulls):
            hidden.add(column)
    return hidden


class ColumnFit(QObject):
    """Fits ``view``'s columns to its width whenever its rows or its width change.

    A child of the view, so that it ends with it.

    Signals:
        fitted(): the columns were given their widths (a screen sizing its rows by their
            words does it then).

    Attributes:
        own: the person set a column's width; the fitter no longer touches them.
        wrapped: the last fit had to wrap some column other than the free text ones
            (rows are then ``lines`` lines high).
        hidden: the optional columns the last fit set aside.
    """

    fitted = Signal()

    def __init__(self, view: QTableView, first_chars: Mapping[int, int] | None = None,
                 lines: int = LINES, *, optional: Sequence[int] = (),
                 known_chars: Mapping[int, int] | None = None) -> None:
        """``first_chars``: the columns that give way first, each down to this many
        average characters; ``lines``: the lines a row may wrap onto (1: free text is
        elided, never wrapped); ``optional``: the columns that step aside, in this
        order, when the table is too narrow for the others; ``known_chars``: each
        column's words' width in average characters, when measuring them would cost (a
        list read a page at a time: measuring its rows would read them)."""
        super().__init__(view)
        self.view = view
        self.first_chars = dict(first_chars or {})
        self.lines = lines
        self.optional = tuple(optional)
        self.known_chars = dict(known_chars or {})
        self.own = False
        self.wrapped = False
        self.hidden: set[int] = set()
        #: Each column's header width when last shown: a hidden header reads 0 wide.
        self._headers: dict[int, int] = {}
        self._pressed = False
        self._fitting = False
        self._one_line = view.verticalHeader().defaultSectionSize()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.setWordWrap(lines > 1)
        #: Each column's longest word with the cell's margins, until the rows change.
        self._words: list[int] | None = None
        #: Each column's content width (its widest cell), until the rows change. Why
        #: kept: measuring reads up to 1,000 rows a column, and a window resized or a
        #: divider dragged fits again many times over the same rows (the audit list's
        #: tests spent 3.6 s of their 16 s measuring it again).
        self._fulls: list[int] | None = None
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged, model.dataChanged):
            signal.connect(self._rows_changed)
        header = view.horizontalHeader()
        header.sectionResized.connect(self._resized)
        header.sectionHandleDoubleClicked.connect(self._person_sized)
        header.viewport().installEventFilter(self)
        view.viewport().installEventFilter(self)
        self.later()

    # Why its slots are declared (@Slot, once per signature a signal calls it with):
    # PySide otherwise adds each as a slot of this one object, kept in its Python
    # wrapper; a wrapper the garbage collector had cleared while the table lived then
    # met a signal with "Slot 'ColumnFit::' not found" (a full run of the window tests).
    @Slot()
    @Slot("QModelIndex", int, int)
    @Slot("QModelIndex", "QModelIndex", "QList<int>")
    def _rows_changed(self, *_args: object) -> None:
        self._words = self._fulls = None
        self.later()

    def later(self, *_args: object) -> None:
        """Fit once the events in hand are done (a burst of changes fits once)."""
        if not self.own:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The table's or its header's viewport resized: fit again; a button pressed on
        either: a column resized before its release is the person's doing.

        Why neither viewport is told apart, nor asked anything: a view being deleted
        still sends its viewport's events (asking the view then crashed), and a wrapper
        of a viewport kept from the start was found dead while its viewport lived."""
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self.later()
        elif kind in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._rows_changed()  # the same words, measured in another font
        elif kind == QEvent.Type.MouseButtonPress:
            self._pressed = True
        elif kind == QEvent.Type.MouseButtonRelease:
            self._pressed = False
        return False

    @Slot(int, int, int)
    def _resized(self, *_args: object) -> None:
        if self._pressed and not self._fitting:
            self._person_sized()

    @Slot(int)
    def _person_sized(self, *_args: object) -> None:
        """The person sizes the columns from now on: every one of them, so the columns
        set aside come back (a person could not otherwise reach them)."""
        self.own = True
        if self.hidden:
            hidden, self.hidden = self.hidden, set()
            for column in hidden:
                self.view.horizontalHeader().setSectionHidden(column, False)

    @Slot()
    def fit(self) -> None:
        view, model = self.view, self.view.model()
        if self.own or model is None or model.columnCount() == 0:
            return
        self._fitting = True  # the header's signals now are the fitter's, not the person's
        try:
            self._fit(view, model.columnCount())
        finally:
            self._fitting = False
        self.fitted.emit()

    def _fit(self, view: QTableView, count: int) -> None:
        header = view.horizontalHeader()
        char = view.fontMetrics().averageCharWidth()
        headers = self._header_widths(count)
        if self._fulls is None or len(self._fulls) != count:
            self._fulls = [self.known_chars[c] * char + 2 * MARGIN if c in self.known_chars
                           else view.sizeHintForColumn(c) for c in range(count)]
        fulls = self._fulls
        first = {c: chars * char for c, chars in self.first_chars.items()}
        room, cap = view.viewport().width(), CAP_CHARS * char
        words = self._longest_words(count) if self.lines > 1 else [0] * count
        hidden = set_aside(fulls, headers, room, cap=cap, first=first, lines=self.lines,
                           optional=self.optional, words=words)
        shown = [c for c in range(count) if c not in hidden]
        planned = plan_widths([fulls[c] for c in shown], [headers[c] for c in shown], room,
                              cap=cap, lines=self.lines,
                              first={shown.index(c): w for c, w in first.items()
                                     if c in shown},
                              words=[words[c] for c in shown])
        widths = dict(zip(shown, planned, strict=True))
        # Rows grow when a column must wrap; free text cut alone is elided on one line
        # (on a wide window a long discussion made every row three lines high).
        self.wrapped = any(widths[c] < fulls[c] for c in shown if c not in self.first_chars)
        for column in range(count):
            if header.isSectionHidden(column) != (column in hidden):
                header.setSectionHidden(column, column in hidden)
        self.hidden = hidden
        for column, width in widths.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        rows = self._one_line
        if self.wrapped and self.lines > 1:
            rows = max(rows, view.fontMetrics().lineSpacing() * self.lines + MARGIN)
        if view.verticalHeader().defaultSectionSize() != rows:
            view.verticalHeader().setDefaultSectionSize(rows)

    def _longest_words(self, count: int) -> list[int]:
        """Each column's longest word in its first ``WORD_ROWS`` rows, with the cell's
        margins (in its own font: a toned cell is bold); 0 for a column whose widths
        are known beforehand."""
        if self._words is not None and len(self._words) == count:
            return self._words
        model = self.view.model()
        metrics: dict[str, QtGui.QFontMetrics] = {}
        plain = self.view.fontMetrics()
        longest = [0] * count
        for column in range(count):
            if column in self.known_chars:
                continue
            for row in range(min(model.rowCount(), WORD_ROWS)):
                index = model.index(row, column)
                each = str(index.data() or "").split()
                if not each:
                    continue
                font = index.data(Qt.ItemDataRole.FontRole)
                measure = plain
                if isinstance(font, QFont):
                    measure = metrics.setdefault(font.key(), QtGui.QFontMetrics(font))
                widest = max(measure.horizontalAdvance(word) for word in each) + MARGIN
                longest[column] = max(longest[column], widest)
        self._words = longest
        return longest

    def _header_widths(self, count: int) -> list[int]:
        """Each header's words' width; a column hidden since before its header was
        measured (hidden in the last session) is shown to be measured."""
        header = self.view.horizontalHeader()
        for column in range(count):
            if header.isSectionHidden(column) and column not in self._headers:
                header.setSectionHidden(column, False)
            if not header.isSectionHidden(column):
                self._headers[column] = header.sectionSizeHint(column)
        return [self._headers[c] for c in range(count)]

    # -- remembered with the screen ---------------------------------------------------
    def _key(self, prefix: str) -> str:
        return f"{prefix}/{self.view.objectName()}/own_widths"

    def save(self, settings: QSettings, prefix: str) -> None:
        settings.setValue(self._key(prefix), self.own)

    def restore(self, settings: QSettings, prefix: str) -> None:
        """Whether the widths restored with the header are the person's own."""
        self.own = str(settings.value(self._key(prefix), False)).lower() == "true"
        if not self.own:
            self.later()


def save_fits(screen: QObject, settings: QSettings, prefix: str) -> None:
    """Remember, for every fitted table under ``screen``, whether its widths are the
    person's own (with the header's state the screen saves)."""
    for fit in screen.findChildren(ColumnFit):
        fit.save(settings, prefix)


def restore_fits(screen: QObject, settings: QSettings, prefix: str) -> None:
    """Read back what :func:`save_fits` remembered, after the headers were restored."""
    for fit in screen.findChildren(ColumnFit):
        fit.restore(settings, prefix)
