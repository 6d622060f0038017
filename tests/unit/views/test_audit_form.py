"""The dip-sample form driven as an auditor drives it: from the keyboard, on the demo county.

Each test starts a draft of a sampled-like case for the first auditor (the one the
window signs in as), opens the Audits screen and works through the form with key
presses; what was stored is read back through the services afterwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Audit, Case, RagDisagreement, UserServiceArea
from desktop.qt import QApplication, QComboBox, QListWidget, Qt, QWidget
from desktop.services.audits import lifecycle
from desktop.services.audits.form import AuditForm, read_audit_form
from desktop.services.audits.views import AnswerView
from desktop.services.context import ServiceContext
from desktop.services.event_log import events_for
from desktop.services.users import people
from desktop.store import Store, open_store
from desktop.views.action_table import PRIORITY
from desktop.views.action_tracker import ActionTrackerScreen
from desktop.views.audit_form.actions_grid import COLUMNS as GRID_COLUMNS
from desktop.views.audit_form.actions_grid import QUESTION, WHAT
from desktop.views.audit_form.escalation_panel import EscalationPanel
from desktop.views.audits import AuditsScreen
from desktop.views.row_table import ROW_ROLE
from desktop.views.screen import Screen
from desktop.views.window import MainWindow
from tests.unit.views.driving import activate, open_as, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

TEMPLATE = "risk_assessment_rag"
WAIT = 20_000
#: Tab presses allowed to reach a field: the form has about 40 stops.
MAX_TABS = 80


class Draft:
    """A draft audit made before the window opens: its id, the case's RAG, the auditor."""

    def __init__(self, path: Path, case_rag: str = "amber") -> None:
        store = open_store(path, prompt=None)
        try:
            ctx = ServiceContext(store=store)
            with store.read() as session:
                # Never audited: a case audited in the last 28 days may not be started again.
                busy = select(Audit.case_id)
                # A case of the auditor's own service areas: the only ones they reach.
                for self.auditor in (p for p in people(ctx) if "auditor" in p.roles):
                    areas = select(UserServiceArea.service_area_id).where(
                        UserServiceArea.user_id == self.auditor.id)
                    self.case_id = session.scalar(
                        select(Case.id).where(Case.rag == case_rag, Case.id.not_in(busy),
                                              Case.service_area_id.in_(areas))
                        .order_by(Case.case_ref).limit(1))
                    if self.case_id is not None:
                        break
            self.case_rag = case_rag
            self.audit_id = lifecycle.start_audit(
                ServiceContext(store=store, user_id=self.auditor.id), self.case_id, TEMPLATE)
        finally:
            store.close()

    def read(self, store: Store) -> AuditForm:
        return read_audit_form(ServiceContext(store=store, user_id=self.auditor.id),
                               self.audit_id)

    def read_answers(self, window: MainWindow) -> tuple[AnswerView, ...]:
        store = window.store
        assert store is not None
        return self.read(store).view.answers


def open_form(qtbot: QtBot, path: Path, draft: Draft,
              screens: tuple[type[Screen], ...] = (AuditsScreen,)
              ) -> tuple[MainWindow, AuditsScreen]:
    window = open_as(qtbot, path, screens=screens,
                     pick=lambda everyone: next(p for p in everyone
                                                if p.id == draft.auditor.id))
    screen = window.show_screen(AuditsScreen.key)
    assert isinstance(screen, AuditsScreen)
    with qtbot.waitSignal(screen.form.reloaded, timeout=WAIT):
        window.open_audit(draft.audit_id)
    activate(qtbot, window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT)
    return window, screen


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def tab_to(qtbot: QtBot, name: str) -> QWidget:
    """Press Tab until the field called ``name`` has the cursor."""
    for _ in range(MAX_TABS):
        if focused().accessibleName() == name:
            return focused()
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {name!r}")


