"""Every folder the application uses, resolved in one place.

Why one module: tests, the installer and a developer checkout all need to move the
data somewhere else, and that only works if nothing else builds a path itself.
``DIPSAMPLE_HOME`` moves everything under one folder (tests, portable installs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "DipSample"
APP_AUTHOR = "DipSample"

#: The repository's (or installed package's) resources folder: templates, mappings.
RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def _home_override() -> Path | None:
    value = os.environ.get("DIPSAMPLE_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Where the local encrypted store and its backups live (never a network share)."""
    home = _home_override()
    path = home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Per-user settings such as the practice standards file."""
    home = _home_override()
    path = home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


#: Moves the machine-wide policy folder (tests, and IT trying a policy before deploying it).
POLICY_DIR_ENV = "DIPSAMPLE_POLICY_DIR"


def system_config_dir() -> Path:
    """The machine-wide folder IT puts ``policy.toml`` in; never created by the app.

    Why not platformdirs' site folder: on Linux that is ``/etc/xdg/DipSample``, where no
    IT team would look; these are the folders each platform's administrators know:
    ``%ProgramData%\\DipSample``, ``/Library/Application Support/DipSample``,
    ``/etc/dipsample``. Only administrators may write there (installer/README.md says
    how to make sure of it on Windows, where ProgramData lets users add files).
    """
    override = os.environ.get(POLICY_DIR_ENV)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA") or r"C:\ProgramData") / APP_NAME
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME
    return Path("/etc/dipsample")


def window_settings_dir() -> Path | None:
    """Where the window keeps its layout and the last person signed in (QSettings), when
    ``DIPSAMPLE_HOME`` moves it: ``FOLDER/config``; None means Qt's own place (the
    registry, a plist, ``~/.config/DipSample/DipSample.conf``).

    Why: without it every test run, benchmark and portable install with its own home
    still read and wrote the person's own window settings.
    """
    home = _home_override()
    return config_dir() if home else None


def log_dir() -> Path:
    home = _home_override()
    path = home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "dipsample.db"


def resource(*parts: str) -> Path:
    """A file shipped with the application, e.g. ``resource("mappings", "mosaic.json")``."""
    return RESOURCES.joinpath(*parts)
