"""``python -m desktop.views.screenshots OUT_DIR [--size WxH]``: a PNG of every screen on the
demo county, at each size.

Why a script: the README shows the main screens, and a reviewer (or a person writing
the council's training notes) needs pictures of the real window, not mock-ups. It builds
a small demo county in a throwaway folder (synthetic people only), signs in as an
auditor, draws the week, opens an audit, and saves each screen as the person would see
it. Nothing touches the user's own data folder, settings or keyring.

Why three sizes: a screen that fits a 1920x1080 monitor may cut words on a 1024x700
laptop window; saving each screen at 1024x700, 1366x768 and 1920x1080 shows both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported in take(), after the environment is set
    from desktop.services.users import Person
    from desktop.store import Store
    from desktop.views.window import MainWindow

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


#: The sizes every screen is saved at: the smallest the window is made to fit, a common
#: laptop, and a full HD monitor (issue 23).
SIZES = ((1024, 700), (1366, 768), (1920, 1080))


def parse_size(text: str) -> tuple[int, int]:
    """"1366x768" as (1366, 768); a clear message for anything else."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1366x768")
    size = int(width), int(height)
    if min(size) < 200:
        raise argparse.ArgumentTypeError(f"'{text}' is too small for the window")
    return size


def size_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _save(window: object, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    window.grab().save(str(path))  # type: ignore[attr-defined]
    return path


class _AllTaken(Exception):
    """Every screen asked for is saved: the steps after it need not run."""


def take(folder: Path, sizes: Sequence[tuple[int, int]] = SIZES,
         only: Collection[str] = (), cases: int = CASES) -> list[Path]:
    """Build the demo county, drive the window through each screen, save the PNGs.

    Each screen is saved at every size in ``sizes``, in a folder per size
    (``folder/1366x768/03-audit-form.png``); the window is resized, not rebuilt, so the
    screens show the same data at each size. ``only``: the names to save (all when
    empty); the steps before them still run, as the screens depend on them, and the
    steps after the last of them do not. ``cases``: the demo county's size.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="dipsample-screens-"))
    os.environ["DIPSAMPLE_HOME"] = str(work / "home")
    from desktop.qt import QApplication, QSettings
    from desktop.services.context import ServiceContext
    from desktop.services.demo_county import build_demo_county
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
    build_demo_county(ctx, cases=cases, seed=7, as_of=AS_OF)
    everyone = people(ctx)
    auditor = next(p for p in everyone if "auditor" in p.roles)
    qa = next(p for p in everyone if "qa" in p.roles)

    window = MainWindow(store.path)
    window.clock = lambda: NOW
    window.resize(*sizes[0])
    window.show()
    window.open_database(store)
    window.act_as(auditor)
    saved: list[Path] = []

    def shot(name: str, before: Callable[[], object] | None = None) -> None:
        if before is not None:
            before()
        _settle(app, window)
        if only and name not in only:
            return
        for size in sizes:
            window.resize(*size)
            _settle(app, window, quiet_ms=150)
            saved.append(_save(window, folder / size_name(size), name))
        window.resize(*sizes[0])
        if only and {p.stem for p in saved} >= set(only):
            raise _AllTaken

    try:
        _drive(window, store, auditor, qa, shot, lambda: _settle(app, window))
    except _AllTaken:
        pass
    finally:
        window.close()
        window.tasks.shutdown(wait=True)
        shutil.rmtree(work, ignore_errors=True)  # the throwaway county
    return saved


def _drive(window: MainWindow, store: Store, auditor: Person, qa: Person,
           shot: Callable[..., None], settle: Callable[[], None]) -> None:
    """Each screen in turn, as an auditor and then as QA, with what it needs first."""
    from desktop.services.context import ServiceContext
    from desktop.services.escalations import raise_concern
    from desktop.views.cases import CasesScreen
    from desktop.views.moderation import ModerationScreen
    from desktop.views.my_week import MyWeekScreen

    week = window.show_screen("my_week")
    assert isinstance(week, MyWeekScreen)
    shot("01-my-week-empty")
    shot("02-my-week", week.draw_button.click)

    def open_first_audit() -> None:
        week.table.selectRow(0)
        week.open_button.click()

    shot("03-audit-form", open_first_audit)
    cases = window.show_screen("cases")
    assert isinstance(cases, CasesScreen)

    def pick_case() -> None:
        settle()
        cases.table.selectRow(3)

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
    assert isinstance(moderation, ModerationScreen)
    shot("07-moderation", moderation.draw_button.click)
    shot("08-reports", lambda: window.show_screen("reports"))
    shot("09-import", lambda: window.show_screen("import"))
    shot("10-settings", lambda: window.show_screen("settings"))
    shot("11-audits", lambda: window.show_screen("audits"))
    shot("12-qa-dashboard", lambda: window.show_screen("dashboard"))
    shot("13-sync", lambda: window.show_screen("sync"))
    shot("14-exercises", lambda: window.show_screen("exercises"))  # was left out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m desktop.views.screenshots",
        description="Save a PNG of every screen on a throwaway demo county, at each size "
                    "(a folder per size). Set QT_SCALE_FACTOR=1.25 to see 125% scaling.")
    parser.add_argument("out_dir", type=Path, help="the folder for the PNG files")
    parser.add_argument("--size", dest="sizes", type=parse_size, action="append",
                        metavar="WIDTHxHEIGHT",
                        help="a window size in pixels, e.g. 1366x768; repeat for more "
                             "(default: " + ", ".join(size_name(s) for s in SIZES) + ")")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="save only this screen, e.g. 03-audit-form; repeat for more "
                             "(default: every screen)")
    args = parser.parse_args(argv)
    for path in take(args.out_dir, args.sizes or SIZES, args.only):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
