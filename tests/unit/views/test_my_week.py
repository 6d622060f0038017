"""My week driven as an auditor (and a coordinator) would: clicks, the drop dialog, Cancel."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.models import Audit, Case, Sample, SampleItem, User
from desktop.qt import QColor, QDialogButtonBox, QProgressDialog, QPushButton, Qt
from desktop.services.context import ServiceContext
from desktop.services.sampling import weekly
from desktop.services.users import Person
from desktop.store import open_store
from desktop.views.my_week import MyWeekScreen
from desktop.views.screen import Screen
from desktop.views.week_table import CHILD, RAG, STATUS, WHY
from desktop.views.window import MainWindow

from .driving import message_boxes, open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # the demo county's day
WEEK = "2026-W47"
WAIT = 20_000
LEFT = Qt.MouseButton.LeftButton


class AuditsScreen(Screen):
    """Stands where the Audits screen goes, to see the window hand it the audit."""

    key = "audits"
    title = "A&udits"

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.opened: list[str] = []

    def open_audit(self, audit_id: str) -> None:
        self.opened.append(audit_id)


def everywhere(everyone: list[Person]) -> Person:
    """The auditor covering every area: enough eligible cases for a full 25."""
    return next(p for p in everyone if p.job_title == "Improvement Lead")


def open_my_week(qtbot: QtBot, path: Path, pick: Any = everywhere,
                 extra: tuple[type[Screen], ...] = ()) -> tuple[MainWindow, MyWeekScreen]:
    window = open_as(qtbot, path, screens=(MyWeekScreen, *extra), pick=pick)
    window.clock = lambda: NOW
    screen = window.screens[MyWeekScreen.key]
    assert isinstance(screen, MyWeekScreen)
    with qtbot.waitSignal(screen.week_shown, timeout=WAIT):
        window.show_screen(screen.key)
    assert not message_boxes()
    return window, screen


def draw(qtbot: QtBot, screen: MyWeekScreen) -> None:
    with qtbot.waitSignal(screen.week_shown, timeout=WAIT,
                          check_params_cb=lambda week: week.sample_id is not None):
        qtbot.mouseClick(screen.draw_button, LEFT)


def cell(screen: MyWeekScreen, row: int, column: int, role: Any = None) -> Any:
    index = screen.model.index(row, column)
    return index.data() if role is None else index.data(role)


def click_row(qtbot: QtBot, screen: MyWeekScreen, row: int, double: bool = False) -> None:
    table = screen.table
    table.scrollTo(screen.model.index(row, 0))
    centre = table.visualRect(screen.model.index(row, 0)).center()
    qtbot.mouseClick(table.viewport(), LEFT, pos=centre)
    if double:  # a person's double click: press and release, then the second press
        qtbot.mouseDClick(table.viewport(), LEFT, pos=centre)


def read(window: MainWindow, fn: Any) -> Any:
    """Read the window's store from the test (the worker is idle when this is called)."""
    assert window.store is not None
    with window.store.read() as session:
        return fn(session)


def test_drawing_the_week_shows_25_cases_with_reasons_and_quotas(qtbot: QtBot,
                                                                 county_path: Path) -> None:
    window, screen = open_my_week(qtbot, county_path)
    assert screen.week_label.text() == f"Week {WEEK}: 16 to 22 Nov 2026"
    assert screen.model.rowCount() == 0
    assert "No sample drawn" in screen.summary.text()
    assert screen.draw_button.isEnabled() and not screen.area_button.isVisible()
    draw(qtbot, screen)
    assert screen.model.rowCount() == 25
    assert screen.summary.text() == "25 cases in your sample."
    assert not screen.draw_button.isEnabled()
    names = read(window, lambda s: {ref: name for ref, name in s.execute(
        select(Case.case_ref, Case.child_name))})
    for row in range(25):
        ref = cell(screen, row, 0)
        assert cell(screen, row, CHILD) != names[ref]
        words = re.split(r"[\s-]+", names[ref])
        assert cell(screen, row, CHILD) == "".join(w[0].upper() for w in words if w)
        assert cell(screen, row, WHY)
        assert cell(screen, row, STATUS) == "not started"
        assert cell(screen, row, RAG) in ("Red", "Amber", "Green")
        assert isinstance(cell(screen, row, RAG, Qt.ItemDataRole.BackgroundRole), QColor)
    assert screen.quotas.counts["red"].text() == "10 drawn, 0 audited, 10 wanted"
    assert screen.quotas.counts["green"].text() == "5 drawn, 0 audited, 5 wanted"
    assert screen.quotas.bars["amber"].maximum() == 10
    user = window.user
    assert user is not None
    assert read(window, lambda s: s.scalar(select(func.count()).select_from(Sample).where(
        Sample.auditor_id == user.id, Sample.iso_week == WEEK))) == 1


