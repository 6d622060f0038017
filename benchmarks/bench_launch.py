"""Starting the window on 100,000 cases, timed as a person meets it: from the launch.

``launch_to_signin_100k``: from starting a new process until the window's sign-in list
shows the store's people. ``launch_to_first_screen_100k``: until the screen the first
person lands on after signing in shows its data (a head of service: the Cases screen's
first screenful). Both sides are child processes (:mod:`benchmarks.launch`); the
baseline is the part no window can skip, measured in the same run: a new Python that
imports ``PySide6.QtWidgets`` and opens the same store (key, header and schema checks,
as every command does) until it is open.

``quit_after_first_screen_100k``: Ctrl+Q once the first screen is up (the background
integrity check of the whole file is then running) until the process has ended,
against a budget of one second, as the GUI-stall benchmarks use a budget: a window
that has nothing left to save has no reason to take longer.

Each benchmark copies the run's demo county once (:func:`benchmarks.stores.demo_county`);
the children run offscreen, under the runner's passphrase and home.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.core import Amount, Benchmark, Side, Sides
from benchmarks.gui import WAIT_S
from benchmarks.stores import copy_store, county_cases, demo_county

ROOT = Path(__file__).resolve().parents[1]
#: The most a quit may take, the baseline of ``quit_after_first_screen_100k``.
QUIT_BUDGET_S = 1.0


class Child:
    """A ``python -m benchmarks.launch WHAT DB`` process; its lines with their arrival
    times, read by a thread of their own so that a line is timed when it comes."""

    def __init__(self, what: str, db: Path, errors: Path) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM",
                                                                  "offscreen")}
        self._errors = errors
        self._lines: queue.Queue[tuple[float, str | None]] = queue.Queue()
        with errors.open("w") as stderr:
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.launch", what, str(db)], cwd=ROOT,
                env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        with stream:
            for line in stream:
                self._lines.put((time.perf_counter(), line.strip()))
        self._lines.put((time.perf_counter(), None))

    def wait_for(self, word: str, timeout_s: float = WAIT_S) -> float:
        """When the child printed a line starting with ``word``; an error otherwise."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                at, line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise TimeoutError(f"the window did not reach '{word}' within "
                                   f"{timeout_s:g} s") from None
            if line is None:
                self.stop()
                tail = self._errors.read_text(errors="replace").strip().splitlines()[-1:]
                raise RuntimeError(f"the child ended before '{word}'"
                                   + (f": {tail[0]}" if tail else ""))
            if line.startswith("error "):
                self.stop()
                raise RuntimeError(line.removeprefix("error "))
            if line.split()[0] == word:
                return at

    def ended(self, timeout_s: float = WAIT_S) -> float:
        """When the process ended; an error if it failed or did not end in time."""
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.stop()
            raise TimeoutError(f"the window did not end within {timeout_s:g} s") from None
        at = time.perf_counter()
        if code != 0:
            raise RuntimeError(f"the child ended with exit code {code}")
        return at

    def stop(self) -> None:
        """Kill the child if it still runs; its output is read to the end either way."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._reader.join()


def launch_until(what: str, word: str, db: Path, workdir: Path) -> Amount:
    """Seconds from starting ``what`` until it says ``word``; the child is then let
    finish (untimed) so that the next run does not share the cores with its tail."""
    child = Child(what, db, workdir / f"{what}.stderr")
    try:
        at = child.wait_for(word)
        child.ended()
    finally:
        child.stop()
    return Amount(at - child.started)


def quit_time(db: Path, workdir: Path) -> Amount:
    """Seconds from Ctrl+Q (once the first screen is up) until the process ended."""
    child = Child("quit", db, workdir / "quit.stderr")
    try:
        pressed = child.wait_for("quitting")
        return Amount(child.ended() - pressed)
    finally:
        child.stop()


@contextmanager
def _county(workdir: Path, quick: bool) -> Iterator[Path]:
    yield copy_store(demo_county(county_cases(quick)), workdir / "county.db")


def _baseline(db: Path, workdir: Path) -> Side:
    return Side(lambda: launch_until("baseline", "ready", db, workdir))


@contextmanager
def signin_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    with _county(workdir, quick) as db:
        yield Sides(ours=Side(lambda: launch_until("signin", "signin", db, workdir)),
                    baseline=_baseline(db, workdir))


@contextmanager
def first_screen_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    with _county(workdir, quick) as db:
        yield Sides(ours=Side(lambda: launch_until("first-screen", "first-screen", db,
                                                   workdir)),
                    baseline=_baseline(db, workdir))


@contextmanager
def quit_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    with _county(workdir, quick) as db:
        yield Sides(ours=Side(lambda: quit_time(db, workdir)),
                    baseline=Side(lambda: Amount(QUIT_BUDGET_S)))


BENCHMARKS = [
    Benchmark("launch_to_signin_100k", 2.0, signin_setup,
              "a new process until the sign-in list shows, against importing Qt's widgets "
              "and opening the store"),
    Benchmark("launch_to_first_screen_100k", 2.0, first_screen_setup,
              "a new process until the first screen shows its data after signing in, "
              "against importing Qt's widgets and opening the store"),
    Benchmark("quit_after_first_screen_100k", 1.0, quit_setup,
              "Ctrl+Q with the integrity check running until the process ended, against "
              "1 s"),
]
