"""Read a JSON settings file from the config folder, creating it with defaults.

Why shared: the practice standards and the sampling quotas are both per-council
settings kept as small JSON files a QA lead (and later the settings screen) can edit;
both need the same "create when missing, refuse unknown keys, say which file" rules.
What the machine-wide policy (desktop/services/policy.py) sets is laid over the file
here, so every reader of a settings file gets the policy's values without knowing it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.errors import EnvironmentProblem


def settings_path(name: str) -> Path:
    return paths.config_dir() / name


def read_settings(path: Path, defaults: dict[str, Any], *, policy: bool = True
                  ) -> dict[str, Any]:
    """The file's settings merged over ``defaults``; writes the defaults when missing.

    ``policy``: lay the machine-wide policy's values for this file over the result (its
    section named by the file, e.g. ``[standards]`` for ``standards.json``). Only saving
    reads without it, so that a person's file never takes on the policy's values.

    Raises:
        EnvironmentProblem: the file is not JSON, not an object, or names a setting
            that does not exist (a typo would otherwise be silently ignored).
    """
    merged = _read_own(path, defaults)
    if policy:
        from desktop.services.policy import current_policy  # it reads the forms of this

        for key, value in current_policy().values_for(path.name).items():
            set_setting(merged, key, copy_value(value))
    return merged


def _read_own(path: Path, defaults: dict[str, Any]) -> dict[str, Any]:
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


def get_setting(data: Mapping[str, Any], key: str) -> Any:
    """The value of a dotted key ("visit_days.red"); None when it is not there."""
    value: Any = data
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def set_setting(data: dict[str, Any], key: str, value: Any) -> None:
    """Set a dotted key, making the tables on the way when they are missing."""
    *parents, last = key.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, dict):
            child = data[part] = {}
        data = child
    data[last] = value


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of nested settings by its dotted key; a list is one leaf."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def copy_value(value: Any) -> Any:
    """A copy of nested settings that shares no dict or list with ``value``."""
    if isinstance(value, Mapping):
        return {k: copy_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [copy_value(v) for v in value]
    return value


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
