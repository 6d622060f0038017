"""The benchmark runner cannot hang: a window that never opens fails by its deadline.

Why: on a machine where ``DIPSAMPLE_PASSPHRASE`` held the person's own passphrase, the
GUI benchmarks' window met a wrong key, showed a message nobody answered, and the
runner waited for ever (its wait looked at the deadline only when the event loop
returned). These drive the real runner and the real window; nothing is timed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from benchmarks.__main__ import run
from benchmarks.bench_gui import _Window
from benchmarks.core import Amount, Benchmark, Side, Sides
from benchmarks.stores import PASSPHRASE, create_store
from desktop.qt import QApplication, QDialog, QSettings
from desktop.store import open_store

#: The deadline the failing benchmark is given, in seconds.
DEADLINE = 2.0

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path) -> Iterator[None]:
    """QSettings in this test's folder before and after (the runner moves them)."""
    def here() -> None:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                          str(tmp_path / "settings"))

    here()
    yield
    here()


def _one_side() -> Sides:
    same = Side(lambda: Amount(1.0))
    return Sides(ours=same, baseline=same)


def test_a_window_that_never_opens_fails_within_its_deadline_in_one_line(
        qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A store under a passphrase that is not the benchmarks': the window, given theirs,
    # meets a wrong key and shows a message box nobody will answer.
    path = tmp_path / "elsewhere.db"
    open_store(path, passphrase="not the benchmarks' own", prompt=None, create=True).close()

    @contextmanager
    def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
        window = _Window(path, screens=[], wait_s=DEADLINE)
        try:
            yield _one_side()
        finally:
            window.close()

    began = time.monotonic()
    code = run([Benchmark("window_never_opens", 1.0, setup)], quick=True, repeats=1,
               as_json=False)
    took = time.monotonic() - began
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[2:] == ["window_never_opens             FAILED  WaitExpired: the window "
                         "opening its store did not happen within 2 s"]
    assert DEADLINE <= took < DEADLINE + 20
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QDialog) and w.isVisible()]


def test_the_window_opens_under_the_benchmarks_passphrase_whatever_the_environment_holds(
        qtbot: QtBot, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "anything")
    monkeypatch.setenv("DIPSAMPLE_HOME", "/nonexistent/the person's own home")
    seen: dict[str, str] = {}

    @contextmanager
    def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
        path = workdir / "bench.db"
        create_store(path).close()
        window = _Window(path, screens=[], wait_s=60)
        try:
            seen["passphrase"] = os.environ["DIPSAMPLE_PASSPHRASE"]
            seen["settings"] = QSettings().fileName()
            seen["workdir"] = str(workdir)
            yield _one_side()
        finally:
            window.close()

    assert run([Benchmark("window_opens", 1.0, setup)], quick=True, repeats=1,
               as_json=False) == 0
    assert "window_opens" in capsys.readouterr().out.splitlines()[2]
    assert seen["passphrase"] == PASSPHRASE
    assert seen["settings"].startswith(seen["workdir"])  # DIPSAMPLE_HOME moved QSettings
    assert os.environ["DIPSAMPLE_PASSPHRASE"] == "anything"  # put back afterwards
