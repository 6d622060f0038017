"""A window killed mid-typing keeps everything typed up to its last autosave.

Real processes: ``dipsample demo`` builds the store, a child window types into a draft
audit (the overview, or the disagreement panel's reason) with real key events and says
after each autosave what it wrote; the test kills it with SIGKILL after a varying
number of saves, and a fresh window shows the draft.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import forked
from tests.integration.attack import environment, run

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "tests.integration.autosave_typist"


def child(home: Path, *args: str) -> subprocess.Popen[str]:
    return forked.Popen([sys.executable, "-m", SCRIPT, *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(home, QT_QPA_PLATFORM="offscreen"))


def finished(home: Path, *args: str) -> str:
    process = child(home, *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return out


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    home = tmp_path_factory.mktemp("home")
    db = home / "county.db"
    built = run(home, "demo", "--db", str(db), "--cases", "1500")
    assert built.returncode == 0, built.stderr
    return home, db


@pytest.mark.parametrize(("field", "saves"), [("overview", 1), ("overview", 3),
                                               ("overview", 6), ("reason", 3)])
def test_a_killed_window_keeps_the_draft_up_to_its_last_autosave(
        county: tuple[Path, Path], field: str, saves: int) -> None:
    home, db = county
    audit_id, user_id = finished(home, "prepare", str(db)).split()
    typist = child(home, "type", str(db), audit_id, user_id, field)
    assert typist.stdout is not None
    said: dict[str, object] = {}
    try:
        counted = 0
        while counted < saves:  # saves that wrote text in the field: the first one may
            line = typist.stdout.readline()  # hold only the answer (saved on focus out)
            assert line.startswith("saved "), (line, typist.stderr.read()
                                               if typist.poll() is not None else "")
            said = json.loads(line.removeprefix("saved "))
            counted += bool(str(said[field]).strip())
    finally:
        typist.send_signal(signal.SIGKILL)
        typist.communicate(timeout=60)
    assert typist.returncode == -signal.SIGKILL  # killed while still typing

    out = finished(home, "show", str(db), audit_id, user_id)
    shown = json.loads(out.split("shown ", 1)[1])
    # The service keeps the overview without its ends, the panels exactly as typed.
    typed = str(said[field]).strip() if field == "overview" else str(said[field])
    assert typed  # the saves being counted wrote text
    # Everything said to be saved is there; anything after it is a later save's
    # (never a torn one): the field only ever grows by whole keystrokes.
    assert str(shown[field]).startswith(typed)
    assert said["ra_in_place"] == "met" and shown["ra_in_place"] == "met"
