"""The Reports screen driven as a QA lead would: choose, preview, save, print.

The files are read back with independent readers (pypdf, openpyxl, csv) and compared
with what the services say the same period holds.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QComboBox, QLineEdit, QPoint, Qt, QWidget
from desktop.reports.monthly import interval, name, percent
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.services.reporting.case_tool import week_audit_ids
from desktop.services.reporting.exports import export_tables
from desktop.services.reporting.monthly import monthly_data
from desktop.services.statistics.compliance import compliance_report
from desktop.views.reports_screen import (
    CASE_TOOLS,
    EXPORT,
    MONTHLY,
    PLAN,
    SUMMARY,
    WEEKLY,
    ReportsScreen,
)
from desktop.views.window import MainWindow
from tests.unit.views.driving import activate, message_boxes, open_screen_as
from tests.unit.views.test_case_tool_clicks import (
    LEFT,
    NOW,
    WAIT,
    WEEK,
    answer_dialog,
    pdf_text,
    save_through,
)
from tests.unit.views.test_case_tool_clicks import (
    pytestmark as clicks_marks,
)

pytestmark = clicks_marks


def open_reports(qtbot: QtBot, path: Path, role: str = "qa"
                 ) -> tuple[MainWindow, ReportsScreen]:
    return open_screen_as(qtbot, path, ReportsScreen, "previewed", NOW, role)


def ctx_of(window: MainWindow) -> ServiceContext:
    store = window.store
    assert store is not None
    return ServiceContext(store=store, clock=lambda: NOW)


def pick(qtbot: QtBot, box: QComboBox, text: str) -> None:
    """Choose ``text`` from the keyboard: Home, then Down until it shows."""
    window = box.window()
    assert isinstance(window, MainWindow)
    activate(qtbot, window)  # a file dialog may just have closed
    box.setFocus()
    index = box.findText(text)
    assert index >= 0, f"{text!r} is not a choice of {box.accessibleName()!r}"
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentText() == text


def choose(qtbot: QtBot, screen: ReportsScreen, box: QComboBox, text: str) -> None:
    """Pick a report or period, then press Preview.

    Why press it when a new report previews by itself: the arrow keys pass other
    reports on the way, and only the preview asked for last is shown.
    """
    pick(qtbot, box, text)
    with qtbot.waitSignal(screen.previewed, timeout=WAIT):
        qtbot.mouseClick(screen.preview_button, LEFT)


def tick_point(box: QWidget) -> QPoint:
    """Where the box's tick is (a click there toggles it)."""
    return QPoint(8, box.height() // 2)


def preview_column(screen: ReportsScreen, column: int) -> list[str]:
    return [row[column] for row in screen.preview_model.rows]


def test_monthly_report_previewed_then_saved(qtbot: QtBot, county_path: Path,
                                             tmp_path: Path) -> None:
    window, screen = open_reports(qtbot, county_path)
    choose(qtbot, screen, screen.kind_choice, MONTHLY.title)
    assert screen.month_choice.isVisible() and not screen.week_choice.isVisible()
    choose(qtbot, screen, screen.month_choice, "October 2026")
    expected = compliance_report(ctx_of(window), dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert expected.by_standard
    assert preview_column(screen, 0) == [name(f) for f in expected.by_standard]
    assert preview_column(screen, 2) == [interval(f) for f in expected.by_standard]
    finalised = monthly_data(ctx_of(window), "2026-10").finalised_in_month
    assert (f"{finalised} audits finalised in the month; the estimates rest on "
            f"{expected.audits} finalised audits dated in it") in screen.summary.text()

    screen.messages_edit.setFocus()
    qtbot.keyClicks(screen.messages_edit, "Visits & oversight <improved>")
    out = tmp_path / "october.pdf"
    assert save_through(qtbot, screen.saver, screen.save_button, out) == out
    text = pdf_text(out)
    assert "Monthly quality assurance report" in text
    assert "October 2026" in text and "OFFICIAL-SENSITIVE" in text
    assert "Visits & oversight <improved>" in text
    for figure in expected.by_standard:
        if figure.estimate.sufficient:
            assert percent(figure.estimate.rate) in text
    assert "october.pdf" in screen.saver.line.label.text()
    assert not message_boxes()


def test_export_as_xlsx_then_one_table_as_csv(qtbot: QtBot, county_path: Path,
                                              tmp_path: Path) -> None:
    window, screen = open_reports(qtbot, county_path)
    choose(qtbot, screen, screen.kind_choice, EXPORT.title)
    tables = export_tables(ctx_of(window))
    assert preview_column(screen, 0) == ["Audits", "Answers", "Actions"]
    assert preview_column(screen, 1) == [str(len(t.rows)) for t in tables]

    out = tmp_path / "everything.xlsx"
    assert save_through(qtbot, screen.saver, screen.save_button, out) == out
    book = load_workbook(out)
    assert book.sheetnames == ["Audits", "Answers", "Actions"]
    for table in tables:
        sheet = book[table.name]
        assert [c.value for c in sheet[1]] == list(table.headers)
        assert sheet.max_row == len(table.rows) + 1

    # CSV holds one table: ticking Actions leaves Actions alone ticked.
    pick(qtbot, screen.format_choice, "CSV file: one table")
    actions = screen.table_boxes["actions"]
    qtbot.mouseClick(actions, LEFT, pos=tick_point(actions))
    assert screen.tables() == ("actions",)
    csv_out = tmp_path / "actions.csv"
    assert save_through(qtbot, screen.saver, screen.save_button, csv_out) == csv_out
    with csv_out.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == tables[2].headers
    assert len(rows) == len(tables[2].rows) + 1


def print_through(qtbot: QtBot, screen: ReportsScreen, out: Path) -> None:
    """Click Print, choose the dialog's "Print to File (PDF)" printer, type ``out``,
    press Enter, and wait until every page went to the printer."""
    qtbot.mouseClick(screen.print_button, LEFT)
    qtbot.waitUntil(lambda: screen.print_dialog is not None
                    and screen.print_dialog.isVisible(), timeout=WAIT)
    dialog = screen.print_dialog
    assert dialog is not None
    printers = dialog.findChild(QComboBox, "printers")
    assert isinstance(printers, QComboBox)
    printers.setCurrentIndex(printers.findText("Print to File (PDF)"))
    name = dialog.findChild(QLineEdit, "filename")
    assert isinstance(name, QLineEdit)
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(name, str(out))
    qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.print_dialog is None and screen.print_job is None,
                    timeout=WAIT)


def printed_pages(path: Path) -> int:
    """The pages a print to file made, each holding the page rendered as an image (a
    printer is sent pictures of the pages, so there is no text to read back)."""
    pages = PdfReader(path).pages
    assert all(len(page.images) == 1 for page in pages)
    return len(pages)


def choose_auditor(qtbot: QtBot, window: MainWindow, screen: ReportsScreen) -> str:
    """Choose the auditor with the fewest case tools in the week (at least two: quick to
    print, and more than one to bind); their id."""
    qtbot.waitUntil(lambda: screen.auditor_choice.count() > 1, timeout=WAIT)
    counts = {index: len(week_audit_ids(ctx_of(window), WEEK,
                                        screen.auditor_choice.itemData(index)))
              for index in range(1, screen.auditor_choice.count())}
    index = min((i for i, n in counts.items() if n >= 2), key=lambda i: (counts[i], i))
    choose(qtbot, screen, screen.auditor_choice, screen.auditor_choice.itemText(index))
    return str(screen.auditor_choice.itemData(index))


def test_a_weeks_case_tools_listed_and_printed_whole(
        qtbot: QtBot, county_path: Path, tmp_path: Path) -> None:
    window, screen = open_reports(qtbot, county_path)
    assert screen.kind() is CASE_TOOLS  # the first report
    choose(qtbot, screen, screen.week_choice, f"{WEEK} (16 to 22 Nov 2026)")
    assert len(screen.preview_model.rows) == len(week_audit_ids(ctx_of(window), WEEK)) > 0
    assert "all of them" in screen.print_line.text()
    auditor_id = choose_auditor(qtbot, window, screen)
    ids = week_audit_ids(ctx_of(window), WEEK, auditor_id)
    assert list(screen.preview.audit_ids if screen.preview else ()) == ids and ids
    assert screen.print_button.isEnabled()  # the whole week: nothing to select first

    out = tmp_path / "printed week.pdf"
    print_through(qtbot, screen, out)
    pages = printed_pages(out)
    assert pages == screen.pages.page_count() >= len(ids)
    assert screen.pages.note.text().startswith(f"The case tools of {WEEK}: {pages} page")
    assert screen.saver.line.label.text() == (
        f"Sent {pages} page{'' if pages == 1 else 's'} to the printer.")
    for audit_id in ids:  # each case tool printed is in the event log
        qtbot.waitUntil(lambda audit_id=audit_id: len(
            [e for e in events_for(ctx_of(window), "audit", audit_id)
             if e.action == "print"]) == 1, timeout=WAIT)


def test_the_weeks_case_tools_saved_as_one_pdf_with_a_bookmark_each(
        qtbot: QtBot, county_path: Path, tmp_path: Path) -> None:
    window, screen = open_reports(qtbot, county_path)
    auditor_id = choose_auditor(qtbot, window, screen)
    ids = week_audit_ids(ctx_of(window), WEEK, auditor_id)
    out = tmp_path / "week 47.pdf"
    assert save_through(qtbot, screen.saver, screen.save_button, out) == out
    reader = PdfReader(out)
    assert len(reader.outline) == len(ids)
    assert screen.saver.line.label.text() == (
        f"Saved {len(ids)} case tools of {WEEK} in {out.name} ({out.parent}), a bookmark "
        "per case.")
    # Drafts ticked in: the list is read again (the demo county has none to add).
    with qtbot.waitSignal(screen.previewed, timeout=WAIT):
        qtbot.mouseClick(screen.drafts_box, LEFT, pos=tick_point(screen.drafts_box))
    assert screen.drafts_box.isChecked()
    assert len(screen.preview_model.rows) == len(ids)


def test_the_pages_tab_shows_the_report_as_it_prints(qtbot: QtBot, county_path: Path,
                                                     tmp_path: Path) -> None:
    _window, screen = open_reports(qtbot, county_path)
    choose(qtbot, screen, screen.kind_choice, WEEKLY.title)
    with qtbot.waitSignal(screen.pages.loaded, timeout=WAIT) as loaded:
        qtbot.keyClick(screen, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # &Pages
    assert screen.preview_tabs.currentWidget() is screen.pages
    out = tmp_path / "weekly.pdf"
    assert save_through(qtbot, screen.saver, screen.save_button, out) == out
    assert loaded.args[0] == len(PdfReader(out).pages) == screen.pages.page_count() > 0
    assert f"weekly report for senior management: {loaded.args[0]} page" in (
        screen.pages.note.text())

    # Another report chosen while the pages show: its pages follow.
    with qtbot.waitSignal(screen.pages.loaded, timeout=WAIT):
        choose(qtbot, screen, screen.kind_choice, MONTHLY.title)
    assert screen.pages.note.text().startswith("The monthly quality assurance report:")
    choose(qtbot, screen, screen.kind_choice, EXPORT.title)
    qtbot.waitUntil(lambda: screen.pages.document is None, timeout=WAIT)
    assert screen.pages.note.text().startswith("An export is a spreadsheet")
    assert not screen.print_button.isEnabled()


def test_a_wrong_week_typed_is_said_in_the_preview(qtbot: QtBot, county_path: Path) -> None:
    _window, screen = open_reports(qtbot, county_path)
    edit = screen.week_choice.lineEdit()
    assert edit is not None
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, "week 47")
    qtbot.mouseClick(screen.preview_button, LEFT)
    qtbot.waitUntil(lambda: screen.summary.text().startswith("No preview:"), timeout=WAIT)
    assert screen.preview_model.rowCount() == 0
    assert not message_boxes()
    assert QApplication.activeModalWidget() is None


def test_the_weeks_case_tools_saved_into_a_folder(qtbot: QtBot, county_path: Path,
                                                  tmp_path: Path) -> None:
    window, screen = open_reports(qtbot, county_path)
    qtbot.waitUntil(lambda: screen.auditor_choice.count() > 1, timeout=WAIT)
    auditor = screen.auditor_choice.itemText(1)
    auditor_id = screen.auditor_choice.itemData(1)
    choose(qtbot, screen, screen.auditor_choice, auditor)
    ids = week_audit_ids(ctx_of(window), WEEK, auditor_id)
    assert len(screen.preview_model.rows) == len(ids) > 0
    assert set(preview_column(screen, 1)) == {auditor}
    folder = tmp_path / "week 47 of one auditor"
    folder.mkdir()
    qtbot.mouseClick(screen.separate_box, LEFT, pos=tick_point(screen.separate_box))
    assert screen.separate_box.isChecked()
    qtbot.mouseClick(screen.save_button, LEFT)
    with qtbot.waitSignal(screen.saver.saved, timeout=WAIT):
        answer_dialog(qtbot, screen.saver, folder)
    assert len(list(folder.iterdir())) == len(ids)
    assert screen.saver.line.label.text() == f"Saved {len(ids)} case tools of {WEEK} in {folder}."


def test_weekly_report_previewed_then_saved(qtbot: QtBot, county_path: Path,
                                            tmp_path: Path) -> None:
    from desktop.services.reporting.weekly import weekly_data

    window, screen = open_reports(qtbot, county_path)
    choose(qtbot, screen, screen.kind_choice, WEEKLY.title)
    assert not screen.auditor_choice.isVisible()
    data = weekly_data(ctx_of(window), WEEK)
    assert preview_column(screen, 0) == [t.name for t in data.teams]
    assert preview_column(screen, 1) == [str(t.audits) for t in data.teams]
    out = tmp_path / "weekly.pdf"
    assert save_through(qtbot, screen.saver, screen.save_button, out) == out
    text = pdf_text(out)
    assert "Weekly report for senior management" in text and "OFFICIAL-SENSITIVE" in text


def test_an_exercise_summary_saved_and_the_plan_printed(qtbot: QtBot, county_path: Path,
                                                        tmp_path: Path) -> None:
    from sqlalchemy import select

    from desktop.models import Audit
    from desktop.services import exercises, plans
    from desktop.store import open_store

    store = open_store(county_path, prompt=None)
    try:
        ctx = ServiceContext(store=store)
        exercise = exercises.create_exercise(ctx, exercises.ExerciseInput(
            title="Neglect themed audit", period_from=dt.date(2026, 11, 2)))
        with store.read() as session:
            attached = list(session.scalars(select(Audit.id).where(
                Audit.status == "finalised").order_by(Audit.id).limit(3)))
        exercises.attach_audits(ctx, exercise, attached)
        data = Path(__file__).resolve().parents[2] / "data" / "plan_inspection.csv"
        plans.import_plan(ctx, data, title="Inspection plan")
    finally:
        store.close()

    _window, screen = open_reports(qtbot, county_path)
    opened: list[Path] = []
    screen.saver.line.opener = opened.append  # the system viewer is not started in tests
    choose(qtbot, screen, screen.kind_choice, SUMMARY.title)
    assert screen.exercise_choice.currentText() == "Neglect themed audit (02/11/2026)"
    assert len(screen.preview_model.rows) == 3
    assert screen.summary.text().startswith("Neglect themed audit: 3 audits submitted")
    out = tmp_path / "summary.pdf"
    assert save_through(qtbot, screen.saver, screen.save_button, out) == out
    assert "Neglect themed audit" in pdf_text(out)
    assert opened == []  # saved, not opened

    choose(qtbot, screen, screen.kind_choice, PLAN.title)
    assert screen.plan_choice.currentText() == "Every plan"
    assert set(preview_column(screen, 0)) == {"Inspection plan"}
    printed = tmp_path / "plan.pdf"
    print_through(qtbot, screen, printed)
    assert opened == []  # printed without a viewer
    assert printed_pages(printed) == screen.pages.page_count() > 0
    assert screen.pages.note.text().startswith("The improvement plan:")


def test_another_month_chosen_clears_the_old_preview(qtbot: QtBot,
                                                     county_path: Path) -> None:
    """A preview on show is of the choice it was read for: choosing another month
    says so instead of leaving the old month's figures under the new name."""
    _window, screen = open_reports(qtbot, county_path)
    choose(qtbot, screen, screen.kind_choice, MONTHLY.title)
    choose(qtbot, screen, screen.month_choice, "October 2026")
    assert screen.preview is not None and screen.preview_model.rowCount() > 0
    pick(qtbot, screen.month_choice, "September 2026")
    assert screen.preview is None and screen.preview_model.rowCount() == 0
    assert screen.summary.text().startswith("The choice changed")
    with qtbot.waitSignal(screen.previewed, timeout=WAIT):
        qtbot.mouseClick(screen.preview_button, LEFT)
    assert "September 2026" in screen.summary.text()
