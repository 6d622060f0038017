"""The audit form as a page that fits (issue 23, item 2), and the case's key facts by it.

Driven on the demo county in a window of the sizes a person uses: at 1024x700 the form
never scrolls sideways and every question reads whole (wrapped, not cut); at 125%
scaling a 1024x700 screen is an 819x560 window in Qt's pixels, where the person hides
the list of audits with its button to give the form the width; Tab from question to
question keeps each question's words in view. Beside the form (or above it, when the
pane is narrow) the case's key facts say what the store and the standards engine say.
The screenshots script saves a screen at each of its three sizes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.errors import UserError
from desktop.models import Case, CaseEvent, Team, UserServiceArea, Worker
from desktop.models.enums import CaseEventKind
from desktop.qt import QLabel, QPoint, Qt, QtGui, QWidget
from desktop.services.audits import lifecycle
from desktop.services.case_detail import case_detail, day_text
from desktop.services.case_filters import COHORT_NAMES
from desktop.services.context import ServiceContext
from desktop.services.users import people
from desktop.store import open_store
from desktop.views import screenshots
from desktop.views.audit_form.fields import QuestionField
from desktop.views.audits import FORM_SHARE, AuditsScreen
from desktop.views.window import MainWindow
from tests.unit.views.driving import settle
from tests.unit.views.test_audit_form import TEMPLATE, Draft, focused, open_form

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 20_000
#: A 1024x700 screen at 125% scaling, in Qt's device-independent pixels.
SCALED_125 = (round(1024 / 1.25), round(700 / 1.25))


class OpenCaseDraft(Draft):
    """A draft on an open case (the standards apply to it), one with a RAG change on
    record when the auditor's areas hold one they may audit now (every open case of the
    demo county has an audit; those audited in the last four weeks are refused)."""

    def __init__(self, path: Path) -> None:
        store = open_store(path, prompt=None)
        try:
            ctx = ServiceContext(store=store)
            self.auditor = next(p for p in people(ctx) if "auditor" in p.roles)
            changed = select(CaseEvent.case_id).where(
                CaseEvent.kind == CaseEventKind.RAG_CHANGE.value)
            areas = select(UserServiceArea.service_area_id).where(
                UserServiceArea.user_id == self.auditor.id)
            with store.read() as session:
                candidates = session.execute(
                    select(Case.id, Case.rag).where(
                        Case.status == "open", Case.rag.is_not(None),
                        Case.worker_id.is_not(None), Case.service_area_id.in_(areas))
                    .order_by(Case.id.in_(changed).desc(), Case.case_ref)).all()
            as_auditor = ServiceContext(store=store, user_id=self.auditor.id)
            for self.case_id, rag in candidates:
                try:
                    self.audit_id = lifecycle.start_audit(as_auditor, self.case_id, TEMPLATE)
                except UserError:
                    continue  # audited too recently
                self.case_rag = str(rag)
                return
            raise AssertionError("the demo county has no open case to audit")
        finally:
            store.close()


@pytest.fixture
def open_draft(county_path: Path) -> OpenCaseDraft:
    return OpenCaseDraft(county_path)


def sized(qtbot: QtBot, window: MainWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=WAIT)
    settle(qtbot, window)


def cut_labels(root: QWidget, viewport: QWidget) -> list[str]:
    """Every label on show under ``root`` whose words do not all show: a wrapped label
    shorter than its words need at its width, an unwrapped one narrower than its words,
    or one reaching past the right edge of ``viewport``."""
    cut = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text():
            continue
        right = label.mapTo(viewport, QPoint(label.width(), 0)).x()
        if label.wordWrap():
            short = label.height() < label.heightForWidth(label.width())
        else:
            short = label.width() < label.sizeHint().width()
        if short or right > viewport.width():
            cut.append(f"{label.text()[:50]!r} {label.width()}x{label.height()}, right "
                       f"edge {right} of {viewport.width()}")
    return cut


def assert_fits(screen: AuditsScreen) -> None:
    """No sideways scrolling, and every question's words whole on the page."""
    form = screen.form
    bar = form.horizontalScrollBar()
    assert bar.maximum() == 0 and not bar.isVisible(), (
        f"the form scrolls sideways: page needs {form.widget().minimumSizeHint().width()} "
        f"of {form.viewport().width()} pixels")
    assert form.widget().width() <= form.viewport().width()
    questions = [f for f in form.fields.values() if isinstance(f, QuestionField)]
    assert len(questions) >= 5
    for number, field in enumerate(questions, 1):
        answer = field.answer
        required = " (required)" if answer.required else ""
        # The whole question, word for word ("&&" is how a label shows one "&").
        assert field.label.text().replace("&&", "&") == f"{number}. {answer.text}{required}"
        assert field.label.wordWrap()
        if field.help_label is not None:
            assert field.help_label.text() == answer.help and field.help_label.wordWrap()
    assert cut_labels(form.widget(), form.viewport()) == []


