"""``dipsample check`` says where every setting came from: the machine-wide policy file
(in the folder DIPSAMPLE_POLICY_DIR names), the person's own settings, or the default;
a broken policy file is one line there and makes the check report problems.

Timing: a check of the empty store takes about 0.1 s; run alone, the first test takes
2 to 3 s, the imports of the command (the store, sync and evidence modules) that any
earlier test of the suite has usually paid already."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop import paths
from desktop.cli.main import main
from desktop.store import Store


def check(capsys: pytest.CaptureFixture[str], db: Path, *more: str) -> tuple[int, str]:
    code = main(["check", "--db", str(db), *more])
    out, _err = capsys.readouterr()
    return code, out


def test_check_names_the_origin_of_each_setting(store: Store, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    machine = tmp_path / "machine"
    machine.mkdir()
    share = tmp_path / "share"
    (machine / "policy.toml").write_text(f"""\
[sync]
target = '{share}'
[standards]
oversight_days = 21
[sampling]
quotas.red = 12
[lock]
idle_minutes = 5
""", encoding="utf-8")
    monkeypatch.setenv(paths.POLICY_DIR_ENV, str(machine))
    (paths.config_dir() / "workflow.json").write_text('{"comment_window_hours": 48}', "utf-8")
    code, out = check(capsys, store.path)
    assert code == 0, out
    lines = out.splitlines()
    assert f"policy:     {machine / 'policy.toml'} (sets 4 settings)" in lines
    assert f"  {'sync.target':<40} {share}  (policy file)" in lines
    assert f"  {'lock.idle_minutes':<40} 5  (policy file)" in lines
    assert f"  {'standards.oversight_days':<40} 21  (policy file)" in lines
    assert f"  {'standards.vtt_review_days':<40} 42  (default)" in lines
    assert f"  {'sampling.quotas.red':<40} 12  (policy file)" in lines
    assert f"  {'sampling.quotas.amber':<40} 10  (default)" in lines
    assert f"  {'workflow.comment_window_hours':<40} 48  (user settings)" in lines
    assert lines[-1] == "OK"
    code, out = check(capsys, store.path, "--json")
    report = json.loads(out)
    origins = {s["name"]: (s["value"], s["source"]) for s in report["settings"]}
    assert origins["standards.oversight_days"] == ("21", "policy file")
    assert report["policy_found"] is True and report["policy_problems"] == []


def test_a_broken_policy_is_one_line_and_the_check_fails(store: Store, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    machine = tmp_path / "machine"
    machine.mkdir()
    (machine / "policy.toml").write_text("[lock]\nidle_minutes = 0\n", encoding="utf-8")
    monkeypatch.setenv(paths.POLICY_DIR_ENV, str(machine))
    code, out = check(capsys, store.path)
    assert code == 1
    lines = out.splitlines()
    assert (f"problem:    {machine / 'policy.toml'}: [lock] idle_minutes must be a number of "
            "minutes above 0; it is ignored") in lines
    assert f"  {'lock.idle_minutes':<40} 10  (default)" in lines
    assert lines[-1].startswith("PROBLEMS FOUND: the policy file's problems are listed above")


def test_without_a_policy_nothing_is_locked(store: Store, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.POLICY_DIR_ENV, str(tmp_path / "nowhere"))
    code, out = check(capsys, store.path)
    assert code == 0
    assert f"policy:     {tmp_path / 'nowhere' / 'policy.toml'} (none: no setting is locked)" \
        in out.splitlines()
    assert "(policy file)" not in out
