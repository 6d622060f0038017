"""The sampling settings file: defaults written when missing, bad values refused."""

from __future__ import annotations

import json

import pytest

from desktop import paths
from desktop.errors import EnvironmentProblem
from desktop.services.sampling.settings import load_sampling_settings


def test_defaults_are_seed_000_quotas() -> None:
    settings = load_sampling_settings()
    data = json.loads((paths.config_dir() / "sampling.json").read_text())
    assert data["quotas"] == {"red": 10, "amber": 10, "green": 5}
    assert data["fill_from"]["green"] == ["amber", "red"]
    assert settings.reaudit_gap_days == 28
    assert set(settings.priority_cohorts) == {"unborn", "cp", "care_leaver"}


def test_changed_quotas_are_used() -> None:
    (paths.config_dir() / "sampling.json").write_text(
        json.dumps({"quotas": {"red": 4, "amber": 3, "green": 2}}))
    assert dict(load_sampling_settings().quotas) == {"red": 4, "amber": 3, "green": 2}


@pytest.mark.parametrize(("content", "message"), [
    ({"quotas": {"red": -1, "amber": 10, "green": 5}}, "quotas"),
    ({"fill_from": {"green": ["green"]}}, "fill_from.green"),
    ({"reaudit_gap_days": "four weeks"}, "reaudit_gap_days"),
    ({"quota": {}}, "unknown setting 'quota'"),
])
def test_bad_values_are_refused(content: dict, message: str) -> None:  # type: ignore[type-arg]
    (paths.config_dir() / "sampling.json").write_text(json.dumps(content))
    with pytest.raises(EnvironmentProblem, match=message):
        load_sampling_settings()

