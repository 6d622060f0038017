"""Read a JSON settings file from the config folder, creating it with defaults.

Why shared: the practice standards and the sampling quotas are both per-council
settings kept as small JSON files a QA lead (and later the settings screen) can edit;
both need the same "create when missing, refuse unknown keys, say which file" rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.errors import EnvironmentProblem


def settings_path(name: str) -> Path:
    return paths.config_dir() / name


def read_settings(path: Path, defaults: dict[str, Any]) -> dict[str, Any]:
    """The file's settings merged over ``defaults``; writes the defaults when missing.

    Raises:
        EnvironmentProblem: the file is not JSON, not an object, or names a setting
            that does not exist (a typo would otherwise be silently ignored).
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(defaults, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return json.loads(json.dumps(defaults))
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentProblem(f"{path.name} cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise EnvironmentProblem(
            f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    if not isinstance(loaded, dict):
        raise EnvironmentProblem(f"{path.name} must hold a JSON object of settings")
    unknown = sorted(set(loaded) - set(defaults))
    if unknown:
        raise EnvironmentProblem(f"{path.name}: unknown setting '{unknown[0]}'")
    merged = json.loads(json.dumps(defaults))
    merged.update(loaded)
    return merged


class SettingProblem(EnvironmentProblem):
    """One setting's value is refused.

    Attributes:
        key: the setting, dotted for a nested one ("visit_days.red").
        why: what the value must be, a phrase ("must be a whole number above 0"), so that
            the settings screen can show it beside the field.
    """

    def __init__(self, message: str, key: str, why: str) -> None:
        super().__init__(message)
        self.key = key
        self.why = why


def problem(path_name: str, key: str, why: str) -> EnvironmentProblem:
    return SettingProblem(f"{path_name}: setting '{key}' {why}", key, why)


def write_settings(path: Path, data: dict[str, Any]) -> None:
    """Write a settings file the way :func:`read_settings` creates it, replacing it whole.

    Why through a temporary file: a crash half-way must not leave a file that no longer
    parses, which would stop every command that reads it.

    Raises:
        EnvironmentProblem: the file cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    try:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n",
                             encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        raise EnvironmentProblem(f"{path.name} cannot be written: {exc.strerror}") from None
