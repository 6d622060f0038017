"""mypy passes on the app and the benchmarks.

Why a test: CI runs exactly the README's pytest command (.ci/run), so a type check that
is a test runs in CI without a second command. Which files, and how strictly, is
pyproject.toml's [tool.mypy]; this only runs it from the repository folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_mypy_finds_no_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh cache in a temporary folder: a full check (20 to 30 s on two busy cores), and
    # no .mypy_cache left in the repository or shared with a mypy run by hand.
    monkeypatch.setenv("MYPY_CACHE_DIR", str(tmp_path / "mypy_cache"))
    monkeypatch.chdir(ROOT)  # where pyproject.toml is, whatever folder pytest started in
    report, errors, status = api.run([])
    assert status == 0, f"mypy exited {status}:\n{report}{errors}"
