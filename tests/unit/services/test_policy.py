"""The machine-wide policy: read from the folder DIPSAMPLE_POLICY_DIR names, its values
win over each person's own, a bad file is one line and never stops the application."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop import paths
from desktop.errors import InputProblem
from desktop.services import policy
from desktop.services.context import ServiceContext
from desktop.services.sampling.settings import load_sampling_settings
from desktop.services.standards.settings import current_standards_version, load_settings
from desktop.services.standards.settings_form import (
    SAMPLING,
    STANDARDS,
    WORKFLOW,
    as_text,
    as_value,
    check_form,
    form_values,
    locked_keys,
    save_form,
    setting_origins,
)
from desktop.services.templates.library import import_template
from desktop.services.templates.versions import current_template
from desktop.services.workflow_settings import load_workflow_settings
from desktop.store import Store
from desktop.sync.status import remembered_target, sync_now, sync_status

POLICY = """\
# A council's policy for every laptop.
[sync]
target = '{share}'

[standards]
oversight_days = 21
visit_days.red = 5

[sampling]
quotas = {{ red = 12, amber = 8, green = 4 }}

[workflow]
comment_window_hours = 48

[lock]
idle_minutes = 5
"""


@pytest.fixture
def policy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "machine"
    folder.mkdir()
    monkeypatch.setenv(paths.POLICY_DIR_ENV, str(folder))
    return folder


def write(folder: Path, text: str) -> Path:
    path = folder / policy.FILE_NAME
    path.write_text(text, encoding="utf-8")
    return path


def test_no_policy_file_locks_nothing(policy_dir: Path) -> None:
    in_force = policy.current_policy()
    assert in_force.path == policy_dir / "policy.toml"
    assert not in_force.found and in_force.count == 0 and in_force.problems == ()
    assert locked_keys(STANDARDS) == frozenset()
    assert load_settings().oversight_days == 28


def test_the_policy_wins_over_the_persons_own_settings(policy_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    own = paths.config_dir() / "standards.json"
    own.write_text(json.dumps({"oversight_days": 35, "vtt_review_days": 30}), "utf-8")
    write(policy_dir, POLICY.format(share=tmp_path / "share"))
    standards = load_settings()
    assert standards.oversight_days == 21  # the policy's, over the person's 35
    assert standards.vtt_review_days == 30  # the person's own: the policy leaves it
    assert dict(standards.visit_days) == {"red": 5, "amber": 14, "green": 42}
    assert dict(load_sampling_settings().quotas) == {"red": 12, "amber": 8, "green": 4}
    assert load_workflow_settings().comment_window_hours == 48
    assert locked_keys(STANDARDS) == {"oversight_days", "visit_days.red"}
    assert locked_keys(SAMPLING) == {"quotas.red", "quotas.amber", "quotas.green"}
    in_force = policy.current_policy()
    assert in_force.sync_target == f"folder:{tmp_path / 'share'}"
    assert in_force.count == 8 and in_force.problems == ()
    assert policy.idle_minutes(own=30) == (5, policy.Source.POLICY)
    monkeypatch.setenv(policy.IDLE_MINUTES_ENV, "3")
    assert policy.idle_minutes(own=30) == (5, policy.Source.POLICY)
    # The forms show the values in force; each origin is named.
    assert form_values(STANDARDS)["oversight_days"] == "21"
    origins = {o.name: (o.value, o.source) for o in setting_origins("standards")}
    assert origins["standards.oversight_days"] == ("21", "policy file")
    assert origins["standards.vtt_review_days"] == ("30", "user settings")
    assert origins["standards.risk_assessment_days"] == ("42", "default")


def test_saving_keeps_the_policys_values_out_of_the_persons_file(policy_dir: Path,
                                                                 tmp_path: Path) -> None:
    write(policy_dir, POLICY.format(share=tmp_path / "share"))
    texts = form_values(STANDARDS) | {"oversight_days": "14", "vtt_review_days": "35"}
    assert check_form(STANDARDS, texts | {"oversight_days": "never"}) == {}  # not saved
    save_form(STANDARDS, texts)
    written = json.loads((paths.config_dir() / "standards.json").read_text("utf-8"))
    assert written["vtt_review_days"] == 35
    assert written["oversight_days"] == 28  # neither the typed 14 nor the policy's 21
    assert written["visit_days"]["red"] == 7
    assert load_settings().oversight_days == 21
    # The policy taken away, the person's own settings come back as they were.
    (policy_dir / "policy.toml").unlink()
    assert load_settings().oversight_days == 28 and load_settings().vtt_review_days == 35


def test_a_file_that_is_not_toml_is_set_aside_whole(policy_dir: Path) -> None:
    path = write(policy_dir, "[standards\noversight_days = 21\n")
    in_force = policy.current_policy()
    assert in_force.found and in_force.count == 0
    assert in_force.problems == (
        f"{path}: is not valid TOML (Expected ']' at the end of a table declaration (at "
        "line 1, column 11)); none of its settings are applied",)
    assert load_settings().oversight_days == 28  # the application goes on


def test_each_bad_setting_is_set_aside_alone_with_one_line(policy_dir: Path) -> None:
    path = write(policy_dir, """\
