"""Start the desktop window: ``dipsample`` with no subcommand, or ``demo --open``.

Why an exception hook: an exception in a Qt slot does not stop the program; PySide
prints it to stderr, where nobody looks and which may hold case data. Here it is logged
and the person sees one plain line in a message box, never a traceback.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from desktop import paths
from desktop.errors import EnvironmentProblem
from desktop.qt import QApplication, QSettings
from desktop.store import Store
from desktop.views.collector import install as install_collector
from desktop.views.wheel_guard import install as install_wheel_guard
from desktop.views.window import MainWindow
from desktop.views.worker import show_error

log = logging.getLogger(__name__)


def _check_display() -> None:
    """Qt aborts the process without a display; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise EnvironmentProblem(
            "no display to open the window on (DISPLAY is not set); the subcommands work "
            "without one, see dipsample --help")


#: The system libraries Qt's xcb platform plugin (the X11 window) links against, each
#: with the Debian and Ubuntu package that provides it, in the order the plugin needs
#: them (read from ``readelf -d`` of libqxcb.so and libQt6XcbQpa.so of PySide6 6.11).
#: libxcb-cursor0 comes first: since Qt 6.5 the plugin needs it, and a stock Debian or
#: Ubuntu desktop does not install it.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def _loads(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` as Qt's plugin would (same search)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_package(loads: Callable[[str], bool] = _loads) -> str | None:
    """One line naming the first system package the X11 window lacks, or None.

    Why before Qt loads the plugin: without libxcb-cursor0 Qt prints six lines ending
    in "Could not load the Qt platform plugin 'xcb'" and aborts the process, which
    names neither the package nor the fix.
    """
    for soname, package in XCB_LIBRARIES.items():
        if not loads(soname):
            return (f"the window needs the system package {package} ({soname} is missing): "
                    f"install it (sudo apt install {package} on Debian or Ubuntu) and start "
                    "DipSample again; the subcommands work without it, see dipsample --help")
    return None


def _uses_xcb() -> bool:
    """Whether Qt will try the xcb plugin: Linux, an X display, no other platform asked
    for, and not a Wayland session (where Qt picks its Wayland plugin first)."""
    if not sys.platform.startswith("linux"):
        return False
    asked = os.environ.get("QT_QPA_PLATFORM", "")
    if asked:
        return asked.split(";")[0].split(":")[0] == "xcb"
    if os.environ.get("WAYLAND_DISPLAY"):
        return False
    return bool(os.environ.get("DISPLAY"))


def _check_xcb() -> None:
    if _uses_xcb():
        problem = missing_xcb_package()
        if problem is not None:
            raise EnvironmentProblem(problem)
        problem = unreachable_display(os.environ.get("DISPLAY", ""))
        if problem is not None:
            raise EnvironmentProblem(problem)


#: Why ``xcb_connect`` failed, by its error code (xcb.h's XCB_CONN_* values).
_XCB_ERRORS = {
    1: "no X server answered there, or it refused this program (its authorisation)",
    2: "the X server lacks an extension the window needs",
    3: "there was not enough memory to connect",
    5: "it is not a display name (expected something like :0)",
    6: "the display has no such screen",
}


def unreachable_display(display: str) -> str | None:
    """One line naming why the X display ``display`` cannot be opened, or None if it can.

    Why before Qt: Qt's xcb plugin, given a display that does not answer (``DISPLAY=:99``
    with no such X server, an SSH session whose forwarding ended), prints five lines
    about plugins and aborts the process (exit 134). The same library Qt uses
    (libxcb) is asked here, connecting and at once disconnecting, so the window says
    which display and why, and exits 2.
    """
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None  # named by missing_xcb_package
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode() or None, None)
    try:
        error = int(xcb.xcb_connection_has_error(connection)) if connection else 1
    finally:
        if connection:
            xcb.xcb_disconnect(connection)
    if error == 0:
        return None
    why = _XCB_ERRORS.get(error, f"the connection failed (xcb error {error})")
    which = f"the display {display!r} named by DISPLAY" if display else (
        "an X display: DISPLAY is not set")
    return (f"cannot open {which}: {why}; start DipSample from the desktop session, or set "
            "DISPLAY to a display that exists; the subcommands work without one, see "
            "dipsample --help")


def use_settings_folder() -> None:
    """Keep QSettings under ``DIPSAMPLE_HOME``'s config folder when it is set.

    Call before the first ``QSettings()`` of a window: the folder applies to the
    settings made after it. An INI file there (``DipSample/DipSample.ini``) replaces the
    registry or plist, so a moved home moves everything (``paths.window_settings_dir``).
    """
    folder = paths.window_settings_dir()
    if folder is None:
        return
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


def run_gui(db_path: Path | None, *, store: Store | None = None) -> int:
    """Show the main window on ``db_path`` (default: the user data folder) until it closes.

    ``store`` is an already open store (``demo --open`` built the county into it), so
    that a passphrase typed once is not asked for again.
    """
    if QApplication.instance() is None:
        try:
            _check_display()
            _check_xcb()
        except BaseException:
            if store is not None:
                store.close()
            raise
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "dipsample"])
    app.setApplicationName("DipSample")
    app.setOrganizationName("DipSample")
    use_settings_folder()
    install_collector(app)
    install_wheel_guard(app)  # before the window: its controls are polished as built
    window = MainWindow(Path(db_path) if db_path else paths.default_db_path(), sign_in=True,
                        defer_screens=True)

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            window.close()
            return
        log.error("unexpected error in the window", exc_info=(kind, error, trace))
        show_error(window, error)

    previous = sys.excepthook
    sys.excepthook = hook
    try:
        window.show_fitted()
        window.open_database(store)
        return int(app.exec())
    finally:
        sys.excepthook = previous