def pick(qtbot: QtBot, name: str, label: str) -> None:
    """Choose ``label`` in the combo box ``name`` with the arrow keys."""
    box = tab_to(qtbot, name)
    assert isinstance(box, QComboBox)
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(box.count()):
        if box.currentText() == label:
            return
        qtbot.keyClick(box, Qt.Key.Key_Down)
    raise AssertionError(f"{label!r} is not a choice of {name!r}")


def type_into(qtbot: QtBot, name: str, text: str) -> None:
    qtbot.keyClicks(tab_to(qtbot, name), text)


def question(screen: AuditsScreen, code: str) -> str:
    return screen.form.fields[code].name


def submit_by_keyboard(qtbot: QtBot, screen: AuditsScreen, expect: str) -> None:
    """Ctrl+Enter in the active window (a progress dialog may have just closed)."""
    window = screen.window()
    assert isinstance(window, MainWindow)
    activate(qtbot, window)
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    def said() -> None:
        text = screen.form.status_line.text()
        assert text.startswith(expect), text

    qtbot.waitUntil(said, timeout=WAIT)


def answer_all_but(qtbot: QtBot, screen: AuditsScreen, skip: str = "") -> None:
    for code, label in (("ra_in_place", "Met"), ("ra_quality", "Partly met"),
                        ("ra_response_proportionate", "Met"), ("vtt_completed", "Met"),
                        ("rag_agrees", "Yes")):
        if code != skip:
            pick(qtbot, question(screen, code), label)


@pytest.fixture
def draft(county_path: Path) -> Draft:
    return Draft(county_path)


