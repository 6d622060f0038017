"""Help > About: the version, the licence, and where this laptop keeps everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop import __version__
from desktop.logs import log_file
from desktop.qt import QApplication, Qt
from desktop.views.about import AboutDialog

#: The offscreen platform's note on a shown top-level dialog, as in tests/unit/views.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_version_licence_and_every_place(qtbot: QtBot, home: Path, tmp_path: Path) -> None:
    db = tmp_path / "laptop" / "dipsample.db"
    dialog = AboutDialog(None, db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "About DipSample"
    assert __version__ in dialog.version.text()
    assert "Licence: Proprietary" in dialog.licence.text()  # as pyproject.toml says
    shown = {name: label.text() for name, label in dialog.place_labels.items()}
    assert shown["Database"] == str(db.resolve())
    assert shown["Data folder"] == str(home / "data")  # DIPSAMPLE_HOME moves them all
    assert shown["Log file"] == str(log_file()) and shown["Log file"].startswith(str(home))
    assert shown["Settings folder"] == str(home / "config")
    assert str(db.parent.resolve()) in shown["Backups"]
    assert shown["Window layout"]
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith(f"DipSample {__version__}\n")
    assert f"Log file: {log_file()}" in copied


def test_closes_on_escape(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