[sync]
target = 'postgresql://audit:secret@db.council.example/dipsample'
[standards]
oversight_days = -3
visit_days = 7
visit_dayz.red = 5
vtt_review_days = 30
[workflow]
moderation_share = 0.2
[lock]
idle_minutes = "ten"
[colour]
scheme = "dark"
""")
    in_force = policy.current_policy()
    assert [line.split(": ", 1)[1] for line in in_force.problems] == [
        "[sync] target: Do not put the password in the URL (command lines and settings are "
        "readable by others); store the password in the keyring with 'dipsample sync "
        "password --database URL' and give the URL without it. It is ignored.",
        "[standards] oversight_days must be a whole number above 0; it is ignored",
        "[standards] visit_days must be a table of amber, green, red; it is ignored",
        "[standards] visit_dayz.red is not a setting; it is ignored",
        "[lock] idle_minutes must be a number of minutes above 0; it is ignored",
        "unknown section [colour] (known: [standards], [sampling], [workflow], [sync], "
        "[templates], [lock]); it is ignored"]
    assert all(line.startswith(f"{path}: ") for line in in_force.problems)
    assert "secret" not in " ".join(in_force.problems)
    assert in_force.problem_line().endswith("(and 5 more problems: 'dipsample check' lists "
                                            "them)")
    # What passed its checks still applies; the rest is the person's or the default.
    assert locked_keys(STANDARDS) == {"vtt_review_days"}
    assert locked_keys(WORKFLOW) == {"moderation_share"}
    assert load_settings().vtt_review_days == 30 and load_settings().oversight_days == 28
    assert in_force.sync_target == "" and in_force.idle_minutes is None


def test_a_changed_policy_is_read_again(policy_dir: Path) -> None:
    path = write(policy_dir, "[workflow]\ncomment_window_hours = 48\n")
    assert load_workflow_settings().comment_window_hours == 48
    path.write_text("[workflow]\ncomment_window_hours = 96   # a longer line\n", "utf-8")
    assert load_workflow_settings().comment_window_hours == 96


def test_the_sync_target_is_the_policys(policy_dir: Path, store: Store,
                                        tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(policy_dir, f"[sync]\ntarget = '{share}'\n")
    assert remembered_target(store) == f"folder:{share}"
    assert sync_status(store).target == f"folder:{share}"  # the status bar's "set up"
    with pytest.raises(InputProblem, match="set by your IT team's policy"):
        sync_now(store, f"folder:{tmp_path / 'elsewhere'}")
    assert not (tmp_path / "elsewhere").exists()


def test_templates_come_from_the_policys_folder(policy_dir: Path, ctx: ServiceContext,
                                                tmp_path: Path) -> None:
    council = tmp_path / "council-templates"
    council.mkdir()
    shipped = paths.resource("templates") / "green_visiting.toml"
    (council / "green_visiting.toml").write_text(shipped.read_text("utf-8").replace(
        'title = "Visiting arrangements', 'title = "Council visiting arrangements', 1),
        "utf-8")
    write(policy_dir, f"[templates]\nfolder = '{council}'\n")
    assert current_template(ctx, "green_visiting").title.startswith("Council visiting")
    with pytest.raises(InputProblem, match="set by your IT team's policy"):
        import_template(ctx, shipped)
    assert policy.templates_folder_problem() == ""
    write(policy_dir, f"[templates]\nfolder = '{tmp_path / 'not-there'}'\n")
    assert "cannot be found" in policy.templates_folder_problem()
    assert policy.templates_folder() == paths.config_dir() / "templates"


def test_codes_are_shown_as_words_and_read_back() -> None:
    """Issue 23: no "social_worker", "cp" or "reg_24" on the Settings screen."""
    visit_by, cohorts, flags = (STANDARDS.field(k) for k in (
        "complex_green_visit_by", "complex_cohorts", "complex_flags"))
    values = form_values(STANDARDS)
    assert values["complex_green_visit_by"] == "Social worker"
    assert values["complex_cohorts"] == "CP plan"
    assert "Reg 24 placement" in values["complex_flags"]
    assert "reg_24" not in values["complex_flags"] and "_" not in values["complex_flags"]
    assert as_value(flags, "reg 24 placement, Not in school") == ["reg_24", "not_in_school"]
    assert as_value(cohorts, "cp, Care leaver") == ["cp", "care_leaver"]  # codes still do
    assert as_text(visit_by, ["personal_adviser"]) == "Personal adviser"
    assert "Partner agency" in visit_by.hint and "partner_agency" not in visit_by.hint
    assert check_form(STANDARDS, values | {"complex_cohorts": "Child in need, Nobody"}) == {
        "complex_cohorts": "Has an unknown code 'Nobody'."}
    save_form(STANDARDS, values | {"complex_cohorts": "CP plan, Child in care"})
    assert load_settings().complex_cohorts == ("cic", "cp")


def test_a_policy_on_the_standards_is_a_new_standards_version(policy_dir: Path,
                                                              ctx: ServiceContext) -> None:
    """An audit records the standards it was judged by, the policy's included."""
    before = current_standards_version(ctx)
    write(policy_dir, "[standards]\noversight_days = 21\n")
    after = current_standards_version(ctx)
    assert after.number == before.number + 1
    assert json.loads(after.settings_json)["oversight_days"] == 21
