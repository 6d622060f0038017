"""Real ``dipsample sync`` processes for the sync tests: started, paused, killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from desktop.sync.lock import WAIT_ENV
from desktop.sync.pause import PAUSE_ENV
from tests import forked
from tests.unit.sync.helpers import EXE, ROOT


def child_env(home: Path, *, pause: str | None = None, wait: float | None = None,
              extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child ``dipsample``: this test's keyring file, its own
    home, and optionally a pause point and the sync lock's wait."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")
           or k in ("DIPSAMPLE_TEST_KEYRING", "DIPSAMPLE_TEST_PG_URL")}
    env.update({"DIPSAMPLE_HOME": str(home), "PYTHONPATH": str(ROOT),
                "PYTHON_KEYRING_BACKEND": "tests.unit.sync.file_keyring.FileKeyring"})
    if pause is not None:
        env[PAUSE_ENV] = pause
    if wait is not None:
        env[WAIT_ENV] = str(wait)
    env.update(extra or {})
    return env


def start_sync(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return forked.Popen([str(EXE), "sync", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def wait_paused(child: subprocess.Popen[str], point: str) -> None:
    """Until ``child`` says it has stopped at ``point``."""
    assert child.stderr is not None
    line = child.stderr.readline()
    assert line.startswith(f"paused at {point}"), line


def kill(child: subprocess.Popen[str]) -> None:
    """SIGKILL ``child`` where it stands, and reap it."""
    try:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL


def killed_at(point: str, args: list[str], home: Path) -> None:
    """Run ``dipsample sync ARGS`` and SIGKILL it at the named pause ``point``."""
    child = start_sync(args, child_env(home, pause=point))
    wait_paused(child, point)
    kill(child)
