"""The log and crash files of a whole workflow hold no personal data (issue 13, item 6).

A real process imports a staff list and a caseload, draws a week, writes and submits
an audit, prints its case tool, exports, has an import refused and logs a bug whose
message names a child. Every file it left in its home folder that is not the database,
its backups or the documents it was asked to write is read, and none may hold a child's
or a person's name, a date of birth or the audit's free text.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import Case, User, Worker
from desktop.store import open_store
from tests import forked
from tests.unit.security.workflow_child import OVERVIEW, SECRET_IN_BUG

ROOT = Path(__file__).parents[3]
PASSPHRASE = "synthetic log scan phrase"


def _personal(db: Path) -> set[str]:
    """Every name, date of birth and free text the store holds, as the logs could."""
    store = open_store(db, prompt=None)
    try:
        with store.read() as session:
            found: set[str] = set()
            for name, born in session.execute(select(Case.child_name, Case.date_of_birth)):
                found |= {part for part in name.split() if len(part) > 3}
                if born is not None:
                    found |= {born.isoformat(), f"{born:%d/%m/%Y}"}
            for model in (User, Worker):
                for (name,) in session.execute(select(model.name)):
                    found |= {name}
    finally:
        store.close()
    return found | {OVERVIEW, SECRET_IN_BUG, "Badrow", "Quorbleth"}


@pytest.mark.slow
def test_no_personal_data_in_logs_after_a_whole_workflow(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    db = tmp_path / "store" / "dip.db"
    env = {**os.environ, "DIPSAMPLE_HOME": str(home), "DIPSAMPLE_PASSPHRASE": PASSPHRASE,
           "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("DIPSAMPLE_USER", None)
    done = forked.run([sys.executable, "-m", "tests.unit.security.workflow_child",
                           str(db), str(work)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    steps = [line.split() for line in done.stdout.splitlines() if line.startswith("step")]
    assert [s[1] for s in steps] == ["import", "users", "import", "sample", "report",
                                     "export"]
    # The refused import exits 1; a week short of Green cases is drawn with exit 1 too.
    assert [s[2] for s in steps] == ["0", "0", "1", "1", "0", "0"], done.stdout
    os.environ["DIPSAMPLE_PASSPHRASE"] = PASSPHRASE
    try:
        personal = _personal(db)
    finally:
        del os.environ["DIPSAMPLE_PASSPHRASE"]
    assert "Ashby" in personal and "14/03/2015" in personal  # the scan looks for real data
    logs = [p for p in home.rglob("*") if p.is_file()]
    assert logs, "the run wrote no log at all"
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in logs)
    assert "a bug while handling a case" in text  # the bug was logged, without its words
    leaked = sorted(word for word in personal if word in text)
    assert leaked == [], f"personal data in {[p.name for p in logs]}: {len(leaked)} items"
