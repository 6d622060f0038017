"""What the bundle leaves out: Qt parts the window never loads, and libraries only they need.

Why (issue 26): PyInstaller's Qt hooks collect every plugin of each Qt module used, and
each plugin's libraries with it. The window uses Qt Widgets (with Charts, PDF and
printing) only, yet the Linux bundle carried Qt Quick and QML (pulled in by the virtual
keyboard's input plugin), GTK 3 and its tree of libraries (the GTK platform theme),
embedded-Linux platforms and input plugins, TLS and network-information plugins (Qt's
own networking, which the app does not use), 7 MB of Qt translations (the app installs
no translator: its text is English), and Pillow's image codecs that reportlab never
calls. Leaving a plugin out is not enough: the libraries it alone needed stay in the
analysis, so on Linux :func:`reachable` then keeps only the libraries something kept
still links to.

The spec (``dipsample.spec``) applies :func:`slim` to the analysis' binaries and data
files; the names here are destination paths inside the bundle, with ``/`` on every
platform (Windows and macOS place PySide6's plugins and translations without the
``Qt/`` folder, hence the ``*``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase

#: Python modules the analysis must not follow: Qt modules the window does not import
#: (PyInstaller's hooks add QtOpenGL, 8.5 MB, and QtNetwork for Charts and PDF, whose C++
#: libraries stay because those link to them), QML, Pillow's codecs beyond the core
#: reportlab imports, and the syntax highlighter Mako would use for its error pages.
EXCLUDED_MODULES = [
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtNetwork", "PySide6.QtDBus",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtSvg",
    "PIL._avif", "PIL._webp", "PIL._imagingtk", "PIL._imagingft", "PIL._imagingcms",
    "PIL.ImageTk", "PIL.ImageQt", "PIL.AvifImagePlugin", "PIL.WebPImagePlugin",
    "pygments",
]

#: Destination paths (fnmatch patterns, ``/`` separators) of plugins and data files the
#: window never loads.
UNUSED = [
    "PySide6/*translations/*",
    # The GTK 3 platform theme: it pulls in GTK, GDK, Cairo, Pango and ATK (about 20 MB).
    "PySide6/*plugins/platformthemes/*gtk3*",
    # The virtual keyboard: it pulls in Qt Quick and QML (about 17 MB).
    "PySide6/*plugins/platforminputcontexts/*virtualkeyboard*",
    # Platforms for embedded devices and remote framebuffers; xcb, Wayland, Windows,
    # Cocoa, offscreen and minimal stay.
    "PySide6/*plugins/platforms/*qeglfs*", "PySide6/*plugins/platforms/*qlinuxfb*",
    "PySide6/*plugins/platforms/*qminimalegl*", "PySide6/*plugins/platforms/*qvkkhrdisplay*",
    "PySide6/*plugins/platforms/*qvnc*", "PySide6/*plugins/platforms/*qdirect2d*",
    "PySide6/*plugins/egldeviceintegrations/*", "PySide6/*plugins/generic/*",
    # Qt's own networking: nothing in the app uses QtNetwork.
    "PySide6/*plugins/tls/*", "PySide6/*plugins/networkinformation/*",
]

#: Libraries kept whatever links to them: the interpreter (the program loads it, no
#: library names it).
ALWAYS = ["libpython*"]

Entry = tuple[str, str, str]  # (destination, source, type code), as PyInstaller's TOC


def unused(destination: str) -> bool:
    path = destination.replace("\\", "/")
    return any(fnmatchcase(path, pattern) for pattern in UNUSED)


def _is_library(entry: Entry) -> bool:
    """A shared library others link to (not a plugin, not a Python extension)."""
    destination, _source, code = entry
    name = os.path.basename(destination)
    return (code in ("BINARY", "SYMLINK") and name.startswith("lib") and ".so" in name
            and "/plugins/" not in destination.replace("\\", "/"))


def reachable(binaries: Iterable[Entry],
              imports: Callable[[str], Iterable[str]]) -> list[Entry]:
    """``binaries`` without the libraries nothing kept links to, directly or not.

    ``imports(source)`` names the libraries a file links to (its ELF ``DT_NEEDED``).
    Everything that is not a library (Python extensions, Qt plugins) is a root.
    """
    entries = list(binaries)
    libraries = {os.path.basename(e[0]): e for e in entries
                 if _is_library(e) and e[2] == "BINARY"}
    needed = {name for name in libraries
              if any(fnmatchcase(name, pattern) for pattern in ALWAYS)}
    todo = [e[1] for e in entries if not _is_library(e)]
    todo += [libraries[name][1] for name in needed]
    while todo:
        for name in imports(todo.pop()):
            base = os.path.basename(name)
            if base not in needed:
                needed.add(base)
                if base in libraries:
                    todo.append(libraries[base][1])
    return [e for e in entries if not _is_library(e) or os.path.basename(e[0]) in needed]


def slim(binaries: Iterable[Entry], datas: Iterable[Entry], *, prune: bool,
         imports: Callable[[str], Iterable[str]] | None = None
         ) -> tuple[list[Entry], list[Entry]]:
    """The analysis' binaries and data files without :data:`UNUSED`; with ``prune``
    (Linux), without the libraries only those needed (:func:`reachable`)."""
    kept = [e for e in binaries if not unused(e[0])]
    if prune:
        if imports is None:
            raise ValueError("pruning needs the imports of a binary")
        kept = reachable(kept, imports)
    return kept, [e for e in datas if not unused(e[0])]


def elf_imports(source: str) -> list[str]:
    """The libraries ``source`` links to, as PyInstaller reads them."""
    from PyInstaller.depend.bindepend import get_imports  # type: ignore[import-untyped]

    return [name for name, _path in get_imports(source)]