def test_fill_from_the_keyboard_refused_then_submitted(qtbot: QtBot, county_path: Path,
                                                       draft: Draft) -> None:
    window, screen = open_form(qtbot, county_path, draft)
    first = screen.form.fields["ra_in_place"]
    assert focused() is first.control  # the cursor starts in the first question
    # Tab order follows reading order: every question, then the findings, then Submit.
    order: list[str] = []
    while focused().accessibleName() != "Submit the audit" and len(order) < MAX_TABS:
        order.append(focused().accessibleName())
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    names = [f.name for f in screen.form.fields.values()]
    assert [n for n in order if n in names] == names
    assert all(order), order  # every stop of the keyboard has an accessible name

    qtbot.keyClick(focused(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    answer_all_but(qtbot, screen, skip="ra_quality")
    type_into(qtbot, question(screen, "ra_date"), "2026-11-12")
    type_into(qtbot, "Overview of findings", "The assessment is current and clear.")
    type_into(qtbot, "Positive practice", "The child's voice is recorded.")
    pick(qtbot, "Overall grade", "Good")
    pick(qtbot, "Your RAG rating", draft.case_rag.title())

    submit_by_keyboard(qtbot, screen, "Not submitted")
    missing = screen.form.fields["ra_quality"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is missing.control, timeout=WAIT)
    assert missing.problem.isVisibleTo(screen.form)
    assert "required" in missing.problem.text()
    assert not screen.form.fields["ra_in_place"].problem.isVisibleTo(screen.form)

    qtbot.keyClick(missing.control, Qt.Key.Key_Down)  # "Met"
    submit_by_keyboard(qtbot, screen, "Submitted")
    qtbot.waitUntil(lambda: screen.form.comments.isVisibleTo(screen.form), timeout=WAIT)
    assert "left for comments" in screen.form.comments.window_line.text()
    store = window.store
    assert store is not None
    stored = draft.read(store)
    assert stored.view.summary.status == "open_for_comment"
    answers = {a.code: a.value for a in stored.view.answers}
    assert answers["ra_quality"] == "met" and answers["ra_date"] == "2026-11-12"
    assert stored.view.overview == "The assessment is current and clear."
    assert stored.view.summary.grade == "good"


def test_a_disagreeing_rag_opens_the_panel_and_records_the_discussion(
        qtbot: QtBot, county_path: Path, draft: Draft) -> None:
    window, screen = open_form(qtbot, county_path, draft)
    panel = screen.form.disagreement
    assert not panel.isVisibleTo(screen.form)
    answer_all_but(qtbot, screen, skip="rag_agrees")
    # Disagreeing: "Yes, I agree" with a rating of one's own that differs is refused.
    pick(qtbot, question(screen, "rag_agrees"), "No")
    type_into(qtbot, "Overview of findings", "Risks are higher than rated.")
    pick(qtbot, "Overall grade", "Requires improvement")
    pick(qtbot, "Your RAG rating", "Red")
    assert panel.isVisibleTo(screen.form)
    assert "rated Amber on the record; you rated it Red" in panel.summary.text()
    type_into(qtbot, "Reason for your rating", "Two recent incidents.")
    people_list = tab_to(qtbot, "Discussed with")
    assert isinstance(people_list, QListWidget)
    qtbot.keyClick(people_list, Qt.Key.Key_Home)
    qtbot.keyClick(people_list, Qt.Key.Key_Space)
    ticked = people_list.item(0).data(Qt.ItemDataRole.UserRole)

    submit_by_keyboard(qtbot, screen, "Not submitted")  # next steps missing
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.next_steps, timeout=WAIT)
    assert panel.problems["next_steps"].isVisibleTo(screen.form)
    qtbot.keyClicks(panel.next_steps, "Review the plan this week.")
    submit_by_keyboard(qtbot, screen, "Submitted")
    store = window.store
    assert store is not None
    with store.read() as session:
        row = session.scalar(select(RagDisagreement).where(
            RagDisagreement.audit_id == draft.audit_id))
        assert row is not None
        assert (row.recorded_rag, row.auditor_rag, row.rationale) == (
            "amber", "red", "Two recent incidents.")
        assert ticked.id in row.participants_json
        assert row.next_steps == "Review the plan this week."


def test_add_an_action_from_the_grid(qtbot: QtBot, county_path: Path, draft: Draft) -> None:
    window, screen = open_form(qtbot, county_path, draft)
    pick(qtbot, question(screen, "ra_quality"), "Not met")
    grid = screen.form.actions_grid
    assert grid.question.currentData() == "ra_quality"  # the not-met question is offered
    type_into(qtbot, "What must be done", "Update the risk assessment with the school.")
    pick(qtbot, "Owner", grid.owner.itemText(1))
    tab_to(qtbot, "Add action")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: grid.table.rowCount() == 1, timeout=WAIT)
    assert grid.table.item(0, 0).text() == "Update the risk assessment with the school."
    # The question in words with its number, never its code (trial defect 14).
    number = [a.code for a in draft.read_answers(window)].index("ra_quality") + 1
    assert grid.table.item(0, GRID_COLUMNS.index("Question")).text().startswith(
        f"Q{number} Is the risk assessment")
    assert grid.table.item(0, GRID_COLUMNS.index("Priority")).text() == "Medium"
    assert grid.description.text() == ""
    store = window.store
    assert store is not None
    stored = draft.read(store)
    assert [a.description for a in stored.actions] == [
        "Update the risk assessment with the school."]
    assert stored.actions[0].due_on is not None and stored.actions[0].due_on > dt.date(2026, 1, 1)


