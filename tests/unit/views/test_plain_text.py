"""Typed text is text: markup a person typed is shown as typed, never rendered (issue 20).

Markup goes into every free-text field a person can type and that another screen shows
(an exercise's title and findings, an audit's findings and notes, the disagreement and
the concern, a comment, an action and its progress, a moderator's note, a dropped
case's note, a person's name, a plan's title), through the services, as typing and a
sync would store it. Then the window is opened as QA on every screen, and on the detail
panes and the audit form, and every label, text box, list, table cell, tooltip, message
box and chart of the window is read: wherever the text holds the marker, the markup
must be shown literally.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.errors import RuleViolation, UserError
from desktop.models import Audit, Case, UserServiceArea
from desktop.qt import (
    QAbstractItemView,
    QAbstractListModel,
    QApplication,
    QDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QModelIndex,
    QPlainTextEdit,
    Qt,
    QtCharts,
    QTextEdit,
    QtGui,
    QWidget,
)
from desktop.services import disagreements, escalations, exercises, plans
from desktop.services.actions import NewAction, add_action, list_actions, record_progress
from desktop.services.audits.comments import post_comment
from desktop.services.audits.drafts import (
    AnswerChange,
    DraftChanges,
    Submission,
    save_draft,
    submit_form,
)
from desktop.services.audits.lifecycle import start_audit
from desktop.services.audits.moderation import (
    moderation_items,
    record_moderation,
    select_for_moderation,
)
from desktop.services.context import ServiceContext
from desktop.services.people.staff import add_user
from desktop.services.sampling.my_week import draw_my_week
from desktop.services.sampling.replacement import replace_item
from desktop.services.users import people
from desktop.store import open_store
from desktop.views.action_tracker import ActionTrackerScreen
from desktop.views.concerns import ConcernsScreen
from desktop.views.idle_lock import LockDialog
from desktop.views.moderation import ModerationScreen
from desktop.views.my_week import MyWeekScreen
from desktop.views.reports_screen import PLAN, SUMMARY, ReportsScreen
from desktop.views.settings_screen import SettingsScreen
from desktop.views.signin import SignInDialog
from desktop.views.window import MainWindow, default_screens
from desktop.views.worker import show_error
from tests.unit.views.driving import open_as, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 20_000
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # the demo county's day, a Friday
#: What a person might type: each tag would show (bold, an image from disk, a link to a
#: local file, huge text) if the text were taken as HTML. "bold" marks where it shows.
MARK = ('<b>bold</b><img src="x.png"><a href="file:///etc/passwd">link</a>'
        '<font size=40>big</font>')
LITERAL = "<b>bold</b>"
ESCAPED = "&lt;b&gt;bold&lt;/b&gt;"
DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class Seeded:
    """What the markup was typed into: the marked auditor, their audit, the QA person."""

    auditor_id: str
    audit_id: str
    case_id: str
    qa_id: str


def seed(path: Path) -> Seeded:
    """Markup in every typed field, written through the services."""
    store = open_store(path, prompt=None)
    try:
        system = ServiceContext(store=store, clock=lambda: NOW)
        add_user(system, username="marked.auditor", name=f"Ann {MARK}", roles="auditor",
                 areas="all", job_title=f"Auditor {MARK}")
        everyone = people(system)
        auditor = next(p for p in everyone if p.username == "marked.auditor")
        qa = next(p for p in everyone if "qa" in p.roles)
        as_auditor = ServiceContext(store=store, user_id=auditor.id, clock=lambda: NOW)
        as_qa = ServiceContext(store=store, user_id=qa.id, clock=lambda: NOW)
        with store.read() as session:
            areas = select(UserServiceArea.service_area_id).where(
                UserServiceArea.user_id == auditor.id)
            case_id = session.scalar(
                select(Case.id).where(Case.rag == "amber", Case.id.not_in(select(Audit.case_id)),
                                      Case.service_area_id.in_(areas))
                .order_by(Case.case_ref).limit(1))
        assert case_id is not None
        audit_id = start_audit(as_auditor, case_id, "risk_assessment_rag")
        save_draft(as_auditor, audit_id, DraftChanges(
            answers=(AnswerChange("ra_in_place", "met", MARK),
                     AnswerChange("ra_quality", "met", MARK),
                     AnswerChange("ra_response_proportionate", "met", MARK),
                     AnswerChange("vtt_completed", "met", MARK),
                     AnswerChange("rag_agrees", "no", MARK),
                     AnswerChange("ra_date", "2026-11-12", MARK)),
            overview=MARK, positive_practice=MARK, grade="good", auditor_rag="green",
            significant_harm=True))
        outcome = submit_form(as_auditor, audit_id, Submission(concern=MARK,
                                                               rag_rationale=MARK))
        assert not outcome.problems, outcome.problems
        post_comment(as_qa, audit_id, MARK, is_query=True)
        action = add_action(as_auditor, NewAction(description=MARK, due_on=NOW.date()
                                                  + dt.timedelta(days=20), audit_id=audit_id,
                                                  lead=MARK))
        record_progress(system, action, progress=MARK, evidence=MARK)
        for row in disagreements.list_disagreements(as_qa, case_id=case_id):
            disagreements.record_discussion(
                as_qa, row.id, discussed_at=NOW - dt.timedelta(hours=1),
                participants=(disagreements.Participant("qa", qa.id),),
                next_steps=MARK, rationale=MARK)
        for row in escalations.list_escalations(system, case_id=case_id):
            escalations.respond(system, row.id, MARK)
        exercise = exercises.create_exercise(as_qa, exercises.ExerciseInput(
            title=f"Title {MARK}", theme=MARK, findings=MARK, judgement_text=MARK,
            period_from=dt.date(2026, 11, 2)))
        with store.read() as session:
            finalised = list(session.scalars(select(Audit.id).where(
                Audit.status == "finalised").order_by(Audit.id).limit(3)))
        exercises.attach_audits(as_qa, exercise, [audit_id, *finalised])
        plans.import_plan(as_qa, DATA / "plan_inspection.csv", title=f"Plan {MARK}")
        select_for_moderation(as_qa, share=0.2, seed=1)
        first = moderation_items(as_qa)[0]
        record_moderation(as_qa, first.moderation_id, "good", MARK)
        week = draw_my_week(as_auditor, "2026-W47")
        for item in week.active:  # one whose stratum has a case left to replace it
            with contextlib.suppress(RuleViolation):
                replace_item(as_auditor, item.item_id, "other", MARK)
                break
        else:
            raise AssertionError("no case of the week could be dropped")
        assert list_actions(as_qa)
        return Seeded(auditor.id, audit_id, case_id, qa.id)
    finally:
        store.close()


def rendered(text: str, rich: bool) -> bool:
    """Whether the marker in ``text`` would be drawn as markup: shown as rich text
    without being escaped."""
    return rich and LITERAL in text


def might_be_rich(text: str) -> bool:
    return bool(QtGui.Qt.mightBeRichText(text))


def label_is_rich(label: QLabel | QMessageBox) -> bool:
    form = label.textFormat()
    return (form == Qt.TextFormat.RichText
            or (form == Qt.TextFormat.AutoText and might_be_rich(label.text())))


def tip_problem(where: str, tip: str) -> list[str]:
    """A tooltip is rich text when Qt guesses so: the marker must then be escaped."""
    if "bold" in tip and rendered(tip, might_be_rich(tip)):
        return [f"{where}: tooltip {tip!r}"]
    return []


def item_texts(view: QAbstractItemView) -> Iterator[tuple[str, str]]:
    """(role, text) of every cell of ``view`` (up to a few thousand rows)."""
    model = view.model()
    if model is None:
        return
    top = QModelIndex()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(top)
    for row in range(min(model.rowCount(top), 3_000)):
        for column in range(columns):
            index = model.index(row, column)
            for role, name in ((Qt.ItemDataRole.DisplayRole, "display"),
                               (Qt.ItemDataRole.ToolTipRole, "tooltip")):
                value = index.data(role)
                if isinstance(value, str):
                    yield name, value


def chart_texts(view: QtCharts.QChartView) -> Iterator[str]:
    """Every text a chart draws (Qt Charts draws each as HTML)."""
    chart = view.chart()
    if chart is None:
        return
    yield chart.title()
    for axis in chart.axes():
        yield axis.titleText()
        if isinstance(axis, QtCharts.QBarCategoryAxis):
            yield from axis.categories()
        elif isinstance(axis, QtCharts.QCategoryAxis):
            yield from axis.categoriesLabels()
    for series in chart.series():
        yield series.name()
        if isinstance(series, QtCharts.QAbstractBarSeries):
            yield from (bar_set.label() for bar_set in series.barSets())


class Walk:
    """Reads what every widget shows. Attributes:
        problems: where markup would be drawn as markup (hidden widgets included: they
            show it once shown).
        seen: the widgets on screen that show the marker, as text (a walk that sees no
            marker anywhere would prove nothing).
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: list[str] = []

    def widgets(self, roots: list[QWidget]) -> None:
        for root in roots:
            for widget in [root, *root.findChildren(QWidget)]:
                self.widget(widget)

    def widget(self, widget: QWidget) -> None:
        where = f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()!r}"
        texts: list[str] = []  # what the widget shows
        self.problems += tip_problem(where, widget.toolTip())
        if isinstance(widget, QLabel | QMessageBox):
            texts.append(widget.text())
            if rendered(widget.text(), label_is_rich(widget)):
                self.problems.append(f"{where}: {widget.text()!r} shown as rich text")
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            texts.append(widget.toPlainText())
            if "bold" in texts[-1] and LITERAL not in texts[-1]:
                self.problems.append(f"{where}: shows {texts[-1]!r}")
        elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            for role, text in item_texts(widget):
                if role == "tooltip":
                    self.problems += tip_problem(where, text)
                else:
                    texts.append(text)  # a cell's display text is always plain
        elif isinstance(widget, QtCharts.QChartView):
            for text in chart_texts(widget):
                texts.append(text)
                if "bold" in text and not (ESCAPED in text and LITERAL not in text):
                    self.problems.append(f"{where}: chart text {text!r} is HTML")
        if widget.isVisible() and any("bold" in text for text in texts):
            self.seen.append(where)