def test_the_week_picker_steps_to_a_week_with_no_sample_and_back(qtbot: QtBot,
                                                                county_path: Path) -> None:
    _window, screen = open_my_week(qtbot, county_path)
    draw(qtbot, screen)
    with qtbot.waitSignal(screen.week_shown, timeout=WAIT):
        qtbot.mouseClick(screen.next_button, LEFT)
    assert screen.week_label.text().startswith("Week 2026-W48: 23 to 29 Nov")
    assert screen.model.rowCount() == 0 and screen.draw_button.isEnabled()
    with qtbot.waitSignal(screen.week_shown, timeout=WAIT):
        qtbot.mouseClick(screen.this_week_button, LEFT)
    assert screen.week == WEEK and screen.model.rowCount() == 25


def test_dropping_a_case_shows_its_replacement(qtbot: QtBot, county_path: Path) -> None:
    window, screen = open_my_week(qtbot, county_path)
    draw(qtbot, screen)
    assert not screen.drop_button.isEnabled()
    click_row(qtbot, screen, 3)
    dropped = screen.selected()
    assert dropped is not None and screen.drop_button.isEnabled()
    qtbot.mouseClick(screen.drop_button, LEFT)
    dialog = screen.drop_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.reason_choice.setFocus()
    qtbot.keyClick(dialog.reason_choice, Qt.Key.Key_End)  # the last reason: other
    assert dialog.reason() == "other"
    qtbot.keyClicks(dialog.note_edit, "Synthetic reason")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 26, timeout=WAIT)
    assert cell(screen, 3, STATUS) == "dropped: other"
    assert cell(screen, 3, 0, Qt.ItemDataRole.FontRole).strikeOut()
    new_ref = cell(screen, 25, 0)
    assert f"replaces {dropped.case_ref}" in cell(screen, 25, WHY)
    assert screen.message.text() == f"{new_ref} replaced {dropped.case_ref} (other)."
    assert screen.summary.text() == "25 cases in your sample (1 dropped and replaced)."
    item = read(window, lambda s: s.get(SampleItem, dropped.item_id))
    assert (item.status, item.drop_reason, item.drop_note) == (
        "dropped", "other", "Synthetic reason")
    replacement = screen.selected()
    assert replacement is not None and replacement.case_ref == new_ref
    assert screen.open_button.isEnabled()
    click_row(qtbot, screen, 3)
    assert not screen.drop_button.isEnabled() and not screen.open_button.isEnabled()


def test_double_clicking_a_row_starts_its_audit_and_hands_it_to_the_window(
        qtbot: QtBot, county_path: Path) -> None:
    window, screen = open_my_week(qtbot, county_path, extra=(AuditsScreen,))
    audits = window.screens["audits"]
    assert isinstance(audits, AuditsScreen)
    draw(qtbot, screen)
    case = screen.model.case_at(2)
    assert case is not None
    with qtbot.waitSignal(screen.audit_opened, timeout=WAIT) as opened:
        click_row(qtbot, screen, 2, double=True)
    audit_id = opened.args[0]
    assert audits.opened == [audit_id] and window.current_screen() is audits
    audit = read(window, lambda s: s.get(Audit, audit_id))
    assert (audit.status, audit.case_id, audit.sample_item_id) == (
        "draft", case.case_id, case.item_id)
    window.show_screen(screen.key)
    qtbot.waitUntil(lambda: cell(screen, 2, STATUS) == "draft", timeout=WAIT)
    with qtbot.waitSignal(screen.audit_opened, timeout=WAIT) as again:
        click_row(qtbot, screen, 2)
        qtbot.mouseClick(screen.open_button, LEFT)
    assert again.args[0] == audit_id
    assert read(window, lambda s: s.scalar(select(func.count()).select_from(Audit).where(
        Audit.case_id == case.case_id, Audit.deleted.is_(False),
        Audit.status == "draft"))) == 1


