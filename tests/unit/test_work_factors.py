"""The tests' lower scrypt cost (tests/work_factors.py) stays in the tests.

Why a real process: the cost is lowered in the test process and in the fork server its
children come from; a Python process started afresh, as the app is, must make a store
whose ``.kdf`` file carries the app's own cost, and passwords hashed at the app's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.services.auth import passwords
from desktop.store import keys
from tests import forked, work_factors

CHILD = """
import json, sys
from pathlib import Path
from desktop.services.auth.passwords import hash_password
from desktop.store.keys import resolve_key
resolve_key(Path(sys.argv[1]), prompt=None)
print(json.dumps({"password": hash_password("correct horse battery")}))
"""


def _run(runner: Callable[..., subprocess.CompletedProcess[Any]],
         path: Path) -> tuple[dict[str, object], str]:
    env = {**os.environ, "DIPSAMPLE_PASSPHRASE": "a passphrase of some length",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = runner([sys.executable, "-c", CHILD, str(path)], env=env, capture_output=True,
                  text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(keys.kdf_path(path).read_text(encoding="utf-8")), done.stdout


def test_the_program_keeps_the_apps_costs_and_the_tests_run_cheaper(tmp_path: Path) -> None:
    assert work_factors.APP_STORE_N == 2**15 and work_factors.APP_PASSWORD_N == 2**14
    sidecar, out = _run(subprocess.run, tmp_path / "started.db")
    assert sidecar["n"] == work_factors.APP_STORE_N
    assert json.loads(out)["password"].startswith(f"scrypt${work_factors.APP_PASSWORD_N}$")
    # Here and in the forked children, the test cost; both still verify.
    assert keys.SCRYPT_N == passwords.N == work_factors.TEST_N
    sidecar, out = _run(forked.run, tmp_path / "forked.db")
    assert sidecar["n"] == work_factors.TEST_N
    made = json.loads(out)["password"]
    assert made.startswith(f"scrypt${work_factors.TEST_N}$")
    assert passwords.verify_password(made, "correct horse battery")
