"""``python -m desktop.views.screenshots OUT_DIR``: a PNG of every screen on the demo county.

Why a script: the README shows the main screens, and a reviewer (or a person writing
the council's training notes) needs pictures of the real window, not mock-ups. It builds
a small demo county in a throwaway folder (synthetic people only), signs in as an
auditor, draws the week, opens an audit, and saves each screen as the person would see
it. Nothing touches the user's own data folder, settings or keyring.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

#: The demo county's "today": the screens show dates that agree with each other.
AS_OF = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
CASES = 3_000
PASSPHRASE = "screenshots-only-passphrase"


def _settle(app: object, window: object, quiet_ms: int = 400, timeout_s: float = 60) -> None:
    """Let the worker finish and the window repaint: idle for ``quiet_ms`` in a row."""
    tasks = window.tasks  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout_s
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if tasks.busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
            return
        time.sleep(0.01)


def _save(window: object, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    window.grab().save(str(path))  # type: ignore[attr-defined]
    return path


def take(folder: Path) -> list[Path]:
    """Build the demo county, drive the window through each screen, save the PNGs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="dipsample-screens-"))
    os.environ["DIPSAMPLE_HOME"] = str(work / "home")
    from desktop.qt import QApplication, QSettings
    from desktop.services.context import ServiceContext
    from desktop.services.demo_county import build_demo_county
    from desktop.services.escalations import raise_concern
    from desktop.services.users import people
    from desktop.store import open_store
    from desktop.views.collector import install as install_collector
    from desktop.views.window import MainWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(work / "settings"))
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("DipSample")
    install_collector(app)
    store = open_store(work / "demo.db", passphrase=PASSPHRASE, prompt=None, create=True)
    ctx = ServiceContext(store=store, clock=lambda: NOW)
    build_demo_county(ctx, cases=CASES, seed=7, as_of=AS_OF)
    everyone = people(ctx)
    auditor = next(p for p in everyone if "auditor" in p.roles)
    qa = next(p for p in everyone if "qa" in p.roles)

    window = MainWindow(store.path)
    window.clock = lambda: NOW
    window.resize(1440, 900)
    window.show()
    window.open_database(store)
    window.act_as(auditor)
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def shot(name: str, before: Callable[[], object] | None = None) -> None:
        if before is not None:
            before()
        _settle(app, window)
        saved.append(_save(window, folder, name))

    week = window.show_screen("my_week")
    shot("01-my-week-empty")
    shot("02-my-week", week.draw_button.click)  # type: ignore[attr-defined]

    def open_first_audit() -> None:
        week.table.selectRow(0)  # type: ignore[attr-defined]
        week.open_button.click()  # type: ignore[attr-defined]

    shot("03-audit-form", open_first_audit)
    cases = window.show_screen("cases")

    def pick_case() -> None:
        _settle(app, window)
        cases.table.selectRow(3)  # type: ignore[attr-defined]

    shot("04-cases", pick_case)
    # A concern of significant harm, so that the Disagreements and escalations screen
    # has something open: raised through the service as the form's switch would, on an
    # open case the auditor may see (an auditor sees the cases of their own areas).
    from desktop.services.case_list import CaseQuery, list_cases

    as_auditor = ServiceContext(store=store, user_id=auditor.id, clock=lambda: NOW)
    case_id = list_cases(as_auditor, CaseQuery(open_only=True)).ids[0]
    raise_concern(as_auditor, case_id, "Synthetic concern for the screenshot.")
    from desktop.models import Escalation
    from desktop.services.change_sets import ChangeSet

    window.changed(ChangeSet.of(Escalation))  # written outside the window's own tasks
    shot("05-actions", lambda: window.show_screen("actions"))
    shot("06-disagreements-and-escalations", lambda: window.show_screen("concerns"))
    window.act_as(qa)
    moderation = window.show_screen("moderation")
    shot("07-moderation", moderation.draw_button.click)  # type: ignore[attr-defined]
    shot("08-reports", lambda: window.show_screen("reports"))
    shot("09-import", lambda: window.show_screen("import"))
    shot("10-settings", lambda: window.show_screen("settings"))
    shot("11-audits", lambda: window.show_screen("audits"))
    shot("12-qa-dashboard", lambda: window.show_screen("dashboard"))
    shot("13-sync", lambda: window.show_screen("sync"))
    window.close()
    window.tasks.shutdown(wait=True)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.views.screenshots",
                                     description="Save a PNG of every screen on the demo "
                                                 "county.")
    parser.add_argument("out_dir", type=Path, help="the folder for the PNG files")
    args = parser.parse_args(argv)
    for path in take(args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
