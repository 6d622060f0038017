"""Who is acting: sign in from the store's people before any case is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import Qt
from desktop.services.context import ServiceContext
from desktop.services.users import Person, people
from desktop.store import open_store
from desktop.views.signin import SignInDialog
from desktop.views.window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def _people(path: Path) -> list[Person]:
    store = open_store(path, prompt=None)
    try:
        return people(ServiceContext(store=store))
    finally:
        store.close()


def _dialog(qtbot: QtBot, window: MainWindow) -> SignInDialog:
    qtbot.waitUntil(lambda: window.signin_dialog is not None, timeout=20_000)
    dialog = window.signin_dialog
    assert isinstance(dialog, SignInDialog)
    return dialog


def test_sign_in_by_typing_part_of_a_name(qtbot: QtBot, county_path: Path) -> None:
    everyone = _people(county_path)
    auditor = next(p for p in everyone if "auditor" in p.roles)
    window = MainWindow(county_path, sign_in=True)
    qtbot.addWidget(window)
    window.show()
    window.open_database()
    dialog = _dialog(qtbot, window)
    assert window.cases.model.rowCount() == 0  # no case is shown before someone signs in
    assert dialog.people_list.count() == len(everyone)
    qtbot.keyClicks(dialog.search, auditor.name.split()[-1].lower())
    assert 1 <= dialog.people_list.count() < len(everyone)
    while dialog.selected() != auditor:  # as a person would: arrow down
        qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert window.user == auditor
    screen = window.current_screen()  # an auditor's day starts at their week
    assert screen is not None and screen.key == "my_week"
    assert auditor.name in window.windowTitle() and auditor.name in window.who.text()
    assert window.context().user_id == auditor.id


def test_the_last_person_is_remembered(qtbot: QtBot, county_path: Path) -> None:
    first = MainWindow(county_path, sign_in=True)
    qtbot.addWidget(first)
    first.open_database()
    dialog = _dialog(qtbot, first)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    chosen = dialog.selected()
    with qtbot.waitSignal(first.signed_in, timeout=20_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    first.close()
    second = MainWindow(county_path, sign_in=True)
    qtbot.addWidget(second)
    second.open_database()
    again = _dialog(qtbot, second)
    assert again.selected() == chosen
    again.reject()  # cancelling the sign-in closes the window: nobody acts unnamed
    qtbot.waitUntil(lambda: not second.isVisible(), timeout=10_000)


def test_a_name_that_fits_nobody_does_not_sign_in(qtbot: QtBot, county_path: Path) -> None:
    window = MainWindow(county_path, sign_in=True)
    qtbot.addWidget(window)
    window.open_database()
    dialog = _dialog(qtbot, window)
    qtbot.keyClicks(dialog.search, "zzz-nobody-zzz")
    assert dialog.people_list.count() == 0
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.isVisible() and window.user is None


def test_a_person_without_a_password_chooses_one_on_a_councils_database(
        qtbot: QtBot, db_path: Path) -> None:
    """Not the demo county: a name alone is no sign-in, so the first sign-in asks for a
    new password typed twice, sets it and logs the sign-in."""
    from desktop.models.log import Event
    from desktop.services.auth.signin import has_password
    from tests.unit.services.audits.world import make_world

    store = open_store(db_path, prompt=None, create=True)
    make_world(store)
    store.close()
    everyone = _people(db_path)
    qa = next(p for p in everyone if p.username == "qa1")
    assert qa.chooses_password and not qa.has_password
    window = MainWindow(db_path, sign_in=True)
    qtbot.addWidget(window)
    window.show()
    window.open_database()
    dialog = _dialog(qtbot, window)
    qtbot.keyClicks(dialog.search, "qa1")
    assert dialog.selected() == qa
    assert dialog.choose_note.isVisible() and dialog.again.isVisible()
    qtbot.keyClicks(dialog.password, "three synthetic words")
    qtbot.keyClicks(dialog.again, "three synthetic wordz")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert dialog.problem.isVisible() and "differ" in dialog.problem.text()
    assert window.user is None
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.again, "short")
    qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "at least 10" in dialog.problem.text(), timeout=20_000)
    assert window.user is None
    qtbot.keyClicks(dialog.password, "three synthetic words")
    qtbot.keyClicks(dialog.again, "three synthetic words")
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        qtbot.keyClick(dialog.again, Qt.Key.Key_Return)
    assert window.user is not None and window.user.id == qa.id
    window.close()
    store = open_store(db_path, prompt=None)
    try:
        assert has_password(ServiceContext(store=store), qa.id)
        with store.read() as session:
            from sqlalchemy import select

            actions = list(session.scalars(select(Event.action).where(
                Event.entity_id == qa.id)))
        assert "signin" in actions and "change" in actions
    finally:
        store.close()


def _sign_in_as(qtbot: QtBot, window: MainWindow, person: Person) -> None:
    dialog = _dialog(qtbot, window)
    qtbot.keyClicks(dialog.search, person.username)
    assert dialog.selected() == person
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)


def test_switch_person_lands_the_next_on_a_screen_they_may_use(
        qtbot: QtBot, county_path: Path) -> None:
    """QA leaves the window on Moderation and signs out; the auditor who signs in next
    starts on their week, with screens built anew (nothing QA read stays behind)."""
    everyone = _people(county_path)
    qa = next(p for p in everyone if "qa" in p.roles)
    auditor = next(p for p in everyone if p.roles == ("auditor",))
    window = MainWindow(county_path, sign_in=True)
    qtbot.addWidget(window)
    window.show()
    window.open_database()
    assert not window.switch_action.isEnabled()
    _sign_in_as(qtbot, window, qa)
    window.show_screen("moderation")
    old_screens = dict(window.screens)
    assert window.switch_action.isEnabled()
    window.switch_action.trigger()
    assert window.user is None and window.who.text() == ""
    dialog = _dialog(qtbot, window)
    assert all(window.screens[k] is not old_screens[k] for k in old_screens)
    assert not any(s.isVisible() for s in old_screens.values())
    qtbot.keyClicks(dialog.search, auditor.username)
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    screen = window.current_screen()
    assert screen is not None and screen.key == "my_week"
    assert window.may_use(screen) and not window.may_use(window.screens["moderation"])
    # QA, signing in again later, goes back to where they were.
    window.switch_person()
    _sign_in_as(qtbot, window, qa)
    screen = window.current_screen()
    assert screen is not None and screen.key == "moderation"


def test_the_idle_lock_offers_to_switch_person(qtbot: QtBot, county_path: Path) -> None:
    everyone = _people(county_path)
    auditor = next(p for p in everyone if p.roles == ("auditor",))
    window = MainWindow(county_path, sign_in=True)
    qtbot.addWidget(window)
    window.show()
    window.open_database()
    _sign_in_as(qtbot, window, auditor)
    lock = window.idle_lock
    assert lock is not None
    lock.lock()
    assert lock.dialog is not None and not window.centralWidget().isVisible()
    assert "anyone at this computer can unlock it" in " ".join(
        label.text() for label in lock.dialog.findChildren(type(lock.dialog.problem)))
    lock.dialog.switch()
    dialog = _dialog(qtbot, window)
    assert window.user is None and lock.dialog is None
    dialog.reject()  # nobody signs in: the window closes rather than show anyone's data
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
