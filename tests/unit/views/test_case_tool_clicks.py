"""A case tool is one click from an audit, and a week's case tools one click from My week.

Driven as a person would: the button, then the file dialog (Qt's own, offscreen),
typing where to save and pressing Enter; the PDFs are read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Audit, Case
from desktop.qt import QFileDialog, QLineEdit, QProgressDialog, QPushButton, Qt
from desktop.reports import case_tool
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.services.reporting.case_tool import week_audit_ids
from desktop.services.users import Person
from desktop.store import open_store
from desktop.views.audits import AuditsScreen
from desktop.views.my_week import MyWeekScreen
from desktop.views.save_report import ReportSaver
from desktop.views.window import MainWindow
from tests.unit.views.driving import message_boxes, open_as

#: The offscreen platform cannot raise a window or grab the keyboard (the file dialog's
#: name completer asks to); neither is a fault of the screen.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints",
                                       r"This plugin does not support raise\(\)",
                                       r"This plugin does not support grabbing the keyboard")

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # the demo county's day
WEEK = "2026-W47"
WAIT = 20_000
LEFT = Qt.MouseButton.LeftButton


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def file_dialog(qtbot: QtBot, saver: ReportSaver) -> QFileDialog:
    qtbot.waitUntil(lambda: saver.dialog is not None and saver.dialog.isVisible(),
                    timeout=WAIT)
    dialog = saver.dialog
    assert dialog is not None
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)  # offscreen only
    return dialog


def answer_dialog(qtbot: QtBot, saver: ReportSaver, path: Path) -> None:
    """Go to the folder of ``path``, type its name and press Enter.

    Why not the whole path typed at once: the dialog's name completer reads folders
    while the keys arrive and completes half-typed parts of a long path.
    """
    dialog = file_dialog(qtbot, saver)
    dialog.setDirectory(str(path.parent))  # what the folder list's clicks do
    edit = dialog.findChild(QLineEdit, "fileNameEdit")
    assert isinstance(edit, QLineEdit)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, path.name)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    if saver.dialog is dialog:  # the name completer took the first Enter
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert saver.dialog is None


def save_through(qtbot: QtBot, saver: ReportSaver, button: QPushButton, path: Path) -> Path:
    """Click ``button``, answer the dialog with ``path``; what the saver wrote."""
    qtbot.mouseClick(button, LEFT)
    with qtbot.waitSignal(saver.saved, timeout=WAIT) as saved:
        answer_dialog(qtbot, saver, path)
    assert not message_boxes()
    written = saved.args[0]
    assert isinstance(written, Path)
    return written


def progress_dialog(window: MainWindow) -> QProgressDialog | None:
    return next((w for w in window.findChildren(QProgressDialog) if w.isVisible()), None)


# -- from an audit ------------------------------------------------------------------
def submitted_audit(path: Path) -> tuple[str, str, str]:
    """(audit id, case reference, auditor id) of an audit open for comment."""
    store = open_store(path, prompt=None)
    try:
        with store.read() as session:
            audit_id, ref, auditor = session.execute(
                select(Audit.id, Case.case_ref, Audit.auditor_id)
                .join(Case, Case.id == Audit.case_id)
                .where(Audit.status == "open_for_comment")
                .order_by(Case.case_ref).limit(1)).one()
    finally:
        store.close()
    return audit_id, ref, auditor


def test_case_tool_pdf_of_the_open_audit(qtbot: QtBot, county_path: Path,
                                         tmp_path: Path) -> None:
    audit_id, ref, auditor = submitted_audit(county_path)
    window = open_as(qtbot, county_path, screens=(AuditsScreen,),
                     pick=lambda everyone: next(p for p in everyone if p.id == auditor))
    screen = window.show_screen(AuditsScreen.key)
    assert isinstance(screen, AuditsScreen)
    assert not screen.case_tool_button.isEnabled()  # no audit open yet
    with qtbot.waitSignal(screen.form.reloaded, timeout=WAIT):
        window.open_audit(audit_id)
    assert screen.case_tool_button.isEnabled()

    out = tmp_path / "reports" / "this audit.pdf"
    out.parent.mkdir()
    written = save_through(qtbot, screen.saver, screen.case_tool_button, out)
    assert written == out
    text = pdf_text(out)
    assert ref in text
    assert "OFFICIAL-SENSITIVE" in text
    assert [p.name for p in out.parent.iterdir()] == ["this audit.pdf"]  # no part file
    line = screen.saver.line
    assert "this audit.pdf" in line.label.text()
    assert line.open_button.isVisibleTo(screen)
    store = window.store
    assert store is not None
    exports = [e for e in events_for(ServiceContext(store=store), "audit", audit_id)
               if e.action == "export"]
    assert [e.user_id for e in exports] == [auditor]


# -- from a week's sample -------------------------------------------------------------
def week_ids(window: MainWindow, auditor: Person) -> list[str]:
    store = window.store
    assert store is not None
    return week_audit_ids(ServiceContext(store=store), WEEK, auditor.id)


def busy_auditor(everyone: list[Person]) -> Person:
    """An auditor the demo county gave audits in the week (most have some)."""
    return next(p for p in everyone if "auditor" in p.roles)


def open_my_week(qtbot: QtBot, path: Path) -> tuple[MainWindow, MyWeekScreen]:
    window = open_as(qtbot, path, screens=(MyWeekScreen,), pick=busy_auditor)
    window.clock = lambda: NOW
    screen = window.screens[MyWeekScreen.key]
    assert isinstance(screen, MyWeekScreen)
    with qtbot.waitSignal(screen.week_shown, timeout=WAIT):
        window.show_screen(screen.key)
    qtbot.waitUntil(screen.case_tools_button.isEnabled, timeout=WAIT)
    return window, screen


def test_the_weeks_case_tools_into_a_folder(qtbot: QtBot, county_path: Path,
                                            tmp_path: Path) -> None:
    window, screen = open_my_week(qtbot, county_path)
    assert window.user is not None
    ids = week_ids(window, window.user)
    assert len(ids) >= 2, "the demo auditor should have audits in the week"
    folder = tmp_path / "week 47"
    folder.mkdir()
    written = save_through(qtbot, screen.saver, screen.case_tools_button, folder)
    assert written == folder
    files = sorted(folder.iterdir())
    assert len(files) == len(ids)
    assert all(f.suffix == ".pdf" for f in files)
    store = window.store
    assert store is not None
    with store.read() as session:
        refs = set(session.scalars(select(Case.case_ref).join(Audit, Audit.case_id == Case.id)
                                   .where(Audit.id.in_(ids))))
    found = set()
    for f in files:
        text = pdf_text(f)
        assert "OFFICIAL-SENSITIVE" in text
        found |= {ref for ref in refs if ref in text}
    assert found == refs
    assert screen.saver.line.label.text() == (
        f"Saved {len(ids)} case tools of {WEEK} in {folder}.")


def test_cancelling_the_weeks_case_tools_leaves_no_files(
        qtbot: QtBot, county_path: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    first_written, go = threading.Event(), threading.Event()
    real_write = case_tool.write_case_tool

    def held_write(tool: Any, out: Any) -> None:
        """After the first PDF, hold the worker until Cancel is pressed."""
        real_write(tool, out)
        if not first_written.is_set():
            first_written.set()
            go.wait(WAIT / 1000)

    monkeypatch.setattr(case_tool, "write_case_tool", held_write)
    window, screen = open_my_week(qtbot, county_path)
    folder = tmp_path / "cancelled"
    folder.mkdir()
    qtbot.mouseClick(screen.case_tools_button, LEFT)
    answer_dialog(qtbot, screen.saver, folder)
    qtbot.waitUntil(first_written.is_set, timeout=WAIT)
    assert len(list(folder.iterdir())) == 1  # one PDF on disc while the batch runs
    qtbot.waitUntil(lambda: progress_dialog(window) is not None, timeout=WAIT)
    dialog = progress_dialog(window)
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    with qtbot.waitSignal(screen.saver.gave_up, timeout=WAIT):
        qtbot.mouseClick(cancel, LEFT)
        go.set()
    assert list(folder.iterdir()) == []
    assert screen.saver.line.label.text() == "Cancelled: nothing was saved."
    assert not screen.saver.line.open_button.isVisibleTo(screen)
    assert not message_boxes()
