"""The council's settings files as forms: each setting a labelled text a person edits.

Why here: the settings screen lets a QA lead change the practice standards, the
sampling quotas and the workflow numbers without editing JSON. It must refuse exactly
what the command line refuses, so every value is checked by the file's own parser
(``settings_from_dict``), one setting at a time so that each refusal is one sentence
beside its field; and saving writes the same file the command line reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop.errors import InputProblem
from desktop.models.enums import CaseFlag, Cohort, VisitBy
from desktop.services import workflow_settings
from desktop.services.sampling import settings as sampling
from desktop.services.standards import settings as standards
from desktop.services.standards.settings_file import (
    SettingProblem,
    read_settings,
    settings_path,
    write_settings,
)

#: How a field's text becomes the file's value.
WHOLE, WHOLE_OR_BLANK, FRACTION, TEXT, CODES, CHOICE = (
    "whole", "whole_or_blank", "fraction", "text", "codes", "choice")
REGIONS = ("ENG", "WLS", "SCT", "NIR")
_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class SettingField:
    """One setting as a form shows it.

    Attributes:
        key: the setting's name in the file, dotted when nested ("quotas.red").
        label: what it is, in words, for the label beside the field.
        kind: how its text is read (:data:`WHOLE`, :data:`CODES`, ...).
        choices: the values a :data:`CHOICE` field offers.
        hint: the codes a :data:`CODES` field accepts, or a short explanation.
    """

    key: str
    label: str
    kind: str = WHOLE
    choices: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class SettingsForm:
    """One settings file: its fields, defaults and parser."""

    file_name: str
    title: str
    fields: tuple[SettingField, ...]
    defaults: Callable[[], dict[str, Any]]
    parse: Callable[[Mapping[str, Any], str], Any]

    def path(self) -> Path:
        return settings_path(self.file_name)

    def field(self, key: str) -> SettingField:
        return next(f for f in self.fields if f.key == key)


def _codes_hint(codes: type[StrEnum]) -> str:
    return "Separate with commas; codes: " + ", ".join(sorted(c.value for c in codes))


_RAGS = ("red", "amber", "green")
_RAG_HINT = "Separate with commas: red, amber, green"

WORKFLOW = SettingsForm(
    workflow_settings.FILE_NAME, "Workflow",
    (
        SettingField("comment_window_hours", "Comment window before an audit finalises "
                     "(hours)"),
        SettingField("escalation_working_days", "Escalation response deadline (working days "
                     "after it is raised)"),
        SettingField("working_day_ends_at", "A working day ends at (HH:MM)", TEXT),
        SettingField("action_review_days", "Actions are reviewed after (days)"),
        SettingField("action_max_days_ahead", "An action may be due at most (days ahead)"),
        SettingField("moderation_share", "Share of audits moderated (0.1 is 10%)", FRACTION),
        SettingField("bank_holiday_region", "Bank holidays of", CHOICE, REGIONS),
    ),
    lambda: workflow_settings.WorkflowSettings().to_dict(),
    workflow_settings.settings_from_dict,
)

SAMPLING = SettingsForm(
    sampling.FILE_NAME, "Sampling quotas",
    (
        *(SettingField(f"quotas.{rag}", f"{rag.title()} cases in an auditor's week")
          for rag in _RAGS),
        *(SettingField(f"fill_from.{rag}", f"When {rag.title()} is short, take cases from",
                       CODES, hint=_RAG_HINT) for rag in _RAGS),
        SettingField("reaudit_gap_days", "No case is audited again within (days)"),
        SettingField("priority_cohorts", "Cohorts sampled first", CODES,
                     hint=_codes_hint(Cohort)),
        # A decimal number like the moderation share, so read the same way.
        SettingField("priority_weight", "A case of those cohorts is this many times as "
                     "likely to be drawn (1 to 1000)", FRACTION),
    ),
    lambda: sampling.SamplingSettings().to_dict(),
    sampling.settings_from_dict,
)

STANDARDS = SettingsForm(
    standards.FILE_NAME, "Practice standards",
    (
        *(SettingField(f"visit_days.{rag}", f"{rag.title()}: a face-to-face visit every "
                       "(days)") for rag in _RAGS),
        SettingField("complex_green_visit_days", "Complex Green: a visit every (days)"),
        SettingField("complex_green_visit_by", "Complex Green: the visit is made by", CODES,
                     hint=_codes_hint(VisitBy)),
        SettingField("complex_cohorts", "Cohorts that make a Green case complex", CODES,
                     hint=_codes_hint(Cohort)),
        SettingField("complex_flags", "Flags that make a Green case complex", CODES,
                     hint=_codes_hint(CaseFlag)),
        SettingField("stepped_down_recent_days", "A step-down to Green counts as complex "
                     "for (days)"),
        SettingField("vtt_review_days", "VTT review every (days)"),
        SettingField("oversight_days", "Management oversight every (days)"),
        SettingField("oversight_after_step_up_days", "Oversight after a step-up within "
                     "(days; blank: no such rule)", WHOLE_OR_BLANK),
        SettingField("risk_assessment_days", "A risk assessment is up to date for (days)"),
        SettingField("reminder_working_days", "\"Due soon\" this many working days ahead"),
        SettingField("bank_holiday_region", "Bank holidays of", CHOICE, REGIONS),
    ),
    lambda: standards.StandardsSettings().to_dict(),
    standards.settings_from_dict,
)

FORMS = (STANDARDS, SAMPLING, WORKFLOW)


class SettingsRefused(InputProblem):
    """Some values of a settings form are refused; nothing was saved.

    Attributes:
        problems: setting key to one sentence saying what the value must be.
    """

    def __init__(self, file_name: str, problems: dict[str, str]) -> None:
        count = len(problems)
        noun = "setting is" if count == 1 else "settings are"
        super().__init__(f"{file_name} was not saved: {count} {noun} not right; "
                         "the reason is beside each one")
        self.problems = problems


def _get(data: Mapping[str, Any], key: str) -> Any:
    for part in key.split("."):
        data = data[part] if isinstance(data, Mapping) else {}
    return data


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, dict):
            child = data[part] = {}
        data = child
    data[last] = value


def as_text(field: SettingField, value: Any) -> str:
    """A setting's value as its field shows it."""
    if value is None:
        return ""
    if field.kind == CODES and isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def as_value(field: SettingField, text: str) -> Any:
    """What the file holds for the field's text; a text that is not the right kind is
    passed on as it is, so that the file's parser refuses it in its own words."""
    text = text.strip()
    if field.kind in (WHOLE, WHOLE_OR_BLANK):
        if not text and field.kind == WHOLE_OR_BLANK:
            return None
        return int(text) if _INTEGER.match(text) else text
    if field.kind == FRACTION:
        try:
            return float(text)
        except ValueError:
            return text
    if field.kind == CODES:
        return [word.strip() for word in text.split(",") if word.strip()]
    return text


