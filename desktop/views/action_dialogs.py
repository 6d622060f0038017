"""Asking for a new status with its evidence or reason, and for progress on an action.

Why dialogs of their own and not QInputDialog: the status and its evidence belong
together (a cancelled action needs a reason, a confirmed one its evidence), the
statuses are shown in words, and tests find the dialog on the screen's attribute.

Why "verified" is offered only to those who may verify (QA), and "done" only to those
who may confirm it (the owner's manager, or QA): an auditor chose "verified", typed
what they had checked, and only then was told that only QA verifies; the service
still refuses either, but nobody is asked for evidence they cannot use.
"""

from __future__ import annotations

from collections.abc import Collection

from desktop.models.enums import Role
from desktop.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QWidget,
)
from desktop.services.auth.roles import Permission, permissions_of
from desktop.views.action_table import status_words
from desktop.views.plain import plain_label

#: The statuses a person may ask for, in the order of the workflow.
CHOICES = ("open", "in_progress", "done", "verified", "cancelled")
HINTS = {"done": "The owner's manager confirms it done; say what shows it was done.",
         "verified": "QA verifies a confirmed action; say what you checked.",
         "cancelled": "Say why the action is no longer needed.",
         "in_progress": "Optionally, what has been done so far.",
         "open": "Optionally, why it goes back to open."}


def may_verify(roles: Collection[str] | None) -> bool:
    """Whether a person with ``roles`` may verify an action (None: nobody signed in,
    the system, which may do anything)."""
    return roles is None or Permission.VERIFY_ACTIONS in permissions_of(frozenset(roles))


def may_confirm(roles: Collection[str] | None) -> bool:
    """Whether a person with ``roles`` may be the one who confirms an action done: the
    owner's manager (a team manager), or QA where the owner has no manager on record
    (``actions._check_move``). None: the system. The service still checks that this
    team manager manages this owner."""
    return roles is None or bool({Role.QA, Role.TEAM_MANAGER} & set(roles))


def labelled(form: QFormLayout, text: str, widget: QWidget) -> None:
    """A form row whose label's mnemonic moves the focus to ``widget``."""
    label = plain_label(text)
    label.setBuddy(widget)
    form.addRow(label, widget)


def text_box(accessible: str, text: str = "") -> QPlainTextEdit:
    """A text box that Tab leaves (a person tabs on to OK, not into the text)."""
    edit = QPlainTextEdit(text)
    edit.setAccessibleName(accessible)
    edit.setTabChangesFocus(True)
    return edit


def ok_cancel(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class StatusDialog(QDialog):
    """Attributes:
        status_choice: the new status in words (the code is each item's data).
        text_edit: the evidence, or for a cancelled action the reason.
    """

    def __init__(self, count: int, status: str | None, parent: QWidget | None = None, *,
                 verify: bool = True, confirm: bool = True) -> None:
        """``verify``, ``confirm``: whether the person may verify, and confirm an action
        done (else "verified", or "done", is not offered)."""
        super().__init__(parent)
        self.setWindowTitle("Change the status of an action" if count == 1
                            else f"Change the status of {count} actions")
        intro = plain_label("The new status applies to the selected action." if count == 1 else
                            f"The new status applies to all {count} selected actions, or, if "
                            "any of them cannot move, to none.")
        intro.setWordWrap(True)
        self.status_choice = QComboBox()
        self.status_choice.setAccessibleName("New status")
        refused = {c for c, may in (("verified", verify), ("done", confirm)) if not may}
        self.choices = tuple(c for c in CHOICES if c not in refused)
        for code in self.choices:
            self.status_choice.addItem(status_words(code), code)
        if status in self.choices:
            self.status_choice.setCurrentIndex(self.choices.index(status))
        self.hint = plain_label()
        self.hint.setWordWrap(True)
        self.text_edit = text_box("Evidence or reason")
        self.status_choice.currentIndexChanged.connect(self._show_hint)
        self._show_hint()
        form = QFormLayout(self)
        form.addRow(intro)
        labelled(form, "New &status:", self.status_choice)
        labelled(form, "&Evidence or reason:", self.text_edit)
        form.addRow(self.hint)
        form.addRow(ok_cancel(self))
        self.text_edit.setFocus()

    def _show_hint(self) -> None:
        self.hint.setText(HINTS.get(self.status(), ""))

    def status(self) -> str:
        return str(self.status_choice.currentData())

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()


class ProgressDialog(QDialog):
    """Progress notes and evidence for one action, without changing its status.

    Attributes:
        progress_edit, evidence_edit: prefilled with what the action holds now.
    """

    def __init__(self, progress: str, evidence: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record progress on an action")
        self.progress_edit = text_box("Progress", progress)
        self.evidence_edit = text_box("Evidence", evidence)
        form = QFormLayout(self)
        labelled(form, "&Progress so far:", self.progress_edit)
        labelled(form, "&Evidence:", self.evidence_edit)
        form.addRow(ok_cancel(self))
