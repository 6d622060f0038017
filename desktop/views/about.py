"""Help > About: the version, the licences, and where this laptop keeps everything.

Why the folders are here: when IT moves a person to a new laptop, or support asks for
the log, the first question is "where is it?", and the answer differs on Windows,
macOS and Linux (and moves as a whole with ``DIPSAMPLE_HOME``). The dialog reads the
same ``desktop.paths`` functions the application uses, so it cannot say one folder and
use another. It reads no database, so it opens at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

from desktop import __version__, paths
from desktop.logs import log_file
from desktop.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSettings,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop.views.plain import plain_label

#: The third-party parts whose licences travel with the application.
CREDITS = ("Built with Qt for Python (PySide6, LGPL v3), SQLCipher (BSD-style licence), "
           "SQLAlchemy and Alembic (MIT) and reportlab (BSD). The PDFs embed DejaVu Sans "
           "(Bitstream Vera licence) and Noto Sans Symbols 2 (SIL Open Font License 1.1); "
           "their licence texts are in resources/fonts.")


def licence() -> str:
    """The application's own licence, as pyproject.toml states it."""
    try:
        found = metadata("dipsample").get_all("License")
        return found[0] if found else "see pyproject.toml"
    except PackageNotFoundError:
        return "see pyproject.toml"


@dataclass(frozen=True)
class Places:
    """Where this laptop keeps each kind of file (absolute paths)."""

    database: Path
    data: Path
    backups: str
    logs: Path
    settings: Path
    window_settings: str

    def as_text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows())

    def rows(self) -> list[tuple[str, str]]:
        return [("Database", str(self.database)), ("Data folder", str(self.data)),
                ("Backups", self.backups), ("Log file", str(self.logs)),
                ("Settings folder", str(self.settings)),
                ("Window layout", self.window_settings)]


def places(db_path: Path | None = None) -> Places:
    """Every place, for the open database (default: the one in the data folder)."""
    database = (db_path or paths.default_db_path()).expanduser().resolve()
    return Places(
        database=database, data=paths.data_dir(),
        backups=f"beside the database, in {database.parent} (the newest three, named "
                f"{database.stem}.<reason>.<time>{database.suffix}.bak)",
        logs=log_file(), settings=paths.config_dir(),
        window_settings=QSettings().fileName())


class AboutDialog(QDialog):
    """The About dialog.

    Attributes:
        version: the version line.
        place_labels: each place's label, selectable, by its name ("Log file").
        copy_button: copies the version and every place, for a support call.
    """

    def __init__(self, parent: QWidget | None = None, db_path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About DipSample")
        self.places = places(db_path)
        layout = QVBoxLayout(self)
        self.version = QLabel(f"<b>DipSample {__version__}</b>")
        layout.addWidget(self.version)
        intro = plain_label("Dip-sample audits of children's social care case records: offline, "
                            "encrypted, synced.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.place_labels: dict[str, QLabel] = {}
        for name, value in self.places.rows():
            label = plain_label(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{name}:", label)
            self.place_labels[name] = label
        layout.addLayout(form)
        self.licence = plain_label(f"Licence: {licence()}. {CREDITS}")
        self.licence.setWordWrap(True)
        layout.addWidget(self.licence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())

    def details(self) -> str:
        return f"DipSample {__version__}\n{self.places.as_text()}"

    def copy(self) -> None:
        QApplication.clipboard().setText(self.details())