def test_the_form_fits_1024x700_and_every_question_reads_whole(
        qtbot: QtBot, county_path: Path, open_draft: OpenCaseDraft) -> None:
    window, screen = open_form(qtbot, county_path, open_draft)
    sized(qtbot, window, (1024, 700))
    assert screen.list_shown()  # with the list of audits beside it
    assert_fits(screen)
    assert screen.form.viewport().width() > 400  # room to read, not a sliver
    # Full HD: the list keeps its share (Qt gave the form all the extra width), the
    # facts beside the form a quarter of its pane.
    sized(qtbot, window, (1920, 1080))
    sizes = screen.splitter.sizes()
    assert abs(sizes[1] / sum(sizes) - FORM_SHARE) < 0.02, sizes
    assert screen.page.beside and screen.form.key_facts.width() > 0.2 * screen.page.width()
    assert_fits(screen)


def test_at_125_percent_the_list_makes_way_for_the_form_and_fits_when_shown(
        qtbot: QtBot, county_path: Path, open_draft: OpenCaseDraft) -> None:
    """A 1024x700 screen at 125% hides the list by itself; shown again with its button
    the form still fits beside it, and the person's choice then stays."""
    window, screen = open_form(qtbot, county_path, open_draft)
    sized(qtbot, window, SCALED_125)
    qtbot.waitUntil(lambda: not screen.list_shown(), timeout=WAIT)
    assert screen.list_button.text() == "Show the list"
    assert_fits(screen)
    alone = screen.form.viewport().width()
    qtbot.mouseClick(screen.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(screen.list_shown, timeout=WAIT)
    settle(qtbot, window)
    assert screen.list_button.text() == "Hide the list"
    assert screen.form.viewport().width() < alone - 150  # the list took its place
    assert_fits(screen)
    sized(qtbot, window, (SCALED_125[0] - 10, SCALED_125[1]))
    assert screen.list_shown()  # shown by the person: a resize does not hide it
    qtbot.mouseClick(screen.list_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.list_shown(), timeout=WAIT)
    sized(qtbot, window, (1366, 768))
    assert not screen.list_shown()  # hidden by the person: a wide window keeps it so


def test_tab_onto_each_answer_keeps_its_question_in_view_and_never_scrolls_sideways(
        qtbot: QtBot, county_path: Path, open_draft: OpenCaseDraft) -> None:
    """Down the form with Tab, and back up with Shift+Tab (where the pane scrolls up to
    the answer and, left to Qt, cut off the question's words above it)."""
    window, screen = open_form(qtbot, county_path, open_draft)
    sized(qtbot, window, (1024, 700))
    form = screen.form
    viewport = form.viewport()
    questions = [f for f in form.fields.values() if isinstance(f, QuestionField)]
    for backwards, last in ((False, "Submit the audit"), (True, questions[0].name)):
        modifier = (Qt.KeyboardModifier.ShiftModifier if backwards
                    else Qt.KeyboardModifier.NoModifier)
        checked = set()
        for _ in range(80):
            for field in questions:
                if field.widget.isAncestorOf(focused()):
                    top = field.label.mapTo(viewport, QPoint(0, 0)).y()
                    bottom = focused().mapTo(viewport, QPoint(0, focused().height())).y()
                    assert form.horizontalScrollBar().value() == 0
                    assert top >= 0, f"question {field.name!r} cut at the top ({top})"
                    assert bottom <= viewport.height(), f"{field.name!r} below the pane"
                    checked.add(field.answer.code)
            if focused().accessibleName() == last:
                break
            qtbot.keyClick(focused(), Qt.Key.Key_Tab, modifier)
        assert checked == {f.answer.code for f in questions}, backwards


def expected_history(session: object, case_id: str) -> str:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    steps = list(session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.kind == CaseEventKind.RAG_CHANGE.value)
        .order_by(CaseEvent.occurred_on.desc(), CaseEvent.seq.desc())))
    if not steps:
        return "No changes on record"
    newest = steps[0]
    return (f"{(newest.rag_from or 'not rated').title()} to {newest.rag_to.title()} on "
            f"{day_text(newest.occurred_on)}")