def _stored(form: SettingsForm, path: Path | None) -> dict[str, Any]:
    """The file's settings merged over the defaults (the file is created when missing)."""
    return read_settings(path or form.path(), form.defaults())


def form_values(form: SettingsForm, path: Path | None = None) -> dict[str, str]:
    """Every field's text as the file holds it now.

    Raises:
        EnvironmentProblem: the file is broken (the sentence the command line gives).
    """
    path = path or form.path()
    settings = form.parse(_stored(form, path), path.name)
    data = settings.to_dict()
    return {f.key: as_text(f, _get(data, f.key)) for f in form.fields}


def _why(problem: SettingProblem) -> str:
    why = problem.why
    return why[:1].upper() + why[1:] + "."


def check_form(form: SettingsForm, texts: Mapping[str, str], path: Path | None = None
               ) -> dict[str, str]:
    """Setting key to one sentence, for each field whose text the file's parser refuses.

    Each field is checked alone against the file's other values, so that one bad value
    does not hide another's problem.
    """
    path = path or form.path()
    base = _stored(form, path)
    try:
        form.parse(base, path.name)
    except SettingProblem:
        base = form.defaults()  # a broken file: check each field against the defaults
    problems: dict[str, str] = {}
    for field in form.fields:
        if field.key not in texts:
            continue
        trial = _copy(base)
        _set(trial, field.key, as_value(field, texts[field.key]))
        try:
            form.parse(trial, path.name)
        except SettingProblem as problem:
            problems[field.key] = _why(problem)
    return problems


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
            for k, v in data.items()}


def save_form(form: SettingsForm, texts: Mapping[str, str], path: Path | None = None
              ) -> Any:
    """Check every field and write the file; returns the parsed settings.

    Raises:
        SettingsRefused: some field is refused (its ``problems`` say why); the file is
            unchanged.
        EnvironmentProblem: the file cannot be written.
    """
    path = path or form.path()
    problems = check_form(form, texts, path)
    if problems:
        raise SettingsRefused(path.name, problems)
    data = _copy(_stored(form, path))
    for field in form.fields:
        if field.key in texts:
            _set(data, field.key, as_value(field, texts[field.key]))
    try:
        settings = form.parse(data, path.name)
    except SettingProblem as problem:  # values fine alone, refused together
        raise SettingsRefused(path.name, {problem.key: _why(problem)}) from None
    write_settings(path, settings.to_dict())
    return settings


#: Roles that change the council's settings (the security issue will enforce it in the
#: services; until then the settings screen offers the fields read-only to others).
SETTINGS_ROLES = frozenset({"administrator", "qa"})


def may_change_settings(roles: tuple[str, ...] | frozenset[str]) -> bool:
    return bool(SETTINGS_ROLES & set(roles))
