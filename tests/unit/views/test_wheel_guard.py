"""The mouse wheel over a field the person is not editing scrolls the page, never the value.

Driven as a person scrolls: wheel notches, down then up, over every combo box, spin box
and date field of a filled-in audit form and of every screen's filters; then what the
window shows and what the store holds (read through the services) are compared with
before. The wheel over the field being edited (the focus is on Q1 as an audit opens,
and stays on an answer picked with the mouse) changes nothing either: it scrolls the
form; the keyboard and clicks still change a value. A mapping list of the Import screen
with the focus keeps its column under the wheel.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Audit, Case, UserServiceArea
from desktop.qt import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QPoint,
    QPointF,
    QSlider,
    Qt,
    QWheelEvent,
    QWidget,
)
from desktop.services.audits import lifecycle
from desktop.services.audits.drafts import AnswerChange, DraftChanges, save_draft
from desktop.services.audits.form import AuditForm, read_audit_form
from desktop.services.context import ServiceContext
from desktop.services.users import people
from desktop.store import Store, open_store
from desktop.views.audits import AuditsScreen
from desktop.views.wheel_guard import GUARDED
from desktop.views.window import MainWindow, default_screens
from tests.unit.views.driving import activate, open_as, settle
from tests.unit.views.test_import_wizard import open_import, preview

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 20_000
#: One notch of an ordinary mouse wheel (eighths of a degree).
NOTCH = 120
#: The answers of the draft: none of them the first or last choice, so that a notch
#: either way would change it.
ANSWERS = (("ra_in_place", "met"), ("ra_quality", "partly_met"),
           ("ra_response_proportionate", "not_met"), ("vtt_completed", "met"),
           ("rag_agrees", "no"))


def wheel(widget: QWidget, notches: int) -> QWheelEvent:
    """One wheel turn of ``notches`` (positive: away from the person, up the page) with
    the pointer at the middle of ``widget``; the event, to see whether it was taken."""
    middle = widget.rect().center()
    event = QWheelEvent(QPointF(middle), QPointF(widget.mapToGlobal(middle)), QPoint(0, 0),
                        QPoint(0, NOTCH * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def guarded(root: QWidget) -> list[QWidget]:
    """The value controls a person can wheel over (a closed calendar popup's year box
    is not on the screen)."""
    return [w for w in root.findChildren(QWidget)
            if isinstance(w, GUARDED) and w.isVisibleTo(root)]


def shown(widget: QWidget) -> tuple[object, ...]:
    """What a value control shows."""
    if isinstance(widget, QComboBox):
        return (widget.currentIndex(), widget.currentText())
    if isinstance(widget, QAbstractSpinBox):
        return (widget.text(),)
    assert isinstance(widget, QSlider)
    return (widget.value(),)


def snapshot(root: QWidget) -> dict[str, tuple[object, ...]]:
    return {f"{i} {type(w).__name__} {w.accessibleName()}": shown(w)
            for i, w in enumerate(guarded(root))}


def stored(form: AuditForm) -> tuple[object, ...]:
    view = form.view
    return (tuple((a.code, a.value, a.note) for a in view.answers), view.overview,
            view.summary.grade, view.summary.auditor_rag, view.summary.significant_harm,
            form.panels)


class FilledDraft:
    """A draft of an amber case with every choice answered and the RAG rated green (so
    that the disagreement panel, with its "Agreed rating" not agreed yet, is showing)."""

    def __init__(self, path: Path) -> None:
        store = open_store(path, prompt=None)
        try:
            ctx = ServiceContext(store=store)
            with store.read() as session:
                busy = select(Audit.case_id)
                for self.auditor in (p for p in people(ctx) if "auditor" in p.roles):
                    areas = select(UserServiceArea.service_area_id).where(
                        UserServiceArea.user_id == self.auditor.id)
                    case_id = session.scalar(
                        select(Case.id).where(Case.rag == "amber", Case.id.not_in(busy),
                                              Case.service_area_id.in_(areas))
                        .order_by(Case.case_ref).limit(1))
                    if case_id is not None:
                        break
            as_auditor = ServiceContext(store=store, user_id=self.auditor.id)
            self.audit_id = lifecycle.start_audit(as_auditor, case_id, "risk_assessment_rag")
            save_draft(as_auditor, self.audit_id, DraftChanges(
                answers=tuple(AnswerChange(code, value, "") for code, value in ANSWERS),
                overview="Seen twice.", grade="good", auditor_rag="green"))
        finally:
            store.close()

    def read(self, store: Store) -> AuditForm:
        return read_audit_form(ServiceContext(store=store, user_id=self.auditor.id),
                               self.audit_id)


def open_filled_form(qtbot: QtBot, county_path: Path
                     ) -> tuple[FilledDraft, MainWindow, AuditsScreen]:
    """A filled draft opened in the Audits screen by its own auditor, settled."""
    draft = FilledDraft(county_path)
    window = open_as(qtbot, county_path, screens=(AuditsScreen,),
                     pick=lambda everyone: next(p for p in everyone
                                                if p.id == draft.auditor.id))
    screen = window.show_screen(AuditsScreen.key)
    assert isinstance(screen, AuditsScreen)
    with qtbot.waitSignal(screen.form.reloaded, timeout=WAIT):
        window.open_audit(draft.audit_id)
    activate(qtbot, window)
    settle(qtbot, window)
    return draft, window, screen


@pytest.mark.usefixtures("quick_autosave")
def test_the_wheel_scrolls_the_audit_form_and_changes_no_answer(
        qtbot: QtBot, county_path: Path) -> None:
    draft, window, screen = open_filled_form(qtbot, county_path)
    form = screen.form
    panel = form.disagreement
    assert panel.isVisibleTo(form) and panel.agreed.currentText() == "Not agreed yet"
    assert form.fields["vtt_completed"].control.currentText() == "Met"  # type: ignore[attr-defined]
    # The person is typing the overview: no value control has the cursor.
    overview = form.fields["overview"].control
    overview.setFocus()
    qtbot.waitUntil(lambda: overview.hasFocus(), timeout=WAIT)
    store = window.store
    assert store is not None
    autosaver = form.autosaver
    assert autosaver is not None
    saves = autosaver.saves
    before_shown = snapshot(form)
    before_stored = stored(draft.read(store))
    controls = guarded(form)
    # answers, grade, RAG, agreed, the action's owner, priority and question (its due
    # date is the app's typed date field, which the wheel cannot step)
    assert len(controls) >= len(ANSWERS) + 6
    # No value control takes the focus from the wheel passing over it.
    assert all(c.focusPolicy() != Qt.FocusPolicy.WheelFocus for c in controls)

    bar = form.verticalScrollBar()
    assert bar.maximum() > 0  # the form is taller than the window
    for name, control in zip(before_shown, controls, strict=True):
        form.ensureWidgetVisible(control)
        bar.setValue(bar.maximum() // 2)
        start = bar.value()
        downs = [wheel(control, -1) for _ in range(3)] + [wheel(control, -2)]
        assert bar.value() > start, name  # the form scrolled down
        assert all(e.isAccepted() for e in downs)  # taken by the form, not the control
        # Checked after each way: the way back would undo a change made on the way down.
        assert shown(control) == before_shown[name], name
        lowest = bar.value()
        for _ in range(3):
            wheel(control, 1)
        wheel(control, 2)
        assert bar.value() < lowest, name  # and back up
        assert shown(control) == before_shown[name], name
        assert not control.hasFocus()
    assert snapshot(form) == before_shown
    # A changed value reaches the autosaver at once (the form's signals are direct), so
    # nothing pending now is nothing changed; and no save was written meanwhile.
    assert autosaver.idle
    settle(qtbot, window)
    assert autosaver.saves == saves and autosaver.idle
    assert stored(draft.read(store)) == before_stored

    # Even the field with the cursor in it keeps its value: the form scrolls instead.
    agreed = panel.agreed
    form.ensureWidgetVisible(agreed)
    bar.setValue(bar.maximum() // 2)
    agreed.setFocus()
    qtbot.waitUntil(lambda: agreed.hasFocus(), timeout=WAIT)
    start = bar.value()
    wheel(agreed, -1)
    assert agreed.currentText() == "Not agreed yet"
    assert bar.value() > start
    # The keyboard still changes it.
    qtbot.keyClick(agreed, Qt.Key.Key_Down)
    assert agreed.currentText() == "Red"  # the next choice after "Not agreed yet"


def test_the_wheel_changes_no_filter_of_any_screen(qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=default_screens())
    activate(qtbot, window)
    checked = 0
    assert list(window.screens) == [s.key for s in default_screens()]  # built or not
    for key, screen in window.screens.items():
        window.show_screen(key)
        settle(qtbot, window)
        window.navigation.setFocus()  # the cursor in the list of screens
        controls = [c for c in guarded(screen) if c.isVisibleTo(screen)]
        before = snapshot(screen)
        for control in controls:
            value = shown(control)
            for notches in (-1, -1, -3):
                wheel(control, notches)
            assert shown(control) == value, (key, control.accessibleName())
            for notches in (1, 1, 3):
                wheel(control, notches)
            assert shown(control) == value, (key, control.accessibleName())
            assert not control.hasFocus()
            assert control.focusPolicy() != Qt.FocusPolicy.WheelFocus
        checked += len(controls)
        assert snapshot(screen) == before, key
    assert checked >= 10  # the filters of Cases, My week, Reports, Dashboard, ...


def pick_with_mouse(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Click the list open and choose ``text`` in it."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(lambda: view.isVisible(), timeout=WAIT)
    row = combo.findText(text)
    assert row >= 0, text
    index = view.model().index(row, 0)
    # A click in the list within Qt's double-click time of opening it is taken for the
    # opening click's release, so the item is chosen as a pointed-at one is: Enter.
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=WAIT)
    assert combo.currentText() == text


@pytest.mark.usefixtures("quick_autosave")
@pytest.mark.qt_log_ignore(  # the open list's popup, offscreen
    r"This plugin does not support (raise|grabbing the keyboard|propagateSizeHints)")
def test_the_wheel_over_the_focused_answer_scrolls_the_form(
        qtbot: QtBot, county_path: Path) -> None:
    """The tester's steps: the audit opens with the cursor on Q1, and Q4 answered with
    the mouse keeps the focus; notches over either changed the saved answer."""
    draft, window, screen = open_filled_form(qtbot, county_path)
    form = screen.form
    store = window.store
    assert store is not None
    codes = list(form.fields)  # the questions in their order, then the details
    q1, q4 = form.fields[codes[0]].control, form.fields[codes[3]].control
    assert isinstance(q1, QComboBox) and isinstance(q4, QComboBox)
    qtbot.waitUntil(lambda: q1.hasFocus(), timeout=WAIT)  # where opening puts it
    bar = form.verticalScrollBar()
    assert bar.maximum() > 0

    def notches_over(control: QComboBox) -> None:
        value = control.currentText()
        form.ensureWidgetVisible(control)
        start = bar.value()
        for _ in range(6):
            wheel(control, -1)
        assert control.currentText() == value
        assert bar.value() > start  # the form moved down instead
        middle = bar.value()
        for _ in range(3):
            wheel(control, 1)
        assert control.currentText() == value
        assert bar.value() < middle

    q1_before = q1.currentText()
    bar.setValue(0)
    notches_over(q1)
    assert q1.hasFocus()
    pick_with_mouse(qtbot, q4, "Partly met")
    assert q4.hasFocus()
    bar.setValue(0)
    notches_over(q4)
    settle(qtbot, window)
    assert form.autosaver is not None
    qtbot.waitUntil(lambda: form.autosaver is not None and form.autosaver.idle, timeout=WAIT)
    settle(qtbot, window)
    saved = {a.code: a.value for a in draft.read(store).view.answers}
    assert q1.currentText() == q1_before
    assert saved[codes[3]] == "partly_met"  # the click was saved, the wheel not
    assert saved[codes[0]] == dict(ANSWERS).get(codes[0])


def test_the_wheel_leaves_a_focused_import_mapping_alone(
        qtbot: QtBot, county_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "council.csv"
    path.write_text(
        "Case Ref,Name,Legal Status,RAG Rating,Date Last Visit,Last VTT\n"
        "Z1,Testchild Quince,Child in Need,G,01/11/2026,02/11/2026\n", encoding="utf-8")
    _window, screen = open_import(qtbot, county_path)
    preview(qtbot, screen, path)
    combos = [c for c in (screen.mapping, *screen.column_choices.values())
              if c.isVisibleTo(screen) and c.currentIndex() > 0]
    assert len(combos) >= 3
    for combo in combos:
        combo.setFocus()
        qtbot.waitUntil(combo.hasFocus, timeout=WAIT)
        value = (combo.currentIndex(), combo.currentText())
        for notches in (-1, -1, -1, 1, 1, 1, 1):
            wheel(combo, notches)
        assert (combo.currentIndex(), combo.currentText()) == value, combo.accessibleName()
