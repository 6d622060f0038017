"""``run_gui`` and ``dipsample demo --open``: the window opens, lists the cases, closes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.cli.main import main
from desktop.errors import EnvironmentProblem
from desktop.qt import QApplication, QTimer
from desktop.services.case_list import CaseQuery, list_cases
from desktop.services.context import ServiceContext
from desktop.services.users import people
from desktop.store import open_store
from desktop.views import app
from desktop.views.app import run_gui
from desktop.views.window import MainWindow, default_screens

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def close_when_listed(request: pytest.FixtureRequest, seen: list[int]) -> None:
    """Like a person: wait until the list is shown, note how many cases, close the window.

    Closes everything after a minute. Both timers stop when the test ends, however it
    ends: checks that went on after a failed test found the next test's windows (and
    raised in its event loop, failing it too).
    """
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(QApplication.closeAllWindows)
    poll = QTimer()
    poll.setInterval(50)

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        dialog = windows[0].signin_dialog if windows else None
        if dialog is not None and dialog.isVisible():
            dialog.accept()  # signs in as the person selected (the first, or the last one)
        elif windows and windows[0].cases.listing is not None:
            seen.append(windows[0].cases.model.rowCount())
            stop()
            windows[0].close()

    def stop() -> None:
        poll.stop()
        give_up.stop()

    poll.timeout.connect(check)
    request.addfinalizer(stop)
    give_up.start(60_000)
    poll.start()


def delete_with_the_test(qtbot: QtBot) -> None:
    """The windows ``run_gui`` closed are deleted with the test's own widgets.

    Why: the application's process ends there, so nothing deletes its window; in a
    test run each one lived on, with its idle lock watching every event of every later
    test (a tenth of the window tests' time).
    """
    for window in QApplication.topLevelWidgets():
        if isinstance(window, MainWindow):
            qtbot.addWidget(window)


def reached(path: Path) -> int:
    """How many cases the person the dialog selects first (the first by name) may see:
    the list holds the cases their roles reach (desktop/services/auth)."""
    store = open_store(path, prompt=None)
    try:
        first = people(ServiceContext(store=store))[0]
        return len(list_cases(ServiceContext(store=store, user_id=first.id),
                              CaseQuery()).ids)
    finally:
        store.close()


def test_run_gui_shows_the_case_list(qtbot: QtBot, county_path: Path, home: Path,
                                     request: pytest.FixtureRequest) -> None:
    seen: list[int] = []
    close_when_listed(request, seen)
    assert run_gui(county_path) == 0
    delete_with_the_test(qtbot)
    assert seen == [reached(county_path)] and seen[0] > 0  # signed in first, then listed
    # DIPSAMPLE_HOME moves the window's settings too (its layout, who signed in last).
    assert (home / "config" / "DipSample" / "DipSample.ini").is_file()


def test_demo_open_builds_then_opens_and_reopens_on_a_second_run(
        qtbot: QtBot, db_path: Path, capsys: pytest.CaptureFixture[str],
        request: pytest.FixtureRequest) -> None:
    seen: list[int] = []
    close_when_listed(request, seen)
    assert main(["demo", "--db", str(db_path), "--cases", "80", "--open"]) == 0
    delete_with_the_test(qtbot)
    mine = reached(db_path)
    assert seen == [mine] and mine > 0
    assert "80 cases" in capsys.readouterr().out
    close_when_listed(request, seen)
    assert main(["demo", "--db", str(db_path), "--cases", "80", "--open"]) == 0
    delete_with_the_test(qtbot)
    assert seen == [mine, mine]


def test_no_display_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(EnvironmentProblem, match="no display"):
        app._check_display()
    monkeypatch.setenv("DISPLAY", ":0")
    app._check_display()


def test_the_sign_in_list_shows_before_the_screens_are_built(
        qtbot: QtBot, county_path: Path, request: pytest.FixtureRequest) -> None:
    # Issue 23: the list appeared 8-13 s after launch, after twelve screens and the
    # modules behind them were built. Then the screens were built while the list showed,
    # and all at sign-in if the name was picked first: the first screen waited for
    # eleven others (launch_to_first_screen_100k). Now none is built before sign-in, and
    # after it only the one the person lands on; every other on its first visit.
    seen: dict[str, object] = {}
    poll = QTimer()
    poll.setInterval(1)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(QApplication.closeAllWindows)

    def check() -> None:
        window = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, MainWindow) and w.isVisible()), None)
        dialog = window.signin_dialog if window is not None else None
        if window is None:
            return
        if "listed" not in seen and dialog is not None and dialog.isVisible():
            seen["listed"] = [s.key for s in window.built_screens()]
            dialog.accept()  # at once, as a quick person (the benchmark) does
        elif "listed" in seen and window.user is not None and window.current_screen():
            seen["landed"] = window.current_screen().key
            seen["built"] = [s.key for s in window.built_screens()]
            seen["navigation"] = window.navigation.count()
            stop()
            window.close()

    def stop() -> None:
        poll.stop()
        give_up.stop()

    poll.timeout.connect(check)
    request.addfinalizer(stop)
    give_up.start(60_000)
    poll.start()
    assert run_gui(county_path) == 0
    delete_with_the_test(qtbot)
    assert seen["listed"] == []  # none built while the list waited for a name
    assert seen["built"] == ["cases"]  # then only the screen the person landed on
    assert seen["navigation"] == len(default_screens())  # though every one is listed
    assert seen["landed"] == "cases"
