"""The forked children of tests/forked.py are real processes, as the kill tests need."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import forked

SHOW = ("import os, sys; print(os.getpid(), os.getcwd(), oct(os.umask(0)), "
        "os.environ.get('FORKED_PROBE'), os.environ.get('HOME_ONLY_HERE'), sys.argv[1:])")


def test_a_child_has_its_own_pid_folder_umask_environment_and_arguments(
        tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        env = {"FORKED_PROBE": "given", "PATH": os.environ.get("PATH", "")}
        os.environ["HOME_ONLY_HERE"] = "test process"
        done = forked.run([sys.executable, "-c", SHOW, "a", "b c"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    finally:
        os.umask(previous)
        os.environ.pop("HOME_ONLY_HERE", None)
    pid, folder, mask, probe, leaked, argv = done.stdout.split(" ", 5)
    assert int(pid) != os.getpid()
    assert (folder, mask, probe, leaked) == (str(tmp_path), "0o22", "given", "None")
    assert argv.strip() == "['a', 'b c']"
    assert done.returncode == 0 and done.stderr == ""


def test_exit_codes_errors_and_a_kill_are_reported_as_a_process_reports_them() -> None:
    assert forked.run([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3
    failed = forked.run([sys.executable, "-c", "raise ValueError('boom')"],
                        capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stderr.rstrip().endswith("ValueError: boom")
    with forked.Popen([sys.executable, "-c", "import time; print('up', flush=True); "
                       "time.sleep(60)"], stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stdout.readline() == "up\n"
        assert Path(f"/proc/{child.pid}").exists() and child.poll() is None
        child.send_signal(signal.SIGKILL)
        assert child.wait(30) == -signal.SIGKILL


def test_input_output_and_a_timeout() -> None:
    echoed = forked.run([sys.executable, "-c", "import sys; print(sys.stdin.read()[::-1])"],
                        input="abc\n" * 20_000, capture_output=True, text=True, timeout=60)
    assert echoed.stdout == "\ncba" * 20_000 + "\n"
    with pytest.raises(subprocess.TimeoutExpired):
        forked.run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.3)


def test_the_dipsample_command_runs_its_main(tmp_path: Path) -> None:
    done = forked.run([str(forked.EXE), "--version"], capture_output=True, text=True,
                      timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("dipsample ")
    unknown = forked.run([str(forked.EXE), "no-such-command"], capture_output=True,
                         text=True, timeout=60)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_what_it_cannot_fork_is_started_the_old_way(monkeypatch: pytest.MonkeyPatch) -> None:
    with forked.Popen(["true"]) as other:
        assert isinstance(other, subprocess.Popen)
    monkeypatch.setenv(forked.EXEC_ENV, "1")
    with forked.Popen([sys.executable, "-c", "pass"]) as real:
        assert isinstance(real, subprocess.Popen)
