"""After submission: reopening through the form's dialog, and the comment window's time
left counting down on the window's clock.

The audit is filled and submitted through the services before the window opens (the
filling itself is driven by keys in test_audit_form.py); these tests start where QA or
another auditor finds a submitted audit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import User, UserServiceArea
from desktop.qt import QDialogButtonBox, Qt
from desktop.services.audits import lifecycle
from desktop.services.audits.drafts import AnswerChange, DraftChanges, save_draft
from desktop.services.context import ServiceContext
from desktop.services.users import Person
from desktop.store import open_store
from desktop.views.audit_form import comments_panel
from desktop.views.audit_form.comments_panel import ReopenDialog
from desktop.views.audits import AuditsScreen
from desktop.views.window import MainWindow
from tests.unit.views.driving import message_box, message_boxes, open_as
from tests.unit.views.test_audit_form import Draft

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 20_000
LEFT = Qt.MouseButton.LeftButton
#: When the audit is submitted (the demo county's day); the window is 72 hours long.
SUBMITTED = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
ANSWERS = (AnswerChange("ra_in_place", "met", ""), AnswerChange("ra_quality", "met", ""),
           AnswerChange("ra_response_proportionate", "met", ""),
           AnswerChange("vtt_completed", "met", ""), AnswerChange("rag_agrees", "yes", ""))


class Clock:
    """The window's clock, moved on by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def submitted(county_path: Path) -> Draft:
    """A draft filled and submitted by its auditor at ``SUBMITTED``."""
    draft = Draft(county_path)
    store = open_store(county_path, prompt=None)
    try:
        ctx = ServiceContext(store=store, user_id=draft.auditor.id, clock=lambda: SUBMITTED)
        save_draft(ctx, draft.audit_id, DraftChanges(
            answers=ANSWERS, overview="Current and clear.", grade="good",
            auditor_rag=draft.case_rag))
        lifecycle.submit(ctx, draft.audit_id)
    finally:
        store.close()
    return draft


def _colleague(path: Path, auditor_id: str) -> str:
    """Another auditor sharing a service area with ``auditor_id``."""
    store = open_store(path, prompt=None)
    try:
        with store.read() as session:
            areas = select(UserServiceArea.service_area_id).where(
                UserServiceArea.user_id == auditor_id)
            found = session.scalar(
                select(User.id).join(UserServiceArea, UserServiceArea.user_id == User.id)
                .where(UserServiceArea.service_area_id.in_(areas), User.id != auditor_id,
                       User.roles.contains("auditor")).order_by(User.username))
    finally:
        store.close()
    assert found is not None
    return found


def open_submitted(qtbot: QtBot, path: Path, draft: Draft, who: str,
                   clock: Clock | None = None) -> tuple[MainWindow, AuditsScreen]:
    """The Audits screen of a window signed in as ``who`` (qa, the audit's auditor or
    another auditor), showing the audit."""
    def person(everyone: list[Person]) -> Person:
        if who == "auditor":
            return next(p for p in everyone if p.id == draft.auditor.id)
        if who == "other auditor":  # one of the same service area, who may see it
            colleague = _colleague(path, draft.auditor.id)
            return next(p for p in everyone if p.id == colleague)
        return next(p for p in everyone if who in p.roles)

    window = open_as(qtbot, path, screens=(AuditsScreen,), pick=person)
    if clock is not None:
        window.clock = clock
    screen = window.show_screen(AuditsScreen.key)
    assert isinstance(screen, AuditsScreen)
    with qtbot.waitSignal(screen.form.reloaded, timeout=WAIT):
        window.open_audit(draft.audit_id)
    return window, screen


def reopen_with(qtbot: QtBot, screen: AuditsScreen, reason: str) -> None:
    """Reopen… then the reason typed into the dialog and OK clicked."""
    panel = screen.form.comments
    assert panel.isVisibleTo(screen.form) and panel.reopen_button.isEnabled()
    screen.form.ensureWidgetVisible(panel.reopen_button)
    qtbot.mouseClick(panel.reopen_button, LEFT)
    qtbot.waitUntil(lambda: panel.reopen_dialog is not None, timeout=WAIT)
    dialog = panel.reopen_dialog
    assert isinstance(dialog, ReopenDialog)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.reason, reason)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)


def status(window: MainWindow, draft: Draft) -> str:
    store = window.store
    assert store is not None
    return draft.read(store).view.summary.status


def test_qa_reopens_with_a_reason_and_the_form_is_editable_again(
        qtbot: QtBot, county_path: Path, submitted: Draft) -> None:
    window, screen = open_submitted(qtbot, county_path, submitted, "qa")
    form = screen.form
    assert not form.fields["overview"].control.isEnabled()  # submitted: read-only
    reopen_with(qtbot, screen, "The grade needs checking against the plan.")

    def reopened() -> None:
        assert form.form is not None and form.form.view.summary.status == "reopened"

    qtbot.waitUntil(reopened, timeout=WAIT)
    assert form.status_line.text().startswith("Reopened")
    assert not message_boxes()
    assert not form.comments.reopen_button.isEnabled()  # nothing more to reopen
    window.close()

    # Its auditor finds it editable again, with the answers kept.
    _window, mine = open_submitted(qtbot, county_path, submitted, "auditor")
    assert mine.form.form is not None and mine.form.form.editable
    overview = mine.form.fields["overview"].control
    assert overview.isEnabled() and mine.form.submit_button.isEnabled()
    assert mine.form.fields["overview"].value() == "Current and clear."
    assert not mine.form.comments.isVisibleTo(mine.form)


def test_another_auditor_is_refused_in_one_sentence(qtbot: QtBot, county_path: Path,
                                                    submitted: Draft) -> None:
    window, screen = open_submitted(qtbot, county_path, submitted, "other auditor")
    reopen_with(qtbot, screen, "I think it is wrong.")
    box = message_box(qtbot)
    assert box.text() == "only the auditor, QA or an administrator can reopen an audit"
    qtbot.mouseClick(box.button(box.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: not message_boxes(), timeout=WAIT)
    assert status(window, submitted) == "open_for_comment"
    assert not screen.form.fields["overview"].control.isEnabled()


def test_the_time_left_counts_down_on_the_window_clock(
        qtbot: QtBot, county_path: Path, submitted: Draft,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comments_panel, "TICK_MS", 50)  # the test does not wait 30 s
    clock = Clock(SUBMITTED + dt.timedelta(hours=1))
    _window, screen = open_submitted(qtbot, county_path, submitted, "auditor", clock)
    line = screen.form.comments.window_line
    assert "71 h 0 min left for comments" in line.text()
    reads: list[object] = []
    screen.form.reloaded.connect(reads.append)
    clock.now += dt.timedelta(minutes=10)
    qtbot.waitUntil(lambda: "70 h 50 min left for comments" in line.text(), timeout=WAIT)
    clock.now = SUBMITTED + dt.timedelta(hours=73)
    qtbot.waitUntil(lambda: "the comment window has ended" in line.text(), timeout=WAIT)
    assert reads == []  # the store was not read again: only the clock moved
