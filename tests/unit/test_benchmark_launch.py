"""The launch benchmarks' child follows a real window, and the runner names its benchmarks.

Nothing is timed here (shared, noisy machines): the child's lines and exit are checked,
as the benchmark reads them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.__main__ import discover, main
from benchmarks.bench_launch import Child
from benchmarks.stores import benchmark_environment, copy_store, demo_county


def test_the_runner_lists_every_benchmark_in_its_help(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    names = [b.name for b in discover()]
    assert "launch_to_signin_100k" in names and "launch_to_first_screen_100k" in names
    assert all(name in out for name in names)


def test_an_unknown_benchmark_is_refused_before_anything_runs(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["open_first_page_100k", "no_such_benchmark"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "no benchmark named no_such_benchmark" in err


def test_the_child_signs_in_reaches_the_first_screen_and_quits(tmp_path: Path) -> None:
    # A real window in a child process, as the launch benchmarks start it (about 5 s:
    # the only check that the child still recognises the sign-in list, the first
    # screen and Ctrl+Q).
    with benchmark_environment(tmp_path):
        db = copy_store(demo_county(80), tmp_path / "county.db")
        child = Child("quit", db, tmp_path / "child.stderr")
        try:
            listed = child.wait_for("signin")
            shown = child.wait_for("first-screen")
            pressed = child.wait_for("quitting")
            ended = child.ended()
        finally:
            child.stop()
    assert child.started < listed <= shown <= pressed <= ended


def test_a_child_that_cannot_open_the_store_fails_in_one_line(tmp_path: Path) -> None:
    with benchmark_environment(tmp_path):
        child = Child("baseline", tmp_path / "missing.db", tmp_path / "child.stderr")
        with pytest.raises(RuntimeError, match="ended before 'ready'"):
            child.wait_for("ready")
