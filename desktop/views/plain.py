"""Text a person typed, or that came from the store or a sync, shown as text, never markup.

Why: Qt shows a label's, a message box's, a progress dialog's and a tooltip's text as
rich text whenever it looks like HTML (``Qt.mightBeRichText``: a known tag on the first
line), and Qt Charts always reads its titles and labels as HTML. An exercise title typed
as ``<img src=...>`` then loaded a local image, and ``<a href="file:///etc/passwd">``
became a link, on every laptop the title synced to (issue 20). So every label of the
window is plain text (:func:`plain_label`), as are message boxes (:func:`message_box`)
and progress dialogs (:func:`plain_progress`); a tooltip or chart text holding data is
escaped (:func:`plain_tip`, :func:`escaped`). The few labels with markup of our own
(the audit form's heading, About) escape every piece of data inside it.
"""

from __future__ import annotations

import re

from desktop.qt import QLabel, QMessageBox, QProgressDialog, Qt, QWidget


def plain(label: QLabel) -> QLabel:
    """``label`` showing its text as typed, markup and all; returned for chaining."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows ``text`` (and every later ``setText``) as plain text."""
    return plain(QLabel(text, parent))


#: An ``&`` that HTML would read as the start of an entity (``&lt;``, ``&#60;``, or one
#: without its ``;`` at the very end, which Qt reads too).
_ENTITY = re.compile(r"&(?=#?\w+(?:;|$))")


def escaped(text: str) -> str:
    """``text`` for a place that reads HTML, shown exactly as typed.

    Why not ``html.escape``: only what HTML would read differently is changed (``<``,
    ``>``, and an ``&`` that starts an entity); a lone ``&`` (a team called "Mid & East")
    already shows as itself, so the text stays the same string, as screen readers and
    the tests that compare it with the store's read it.
    """
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def no_mnemonic(text: str) -> str:
    """``text`` for a label with a buddy, a button or a group box title: an ``&`` in
    it is shown, not taken as the underlined letter of a keyboard shortcut."""
    return text.replace("&", "&&")


def plain_tip(text: str) -> str:
    """A tooltip showing ``text`` literally, line breaks kept.

    Why always wrapped in a paragraph: a tooltip is rich text only when Qt guesses so,
    and escaped text with no tag left (``&amp;lt;`` for a typed ``&lt;``) would not be
    guessed, so it would show the escape; the paragraph makes it always rich, with the
    data escaped inside.
    """
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{escaped(text)}</p>"


def message_box(icon: QMessageBox.Icon, title: str, text: str,
                buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
                parent: QWidget | None = None) -> QMessageBox:
    """A message box whose text is plain (an error's sentence may quote typed text)."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box


def plain_progress(dialog: QProgressDialog) -> QProgressDialog:
    """``dialog`` with a plain label: a task's stage may name a file or a title."""
    text = dialog.labelText()
    dialog.setLabel(plain_label())
    dialog.setLabelText(text)
    return dialog
