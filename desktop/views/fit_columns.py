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

The person's own widths win: once they drag a column's edge the fitter leaves the
columns alone, and :meth:`ColumnFit.save` / :meth:`ColumnFit.restore` remember that
with the screen's other layout (a header restored from the last session otherwise
holds only widths fitted to that session's window, which may have been wider).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from desktop.qt import QEvent, QObject, QSettings, QTableView, QTimer

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


def plan_widths(fulls: Sequence[int], headers: Sequence[int], room: int, *, cap: int,
                first: Mapping[int, int] | None = None, lines: int = LINES) -> list[int]:
    """The width of each column in ``room`` pixels.

    ``fulls``: each column's words on one line; ``headers``: its header's words, below
    which it never goes; ``cap``: the width a column's words are cut to before any
    column wraps; ``first``: columns that give way first, to ``cap`` and then, one after
    another in the order given, to the width given (free text, say); ``lines``: how
    many lines a row may wrap onto.
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
        wrapped = [max(headers[c], math.ceil((fulls[c] - MARGIN) / lines * WRAP_SLACK)
                       + MARGIN) for c in every]
        widths = _fill(widths, wrapped, room, list(every))
    return _fill(widths, headers, room, list(every))


class ColumnFit(QObject):
    """Fits ``view``'s columns to its width whenever its rows or its width change.

    A child of the view, so that it ends with it. Attributes:
        own: the person set a column's width; the fitter no longer touches them.
        wrapped: the last fit had to wrap some column other than the free text ones
            (rows are then ``lines`` lines high).
    """

    def __init__(self, view: QTableView, first_chars: Mapping[int, int] | None = None,
                 lines: int = LINES) -> None:
        """``first_chars``: the columns that give way first, each down to this many
        average characters."""
        super().__init__(view)
        self.view = view
        self.first_chars = dict(first_chars or {})
        self.lines = lines
        self.own = False
        self.wrapped = False
        self._pressed = False
        self._fitting = False
        self._one_line = view.verticalHeader().defaultSectionSize()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.setWordWrap(True)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged):
            signal.connect(self.later)
        header = view.horizontalHeader()
        header.sectionResized.connect(self._resized)
        header.sectionHandleDoubleClicked.connect(self._person_sized)
        header.viewport().installEventFilter(self)
        view.viewport().installEventFilter(self)
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
        elif kind == QEvent.Type.MouseButtonPress:
            self._pressed = True
        elif kind == QEvent.Type.MouseButtonRelease:
            self._pressed = False
        return False

    def _resized(self, *_args: object) -> None:
        if self._pressed and not self._fitting:
            self._person_sized()

    def _person_sized(self, *_args: object) -> None:
        self.own = True

    def fit(self) -> None:
        view, model = self.view, self.view.model()
        if self.own or model is None or model.columnCount() == 0:
            return
        header = view.horizontalHeader()
        count = model.columnCount()
        char = view.fontMetrics().averageCharWidth()
        headers = [header.sectionSizeHint(c) for c in range(count)]
        fulls = [view.sizeHintForColumn(c) for c in range(count)]
        first = {c: chars * char for c, chars in self.first_chars.items()}
        widths = plan_widths(fulls, headers, view.viewport().width(), cap=CAP_CHARS * char,
                             first=first, lines=self.lines)
        # Rows grow when a column must wrap; free text cut alone is elided on one line
        # (on a wide window a long discussion made every row three lines high).
        self.wrapped = any(w < f for c, (w, f) in enumerate(zip(widths, fulls, strict=True))
                           if c not in self.first_chars)
        self._fitting = True
        try:
            for column, width in enumerate(widths):
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
            rows = self._one_line
            if self.wrapped:
                rows = max(rows, view.fontMetrics().lineSpacing() * self.lines + MARGIN)
            if view.verticalHeader().defaultSectionSize() != rows:
                view.verticalHeader().setDefaultSectionSize(rows)
        finally:
            self._fitting = False

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
