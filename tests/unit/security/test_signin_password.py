"""Sign-in with a password: the window's dialog, the command line's --user, the lock-out."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.cli.main import main
from desktop.errors import InputProblem, PermissionRefused
from desktop.models import Event, User
from desktop.qt import Qt
from desktop.services.auth.passwords import hash_password, needs_rehash, verify_password
from desktop.services.auth.signin import MAX_FAILURES, set_password, sign_in
from desktop.services.context import ServiceContext
from desktop.services.users import people
from desktop.store import Store, open_store
from desktop.views.signin import SignInDialog
from desktop.views.window import MainWindow
from tests.unit.security.people import Org

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
PASSWORD = "three synthetic words"


def test_hashes_are_salted_and_checked() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and PASSWORD not in first
    assert verify_password(first, PASSWORD) and not verify_password(first, PASSWORD + "x")
    assert not verify_password("", PASSWORD) and not verify_password("scrypt$1$2", "x")
    assert not needs_rehash(first) and needs_rehash("scrypt$1024$8$1$00$00")


def test_wrong_passwords_lock_the_account_until_an_administrator_sets_one(
        store: Store) -> None:
    org = Org(store)
    ctx = org.as_user(None)
    with pytest.raises(InputProblem, match="at least 10"):
        set_password(ctx, org.auditor, "short")
    set_password(ctx, org.auditor, PASSWORD)
    sign_in(ctx, org.auditor, PASSWORD)
    for _ in range(MAX_FAILURES):
        with pytest.raises(PermissionRefused, match=r"wrong|locked"):
            sign_in(ctx, org.auditor, "not it at all")
    with pytest.raises(PermissionRefused, match="locked"):
        sign_in(ctx, org.auditor, PASSWORD)  # even the right one, now
    with pytest.raises(PermissionRefused, match="administrator"):
        set_password(org.as_user(org.auditor2), org.auditor, "another synthetic one")
    set_password(org.as_user(org.admin), org.auditor, "another synthetic one")
    sign_in(ctx, org.auditor, "another synthetic one")
    # Their own: the current password first.
    mine = org.as_user(org.auditor)
    with pytest.raises(InputProblem, match="current password is wrong"):
        set_password(mine, org.auditor, "yet another synthetic", old="nope")
    set_password(mine, org.auditor, "yet another synthetic", old="another synthetic one")
    with store.read() as session:
        actions = [e.action for e in session.scalars(select(Event).where(
            Event.entity_id == org.auditor).order_by(Event.seq))]
        stored = session.get(User, org.auditor)
        assert stored is not None and "synthetic" not in stored.password_hash
    assert actions.count("signin_refused") == MAX_FAILURES + 1
    assert actions.count("signin") == 2


def test_the_command_line_asks_for_the_password(db_path: Path, store: Store,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    org = Org(store)
    set_password(org.as_user(None), org.qa, PASSWORD)
    store.close()
    argv = ["users", "activate", "auditor1", "--db", str(db_path), "--user", "qa1"]
    assert main(argv) == 1  # no terminal, no DIPSAMPLE_PASSWORD
    assert "DIPSAMPLE_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("DIPSAMPLE_PASSWORD", "wrong synthetic words")
    assert main(argv) == 1
    assert "password is wrong" in capsys.readouterr().err
    monkeypatch.setenv("DIPSAMPLE_PASSWORD", PASSWORD)
    assert main(argv) == 0
    # An administrator sets a password from standard input.
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a new synthetic phrase\n"))
    assert main(["users", "set-password", "auditor1", "--stdin", "--db", str(db_path),
                 "--user", "qa1"]) == 0
    assert "password of auditor1 is set" in capsys.readouterr().out


def test_the_dialog_asks_for_the_password_of_a_person_who_has_one(
        qtbot: QtBot, county_path: Path) -> None:
    store = open_store(county_path, prompt=None)
    try:
        auditor = next(p for p in people(ServiceContext(store=store)) if "auditor" in p.roles)
        set_password(ServiceContext(store=store), auditor.id, PASSWORD)
    finally:
        store.close()
    window = MainWindow(county_path, sign_in=True)
    qtbot.addWidget(window)
    window.show()
    window.open_database()
    qtbot.waitUntil(lambda: window.signin_dialog is not None, timeout=20_000)
    dialog = window.signin_dialog
    assert isinstance(dialog, SignInDialog)
    qtbot.keyClicks(dialog.search, auditor.name)
    assert dialog.selected() is not None and dialog.selected().id == auditor.id  # type: ignore[union-attr]
    assert dialog.password.isVisible()
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # Enter before the password
    assert dialog.isVisible() and window.user is None
    assert dialog.focusWidget() is dialog.password  # asked of the dialog, active or not
    qtbot.keyClicks(dialog.password, "not the password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=20_000)
    assert "wrong" in dialog.problem.text() and window.user is None
    assert dialog.password.text() == ""
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(window.signed_in, timeout=20_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert window.user is not None and window.user.id == auditor.id
