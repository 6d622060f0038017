"""Nothing leaves without a trace (issue 20, item 5): a real ``dipsample export`` and
``report case-tool --week`` SIGKILLed between the steps of handing a file out.

After every kill, each file under its final name is whole (the CSV has its header and
every row, the workbook opens, each PDF parses) and its export is in the event log; a
temporary is only ever a hidden ``.NAME.dipsample-part``, and the next run removes it.
Every file is 0600 and the batch's folder 0700 under the usual umask 022. A store that
cannot be written refuses the export in one line and leaves no file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from desktop.files import PART_SUFFIX
from desktop.models import Event
from desktop.store import open_store
from desktop.sync.pause import PAUSE_ENV
from tests import forked
from tests.integration import attack

WEEK = "2026-W46"
POINTS = ("output-written", "output-logged", "output-renamed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo county, built once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("county")
    db = folder / "county.db"
    made = attack.run(folder / "home", "demo", "--cases", "200", "--as-of", "2026-11-20",
                      "--db", str(db))
    assert made.returncode == 0, made.stderr
    return db


@pytest.fixture
def db(county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "store" / county.name
    copy.parent.mkdir()
    for suffix in ("", ".kdf"):
        shutil.copy(county.with_name(county.name + suffix), copy.with_name(copy.name + suffix))
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", attack.PASSPHRASE)
    return copy


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most laptops have: files 0644 unless the application says otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def killed_at(home: Path, point: str, *args: str, resume: int = 0) -> None:
    """Run ``dipsample ARGS``, let it pass ``point`` ``resume`` times, SIGKILL it there."""
    child = forked.Popen([str(attack.EXE), *args], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=attack.environment(home, **{PAUSE_ENV: point}))
    try:
        assert child.stdin is not None and child.stderr is not None
        for passed in range(resume + 1):
            line = child.stderr.readline()
            assert line.startswith(f"paused at {point}"), line
            if passed < resume:
                child.stdin.write("\n")
                child.stdin.flush()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL


def exported(db: Path, fmt: str) -> set[str]:
    """The ids whose export in ``fmt`` the event log holds."""
    store = open_store(db, prompt=None)
    try:
        with store.read() as session:
            rows = session.execute(select(Event.entity_id, Event.detail_json).where(
                Event.action == "export")).all()
    finally:
        store.close()
    return {entity_id for entity_id, detail in rows if json.loads(detail).get("format") == fmt}


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def leftovers(folder: Path) -> list[str]:
    """Files that are neither final nor a plainly temporary name."""
    return [p.name for p in folder.iterdir()
            if p.name.startswith(".") and not p.name.endswith(PART_SUFFIX)]


def csv_audits(path: Path) -> list[str]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Audit id"
    return [row[0] for row in rows[1:]]


def xlsx_audits(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book["Audits"].iter_rows(values_only=True))
    finally:
        book.close()
    assert rows[0][0] == "Audit id"
    return [str(row[0]) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_killed_at_each_step(db: Path, tmp_path: Path, fmt: str) -> None:
    home, out = tmp_path / "home", tmp_path / "out" / f"audits.{fmt}"
    out.parent.mkdir()
    read = csv_audits if fmt == "csv" else xlsx_audits
    args = ("export", "--format", fmt, "-o", str(out), "--db", str(db))
    for point in POINTS:
        killed_at(home, point, *args)
        part = out.with_name(f".{out.name}{PART_SUFFIX}")
        if point == "output-renamed":
            assert not part.exists()
        else:  # killed before the rename: no file under the final name, whole or not
            assert not out.exists() and part.exists() and private(part)
        if point == "output-written":
            assert exported(db, fmt) == set()  # nothing logged, nothing delivered
        if out.exists():
            audits = read(out)
            assert audits and set(audits) <= exported(db, fmt)
            assert private(out)
        assert leftovers(out.parent) == []
    # Run again: whole, logged, and the temporary a kill left is gone.
    shutil.copy(out, tmp_path / f"before.{fmt}")
    killed_at(home, "output-written", *args)
    assert read(out) == read(tmp_path / f"before.{fmt}")  # the earlier file is untouched
    done = attack.run(home, *args)
    assert done.returncode == 0, done.stderr
    assert set(read(out)) <= exported(db, fmt)
    assert [p.name for p in out.parent.iterdir()] == [out.name] and private(out)


def test_a_weeks_case_tools_killed_at_each_step(db: Path, tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "batch" / "week"
    args = ("report", "case-tool", "--week", WEEK, "-o", str(folder), "--db", str(db))
    moments = [("output-written", 0), ("output-logged", 0), ("output-renamed", 0),
               ("output-renamed", 5)]
    for point, resume in moments:
        killed_at(home, point, *args, resume=resume)
        finals = sorted(folder.glob("*.pdf"))
        parts = sorted(folder.glob(f".*{PART_SUFFIX}"))
        if point == "output-renamed":
            assert len(finals) >= resume + 1
        assert leftovers(folder) == []
        assert all(private(p) for p in parts)
        logged = exported(db, "pdf")
        for pdf in finals:
            assert len(PdfReader(pdf).pages) >= 1  # whole: it parses to its last page
            short = pdf.stem.rsplit("_", 1)[1]
            assert any(audit.startswith(short) for audit in logged), pdf.name
            assert private(pdf)
        if point == "output-written":
            assert finals == [] and logged == set()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    done = attack.run(home, *args, "--json")
    assert done.returncode == 0, done.stderr
    files = [Path(f) for f in json.loads(done.stdout)["files"]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in files)
    logged = exported(db, "pdf")
    for pdf in files:
        assert len(PdfReader(pdf).pages) >= 1 and private(pdf)
        assert any(audit.startswith(pdf.stem.rsplit("_", 1)[1]) for audit in logged)


def _read_only(path: Path, on: bool) -> None:
    """Read-only for everyone, root included (``chattr +i``; root ignores file modes)."""
    if on:
        path.chmod(0o400)
        if os.geteuid() == 0:
            subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o600)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_store_that_cannot_be_written_refuses_the_export_and_leaves_no_file(
        db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out" / f"audits.{fmt}"
    out.parent.mkdir()
    _read_only(db, True)
    try:
        refused = attack.run(tmp_path / "home", "export", "--format", fmt, "-o", str(out),
                             "--db", str(db))
    finally:
        _read_only(db, False)
    assert refused.returncode != 0
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert list(out.parent.iterdir()) == []
    assert exported(db, fmt) == set()
