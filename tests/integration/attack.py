"""Tools for the hostile tests: real ``dipsample`` processes, kills, locks, marker data.

Why marker names: a test that imports children named ``Zqmarker…`` can scan the log
file (and every message) for those names and know that no row value leaked.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests import forked
from tests.data.make_caseload_examples import MOSAIC_HEADER

EXE = Path(sys.executable).with_name("dipsample")
PASSPHRASE = "hostile-tester-passphrase"


@dataclass
class Caseload:
    path: Path
    markers: list[str]


def write_caseload(path: Path, cases: int, *, rag: str = "Red", visit: str = "20/10/2026",
                   first_ref: int = 500_000) -> Caseload:
    """A Mosaic-shaped export whose every child has a unique, searchable marker name."""
    markers: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(MOSAIC_HEADER)
        for i in range(cases):
            surname = f"Zqmarker{i:06d}"
            markers.append(surname)
            out.writerow([
                first_ref + i, "Testchild", surname, "14/03/2015", "North",
                f"North Team {i % 4}", f"Testworker W{i % 9}", f"W{i % 9:04d}",
                "Testmanager Frond", "CP Plan", rag, "02/10/2026", visit, "SW", "",
                "01/10/2026", "02/10/2026", "15/09/2026", "", "Open", "01/06/2024", "",
                *("N" * 9),
            ])
    return Caseload(path, markers)


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPSAMPLE_")}
    env.update({"DIPSAMPLE_HOME": str(home), "DIPSAMPLE_PASSPHRASE": PASSPHRASE,
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    env.update(extra)
    return env


def run(home: Path, *args: str, user: int | None = None, timeout: float = 300,
        **extra: str) -> subprocess.CompletedProcess[str]:
    return forked.run([str(EXE), *args], capture_output=True, text=True,
                          env=environment(home, **extra), timeout=timeout, check=False,
                          user=user)


def start(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return forked.Popen([str(EXE), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment(home, **extra))


def start_python(home: Path, code: str, **extra: str) -> subprocess.Popen[str]:
    """A Python child running ``code`` with the same environment as ``dipsample``."""
    return forked.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment(home, **extra))


def kill_after(process: subprocess.Popen[str], seconds: float) -> bool:
    """SIGKILL ``process`` after ``seconds``; True if it was still running then."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            process.communicate()
            return False
        time.sleep(0.005)
    alive = process.poll() is None
    if alive:
        process.send_signal(signal.SIGKILL)
    process.communicate()
    return alive


def wait_for_line(process: subprocess.Popen[str], expected: str, timeout: float = 60) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != expected:
        process.kill()
        _out, err = process.communicate(timeout=timeout)
        raise AssertionError(f"child said {line!r}, not {expected!r}: {err[-2000:]}")


def log_text(home: Path) -> str:
    folder = home / "logs"
    return "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in sorted(folder.glob("dipsample.log*")))


def leaked(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m in text]


HOLD_LOCK = """
import sys, time
from pathlib import Path
from desktop.store import open_store
store = open_store(Path(sys.argv[1]), prompt=None)
with store.transaction() as session:
    session.connection()
    print("LOCKED", flush=True)
    if sys.argv[2] == "until-told":
        sys.stdin.readline()
    else:
        time.sleep(float(sys.argv[2]))
store.close()
print("RELEASED", flush=True)
"""


def hold_write_lock(home: Path, db: Path, seconds: float | None = None
                    ) -> subprocess.Popen[str]:
    """A second real process holding the store's write lock for ``seconds``, or, with
    None, until :func:`release` tells it to let go.

    Why "until told": a holder that lets go after a fixed time raced the process it was
    meant to block, which on a busy machine took longer than that just to start.
    """
    process = forked.Popen([sys.executable, "-c", HOLD_LOCK, str(db),
                                "until-told" if seconds is None else str(seconds)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment(home))
    wait_for_line(process, "LOCKED")
    return process


def release(holder: subprocess.Popen[str]) -> None:
    """Tell a holder from :func:`hold_write_lock` to commit and let go; wait until it has."""
    assert holder.stdin is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    wait_for_line(holder, "RELEASED")


def stderr_line(process: subprocess.Popen[str], wanted: str) -> str:
    """The first line ``process`` writes to stderr that contains ``wanted`` (its earlier
    lines skipped); an AssertionError with what it said if it ends without one."""
    assert process.stderr is not None
    said = []
    for line in process.stderr:
        if wanted in line:
            return line
        said.append(line)
    raise AssertionError(f"no {wanted!r} in {''.join(said)[-2000:]!r}")
