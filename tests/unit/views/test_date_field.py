"""One way to enter dates: a date question takes dd/mm/yyyy (and ISO), with a calendar."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QDate
from desktop.services.audits.answers import normalise
from desktop.views.date_field import DateField
from tests.unit.views.test_audit_form import Draft, open_form, question, type_into

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_the_service_reads_a_date_as_every_date_in_the_app_is_written() -> None:
    assert normalise("date", "20/11/2026") == "2026-11-20"
    assert normalise("date", "2026-11-20") == "2026-11-20"
    assert normalise("date", " 3/1/2027 ") == "2027-01-03"
    with pytest.raises(ValueError, match=r"not a date \(dd/mm/yyyy\)"):
        normalise("date", "31/02/2026")
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        normalise("date", "next week")


@pytest.mark.parametrize("typed", ["20/11/2026", "2026-11-20"])
def test_a_date_question_takes_either_form_and_shows_dd_mm_yyyy(
        qtbot: QtBot, county_path: Path, typed: str) -> None:
    draft = Draft(county_path)
    window, screen = open_form(qtbot, county_path, draft)
    field = screen.form.fields["ra_date"]
    assert isinstance(field.control, DateField)
    type_into(qtbot, question(screen, "ra_date"), typed)
    qtbot.keyClick(QApplication.focusWidget(), "\t")  # leaving the field tidies it
    assert field.control.text() == "20/11/2026"
    assert field.value() == "2026-11-20"
    screen.form.save_now()
    store = window.store
    assert store is not None
    qtbot.waitUntil(lambda: {a.code: a.value for a in draft.read(store).view.answers}
                    .get("ra_date") == "2026-11-20", timeout=20_000)
    assert not field.problem.isVisibleTo(screen.form)


def test_the_calendar_puts_the_picked_day_in_the_field(qtbot: QtBot) -> None:
    field = DateField("A date")
    qtbot.addWidget(field)
    field.set_value("2026-11-20")
    assert field.text() == "20/11/2026"
    field.calendar.clicked.emit(QDate(2026, 12, 1))
    assert field.text() == "01/12/2026" and field.value() == "2026-12-01"
    field.set_value(None)
    assert field.text() == "" and field.value() is None
    field.line.setText("soon")
    assert field.value() == "soon"  # the service refuses it, beside the field