def test_an_action_of_high_priority_shows_high_in_the_tracker(
        qtbot: QtBot, county_path: Path, draft: Draft) -> None:
    window, screen = open_form(qtbot, county_path, draft,
                               screens=(AuditsScreen, ActionTrackerScreen))
    grid = screen.form.actions_grid
    type_into(qtbot, "What must be done", "Chase the health visitor's report.")
    pick(qtbot, "Priority", "High")
    tab_to(qtbot, "Add action")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: grid.table.rowCount() == 1, timeout=WAIT)
    assert grid.table.item(0, GRID_COLUMNS.index("Priority")).text() == "High"
    assert grid.priority.currentText() == "Medium"  # the next action starts as usual

    tracker = window.screens[ActionTrackerScreen.key]
    assert isinstance(tracker, ActionTrackerScreen)
    with qtbot.waitSignal(tracker.actions_loaded, timeout=WAIT):
        window.show_screen(tracker.key)
    qtbot.keyClicks(tracker.filter_edit, "health visitor")
    qtbot.waitUntil(lambda: tracker.proxy.rowCount() == 1, timeout=WAIT)
    cell = tracker.proxy.index(0, PRIORITY)
    assert cell.data(ROW_ROLE).description == "Chase the health visitor's report."
    assert cell.data() == "High"  # in words
    assert cell.data(Qt.ItemDataRole.BackgroundRole) is not None  # and in colour
    other = tracker.proxy
    qtbot.keyClick(tracker.filter_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(tracker.filter_edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: other.rowCount() > 1, timeout=WAIT)
    plain = next(other.index(r, PRIORITY) for r in range(other.rowCount())
                 if other.index(r, PRIORITY).data() == "Medium")
    assert plain.data(Qt.ItemDataRole.BackgroundRole) is None


@pytest.mark.usefixtures("quick_autosave")
def test_autosave_keeps_the_draft_exactly_and_logs_one_row(qtbot: QtBot, county_path: Path,
                                                           draft: Draft) -> None:
    window, screen = open_form(qtbot, county_path, draft)
    text = "First line of findings.\nSecond line, typed on."
    overview = tab_to(qtbot, "Overview of findings")
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            qtbot.keyClick(overview, Qt.Key.Key_Return)
        for word in line.split(" "):
            with qtbot.waitSignal(screen.form.saved, timeout=WAIT):
                qtbot.keyClicks(overview, word + " ")
    assert screen.form.autosaver is not None and screen.form.autosaver.saves >= 6
    store = window.store
    assert store is not None
    stored = draft.read(store)
    assert stored.view.overview == overview.toPlainText().strip()
    changes = [e for e in events_for(ServiceContext(store=store), "audit", draft.audit_id)
               if e.action == "change"]
    assert len(changes) == 1  # one row for the editing session, not one per save


@pytest.mark.usefixtures("quick_autosave")
def test_the_side_panels_are_autosaved_and_shown_again_as_typed(
        qtbot: QtBot, county_path: Path, draft: Draft) -> None:
    window, screen = open_form(qtbot, county_path, draft)
    pick(qtbot, "Your RAG rating", "Green")
    reason = "Seen at home twice.\n  Safety plan in place."
    type_into(qtbot, "Reason for your rating", reason.split("\n")[0])
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), reason.split("\n")[1])
    people_list = tab_to(qtbot, "Discussed with")
    assert isinstance(people_list, QListWidget)
    qtbot.keyClick(people_list, Qt.Key.Key_Home)
    qtbot.keyClick(people_list, Qt.Key.Key_Down)
    qtbot.keyClick(people_list, Qt.Key.Key_Space)  # the second person ticked
    ticked = people_list.item(1).data(Qt.ItemDataRole.UserRole)
    type_into(qtbot, "Outcome and next steps agreed", "Lower the rating at the next review.")
    pick(qtbot, "Agreed rating", "Amber")
    harm = tab_to(qtbot, "Concern of significant harm")
    qtbot.keyClick(harm, Qt.Key.Key_Space)
    with qtbot.waitSignal(screen.form.saved, timeout=WAIT):
        type_into(qtbot, "What you are worried about and why", "Sibling's bruise.")
    autosaver = screen.form.autosaver
    assert autosaver is not None
    qtbot.waitUntil(lambda: autosaver.idle, timeout=WAIT)
    window.close()  # nothing left to write: everything went by autosave

    _again, reopened = open_form(qtbot, county_path, draft)
    panel = reopened.form.disagreement
    assert panel.isVisibleTo(reopened.form)
    assert panel.reason.toPlainText() == reason
    assert [panel.people.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(panel.people.count())
            if panel.people.item(r).checkState() == Qt.CheckState.Checked] == [ticked]
    assert panel.next_steps.toPlainText() == "Lower the rating at the next review."
    assert panel.agreed.currentText() == "Amber"
    concern = reopened.form.escalation
    assert concern.isVisibleTo(reopened.form)
    assert concern.concern.toPlainText() == "Sibling's bruise."
    assert reopened.form.autosaver is not None and reopened.form.autosaver.idle


