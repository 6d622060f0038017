"""The machine-wide policy: settings IT sets once for every person on a computer.

Why a file in the system configuration folder (``policy.toml`` in
:func:`desktop.paths.system_config_dir`): a council's IT team preconfigures hundreds of
laptops with the tools they already use (Intune, Group Policy, Jamf, Ansible) by
copying one file, and only administrators can write there. What it sets wins over each
person's own settings and is shown locked in Settings; ``dipsample check`` says where
every setting came from.

The file mirrors the settings files: ``[standards]``, ``[sampling]`` and ``[workflow]``
hold the keys of ``standards.json``, ``sampling.json`` and ``workflow.json`` (nested
ones dotted or as tables), and three sections set what has no file of its own:
``[sync] target``, ``[templates] folder`` and ``[lock] idle_minutes``.

What a bad file does, decided as a council's IT team would expect (the way browsers
treat managed policies): a file that is not TOML, or cannot be read, is set aside
whole, since nothing in it can be trusted; in a file that parses, a setting with an
unknown name or a value the setting's own rules refuse is set aside alone, and the
others apply. A setting set aside falls back to the person's own value (or the
default). Each problem is one line naming the file, the setting and the reason: in
``dipsample check`` (which then reports problems, exit 1), on the Settings screen and
in the log. The application always opens.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.errors import InputProblem
from desktop.services.standards.settings_file import (
    SettingProblem,
    copy_value,
    flatten,
    set_setting,
)

log = logging.getLogger("dipsample")

FILE_NAME = "policy.toml"
#: What a locked field says beside it.
LOCKED_NOTE = "Set by your IT team's policy"

#: Policy section -> the settings file whose keys it holds.
FILE_SECTIONS = {"standards": "standards.json", "sampling": "sampling.json",
                 "workflow": "workflow.json"}
SYNC, TEMPLATES, LOCK = "sync", "templates", "lock"
#: The sections that set one thing each, and their one key.
OWN_KEYS = {SYNC: "target", TEMPLATES: "folder", LOCK: "idle_minutes"}
DEFAULT_IDLE_MINUTES = 10.0
IDLE_MINUTES_ENV = "DIPSAMPLE_IDLE_MINUTES"
#: The sync target's prefixes, as desktop.sync.status keeps a target.
FOLDER_PREFIX, DATABASE_PREFIX = "folder:", "database:"


class Source(StrEnum):
    """Where a setting's value came from, as ``dipsample check`` names it."""

    POLICY = "policy file"
    USER = "user settings"
    ENVIRONMENT = "environment variable"
    DEFAULT = "default"
    STORE = "chosen on this computer"
    NOT_SET = "not set"


@dataclass(frozen=True)
class Policy:
    """The policy file as read, with only the settings that passed their checks.

    Attributes:
        path: where the file is (or would be).
        found: the file exists.
        values: section -> dotted key -> value, every one checked.
        problems: one line each, naming the file; empty when all is well.
    """

    path: Path
    found: bool = False
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def values_for(self, file_name: str) -> Mapping[str, Any]:
        """What the policy sets in the settings file ``file_name`` (dotted keys)."""
        section = next((s for s, f in FILE_SECTIONS.items() if f == file_name), "")
        return self.values.get(section, {})

    def locked(self, file_name: str) -> frozenset[str]:
        return frozenset(self.values_for(file_name))

    @property
    def count(self) -> int:
        """How many settings the policy sets."""
        return sum(len(v) for v in self.values.values())

    @property
    def sync_target(self) -> str:
        """The target as the store keeps one ("folder:PATH", "database:URL"), or ""."""
        return str(self.values.get(SYNC, {}).get(OWN_KEYS[SYNC], ""))

    @property
    def templates_folder(self) -> Path | None:
        folder = self.values.get(TEMPLATES, {}).get(OWN_KEYS[TEMPLATES])
        return Path(folder) if folder else None

    @property
    def idle_minutes(self) -> float | None:
        minutes = self.values.get(LOCK, {}).get(OWN_KEYS[LOCK])
        return float(minutes) if minutes is not None else None

    def problem_line(self) -> str:
        """The first problem, and how many more: one line for a banner; "" when none."""
        if not self.problems:
            return ""
        more = len(self.problems) - 1
        return self.problems[0] + (f" (and {more} more problem{'s' * (more > 1)}: "
                                   "'dipsample check' lists them)" if more else "")


def policy_path() -> Path:
    return paths.system_config_dir() / FILE_NAME


_cache: tuple[tuple[str, int, int], Policy] | None = None


def current_policy() -> Policy:
    """The policy in force now; read again only when the file changes.

    Why cached on the file's size and time: every settings read asks for it, and the
    file is on the local disk, so one ``stat`` per read keeps a changed policy in force
    at the next read without parsing it each time.
    """
    global _cache
    path = policy_path()
    try:
        status = path.stat()
        stamp = (str(path), status.st_mtime_ns, status.st_size)
    except OSError:
        stamp = (str(path), -1, -1)
    if _cache is not None and _cache[0] == stamp:
        return _cache[1]
    policy = read_policy(path)
    for problem in policy.problems:
        log.warning("policy: %s", problem)
    _cache = (stamp, policy)
    return policy