def make_coordinator(path: Path) -> None:
    """A QA officer of the demo county also coordinates sampling (all areas)."""
    store = open_store(path, prompt=None)
    try:
        with store.transaction() as session:
            user = session.scalars(select(User).where(User.roles.like("qa%"))
                                   .order_by(User.username)).first()
            assert user is not None
            user.roles = f"{user.roles},coordinator"
    finally:
        store.close()


def coordinator(everyone: list[Person]) -> Person:
    return next(p for p in everyone if "coordinator" in p.roles)


def test_cancelling_the_area_draw_leaves_no_sample(qtbot: QtBot, county_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    make_coordinator(county_path)
    saving, go = threading.Event(), threading.Event()
    real_save = weekly.save_view

    def held_save(ctx: ServiceContext, session: Any, view: Any) -> Any:
        """The first sample is being saved: hold the worker until Cancel is pressed."""
        saving.set()
        go.wait(WAIT / 1000)
        return real_save(ctx, session, view)

    monkeypatch.setattr(weekly, "save_view", held_save)
    window, screen = open_my_week(qtbot, county_path, pick=coordinator)
    qtbot.waitUntil(lambda: screen.area_button.isVisible() and screen.area_button.isEnabled(),
                    timeout=WAIT)
    assert screen.area_choice.findText("North") >= 0
    screen.area_choice.setCurrentIndex(screen.area_choice.findText("North"))
    qtbot.mouseClick(screen.area_button, LEFT)
    qtbot.waitUntil(saving.is_set, timeout=WAIT)

    def progress() -> QProgressDialog | None:
        return next((w for w in window.findChildren(QProgressDialog) if w.isVisible()), None)

    qtbot.waitUntil(lambda: progress() is not None, timeout=WAIT)
    dialog = progress()
    assert dialog is not None
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, LEFT)
    go.set()
    qtbot.waitUntil(lambda: screen.message.text()
                    == "Cancelled: no sample of the area was saved.", timeout=WAIT)
    assert read(window, lambda s: s.scalar(select(func.count()).select_from(Sample))) == 0
    assert read(window, lambda s: s.scalar(select(func.count()).select_from(SampleItem))) == 0
    assert screen.area_button.isEnabled()
    assert not message_boxes()


def test_an_area_draw_gives_each_auditor_their_allocation(qtbot: QtBot,
                                                          county_path: Path) -> None:
    make_coordinator(county_path)
    window, screen = open_my_week(qtbot, county_path, pick=coordinator)
    qtbot.waitUntil(screen.area_button.isVisible, timeout=WAIT)
    screen.area_choice.setCurrentIndex(screen.area_choice.findText("North"))
    with qtbot.waitSignal(screen.area_drawn, timeout=WAIT) as drawn:
        qtbot.mouseClick(screen.area_button, LEFT)
    samples = drawn.args[0].samples
    assert len(samples) >= 2
    assert screen.message.text().startswith(f"Drew the samples of {len(samples)} auditors")
    auditors = read(window, lambda s: set(s.scalars(select(Sample.auditor_id).where(
        Sample.iso_week == WEEK))))
    assert auditors == {v.auditor_id for v in samples}


def test_an_area_draw_names_the_people_it_drew_no_sample_for(qtbot: QtBot,
                                                             county_path: Path) -> None:
    """As ``sample --area`` prints it: a head of service with that role alone was left
    out of the draw without a word (issue 25, item 2)."""
    make_coordinator(county_path)
    _window, screen = open_my_week(qtbot, county_path, pick=coordinator)
    qtbot.waitUntil(screen.area_button.isVisible, timeout=WAIT)
    assert screen.left_out.isHidden()
    screen.area_choice.setCurrentIndex(screen.area_choice.findText("North"))
    with qtbot.waitSignal(screen.area_drawn, timeout=WAIT) as drawn:
        qtbot.mouseClick(screen.area_button, LEFT)
    sentence = drawn.args[0].left_out
    assert re.match(r"\d+ (people|person) in North ha(ve|s) no auditor role, so no "
                    r"sample was drawn for them: \w", sentence), sentence
    assert screen.left_out.text() == f"{sentence}."
    assert screen.left_out.isVisible()
    qtbot.mouseClick(screen.next_button, LEFT)  # another week: not its draw
    assert screen.left_out.isHidden()
