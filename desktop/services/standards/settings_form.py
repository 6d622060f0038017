"""The council's settings files as forms: each setting a labelled text a person edits.

Why here: the settings screen lets a QA lead change the practice standards, the
sampling quotas and the workflow numbers without editing JSON. It must refuse exactly
what the command line refuses, so every value is checked by the file's own parser
(``settings_from_dict``), one setting at a time so that each refusal is one sentence
beside its field; and saving writes the same file the command line reads.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop.errors import InputProblem
from desktop.models.enums import CaseFlag, Cohort, Rag, VisitBy
from desktop.services import workflow_settings
from desktop.services.case_filters import COHORT_NAMES
from desktop.services.policy import FILE_SECTIONS, Source, current_policy
from desktop.services.sampling import settings as sampling
from desktop.services.standards import settings as standards
from desktop.services.standards.settings_file import (
    SettingProblem,
    copy_value,
    get_setting,
    read_settings,
    set_setting,
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
        hint: the words a :data:`CODES` field accepts, or a short explanation.
        words: for a :data:`CODES` field, each code's words: the field shows them and
            reads them back (the code itself is accepted too, as the files hold it).
    """

    key: str
    label: str
    kind: str = WHOLE
    choices: tuple[str, ...] = ()
    hint: str = ""
    words: Mapping[str, str] = dataclasses.field(default_factory=dict)


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


#: The words a person reads for each code a settings field holds (issue 23: no raw codes
#: such as "social_worker", "cp" or "reg_24" on screen). Flags in seed 003's words.
VISITOR_WORDS = {
    VisitBy.SOCIAL_WORKER.value: "Social worker",
    VisitBy.PERSONAL_ADVISER.value: "Personal adviser",
    VisitBy.SOCIAL_CARE_PROFESSIONAL.value: "Social care professional",
    VisitBy.PARTNER_AGENCY.value: "Partner agency",
}
FLAG_WORDS = {
    CaseFlag.NOT_IN_SCHOOL.value: "Not in school",
    CaseFlag.MISSING.value: "Goes missing repeatedly",
    CaseFlag.EXPLOITATION.value: "Involved in exploitation",
    CaseFlag.EDGE_OF_CARE.value: "Edge of care",
    CaseFlag.EDGE_OF_SAFEGUARDING.value: "Edge of safeguarding concerns",
    CaseFlag.PLACEMENT_AT_RISK.value: "Placement at risk of breakdown",
    CaseFlag.PLACEMENT_WITH_PARENTS.value: "Placed with parents",
    CaseFlag.REG_24.value: "Reg 24 placement",
    CaseFlag.UNSUITABLE_ACCOMMODATION.value: "Unsuitable accommodation",
    CaseFlag.RISK_TAKING.value: "Risk-taking behaviour",
    CaseFlag.STEPPED_DOWN.value: "Recently stepped down",
}


def _words_hint(codes: type[StrEnum], words: Mapping[str, str]) -> str:
    return "Separate with commas: " + ", ".join(words.get(c.value, c.value) for c in codes)


#: The RAG ratings as the council's forms write them (issue 23's desk trial found the
#: quotas' "take cases from" fields showing the codes "amber, green").
RAG_WORDS = {rag.value: rag.value.title() for rag in Rag}
_RAGS = tuple(RAG_WORDS)
_RAG_HINT = _words_hint(Rag, RAG_WORDS)

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
                       CODES, hint=_RAG_HINT, words=RAG_WORDS) for rag in _RAGS),
        SettingField("reaudit_gap_days", "No case is audited again within (days)"),
        SettingField("priority_cohorts", "Cohorts sampled first", CODES,
                     hint=_words_hint(Cohort, COHORT_NAMES), words=COHORT_NAMES),
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
                     hint=_words_hint(VisitBy, VISITOR_WORDS), words=VISITOR_WORDS),
        SettingField("complex_cohorts", "Cohorts that make a Green case complex", CODES,
                     hint=_words_hint(Cohort, COHORT_NAMES), words=COHORT_NAMES),
        SettingField("complex_flags", "Flags that make a Green case complex", CODES,
                     hint=_words_hint(CaseFlag, FLAG_WORDS), words=FLAG_WORDS),
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


def as_text(field: SettingField, value: Any) -> str:
    """A setting's value as its field shows it."""
    if value is None:
        return ""
    if field.kind == CODES and isinstance(value, list | tuple):
        return ", ".join(field.words.get(str(v), str(v)) for v in value)
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
        codes = {w.casefold(): c for c, w in field.words.items()}
        return [codes.get(word.strip().casefold(), word.strip())
                for word in text.split(",") if word.strip()]
    return text