def open_marked(qtbot: QtBot, path: Path, person: str) -> MainWindow:
    window = open_as(qtbot, path, screens=default_screens(),
                     pick=lambda everyone: next(p for p in everyone if p.id == person))
    window.clock = lambda: NOW
    return window


def select_marked(table: QAbstractItemView) -> None:
    """Select the first row showing the marker, as a click on it would."""
    model = table.model()
    for row in range(model.rowCount()):
        if any("bold" in str(model.index(row, c).data() or "")
               for c in range(model.columnCount())):
            table.setCurrentIndex(model.index(row, 0))
            return
    raise AssertionError(f"no row of {table.objectName()} shows the marker")


def dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.isVisible()]


class Looker:
    """Walks the window after each step; what each step saw, and every problem."""

    def __init__(self, qtbot: QtBot, window: MainWindow) -> None:
        self.qtbot, self.window = qtbot, window
        self.seen: dict[str, list[str]] = {}
        self.problems: list[str] = []

    def __call__(self, step: str) -> None:
        settle(self.qtbot, self.window)
        walk = Walk()
        walk.widgets([w for w in QApplication.topLevelWidgets() if w.isVisible()])
        self.seen[step] = walk.seen
        self.problems += [f"{step}: {p}" for p in walk.problems]

    def close_dialogs(self) -> None:
        for dialog in dialogs():
            dialog.reject()


