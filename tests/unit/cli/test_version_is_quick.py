"""``dipsample --version`` answers without importing the database stack (issue 23).

Why a real process: what a module imports at the top is only seen in a fresh
interpreter; the test process has SQLAlchemy loaded already.
"""

from __future__ import annotations

import subprocess
import sys

from desktop import __version__

PROBE = """
import sys
from desktop.cli.main import main
code = main([{flag!r}])
heavy = sorted(m for m in sys.modules if m.split('.')[0] in
               ('sqlalchemy', 'alembic', 'sqlcipher3', 'PySide6', 'reportlab', 'openpyxl'))
print('HEAVY', ','.join(heavy))
raise SystemExit(code)
"""


def test_version_imports_no_database_stack_and_no_qt() -> None:
    for flag in ("--version", "-V"):
        done = subprocess.run([sys.executable, "-c", PROBE.format(flag=flag)],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == f"dipsample {__version__}"
        assert lines[1] == "HEAVY ", lines[1]