def test_significant_harm_shows_the_deadline_and_raises(qtbot: QtBot, county_path: Path,
                                                       draft: Draft) -> None:
    window, screen = open_form(qtbot, county_path, draft)
    panel = screen.form.escalation
    harm = tab_to(qtbot, "Concern of significant harm")
    qtbot.keyClick(harm, Qt.Key.Key_Space)
    assert panel.isVisibleTo(screen.form)
    assert "would have to respond by" in panel.deadline.text()
    type_into(qtbot, "What you are worried about and why", "Injury not explained.")
    tab_to(qtbot, "Raise the concern now")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.deadline.text().startswith("Raised:"), timeout=WAIT)
    store = window.store
    assert store is not None
    stored = draft.read(store)
    assert stored.escalation is not None and stored.view.summary.significant_harm


def test_a_raised_concern_stays_readable_on_the_form(qtbot: QtBot, county_path: Path,
                                                     draft: Draft) -> None:
    """Trial defect 16: once raised, the form kept only the label "What you are worried
    about and why"; the words raised stay shown, as plain text that cannot be edited,
    and are there again when the audit is opened again."""
    window, screen = open_form(qtbot, county_path, draft)
    panel = screen.form.escalation
    qtbot.keyClick(tab_to(qtbot, "Concern of significant harm"), Qt.Key.Key_Space)
    words = "Bruise on the <b>arm</b> & no account of it."
    type_into(qtbot, "What you are worried about and why", words)
    tab_to(qtbot, "Raise the concern now")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.deadline.text().startswith("Raised:"), timeout=WAIT)

    def shown(form_panel: EscalationPanel) -> None:
        assert form_panel.raised.isVisibleTo(form_panel.window())
        assert form_panel.raised.text() == words
        assert form_panel.raised.textFormat() == Qt.TextFormat.PlainText
        assert not form_panel.concern.isVisibleTo(form_panel.window())  # not editable

    shown(panel)
    settle(qtbot, window)
    window.close()
    _again, reopened = open_form(qtbot, county_path, draft)
    shown(reopened.form.escalation)


def test_the_actions_list_names_questions_in_words_and_fits_1366(
        qtbot: QtBot, county_path: Path, draft: Draft) -> None:
    """Trial defects 14 and 15 at 1366x768: the Question column read "ra_response_...",
    "What" read "U... th..." and the "For question" box was cut mid-word."""
    window, screen = open_form(qtbot, county_path, draft)
    window.resize(1366, 768)
    grid = screen.form.actions_grid
    pick(qtbot, question(screen, "ra_response_proportionate"), "Not met")
    answers = draft.read_answers(window)
    number = [a.code for a in answers].index("ra_response_proportionate") + 1
    words = next(a.text for a in answers if a.code == "ra_response_proportionate")
    box = grid.question
    assert box.currentData() == "ra_response_proportionate"
    assert box.currentText().startswith(f"Q{number} ")
    assert words in box.toolTip() and words in str(
        box.itemData(box.currentIndex(), Qt.ItemDataRole.ToolTipRole))
    # The box's words fit it (its text is short; the tooltip has the rest).
    assert box.fontMetrics().horizontalAdvance(box.currentText()) < box.width() - 30
    short = "Call the school."
    type_into(qtbot, "What must be done", short)
    tab_to(qtbot, "Add action")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: grid.table.rowCount() == 1, timeout=WAIT)
    table = grid.table
    cell = table.item(0, QUESTION)
    assert cell.text() == f"Q{number} {words}" and words in cell.toolTip()
    assert "ra_" not in "".join(table.item(0, c).text() for c in range(table.columnCount()))
    header = table.horizontalHeader()

    def readable() -> None:
        assert header.sectionSize(WHAT) >= header.sectionSizeHint(WHAT)  # "What" whole
        assert table.columnWidth(WHAT) >= table.sizeHintForColumn(WHAT)  # on one line
        assert sum(table.columnWidth(c) for c in range(table.columnCount())) <= (
            table.viewport().width())  # no column off the right edge

    qtbot.waitUntil(readable, timeout=WAIT)


