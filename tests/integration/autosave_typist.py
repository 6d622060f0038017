"""A whole DipSample window typing into a draft audit, to be killed (run by a test).

``python -m tests.integration.autosave_typist prepare DB``: starts a draft audit of the
first auditor on a Red case; prints ``AUDIT_ID USER_ID``.

``... type DB AUDIT_ID USER_ID``: opens the real main window offscreen, signs in as the
auditor, opens the audit, answers the first question from the keyboard and then types
words into the overview without end (real key events), pausing now and then. After
each autosave it prints ``saved <json>``: the overview and first answer that save
wrote. The test kills it with SIGKILL.

``... show DB AUDIT_ID USER_ID``: a fresh window opens the audit and prints ``shown
<json>``: what its form shows (the overview and the first answer).

The store's key comes from ``DIPSAMPLE_PASSPHRASE``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtTest import QTest  # a test tool: desktop.qt holds what the app uses
from sqlalchemy import select

from desktop.models import Audit, Case
from desktop.qt import QApplication, Qt
from desktop.services.audits import lifecycle
from desktop.services.audits.drafts import DraftChanges
from desktop.services.context import ServiceContext
from desktop.services.users import people
from desktop.store import open_store
from desktop.views.audits import AuditsScreen
from desktop.views.window import MainWindow

FIRST = "ra_in_place"
WORDS = ("risk", "plan", "visit", "school", "health", "review", "child", "seen")
WAIT_S = 60


def prepare(path: Path) -> int:
    store = open_store(path, prompt=None)
    try:
        ctx = ServiceContext(store=store)
        auditor = next(p for p in people(ctx) if "auditor" in p.roles)
        with store.read() as session:
            busy = select(Audit.case_id).where(Audit.status.in_(("draft", "reopened")))
            case_id = session.scalar(select(Case.id).where(
                Case.rag == "red", Case.id.not_in(busy)).order_by(Case.case_ref).limit(1))
        audit_id = lifecycle.start_audit(ServiceContext(store=store, user_id=auditor.id),
                                         case_id, "risk_assessment_rag")
    finally:
        store.close()
    print(audit_id, auditor.id, flush=True)
    return 0


def until(app: QApplication, done: object) -> None:
    deadline = time.monotonic() + WAIT_S
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.005)


def open_window(app: QApplication, path: Path, audit_id: str,
                user_id: str) -> tuple[MainWindow, AuditsScreen]:
    window = MainWindow(path, screens=[AuditsScreen])
    window.resize(1280, 800)
    opened: list[bool] = []
    window.store_opened.connect(lambda: opened.append(True))
    window.show()
    window.open_database()
    until(app, lambda: opened)
    assert window.store is not None
    window.act_as(next(p for p in people(ServiceContext(store=window.store))
                       if p.id == user_id))
    screen = window.show_screen(AuditsScreen.key)
    assert isinstance(screen, AuditsScreen)
    shown: list[bool] = []
    screen.form.reloaded.connect(lambda _form: shown.append(True))
    window.open_audit(audit_id)
    until(app, lambda: shown)
    window.activateWindow()
    return window, screen


def written(changes: DraftChanges, state: dict[str, object]) -> None:
    if changes.overview is not None:
        state["overview"] = changes.overview
    for answer in changes.answers:
        if answer.code == FIRST:
            state[FIRST] = answer.value


def type_forever(path: Path, audit_id: str, user_id: str) -> int:
    app = QApplication([sys.argv[0]])
    _window, screen = open_window(app, path, audit_id, user_id)
    form = screen.form
    autosaver = form.autosaver
    assert autosaver is not None
    state: dict[str, object] = {"overview": "", FIRST: None}

    def saved() -> None:
        if autosaver.last_written is not None:
            written(autosaver.last_written, state)
        print("saved", json.dumps(state), flush=True)

    form.saved.connect(saved)
    first = form.fields[FIRST].control
    first.setFocus()
    QTest.keyClick(first, Qt.Key.Key_Down)  # "Met", by the keyboard
    overview = form.fields["overview"].control
    overview.setFocus()
    count = 0
    while True:  # until killed
        count += 1
        QTest.keyClicks(overview, f"{WORDS[count % len(WORDS)]}{count} ")
        pause = time.monotonic() + (1.3 if count % 7 == 0 else 0.05)
        while time.monotonic() < pause:
            app.processEvents()
            time.sleep(0.005)


def show(path: Path, audit_id: str, user_id: str) -> int:
    app = QApplication([sys.argv[0]])
    window, screen = open_window(app, path, audit_id, user_id)
    fields = screen.form.fields
    print("shown", json.dumps({"overview": fields["overview"].value(),
                               FIRST: fields[FIRST].value()}), flush=True)
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    mode, db = sys.argv[1], Path(sys.argv[2])
    if mode == "prepare":
        sys.exit(prepare(db))
    sys.exit((type_forever if mode == "type" else show)(db, sys.argv[3], sys.argv[4]))
