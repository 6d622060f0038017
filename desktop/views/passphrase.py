"""Asking for the database passphrase in the window, where no keyring exists.

Why in the window and not on stdin: a person who starts DipSample from a menu has no
terminal, and on a headless or locked-down machine without a keyring the passphrase is
the only source of the key (``desktop/store/keys.py``).

Why a new passphrase is typed twice: nothing can recover a database whose passphrase
was mistyped when it was made, so a mismatch is refused beside the repeat field before
anything is created. An existing database is asked for once: a typo there is only a
"wrong passphrase" and another try.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from desktop.qt import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from desktop.store import keys
from desktop.views.palette import PROBLEM_STYLE
from desktop.views.plain import plain_label

#: The store refuses shorter new passphrases (``keys._passphrase``).
MIN_LENGTH = 8


class Need(StrEnum):
    NONE = "none"
    EXISTING = "existing"
    NEW = "new"


def passphrase_need(path: Path) -> Need:
    """Whether opening ``path`` needs a passphrase typed now, and for a new database or not."""
    if os.environ.get(keys.PASSPHRASE_ENV):
        return Need.NONE
    if keys.kdf_path(path).exists():
        return Need.EXISTING
    exists = path.exists() and path.stat().st_size > 0
    if exists or keys.keyring_available():
        return Need.NONE  # the keyring has it, or opening says plainly that it has not
    return Need.NEW


class PassphraseDialog(QDialog):
    """A password field (twice for a new database) that checks what the store will refuse.

    Attributes:
        passphrase: the field typed into.
        confirm: the repeat field, for a new database only.
        mismatch: beside ``confirm``: says when the two differ (new database only).
        problem: one line saying what is wrong with the passphrase itself.
    """

    def __init__(self, parent: QWidget | None, *, need: Need, name: str,
                 again: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("DipSample: passphrase")
        self.need = need
        intro = (f"Choose a passphrase for the new database {name} (at least {MIN_LENGTH} "
                 "characters). There is no keyring on this computer to keep a key in, so "
                 "the passphrase is the only way into the data: keep it safe."
                 if need is Need.NEW else
                 f"Type the passphrase of the database {name}.")
        if again:
            intro = f"That passphrase did not open {name}. " + intro
        text = plain_label(intro)
        text.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm: QLineEdit | None = None
        self.mismatch: QLabel | None = None
        self.problem = _problem_label()
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        if need is Need.NEW:
            self.confirm = QLineEdit()
            self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
            self.mismatch = _problem_label()
            self.confirm.textEdited.connect(lambda _text: self._set_mismatch(""))
            form.addRow("&Confirm passphrase:", self.confirm)
            form.addRow("", self.mismatch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def value(self) -> str:
        return self.passphrase.text()

    def accept(self) -> None:
        """OK (or Return): refuse what the store would refuse, and a mismatch."""
        typed = self.passphrase.text()
        self.problem.setText("")
        if not typed:
            self.problem.setText("Type the passphrase.")
            self.passphrase.setFocus()
        elif self.need is Need.NEW and len(typed) < MIN_LENGTH:
            self.problem.setText(f"Use at least {MIN_LENGTH} characters.")
            self.passphrase.setFocus()
        elif self.confirm is not None and not self.confirm.text():
            self._set_mismatch("Type the passphrase again to confirm it.")
            self.confirm.setFocus()
        elif self.confirm is not None and self.confirm.text() != typed:
            self._set_mismatch("The two passphrases differ: type it again.")
            self.confirm.selectAll()
            self.confirm.setFocus()
        else:
            super().accept()

    def _set_mismatch(self, text: str) -> None:
        if self.mismatch is not None:
            self.mismatch.setText(text)


def _problem_label() -> QLabel:
    label = plain_label("")
    label.setStyleSheet(PROBLEM_STYLE)
    label.setWordWrap(True)
    return label