def test_the_case_key_facts_beside_the_form_say_what_the_record_and_standards_say(
        qtbot: QtBot, county_path: Path, open_draft: OpenCaseDraft) -> None:
    window, screen = open_form(qtbot, county_path, open_draft)
    panel = screen.form.key_facts
    qtbot.waitUntil(lambda: panel.facts is not None, timeout=WAIT)
    store = window.store
    assert store is not None
    ctx = ServiceContext(store=store, user_id=open_draft.auditor.id, clock=window.clock)
    with store.read() as session:
        case = session.get(Case, open_draft.case_id)
        assert case is not None and case.worker_id and case.team_id
        worker, team = session.get(Worker, case.worker_id), session.get(Team, case.team_id)
        assert worker is not None and team is not None
        history = expected_history(session, case.id)
        rag, rag_set_on, cohort = str(case.rag), case.rag_set_on, case.cohort
        last_oversight = case.last_oversight
    assert panel.text_of("rag").startswith(f"RAG: {rag.title()}")
    if rag_set_on is not None:
        assert panel.text_of("rag").endswith(day_text(rag_set_on))
    assert history in panel.text_of("history")
    assert panel.text_of("cohort") == f"Cohort: {COHORT_NAMES[cohort]}"
    assert panel.text_of("worker") == f"Worker: {worker.name}"
    assert panel.text_of("team") == f"Team: {team.name}"
    # Each standard's status in the engine's words, as the Cases screen's pane says it.
    standards = {c.standard: c for c in case_detail(ctx, case.id).compliance}
    for key, caption in (("visit_f2f", "Last face-to-face visit"),
                         ("oversight", "Last management oversight"),
                         ("vtt_review", "Last VTT review"),
                         ("risk_assessment", "Last risk assessment")):
        shown = panel.text_of(key)
        assert shown.startswith(f"{caption}: "), shown
        assert shown.endswith(standards[key].text), shown
        if standards[key].last_met is not None:
            assert day_text(standards[key].last_met) in shown
    if last_oversight is not None:
        assert day_text(last_oversight) in panel.text_of("oversight")

    # Beside the form on a 1366x768 screen; above it, in two columns, at 1024x700.
    sized(qtbot, window, (1366, 768))
    qtbot.waitUntil(lambda: screen.page.beside, timeout=WAIT)
    form_right = screen.form.mapTo(window, QPoint(screen.form.width(), 0)).x()
    assert panel.mapTo(window, QPoint(0, 0)).x() >= form_right and panel.isVisible()
    sized(qtbot, window, (1024, 700))
    qtbot.waitUntil(lambda: not screen.page.beside, timeout=WAIT)
    settle(qtbot, window)
    facts_bottom = panel.mapTo(window, QPoint(0, panel.height())).y()
    assert facts_bottom <= screen.form.mapTo(window, QPoint(0, 0)).y()
    assert cut_labels(panel, panel) == []
    assert screen.form.viewport().height() > 250  # the questions keep most of the pane


def test_the_screenshots_script_saves_a_screen_at_each_size(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The script's own run, one screen at its three sizes. Why 3 to 6 s: it builds a
    small county and the whole window with every screen, as the script does."""
    monkeypatch.setenv("DIPSAMPLE_HOME", str(tmp_path / "home"))  # the script sets it
    saved = screenshots.take(tmp_path / "shots", only=("01-my-week-empty",), cases=120)
    assert sorted(p.relative_to(tmp_path / "shots").as_posix() for p in saved) == [
        f"{w}x{h}/01-my-week-empty.png" for w, h in sorted(screenshots.SIZES)]
    for path in saved:
        image = QtGui.QImage(str(path))
        assert f"{image.width()}x{image.height()}" == path.parent.name
    assert screenshots.parse_size("1366x768") == (1366, 768)
    with pytest.raises(argparse.ArgumentTypeError, match="not a size"):
        screenshots.parse_size("wide")
