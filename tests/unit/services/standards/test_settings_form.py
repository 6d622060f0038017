"""Settings forms: the files' own parsers judge each field; saving writes the CLI's file."""

from __future__ import annotations

import json

import pytest

from desktop import paths
from desktop.services.context import ServiceContext
from desktop.services.sampling.settings import load_sampling_settings
from desktop.services.standards.settings import load_settings
from desktop.services.standards.settings_form import (
    SAMPLING,
    STANDARDS,
    WORKFLOW,
    SettingsRefused,
    check_form,
    form_values,
    save_form,
)
from desktop.services.standards.settings_history import save_standards, standards_history
from desktop.services.workflow_settings import load_workflow_settings
from desktop.store import Store


def test_the_forms_show_the_defaults() -> None:
    values = form_values(WORKFLOW)
    assert values["comment_window_hours"] == "72"
    assert values["moderation_share"] == "0.1"
    assert form_values(SAMPLING)["quotas.red"] == "10"
    assert form_values(SAMPLING)["fill_from.green"] == "Amber, Red"
    assert form_values(STANDARDS)["oversight_after_step_up_days"] == "7"


def test_the_ratings_a_short_quota_takes_from_are_words_read_back_as_codes() -> None:
    save_form(SAMPLING, form_values(SAMPLING) | {"fill_from.amber": "Green, red"})
    assert json.loads((paths.config_dir() / "sampling.json").read_text())["fill_from"][
        "amber"] == ["green", "red"]
    assert form_values(SAMPLING)["fill_from.amber"] == "Green, Red"


def test_saving_writes_the_file_the_services_read() -> None:
    values = form_values(WORKFLOW) | {"comment_window_hours": "48",
                                      "working_day_ends_at": "16:30"}
    save_form(WORKFLOW, values)
    assert load_workflow_settings().comment_window_hours == 48
    assert json.loads((paths.config_dir() / "workflow.json").read_text())[
        "working_day_ends_at"] == "16:30"
    assert form_values(SAMPLING)["priority_weight"] == "10.0"
    save_form(SAMPLING, form_values(SAMPLING) | {"quotas.green": "7",
                                                  "priority_cohorts": "cp, unborn",
                                                  "priority_weight": "4.5"})
    sampling = load_sampling_settings()
    assert sampling.quotas["green"] == 7 and sampling.priority_cohorts == ("cp", "unborn")
    assert sampling.priority_weight == 4.5
    assert check_form(SAMPLING, form_values(SAMPLING) | {"priority_weight": "lots"}) == {
        "priority_weight": "Must be a number from 1 to 1000."}


def test_each_bad_value_gets_its_own_sentence_and_nothing_is_saved() -> None:
    values = form_values(WORKFLOW) | {"comment_window_hours": "three days",
                                      "moderation_share": "2", "working_day_ends_at": "5pm"}
    problems = check_form(WORKFLOW, values)
    assert problems == {
        "comment_window_hours": "Must be a whole number, at least 0.",
        "moderation_share": "Must be a fraction above 0 and at most 1 (0.1 is 10%).",
        "working_day_ends_at": "Must be a time of day such as \"17:00\".",
    }
    with pytest.raises(SettingsRefused) as refused:
        save_form(WORKFLOW, values)
    assert refused.value.problems == problems
    assert load_workflow_settings().comment_window_hours == 72
    bad_code = check_form(STANDARDS, form_values(STANDARDS) | {"complex_cohorts": "cp, xx",
                                                               "visit_days.red": "0"})
    assert bad_code == {"complex_cohorts": "Has an unknown code 'xx'.",
                        "visit_days.red": "Must be a whole number above 0."}


def test_a_blank_turns_the_step_up_rule_off(ctx: ServiceContext) -> None:
    assert [(v.number, v.current) for v in standards_history(ctx)] == [(1, True)]
    number = save_standards(ctx, form_values(STANDARDS) | {
        "oversight_after_step_up_days": "", "visit_days.green": "35"})
    assert load_settings().oversight_after_step_up_days is None
    history = standards_history(ctx)
    assert [v.number for v in history][:1] == [number]
    assert history[0].current
    assert set(history[0].changed) == {"oversight_after_step_up_days", "visit_days.green"}
    assert len(history) == 2 and not history[1].current




def test_only_those_who_may_change_settings_save_them(store: Store) -> None:
    from desktop.errors import PermissionRefused
    from desktop.services.standards.settings_history import save_settings
    from tests.unit.security.people import Org

    org = Org(store)
    changed = form_values(SAMPLING) | {"quotas.red": "9"}
    with pytest.raises(PermissionRefused):
        save_settings(org.as_user(org.auditor), SAMPLING, changed)
    assert load_sampling_settings().quotas["red"] == 10  # nothing written
    save_settings(org.as_user(org.qa), SAMPLING, changed)
    assert load_sampling_settings().quotas["red"] == 9