def _stored(form: SettingsForm, path: Path | None, *, policy: bool = True
            ) -> dict[str, Any]:
    """The file's settings merged over the defaults (the file is created when missing),
    with the machine-wide policy's values over them unless ``policy`` is False."""
    return read_settings(path or form.path(), form.defaults(), policy=policy)


def locked_keys(form: SettingsForm) -> frozenset[str]:
    """The form's settings the machine-wide policy sets: shown, never changed here."""
    return current_policy().locked(form.file_name)


def form_values(form: SettingsForm, path: Path | None = None) -> dict[str, str]:
    """Every field's text as the file holds it now.

    Raises:
        EnvironmentProblem: the file is broken (the sentence the command line gives).
    """
    path = path or form.path()
    settings = form.parse(_stored(form, path), path.name)
    data = settings.to_dict()
    return {f.key: as_text(f, get_setting(data, f.key)) for f in form.fields}


def _why(problem: SettingProblem) -> str:
    why = problem.why
    return why[:1].upper() + why[1:] + "."


def check_form(form: SettingsForm, texts: Mapping[str, str], path: Path | None = None
               ) -> dict[str, str]:
    """Setting key to one sentence, for each field whose text the file's parser refuses.

    Each field is checked alone against the file's other values, so that one bad value
    does not hide another's problem. A field the policy sets is not checked: it is not
    saved.
    """
    path = path or form.path()
    base = _stored(form, path, policy=False)
    try:
        form.parse(base, path.name)
    except SettingProblem:
        base = form.defaults()  # a broken file: check each field against the defaults
    locked = locked_keys(form)
    problems: dict[str, str] = {}
    for field in form.fields:
        if field.key not in texts or field.key in locked:
            continue
        trial = copy_value(base)
        set_setting(trial, field.key, as_value(field, texts[field.key]))
        try:
            form.parse(trial, path.name)
        except SettingProblem as problem:
            problems[field.key] = _why(problem)
    return problems


def save_form(form: SettingsForm, texts: Mapping[str, str], path: Path | None = None
              ) -> Any:
    """Check every field and write the file; returns the parsed settings.

    The person's own file is written, without the policy's values (they would stay
    when the policy is taken away) and without the fields the policy sets.

    Raises:
        SettingsRefused: some field is refused (its ``problems`` say why); the file is
            unchanged.
        EnvironmentProblem: the file cannot be written.
    """
    path = path or form.path()
    problems = check_form(form, texts, path)
    if problems:
        raise SettingsRefused(path.name, problems)
    data = copy_value(_stored(form, path, policy=False))
    locked = locked_keys(form)
    for field in form.fields:
        if field.key in texts and field.key not in locked:
            set_setting(data, field.key, as_value(field, texts[field.key]))
    try:
        settings = form.parse(data, path.name)
    except SettingProblem as problem:  # values fine alone, refused together
        raise SettingsRefused(path.name, {problem.key: _why(problem)}) from None
    write_settings(path, settings.to_dict())
    return settings


@dataclass(frozen=True)
class SettingOrigin:
    """One setting, the value in force, and where it came from (``dipsample check``).

    Attributes:
        name: as the policy file names it, section and key ("standards.visit_days.red").
        value: the value in force as the files write it (codes, not words: IT copies
            them into the policy file).
        source: a :class:`~desktop.services.policy.Source`: the policy file; the
            person's own settings, when they differ from the default; or the default.
    """

    name: str
    value: str
    source: str


def _plain(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def form_of(file_name: str) -> SettingsForm:
    return next(f for f in FORMS if f.file_name == file_name)


def setting_origins(section: str) -> list[SettingOrigin]:
    """Every setting of a policy section's settings file ("standards", "sampling",
    "workflow"), in the form's order.

    Raises:
        EnvironmentProblem: the person's settings file is broken.
    """
    form = form_of(FILE_SECTIONS[section])
    path = form.path()
    default = form.parse(form.defaults(), path.name).to_dict()
    own = form.parse(_stored(form, path, policy=False), path.name).to_dict()
    in_force = form.parse(_stored(form, path), path.name).to_dict()
    locked = locked_keys(form)
    origins = []
    for setting in form.fields:
        key = setting.key
        source = (Source.POLICY if key in locked else Source.USER
                  if get_setting(own, key) != get_setting(default, key) else Source.DEFAULT)
        origins.append(SettingOrigin(f"{section}.{key}", _plain(get_setting(in_force, key)),
                                     source.value))
    return origins


#: Roles that change the council's settings (the security issue will enforce it in the
#: services; until then the settings screen offers the fields read-only to others).
SETTINGS_ROLES = frozenset({"administrator", "qa"})


def may_change_settings(roles: tuple[str, ...] | frozenset[str]) -> bool:
    return bool(SETTINGS_ROLES & set(roles))
