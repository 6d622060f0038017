"""The bundle leaves out the Qt parts the window never loads, and what only they needed.

Why (issue 26): the Linux bundle was 311 MB, carrying Qt Quick and QML (the virtual
keyboard's plugin), GTK 3 (the GTK platform theme) and Qt's translations. The real
build (installer/build-linux.sh) checks the result; these check the rules it applies.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from installer.bundle_slim import EXCLUDED_MODULES, reachable, slim, unused

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("destination", [
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/translations/qt_fr.qm",  # Windows and macOS: no Qt/ folder
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "PySide6/plugins/platforminputcontexts/qtvirtualkeyboardplugin.dll",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so",
    "PySide6\\plugins\\tls\\qschannelbackend.dll",
])
def test_what_the_window_never_loads_is_left_out(destination: str) -> None:
    assert unused(destination)


@pytest.mark.parametrize("destination", [
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/plugins/platforms/qwindows.dll",
    "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
    "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "resources/fonts/DejaVuSans.ttf",
])
def test_what_the_window_uses_stays(destination: str) -> None:
    assert not unused(destination)


def test_the_qt_modules_the_window_imports_are_not_excluded() -> None:
    qt = (ROOT / "desktop" / "qt.py").read_text("utf-8")
    imported = qt.split("from PySide6 import ", 1)[1].split("\n", 1)[0].split(", ")
    assert imported and not {f"PySide6.{m.strip()}" for m in imported} & set(EXCLUDED_MODULES)


def test_only_libraries_something_kept_links_to_stay() -> None:
    links = {
        "/src/libqxcb.so": ["libQt6XcbQpa.so.6", "libc.so.6"],
        "/src/libQt6XcbQpa.so.6": ["libQt6Gui.so.6", "libxcb-cursor.so.0"],
        "/src/libQt6Gui.so.6": ["libQt6Core.so.6"],
        "/src/QtCore.abi3.so": ["libQt6Core.so.6"],
        "/src/libgtk-3.so.0": ["libgdk-3.so.0"],  # only the GTK theme linked to it
    }
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PySide6/QtCore.abi3.so", "/src/QtCore.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libxcb-cursor.so.0", "/src/libxcb-cursor.so.0", "BINARY"),
        ("libgtk-3.so.0", "/src/libgtk-3.so.0", "BINARY"),
        ("libgdk-3.so.0", "/src/libgdk-3.so.0", "BINARY"),
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("libpython3.11.so.1.0", "/src/libpython3.11.so.1.0", "BINARY"),
    ]
    kept = reachable(binaries, lambda source: links.get(source, []))
    assert {entry[0] for entry in kept} == {
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/QtCore.abi3.so",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Core.so.6", "libQt6Core.so.6", "libxcb-cursor.so.0",
        "libpython3.11.so.1.0"}


def test_pruning_is_asked_for_with_the_links() -> None:
    with pytest.raises(ValueError, match="imports"):
        slim([], [], prune=True)
    binaries = [("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/gtk", "BINARY")]
    datas = [("PySide6/Qt/translations/qt_de.qm", "/src/de", "DATA"),
             ("resources/templates/t.toml", "/src/t", "DATA")]
    assert slim(binaries, datas, prune=False) == ([], [datas[1]])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF libraries")
def test_the_real_xcb_plugin_keeps_its_libraries_and_not_qt_quick() -> None:
    pytest.importorskip("PyInstaller", reason="the build extra is not installed")
    import PySide6

    from installer.bundle_slim import elf_imports

    qt = Path(PySide6.__file__).parent / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    libraries = [(f"PySide6/Qt/lib/{p.name}", str(p), "BINARY")
                 for p in sorted((qt / "lib").glob("libQt6*.so.6"))]
    kept = {e[0] for e in reachable(
        [("PySide6/Qt/plugins/platforms/libqxcb.so", str(plugin), "BINARY"), *libraries],
        elf_imports)}
    assert {"PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6Gui.so.6",
            "PySide6/Qt/lib/libQt6Core.so.6"} <= kept
    assert "PySide6/Qt/lib/libQt6Quick.so.6" not in kept
