"""A file's path typed or chosen: a line edit with a Browse button beside it.

Why typeable: a person may paste a path from Explorer, and the tests type it as a
person could. The file dialog is Qt's own, opened with ``open()`` (never ``exec()``)
and kept on :attr:`PathField.dialog`, so that it never blocks the window's event loop.
"""

from __future__ import annotations

from desktop.qt import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget, Signal


class PathField(QWidget):
    """Signals:
        chosen(str): a file was picked in the dialog (the line edit holds it too).

    Attributes:
        edit: the line edit with the path; button: Browse.
        dialog: the open file dialog, or None.
    """

    chosen = Signal(str)

    def __init__(self, name: str, filters: str, *, save: bool = False,
                 browse_text: str = "&Browse…", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filters = filters
        self.save = save
        self.dialog: QFileDialog | None = None
        self.edit = QLineEdit()
        self.edit.setAccessibleName(name)
        self.edit.setObjectName(name.replace(" ", "_").lower())
        self.edit.setClearButtonEnabled(True)
        self.button = QPushButton(browse_text)
        self.button.setAccessibleName(f"Browse for the {name.lower()}")
        self.button.clicked.connect(self.browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)

    def text(self) -> str:
        return self.edit.text().strip().strip('"')

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def browse(self) -> None:
        dialog = QFileDialog(self.window(), "Save as" if self.save else "Choose a file")
        dialog.setNameFilter(self.filters)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        if self.save:
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        if self.text():
            dialog.selectFile(self.text())
        dialog.fileSelected.connect(self._picked)
        dialog.finished.connect(self._closed)
        self.dialog = dialog
        dialog.open()

    def _picked(self, path: str) -> None:
        self.edit.setText(path)
        self.chosen.emit(path)

    def _closed(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
