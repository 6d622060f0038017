"""On Linux, a missing system library of Qt's X11 plugin is named as a package to install.

Why: since Qt 6.5 the xcb plugin needs libxcb-cursor0, which a stock Debian or Ubuntu
desktop lacks; Qt then prints "Could not load the Qt platform plugin 'xcb'" and aborts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.views.app import XCB_LIBRARIES, _loads, missing_xcb_package, unreachable_display

ROOT = Path(__file__).resolve().parents[3]


def start(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A real ``python ARGS`` asked for the X11 window: no Wayland, no other platform
    unless ``env`` names one, its data under ``home``."""
    changed = {**os.environ, "DIPSAMPLE_HOME": str(home), **env}
    changed.pop("WAYLAND_DISPLAY", None)
    if "QT_QPA_PLATFORM" not in env:
        changed.pop("QT_QPA_PLATFORM", None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=changed,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_missing_library_is_named_by_its_package() -> None:
    line = missing_xcb_package(lambda soname: soname != "libxcb-cursor.so.0")
    assert line is not None and "\n" not in line
    assert "libxcb-cursor0" in line and "sudo apt install libxcb-cursor0" in line
    assert "Could not load" not in line


def test_the_first_missing_library_in_the_plugins_order() -> None:
    gone = {"libxkbcommon-x11.so.0", "libEGL.so.1"}
    line = missing_xcb_package(lambda soname: soname not in gone)
    assert line is not None and "libxkbcommon-x11-0" in line and "libegl1" not in line


def test_nothing_said_when_every_library_loads() -> None:
    assert missing_xcb_package(lambda soname: True) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux libraries")
def test_the_real_loader_on_this_machine() -> None:
    assert not _loads("libdipsample-no-such-library.so.0")
    assert _loads("libc.so.6")
    missing = [name for name in XCB_LIBRARIES if not _loads(name)]
    assert (missing_xcb_package() is None) == (missing == [])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux libraries")
def test_the_window_stops_with_one_line_before_qt_loads_the_plugin(tmp_path: Path) -> None:
    # A real process asked for the X11 window on a display that does not exist: were
    # Qt to load the plugin, it would abort with its own lines. A library the loader
    # cannot find is put first in the list, so the check must stop it beforehand.
    code = ("import sys\n"
            "import desktop.views.app as app\n"
            "app.XCB_LIBRARIES = {'libxcb-dipsample-missing.so.0': 'libxcb-dipsample0',"
            " **app.XCB_LIBRARIES}\n"
            "from desktop.cli.main import main\n"
            "raise SystemExit(main(['--db', sys.argv[1]]))\n")
    done = start(["-c", code, str(tmp_path / "none.db")], tmp_path, QT_QPA_PLATFORM="xcb",
                 DISPLAY=":97")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "dipsample: the window needs the system package libxcb-dipsample0 "
        "(libxcb-dipsample-missing.so.0 is missing): install it (sudo apt install "
        "libxcb-dipsample0 on Debian or Ubuntu) and start DipSample again; the subcommands "
        "work without it, see dipsample --help"]
    assert not (tmp_path / "none.db").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="an X display")
def test_a_display_nobody_answers_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # Issue 26: DISPLAY=:99 with no such X server made Qt abort (exit 134) with its own
    # lines about plugins. The real command, as a person or a login script starts it.
    if missing_xcb_package() is not None:
        pytest.skip("this machine lacks Qt's X11 libraries: the line names the package")
    if Path("/tmp/.X11-unix/X99").exists():
        pytest.skip("an X server answers on :99 here")
    done = start(["-m", "desktop", "--db", str(tmp_path / "none.db")], tmp_path, DISPLAY=":99")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "dipsample: cannot open the display ':99' named by DISPLAY: no X server answered "
        "there, or it refused this program (its authorisation); start DipSample from the "
        "desktop session, or set DISPLAY to a display that exists; the subcommands work "
        "without one, see dipsample --help"]
    assert not (tmp_path / "none.db").exists()


def test_a_display_name_that_is_no_name_is_said_so() -> None:
    line = unreachable_display("no-such-display-name")
    assert line is not None and "is not a display name" in line