def read_policy(path: Path) -> Policy:
    """The policy in ``path``, each setting checked; never raises (see the module)."""
    if not path.is_file():
        return Policy(path, found=path.exists(), problems=(
            (f"{path}: is not a file; none of its settings are applied",)
            if path.exists() else ()))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Policy(path, True, problems=(
            f"{path}: cannot be read ({reason}); none of its settings are applied",))
    except tomllib.TOMLDecodeError as exc:
        return Policy(path, True, problems=(
            f"{path}: is not valid TOML ({exc}); none of its settings are applied",))
    values: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for section, table in data.items():
        if not isinstance(table, dict):
            problems.append(f"{path}: '{section}' must be inside a section such as "
                            "[standards]; it is ignored")
        elif section in FILE_SECTIONS:
            values[section] = _file_section(path, section, table, problems)
        elif section in OWN_KEYS:
            values[section] = _own_section(path, section, table, problems)
        else:
            known = ", ".join(f"[{s}]" for s in (*FILE_SECTIONS, *OWN_KEYS))
            problems.append(f"{path}: unknown section [{section}] (known: {known}); "
                            "it is ignored")
    return Policy(path, True, {k: v for k, v in values.items() if v}, tuple(problems))


def _file_section(path: Path, section: str, table: dict[str, Any], problems: list[str]
                  ) -> dict[str, Any]:
    """The section's settings that the settings file's own rules accept, one by one."""
    from desktop.services.standards.settings_form import FORMS  # the forms read the policy

    form = next(f for f in FORMS if f.file_name == FILE_SECTIONS[section])
    defaults = form.defaults()
    known = flatten(defaults)
    accepted: dict[str, Any] = {}
    for key, value in flatten(table).items():
        where = f"{path}: [{section}] {key}"
        if key not in known:
            parts = sorted(k[len(key) + 1:] for k in known if k.startswith(key + "."))
            problems.append(f"{where} must be a table of {', '.join(parts)}; it is ignored"
                            if parts else f"{where} is not a setting; it is ignored")
            continue
        trial = copy_value(defaults)
        set_setting(trial, key, copy_value(value))
        try:
            form.parse(trial, str(path))
        except SettingProblem as problem:
            problems.append(f"{where} {problem.why}; it is ignored")
            continue
        except (KeyError, TypeError, ValueError):
            problems.append(f"{where} is not a value this setting takes; it is ignored")
            continue
        accepted[key] = copy_value(value)
    return accepted


def _own_section(path: Path, section: str, table: dict[str, Any], problems: list[str]
                 ) -> dict[str, Any]:
    key = OWN_KEYS[section]
    for other in sorted(set(table) - {key}):
        problems.append(f"{path}: [{section}] {other} is not a setting (only {key}); "
                        "it is ignored")
    if key not in table:
        return {}
    where = f"{path}: [{section}] {key}"
    value = table[key]
    if section == LOCK:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(f"{where} must be a number of minutes above 0; it is ignored")
            return {}
        return {key: value}
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where} must be a folder path in quotes; it is ignored"
                        if section == TEMPLATES else
                        f"{where} must be a folder path or a postgresql:// URL in quotes; "
                        "it is ignored")
        return {}
    value = value.strip()
    if section == TEMPLATES:
        return {key: value}
    if value.startswith("postgresql"):
        from desktop.services.auth.urls import refuse_password_in_url

        try:
            refuse_password_in_url(value)
        except InputProblem as problem:
            problems.append(f"{where}: {problem.message} It is ignored.")
            return {}
        return {key: DATABASE_PREFIX + value}
    return {key: FOLDER_PREFIX + value}


def describe_target(spec: str) -> str:
    """A stored sync target as a person reads it: the folder path or the URL."""
    return spec.split(":", 1)[1] if ":" in spec and spec.split(":", 1)[0] in (
        FOLDER_PREFIX[:-1], DATABASE_PREFIX[:-1]) else spec


def templates_folder() -> Path:
    """The council's own templates: the policy's folder, else ``<config>/templates``.

    The policy's folder is meant to be on the laptop (IT deploys the files there):
    audits are made offline. While it cannot be found, the person's own folder is used
    and :func:`templates_folder_problem` says so.
    """
    folder = current_policy().templates_folder
    if folder is not None and folder.is_dir():
        return folder
    return paths.config_dir() / "templates"


def templates_folder_problem() -> str:
    """One line when the policy names a templates folder that is not there, else ""."""
    policy = current_policy()
    folder = policy.templates_folder
    if folder is None or folder.is_dir():
        return ""
    return (f"{policy.path}: [templates] folder {folder} cannot be found; the templates in "
            "your own settings folder are used until it is there")


def idle_minutes(own: float | None = None) -> tuple[float, Source]:
    """The idle lock's minutes and where they came from.

    Order: the policy, then ``DIPSAMPLE_IDLE_MINUTES`` (tests and a single machine),
    then ``own`` (the window's own setting, which the caller reads), then 10.
    """
    policy = current_policy().idle_minutes
    if policy is not None:
        return policy, Source.POLICY
    raw = os.environ.get(IDLE_MINUTES_ENV, "")
    try:
        value = float(raw) if raw else 0.0
    except ValueError:
        value = 0.0
    if value > 0:
        return value, Source.ENVIRONMENT
    if own is not None and own > 0:
        return own, Source.USER
    return DEFAULT_IDLE_MINUTES, Source.DEFAULT