def stored_dues(window: MainWindow, draft: Draft) -> list[dt.date | None]:
    store = window.store
    assert store is not None
    return [a.due_on for a in draft.read(store).actions]


def test_the_due_date_takes_a_typed_date_as_typed(
        qtbot: QtBot, county_path: Path, draft: Draft) -> None:
    """Trial defect 2: Tab to "Due date", type 04/01/2027 (Tab selects what is there; so
    does Ctrl+A); the action is due on 4 January 2027, not 21/12/2027. Text that is not
    a date is refused beside the field and left as typed, never read as another date."""
    window, screen = open_form(qtbot, county_path, draft)
    grid = screen.form.actions_grid
    type_into(qtbot, "What must be done", "Ask the school for the plan.")
    due = tab_to(qtbot, "Due date")
    qtbot.keyClicks(due, "04/01/2027")
    assert grid.due.text() == "04/01/2027"
    tab_to(qtbot, "Add action")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: grid.table.rowCount() == 1, timeout=WAIT)
    assert grid.table.item(0, GRID_COLUMNS.index("Due")).text() == "04/01/2027"
    assert stored_dues(window, draft) == [dt.date(2027, 1, 4)]
    settle(qtbot, window)
    activate(qtbot, window)  # the write's progress dialog had the window

    # Ctrl+A over the date there, and ISO typed, as scripts write it.
    type_into(qtbot, "What must be done", "Book the review.")
    due = tab_to(qtbot, "Due date")
    qtbot.keyClick(due, Qt.Key.Key_End)
    qtbot.keyClick(due, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(due, "2027-01-05")
    qtbot.keyClick(due, Qt.Key.Key_Tab)
    assert grid.due.text() == "05/01/2027"  # shown as every date is
    tab_to(qtbot, "Add action")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: grid.table.rowCount() == 2, timeout=WAIT)
    assert sorted(d for d in stored_dues(window, draft) if d) == [
        dt.date(2027, 1, 4), dt.date(2027, 1, 5)]
    settle(qtbot, window)
    activate(qtbot, window)

    # Typed into the middle of a date: refused beside the field, kept as typed.
    type_into(qtbot, "What must be done", "Something else.")
    due = tab_to(qtbot, "Due date")
    qtbot.keyClick(due, Qt.Key.Key_End)
    qtbot.keyClicks(due, "04/01/2027")
    typed = grid.due.text()
    assert typed.endswith("04/01/2027") and len(typed) > 10
    tab_to(qtbot, "Add action")
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert grid.due_problem.isVisibleTo(grid)
    assert "is not a date" in grid.due_problem.text()
    assert grid.due.text() == typed
    assert focused() is grid.due.line  # back where it can be put right
    settle(qtbot, window)
    assert grid.table.rowCount() == 2 and len(stored_dues(window, draft)) == 2


def test_the_list_marks_the_audit_the_form_opened(qtbot: QtBot, county_path: Path,
                                                  draft: Draft) -> None:
    """Opened from elsewhere (My week, a case), the form's audit is the one marked in
    the list beside it, not the one opened before."""
    window, screen = open_form(qtbot, county_path, draft)
    qtbot.waitUntil(lambda: screen.model.rowCount() >= 2, timeout=WAIT)
    other = next(r.id for r in screen.model.rows if r.id != draft.audit_id)
    with qtbot.waitSignal(screen.form.reloaded, timeout=WAIT):
        window.open_audit(other)
    marked = [screen.model.rows[i.row()].id for i in screen.table.selectionModel().selectedRows()]
    assert marked == [other]
