"""The audit form with its case's key facts: beside the form when the pane is wide,
above it when it is narrow.

Why it switches: beside the form the facts stay in view while the questions scroll, but
in a 1024-pixel window (or at 125% scaling) a column of facts would leave the questions
too narrow to read; above the form they take two short columns and the questions keep
the pane's width. Either way the form never scrolls sideways.
"""

from __future__ import annotations

from desktop.qt import Qt, QtGui, QtWidgets, QWidget
from desktop.views.audit_form.form import AuditFormWidget

#: The facts' width beside the form, and the narrowest the form is left beside them,
#: in average characters of the window's font.
FACTS_CHARS = 36
FORM_CHARS = 80  # 64 left a form under 400 pixels beside the facts (with its scroll bar)
#: Beside the form, the facts take this share of the pane, up to this many characters.
FACTS_SHARE = 0.25
FACTS_MAX_CHARS = 56


class AuditPage(QWidget):
    """The form (``form``) and its key facts panel (``form.key_facts``).

    Attributes:
        beside: True while the facts are beside the form, False while above it.
    """

    def __init__(self, form: AuditFormWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.facts = form.key_facts
        self.beside = False
        # Facts first: top to bottom puts them above the form, right to left beside it
        # on the right. Tab order is the widgets' own (the facts take no focus).
        self.box = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.addWidget(self.facts)
        self.box.addWidget(form, 1)
        self._arrange(beside=False)

    def _chars(self, count: int) -> int:
        return self.fontMetrics().averageCharWidth() * count

    def _arrange(self, beside: bool) -> None:
        self.beside = beside
        if beside:
            self.box.setDirection(QtWidgets.QBoxLayout.Direction.RightToLeft)
            self.box.setAlignment(self.facts, Qt.AlignmentFlag.AlignTop)
            self.facts.set_columns(1)
        else:
            self.box.setDirection(QtWidgets.QBoxLayout.Direction.TopToBottom)
            self.box.setAlignment(self.facts, Qt.AlignmentFlag(0))
            self.facts.setMinimumWidth(0)
            self.facts.setMaximumWidth(16_777_215)  # QWIDGETSIZE_MAX: as wide as the pane
            self.facts.set_columns(2)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        width = event.size().width()
        beside = width >= self._chars(FACTS_CHARS + FORM_CHARS)
        if beside != self.beside:
            self._arrange(beside)
        if beside:  # a share of a wide pane, between its narrowest and widest
            self.facts.setFixedWidth(max(self._chars(FACTS_CHARS), min(
                round(width * FACTS_SHARE), self._chars(FACTS_MAX_CHARS))))
        super().resizeEvent(event)
