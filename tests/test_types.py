"""mypy passes on the app and the benchmarks.

Why a test: CI runs exactly the README's pytest command (.ci/run), so a type check that
is a test runs in CI without a second command. Which files, and how strictly, is
pyproject.toml's [tool.mypy]; this only runs it from the repository folder.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from mypy import api
from mypy.version import __version__ as mypy_version

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_mypy_finds_no_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test's own cache in the user's cache folder (never .mypy_cache in the
    # repository, never a hand run's): the first run on a machine is a full check (20 to
    # 60 s on two busy cores, most of it PySide6's and SQLAlchemy's stubs), later runs,
    # fresh clones included, re-check only what changed. mypy keys its cache by each
    # file's hash and its own version, so a warm cache never hides an error.
    cache = Path(platformdirs.user_cache_dir("dipsample-tests")) / f"mypy-{mypy_version}"
    monkeypatch.setenv("MYPY_CACHE_DIR", str(cache))
    monkeypatch.chdir(ROOT)  # where pyproject.toml is, whatever folder pytest started in
    report, errors, status = api.run([])
    assert status == 0, f"mypy exited {status}:\n{report}{errors}"
