"""The Moderation screen as a QA officer uses it: draw, re-grade blind, read the kappas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.models import Audit
from desktop.qt import Qt
from desktop.services.audits.moderation import (
    agreement_by_auditor,
    moderation_agreement,
    moderation_items,
    record_moderation,
)
from desktop.services.case_detail import GRADE_TEXT
from desktop.services.context import ServiceContext
from desktop.services.statistics.agreement import GRADE_SCALE
from desktop.views.moderation import HIDDEN, ModerationScreen
from tests.unit.views.conftest import AS_OF
from tests.unit.views.driving import activate, message_boxes, open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
NOON = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)


def _cells(screen: ModerationScreen, model_name: str, column: int) -> list[str]:
    model = getattr(screen, model_name)
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_draw_regrade_blind_and_read_the_agreement(qtbot: QtBot, county_path: Path) -> None:
    window = open_as(qtbot, county_path, role="qa", screens=(ModerationScreen,))
    window.clock = lambda: NOON
    assert window.store is not None and window.user is not None
    qa = ServiceContext(store=window.store, user_id=window.user.id, clock=lambda: NOON)
    screen = window.show_screen(ModerationScreen.key)
    assert isinstance(screen, ModerationScreen)
    qtbot.waitUntil(lambda: screen.board is not None, timeout=20_000)
    assert screen.item_model.rowCount() == 0
    assert not message_boxes()

    qtbot.mouseClick(screen.draw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.item_model.rowCount() > 0, timeout=20_000)
    assert screen.draw_result.text().startswith("Drew ")
    drawn = screen.item_model.rowCount()
    assert set(_cells(screen, "item_model", 3)) == {"To grade"}
    assert set(_cells(screen, "item_model", 5)) == {"hidden"}
    assert window.user.name not in _cells(screen, "item_model", 2), "never their own"

    item = screen.item_model.rows[0]
    with window.store.read() as session:
        original = session.scalar(select(Audit.grade).where(Audit.id == item.audit_id))
    assert original in GRADE_TEXT
    rect = screen.items.visualRect(screen.item_model.index(0, 0))
    with qtbot.waitSignal(screen.item_shown, timeout=20_000):
        qtbot.mouseClick(screen.items.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert item.case_ref in screen.audit_heading.text()
    assert screen.first_grade.text() == HIDDEN
    assert screen.answers.count() > 0

    mine = next(g for g in GRADE_SCALE if g != original)
    qtbot.keyClicks(screen.grade_choice, GRADE_TEXT[mine])
    assert screen.grade_choice.currentData() == mine
    qtbot.keyClicks(screen.note_edit, "Checked without the first grade")
    assert screen.first_grade.text() == HIDDEN, "still hidden until saved"
    with qtbot.waitSignal(screen.graded, timeout=20_000):
        qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert screen.first_grade.text() == GRADE_TEXT[original]
    assert screen.your_grade.text() == GRADE_TEXT[mine]
    assert screen.verdict.text() == "The grades differ."
    qtbot.waitUntil(lambda: "Graded" in _cells(screen, "item_model", 3), timeout=20_000)
    graded = _cells(screen, "item_model", 3).index("Graded")
    assert _cells(screen, "item_model", 5)[graded] == GRADE_TEXT[original]
    assert screen.item_model.rowCount() == drawn

    # The rest graded (agreeing on most), then F5: the table shows a kappa per auditor.
    firsts = {}
    with window.store.read() as session:
        for audit_id, grade in session.execute(select(Audit.id, Audit.grade)):
            firsts[audit_id] = grade
    for number, rest in enumerate(i for i in moderation_items(qa) if not i.done):
        grade = firsts[rest.audit_id]
        if number % 3 == 2:
            grade = GRADE_SCALE[(GRADE_SCALE.index(grade) + 1) % len(GRADE_SCALE)]
        record_moderation(qa, rest.moderation_id, grade)
    activate(qtbot, window)
    with qtbot.waitSignal(screen.board_shown, timeout=20_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    expected = agreement_by_auditor(qa)
    overall = moderation_agreement(qa)
    assert screen.agreement_model.rowCount() == len(expected) + 1
    kappas = _cells(screen, "agreement_model", 3)
    for row, figure in zip(screen.agreement_model.rows, [*expected, None], strict=True):
        agreement = figure.agreement if figure is not None else overall
        kappa = agreement.linear.kappa
        assert row.agreement.pairs == agreement.pairs
        shown = kappas[screen.agreement_model.rows.index(row)]
        assert shown == ("not enough pairs" if kappa is None else f"{kappa:.2f}")
    assert _cells(screen, "agreement_model", 0)[-1] == "All auditors"
    assert overall.linear.kappa is not None and kappas[-1] == f"{overall.linear.kappa:.2f}"
