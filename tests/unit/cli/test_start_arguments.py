"""The window's start reads its few options without building every command (issue 23).

Why: building the full parser imports every command module, and with them the import,
the reports and the sync (a second or more); the window needs none of it before it
lists who can sign in. And ``--user`` means nothing for ``demo`` and ``profiles``, so
it is not offered there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import _window_args, main

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("argv", [[], ["--db", "x.db"], ["--db=x.db"], ["--json"],
                                  ["--db", "x.db", "--user", "qa.lead"], ["--system"]])
def test_the_window_start_is_read_without_the_commands(argv: list[str]) -> None:
    args = _window_args(argv)
    assert args is not None and args.command is None and not args.self_test


def test_the_self_test_is_read_without_the_commands() -> None:
    args = _window_args(["--self-test"])
    assert args is not None and args.self_test


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["import", "f.csv"], ["--bogus"],
                                  ["--db"], ["--db", "x.db", "check"], ["--he"]])
def test_anything_else_goes_to_the_full_parser(argv: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert _window_args(argv) is None
    assert capsys.readouterr() == ("", "")  # the full parser says what is wrong, once


@pytest.mark.parametrize("argv", [["demo", "--user", "qa.lead"],
                                  ["profiles", "list", "--system"],
                                  ["profiles", "--user", "qa.lead", "list"]])
def test_user_and_system_are_not_offered_where_nobody_acts(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" in err or "invalid choice: 'qa.lead'" in err


@pytest.mark.parametrize("argv", [["--user", "qa.lead", "demo"],
                                  ["--system", "profiles", "list"]])
def test_given_before_such_a_command_they_are_refused_in_one_line(
        argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--db", str(tmp_path / "x.db"), *argv]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "acts as nobody" in err[0], err
    assert not (tmp_path / "x.db").exists()


def test_the_help_of_demo_and_profiles_does_not_offer_user(
        capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["demo", "--help"], ["profiles", "list", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert "--db" in out and "--user" not in out and "--system" not in out
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "--user" in capsys.readouterr().out


PROBE = """
import sys
from desktop.cli.main import main
code = main(['--db', sys.argv[1]])
print('COMMANDS', ','.join(sorted(m for m in sys.modules if m.startswith('desktop.cli.commands.'))))
raise SystemExit(code)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="an X display")
def test_starting_the_window_imports_no_command(tmp_path: Path) -> None:
    # A real start that stops early: DISPLAY names no X server, so the window says so
    # in one line before Qt starts (tests/unit/installer/test_linux_window.py).
    env = {**os.environ, "DISPLAY": ":99", "DIPSAMPLE_HOME": str(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    if Path("/tmp/.X11-unix/X99").exists():
        pytest.skip("an X server answers on :99 here")
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "none.db")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines() == ["COMMANDS "]
