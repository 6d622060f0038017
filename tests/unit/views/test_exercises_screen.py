"""The Exercises screen driven as an auditor would: a themed exercise typed into the
form, the audits that match attached and one more chosen, its summary saved as a PDF
that names them; a reader who may not change exercises sees them read-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import ServiceArea, UserServiceArea
from desktop.qt import QComboBox, QLineEdit, QPlainTextEdit, Qt, QTableView, QWidget
from desktop.services import exercises
from desktop.services.context import ServiceContext
from desktop.services.users import people
from desktop.store import open_store
from desktop.views.exercises_screen import ExercisesScreen
from desktop.views.row_table import ROW_ROLE
from desktop.views.window import MainWindow
from tests.unit.reports.hostile import squash
from tests.unit.views.driving import activate, message_box, message_boxes, open_as
from tests.unit.views.test_case_tool_clicks import LEFT, NOW, WAIT, pdf_text, save_through
from tests.unit.views.test_case_tool_clicks import pytestmark as clicks_marks

pytestmark = clicks_marks

AREA = "North"


def auditor_of(path: Path, area: str) -> str:
    """The id of an auditor of ``area`` in the demo county."""
    store = open_store(path, prompt=None)
    try:
        with store.read() as session:
            linked = set(session.scalars(select(UserServiceArea.user_id).join(
                ServiceArea, ServiceArea.id == UserServiceArea.service_area_id)
                .where(ServiceArea.name == area)))
        return next(p.id for p in people(ServiceContext(store=store))
                    if "auditor" in p.roles and p.id in linked)
    finally:
        store.close()


def open_exercises(qtbot: QtBot, path: Path, pick: str | None = None, role: str = "auditor"
                   ) -> tuple[MainWindow, ExercisesScreen]:
    chooser = (lambda everyone: next(p for p in everyone if p.id == pick)) if pick else None
    window = open_as(qtbot, path, role=role, screens=(ExercisesScreen,), pick=chooser)
    window.clock = lambda: NOW
    screen = window.screens[ExercisesScreen.key]
    assert isinstance(screen, ExercisesScreen)
    with qtbot.waitSignal(screen.exercises_loaded, timeout=WAIT):
        window.show_screen(screen.key)
    activate(qtbot, window)
    assert not message_boxes()
    return window, screen


def type_into(qtbot: QtBot, widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def choose(qtbot: QtBot, box: QComboBox, text: str) -> None:
    """Choose ``text`` from the keyboard: Home, then Down until it shows."""
    box.setFocus()
    index = box.findText(text)
    assert index >= 0, f"{text!r} is not a choice of {box.accessibleName()!r}"
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentText() == text


def rows_of(table: QTableView) -> list[exercises.ExerciseAudit]:
    model = table.model()
    return [model.index(r, 0).data(ROW_ROLE) for r in range(model.rowCount())]


def click_and_wait(qtbot: QtBot, screen: ExercisesScreen, button: QWidget) -> None:
    """Press ``button`` and wait until the exercise is on show again, read anew."""
    with qtbot.waitSignal(screen.exercise_shown, timeout=WAIT):
        qtbot.mouseClick(button, LEFT)
    assert not message_boxes()


def test_an_exercise_is_made_filled_and_its_summary_names_its_audits(
        qtbot: QtBot, county_path: Path, tmp_path: Path) -> None:
    auditor = auditor_of(county_path, AREA)
    window, screen = open_exercises(qtbot, county_path, pick=auditor)
    assert screen.counts.text() == "No exercises yet: New exercise starts one."
    assert not screen.print_button.isEnabled() and not screen.match_button.isEnabled()

    form = screen.form
    type_into(qtbot, form.title_edit, "Neglect: children on plans")
    type_into(qtbot, form.theme_edit, "Neglect")
    choose(qtbot, form.cohort_choice, "Child protection plans")
    choose(qtbot, form.area_choice, AREA)
    type_into(qtbot, form.from_date.line, "01/11/2026")
    type_into(qtbot, form.to_date.line, "2026-11-20")
    type_into(qtbot, form.findings_edit, "Plans are reviewed on time; visits are late.")
    choose(qtbot, form.judgement_choice, "Requires improvement")
    click_and_wait(qtbot, screen, screen.save_button)

    assert screen.model.rowCount() == 1 and screen.current is not None
    exercise_id = screen.current
    assert screen.heading.text() == "Neglect: children on plans"
    assert form.to_date.text() == "20/11/2026"
    row = screen.model.rows[0]
    assert (row.theme, row.cohort, row.area, row.period_to) == (
        "Neglect", "cp", AREA, dt.date(2026, 11, 20))
    assert window.user is not None and row.lead == window.user.name

    assert window.store is not None
    as_auditor = ServiceContext(store=window.store, user_id=auditor, clock=lambda: NOW)
    period = exercises.period_audits(as_auditor, exercise_id)
    matching = {a.id for a in period if a.matches and a.exercise_id is None}
    assert len(matching) >= 3
    assert {a.id for a in rows_of(screen.period_table)} == {a.id for a in period}
    type_into(qtbot, form.judgement_edit, "Improving, but visits slip")  # not saved yet
    click_and_wait(qtbot, screen, screen.match_button)
    assert {a.id for a in rows_of(screen.audit_table)} == matching
    assert screen.note.text() == f"Attached {len(matching)} audits that match."
    assert form.judgement_edit.toPlainText() == "Improving, but visits slip"  # kept
    activate(qtbot, window)
    with qtbot.waitSignal(screen.exercise_shown, timeout=WAIT):
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert screen.note.text() == "Saved."

    # One more, chosen from the audits of its period that did not match.
    other = next(a for a in rows_of(screen.period_table) if not a.matches)
    screen.tabs.setCurrentIndex(1)
    place = rows_of(screen.period_table).index(other)
    index = screen.period_table.model().index(place, 0)
    screen.period_table.scrollTo(index)
    qtbot.mouseClick(screen.period_table.viewport(), LEFT,
                     pos=screen.period_table.visualRect(index).center())
    assert screen.attach_button.isEnabled()
    click_and_wait(qtbot, screen, screen.attach_button)
    attached = rows_of(screen.audit_table)
    assert {a.id for a in attached} == matching | {other.id}
    view = exercises.show_exercise(as_auditor, exercise_id, log=False)
    assert screen.progress.text().startswith(f"{len(attached)} audits in the exercise: "
                                             f"{view.exercise.progress.submitted} submitted")
    assert screen.model.rows[0].progress.attached == len(attached)

    out = tmp_path / "summary.pdf"
    assert save_through(qtbot, screen.saver, screen.print_button, out) == out
    text = pdf_text(out)
    squashed = squash(text)
    assert "Neglect: children on plans" in text
    assert squash("Neglect (cohort: child protection plans)") in squashed
    assert "Plans are reviewed on time" in text
    assert "Improving, but visits slip" in text
    assert all(a.case_ref in squashed for a in attached)


def test_a_refusal_is_one_sentence_and_a_reader_cannot_change(
        qtbot: QtBot, county_path: Path) -> None:
    store = open_store(county_path, prompt=None)
    try:
        exercises.create_exercise(ServiceContext(store=store), exercises.ExerciseInput(
            title="Care leavers' pathway plans", cohort="care_leaver",
            period_from=dt.date(2026, 11, 2)))
    finally:
        store.close()

    _, screen = open_exercises(qtbot, county_path)  # an auditor
    type_into(qtbot, screen.form.from_date.line, "31/02/2026")
    type_into(qtbot, screen.form.title_edit, "Dated wrongly")
    qtbot.mouseClick(screen.save_button, LEFT)
    box = message_box(qtbot)
    assert box.text() == "the period's start '31/02/2026' is not a date: use dd/mm/yyyy"
    box.accept()

    _, reader = open_exercises(qtbot, county_path, role="team_manager")
    assert [r.title for r in reader.model.rows] == ["Care leavers' pathway plans"]
    with qtbot.waitSignal(reader.exercise_shown, timeout=WAIT):
        reader.table.selectRow(0)
    assert reader.form.title_edit.isReadOnly()
    assert reader.form.cohort_choice.currentText() == "Care leavers"
    assert not reader.save_button.isEnabled() and not reader.match_button.isEnabled()
    assert reader.print_button.isEnabled()  # a manager prints reports


def test_the_open_audit_is_added_to_an_exercise_from_the_audits_screen(
        qtbot: QtBot, county_path: Path) -> None:
    from desktop.qt import QDialogButtonBox
    from desktop.views.audits import AuditsScreen
    from tests.unit.views.test_case_tool_clicks import submitted_audit

    audit_id, ref, auditor = submitted_audit(county_path)
    store = open_store(county_path, prompt=None)
    try:
        for title in ("Older exercise", "Pre-birth assessments"):
            exercises.create_exercise(ServiceContext(store=store), exercises.ExerciseInput(
                title=title, period_from=dt.date(2026, 11, 2)))
    finally:
        store.close()
    window = open_as(qtbot, county_path, screens=(AuditsScreen,),
                     pick=lambda everyone: next(p for p in everyone if p.id == auditor))
    screen = window.show_screen(AuditsScreen.key)
    assert isinstance(screen, AuditsScreen)
    assert not screen.exercise_button.isEnabled()  # no audit open yet
    with qtbot.waitSignal(screen.form.reloaded, timeout=WAIT):
        window.open_audit(audit_id)
    assert screen.exercise_button.isEnabled()
    qtbot.mouseClick(screen.exercise_button, LEFT)
    qtbot.waitUntil(lambda: screen.adder.dialog is not None
                    and screen.adder.dialog.isVisible(), timeout=WAIT)
    dialog = screen.adder.dialog
    assert dialog is not None
    choose(qtbot, dialog.choice, "Pre-birth assessments (from 02/11/2026)")
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    label = screen.saver.line.label
    qtbot.waitUntil(lambda: "part of" in label.text(), timeout=WAIT)
    assert label.text() == f"The audit of {ref} is part of Pre-birth assessments."
    assert window.store is not None
    ctx = ServiceContext(store=window.store)
    chosen = next(r for r in exercises.list_exercises(ctx)
                  if r.title == "Pre-birth assessments")
    assert [a.id for a in exercises.show_exercise(ctx, chosen.id, log=False).audits] == [
        audit_id]
