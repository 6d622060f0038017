"""After submission: the comment window's time left, comments and queries, reopening.

Seed 001: the worker and their manager may comment on the findings; with no query the
audit finalises by itself when the window ends (72 hours). A query holds it until the
auditor answers. Reopening needs a reason; the service says who may (the auditor, QA
or an administrator) and refuses others in one sentence, so the button is offered to
everyone who sees a submitted audit rather than the form guessing the rule.

The time left counts down on a timer from the window's clock, without reading the
store again: the end of the window is already known, only "now" moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from desktop.qt import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QtGui,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop.services.audits.comments import CommentRow
from desktop.services.audits.form import AuditForm
from desktop.services.audits.lifecycle import IN_WINDOW
from desktop.views.audit_form.fields import text_box
from desktop.views.plain import plain_label

LONDON = ZoneInfo("Europe/London")
#: How often the time left is said again (minutes are its smallest unit).
TICK_MS = 30_000


def time_left(until: dt.datetime, now: dt.datetime) -> str:
    seconds = int((until - now).total_seconds())
    if seconds <= 0:
        return "the comment window has ended; it finalises at the next check"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes} min left for comments"


class ReopenDialog(QDialog):
    """Asks for the reason to reopen (opened with ``open()``, so tests can drive it)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reopen the audit")
        self.reason = text_box("Reason for reopening")
        label = plain_label("&Why does the audit need reopening?")
        label.setBuddy(self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)


class CommentsPanel(QGroupBox):
    """Signals:
        post_requested(str, bool): a comment's text, and whether it is a query.
        answer_requested(str, str): the query's id and the answer.
        reopen_requested(str): the reason to reopen.

    Attributes:
        window_line: the time left, in words; comments: the list; reopen_dialog: the
        dialog while it is open; ticker: says the time left again every ``TICK_MS``.
    """

    post_requested = Signal(str, bool)
    answer_requested = Signal(str, str)
    reopen_requested = Signal(str)

    def __init__(self, clock: Callable[[], dt.datetime]) -> None:
        super().__init__("Co&mments")
        self.setAccessibleName("Comments")
        self.clock = clock
        self.form: AuditForm | None = None
        #: The comment window is open: the time left moves while the panel is shown.
        self.counting = False
        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self._tick)
        self.reopen_dialog: ReopenDialog | None = None
        self.window_line = plain_label()
        self.window_line.setWordWrap(True)
        self.window_line.setAccessibleName("Comment window")
        self.comments = QListWidget()
        self.comments.setAccessibleName("Comments and queries")
        self.comments.setWordWrap(True)
        self.text = text_box("Your comment or answer")
        text_label = plain_label("Your comment or ans&wer")
        text_label.setBuddy(self.text)
        self.post_button = QPushButton("&Post comment")
        self.query_button = QPushButton("Post as &query")
        self.answer_button = QPushButton("A&nswer the selected query")
        self.reopen_button = QPushButton("&Reopen…")
        self.reopen_button.setAccessibleName("Reopen the audit")
        self.post_button.clicked.connect(lambda: self._post(False))
        self.query_button.clicked.connect(lambda: self._post(True))
        self.answer_button.clicked.connect(self._answer)
        self.reopen_button.clicked.connect(self._ask_reason)
        # Two rows of buttons: in one row they made the form wider than a narrow pane.
        posting = QHBoxLayout()
        for button in (self.post_button, self.query_button):
            posting.addWidget(button)
        posting.addStretch(1)
        answering = QHBoxLayout()
        answering.addWidget(self.answer_button)
        answering.addStretch(1)
        answering.addWidget(self.reopen_button)
        layout = QVBoxLayout(self)
        for widget in (self.window_line, self.comments, text_label, self.text):
            layout.addWidget(widget)
        layout.addLayout(posting)
        layout.addLayout(answering)
        self.hide()

    def show_form(self, form: AuditForm) -> None:
        summary = form.view.summary
        submitted = form.view.submitted_at is not None and not form.editable
        self.setVisible(submitted)
        self.form = form if submitted else None
        self.counting = (submitted and summary.status in IN_WINDOW
                         and summary.status != "queried" and summary.comment_until is not None)
        if self.counting and self.isVisible():
            self.ticker.start()
        else:
            self.ticker.stop()
        if not submitted:
            return
        self.window_line.setText(self.window_words(form, form.now))
        self.comments.clear()
        for comment in form.comments:
            self.comments.addItem(self._item(comment, form.names))
        open_window = summary.status in IN_WINDOW
        for button in (self.post_button, self.query_button, self.answer_button):
            button.setEnabled(open_window)
        self.reopen_button.setEnabled(summary.status in (*IN_WINDOW, "finalised"))

    @staticmethod
    def window_words(form: AuditForm, now: dt.datetime) -> str:
        """The comment window's state in words, with the time left at ``now``."""
        summary = form.view.summary
        if summary.status == "queried":
            return "Held by a query: it finalises once every query is answered."
        if summary.status == "finalised" and form.view.finalised_at is not None:
            return (f"Finalised on "
                    f"{form.view.finalised_at.astimezone(LONDON):%d/%m/%Y at %H:%M}.")
        if summary.comment_until is not None:
            return (f"Open for comment until "
                    f"{summary.comment_until.astimezone(LONDON):%d/%m/%Y at %H:%M}: "
                    f"{time_left(summary.comment_until, now)}; then it finalises "
                    "by itself unless a query is waiting.")
        return summary.status.replace("_", " ").capitalize() + "."

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self.counting:
            self._tick()  # the time may have moved while hidden
            self.ticker.start()

    def hideEvent(self, event: QtGui.QHideEvent) -> None:
        super().hideEvent(event)
        self.ticker.stop()  # nobody reads it: no ticks behind a closed window

    def _tick(self) -> None:
        if self.form is not None:
            self.window_line.setText(self.window_words(self.form, self.clock()))

    def _item(self, comment: CommentRow, names: dict[str, str]) -> QListWidgetItem:
        author = names.get(comment.author_user_id or comment.author_worker_id or "",
                           "Someone")
        posted = (comment.posted_at.astimezone(LONDON).strftime("%d/%m/%Y %H:%M")
                  if comment.posted_at else "")
        kind = ("Answer" if comment.reply_to_id else
                "Query, answered" if comment.is_query and comment.answered_at else
                "Query, waiting for an answer" if comment.is_query else "Comment")
        item = QListWidgetItem(f"{kind} from {author}, {posted}: {comment.body}")
        item.setData(Qt.ItemDataRole.UserRole, comment)
        return item

    def _post(self, query: bool) -> None:
        self.post_requested.emit(self.text.toPlainText(), query)

    def _answer(self) -> None:
        item = self.comments.currentItem()
        comment: CommentRow | None = item.data(Qt.ItemDataRole.UserRole) if item else None
        self.answer_requested.emit(comment.id if comment is not None and comment.is_query
                                   else "", self.text.toPlainText())

    def _ask_reason(self) -> None:
        dialog = ReopenDialog(self)
        dialog.accepted.connect(lambda: self.reopen_requested.emit(
            dialog.reason.toPlainText()))
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        self.reopen_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: ReopenDialog) -> None:
        if self.reopen_dialog is dialog:
            self.reopen_dialog = None
        dialog.deleteLater()
