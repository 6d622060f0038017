"""A whole DipSample window typing into a draft audit, to be killed (run by a test).

``python -m tests.integration.autosave_typist prepare DB``: starts a draft audit of the
first auditor on a Red case; prints ``AUDIT_ID USER_ID``.

``... type DB AUDIT_ID USER_ID [FIELD]``: opens the real main window offscreen, signs in
as the auditor, opens the audit, answers the first question from the keyboard and then
types words into FIELD without end (real key events), pausing now and then. FIELD is
``overview`` (the default) or ``reason``: the disagreement panel's reason, after
rating the Red or Amber case Green by the keyboard (which opens the panel). After each autosave
it prints ``saved <json>``: the overview, the reason and first answer that save wrote.
The test kills it with SIGKILL.

``... show DB AUDIT_ID USER_ID``: a fresh window opens the audit and prints ``shown
<json>``: what its form shows (the overview, the reason and the first answer).

The store's key comes from ``DIPSAMPLE_PASSPHRASE``.
"""

from __future__ import annotations

import faulthandler
import json
import sys
import time
from pathlib import Path

from PySide6.QtTest import QTest  # a test tool: desktop.qt holds what the app uses
from sqlalchemy import select

from desktop.errors import RuleViolation
from desktop.models import Audit, Case, UserServiceArea
from desktop.qt import QApplication, Qt, QWidget
from desktop.services.audits import lifecycle
from desktop.services.audits.drafts import DraftChanges
from desktop.services.context import ServiceContext
from desktop.services.users import people
from desktop.store import open_store
from desktop.views.audit_form import autosave
from desktop.views.audit_form.form import AuditFormWidget
from desktop.views.audits import AuditsScreen
from desktop.views.window import MainWindow

FIRST = "ra_in_place"
WORDS = ("risk", "plan", "visit", "school", "health", "review", "child", "seen")
WAIT_S = 60
#: The typist's autosave pause and longest wait (the app's are 1 s and 1.5 s), and its
#: own pause now and then, longer than the autosave's. Why shorter: the test counts
#: up to six saves, each a real second or more of typing; what it proves (a kill keeps
#: every save written, whole) does not depend on how long the pause is.
AUTOSAVE_DELAY_MS, AUTOSAVE_MAX_WAIT_MS = 150, 250
PAUSE_S = 0.3


def prepare(path: Path) -> int:
    store = open_store(path, prompt=None)
    try:
        ctx = ServiceContext(store=store)
        auditor = next(p for p in people(ctx) if "auditor" in p.roles)
        with store.read() as session:
            busy = select(Audit.case_id).where(Audit.status.in_(("draft", "reopened")))
            # The auditor's own service areas: the cases their role reaches.
            areas = select(UserServiceArea.service_area_id).where(
                UserServiceArea.user_id == auditor.id)
            candidates = session.scalars(select(Case.id).where(
                Case.rag.in_(("red", "amber")), Case.status == "open",
                Case.id.not_in(busy), Case.service_area_id.in_(areas))
                .order_by(Case.case_ref)).all()
        audit_id = ""
        for case_id in candidates:  # the first not audited within the 28-day gap
            try:
                audit_id = lifecycle.start_audit(
                    ServiceContext(store=store, user_id=auditor.id), case_id,
                    "risk_assessment_rag")
                break
            except RuleViolation:
                continue
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
    if changes.panels is not None:
        state["reason"] = changes.panels.rag_rationale
    for answer in changes.answers:
        if answer.code == FIRST:
            state[FIRST] = answer.value


def field_to_type_in(form: AuditFormWidget, field: str) -> QWidget:
    """The overview, or the disagreement's reason once the keyboard has rated the Red
    case Green (Not rated, Red, Amber, Green: End picks the last)."""
    if field == "overview":
        return form.fields["overview"].control
    rag = form.fields["auditor_rag"].control
    rag.setFocus()
    QTest.keyClick(rag, Qt.Key.Key_End)
    assert form.disagreement.isVisibleTo(form), "the panel did not open"
    return form.disagreement.reason


def type_forever(path: Path, audit_id: str, user_id: str, field: str = "overview") -> int:
    autosave.AUTOSAVE_DELAY_MS = AUTOSAVE_DELAY_MS  # read when the form makes its saver
    autosave.AUTOSAVE_MAX_WAIT_MS = AUTOSAVE_MAX_WAIT_MS
    app = QApplication([sys.argv[0]])
    _window, screen = open_window(app, path, audit_id, user_id)
    form = screen.form
    autosaver = form.autosaver
    assert autosaver is not None
    state: dict[str, object] = {"overview": "", "reason": "", FIRST: None}

    def saved() -> None:
        if autosaver.last_written is not None:
            written(autosaver.last_written, state)
        print("saved", json.dumps(state), flush=True)

    form.saved.connect(saved)
    first = form.fields[FIRST].control
    first.setFocus()
    QTest.keyClick(first, Qt.Key.Key_Down)  # "Met", by the keyboard
    target = field_to_type_in(form, field)
    target.setFocus()
    count = 0
    while True:  # until killed
        count += 1
        QTest.keyClicks(target, f"{WORDS[count % len(WORDS)]}{count} ")
        pause = time.monotonic() + (PAUSE_S if count % 7 == 0 else 0.05)
        while time.monotonic() < pause:
            app.processEvents()
            time.sleep(0.005)


def show(path: Path, audit_id: str, user_id: str) -> int:
    app = QApplication([sys.argv[0]])
    window, screen = open_window(app, path, audit_id, user_id)
    fields = screen.form.fields
    print("shown", json.dumps({"overview": fields["overview"].value(),
                               "reason": screen.form.disagreement.reason.toPlainText(),
                               FIRST: fields[FIRST].value()}), flush=True)
    # Closed as the window-conditions test closes a whole window process: deleted and
    # let go of before the interpreter ends. A full run once saw this child exit with
    # SIGSEGV (-11); 40 runs of it alone did not repeat it.
    window.close()
    window.deleteLater()
    app.processEvents()
    del fields, screen, window
    return 0


if __name__ == "__main__":
    faulthandler.enable()  # a crash of the window prints its threads' stacks, for the test
    mode, db = sys.argv[1], Path(sys.argv[2])
    if mode == "prepare":
        sys.exit(prepare(db))
    if mode == "type":
        sys.exit(type_forever(db, sys.argv[3], sys.argv[4], *sys.argv[5:6]))
    sys.exit(show(db, sys.argv[3], sys.argv[4]))
