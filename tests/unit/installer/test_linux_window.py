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

from desktop.views.app import XCB_LIBRARIES, _loads, missing_xcb_package

ROOT = Path(__file__).resolve().parents[3]


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
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":97"}
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "none.db")],
                          cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "dipsample: the window needs the system package libxcb-dipsample0 "
        "(libxcb-dipsample-missing.so.0 is missing): install it (sudo apt install "
        "libxcb-dipsample0 on Debian or Ubuntu) and start DipSample again; the subcommands "
        "work without it, see dipsample --help"]
    assert not (tmp_path / "none.db").exists()