def test_every_screen_shows_typed_markup_as_text(qtbot: QtBot, county_path: Path) -> None:
    seeded = seed(county_path)
    window = open_marked(qtbot, county_path, seeded.qa_id)
    look = Looker(qtbot, window)
    assert list(window.screens) == [s.key for s in default_screens()]  # built or not
    for key in window.screens:
        window.show_screen(key)
        look(key)
    # The detail panes and dialogs: the case, the audit form with its comments, an
    # action's progress, a concern's response, a moderation item, the previews of the
    # exercise's summary and of the plan.
    window.open_case(seeded.case_id)
    look("case detail")
    window.open_audit(seeded.audit_id)
    look("audit form")
    tracker = window.show_screen(ActionTrackerScreen.key)
    assert isinstance(tracker, ActionTrackerScreen)
    settle(qtbot, window)
    select_marked(tracker.table)
    tracker.progress_button.click()
    look("action progress")
    look.close_dialogs()
    concerns = window.show_screen(ConcernsScreen.key)
    assert isinstance(concerns, ConcernsScreen)
    settle(qtbot, window)
    select_marked(concerns.escalation_table)
    concerns.respond()
    look("concern response")
    look.close_dialogs()
    reports = window.show_screen(ReportsScreen.key)
    assert isinstance(reports, ReportsScreen)
    for kind, box in ((SUMMARY, reports.exercise_choice), (PLAN, reports.plan_choice)):
        reports.kind_choice.setCurrentIndex(reports.kind_choice.findData(kind.key))
        box.setCurrentIndex(max(box.findText("bold", Qt.MatchFlag.MatchContains), 0))
        with qtbot.waitSignal(reports.previewed, timeout=WAIT):
            reports.preview_button.click()
        look(f"reports {kind.key}")
    settings = window.show_screen(SettingsScreen.key)
    assert isinstance(settings, SettingsScreen)
    settings.tabs.setCurrentWidget(settings.people)
    look("people")
    moderation = window.show_screen(ModerationScreen.key)
    assert isinstance(moderation, ModerationScreen)
    settle(qtbot, window)
    with qtbot.waitSignal(moderation.item_shown, timeout=WAIT):
        moderation.items.setCurrentIndex(moderation.item_model.index(0, 0))
    look("moderation item")
    # A refusal that quotes typed text, in a message box.
    box = show_error(window, UserError(f"the title {MARK} is taken"))
    look("message box")
    box.close()

    assert not look.problems, "\n".join(look.problems)
    seen = look.seen
    assert "QLabel 'What the report holds'" in seen["reports summary"]
    assert "CopyableTableView 'report_preview'" in seen["reports plan"]
    assert {"QPlainTextEdit 'Overview of findings'", "QListWidget 'Comments and queries'",
            "QTableWidget 'audit_actions'"} <= set(seen["audit form"])
    assert "QTableView 'action_table'" in seen["actions"]
    assert {"QTableView 'escalation_table'", "QTableView 'disagreement_table'"} <= set(
        seen["concerns"])
    assert any("Audits against quota" in w for w in seen["dashboard"])  # the auditor's name
    assert "QTableView 'people_table'" in seen["people"]
    assert any(w.startswith("QPlainTextEdit") for w in seen["action progress"])
    assert "QMessageBox ''" in seen["message box"]


def test_the_marked_auditor_sees_their_name_and_work_as_typed(qtbot: QtBot,
                                                             county_path: Path) -> None:
    seeded = seed(county_path)
    window = open_marked(qtbot, county_path, seeded.auditor_id)
    look = Looker(qtbot, window)
    window.show_screen(MyWeekScreen.key)
    look("my week")
    window.open_audit(seeded.audit_id)
    look("audit form")
    store = window.store
    assert store is not None
    everyone = people(ServiceContext(store=store))
    SignInDialog(window, everyone).open()  # the name and username of everyone
    look("sign in")
    look.close_dialogs()
    LockDialog(window).open()  # "Locked after a quiet spell. <their name>: …"
    look("locked")
    look.close_dialogs()

    assert not look.problems, "\n".join(look.problems)
    seen = look.seen
    assert "QLabel 'Signed in as'" in seen["my week"]
    assert {"QPlainTextEdit 'Overview of findings'", "QListWidget 'Comments and queries'"
            } <= set(seen["audit form"])
    assert "QListWidget 'People who can sign in'" in seen["sign in"]
    assert any(w.startswith("QLabel") for w in seen["locked"])
