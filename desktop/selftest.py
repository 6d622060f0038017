"""``dipsample --self-test``: prove an installed build does its main job, end to end.

Why end to end through the real services: IT deploys a frozen bundle to hundreds of
laptops, and what breaks there is what the bundler left out (SQLCipher's library, the
migrations read as files, the fonts, the templates, a module imported by name). A
test of each part alone would pass on a build that cannot open a store. So this walks
one auditor's week as the window does: a new encrypted store, a caseload import, a
weekly sample, an audit submitted, its case-tool PDF, and a sync to a folder.

Why it never touches the person's data: everything happens under a new temporary
folder, made the whole ``DIPSAMPLE_HOME`` while it runs (settings, templates and
sampling quotas come from the build's own defaults), and the store is keyed by a random
passphrase with its ``.kdf`` file beside it, so the keyring is neither read nor
written. The folder is removed at the end. Only the log line goes to the usual log.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from desktop import __version__
from desktop.logs import safe_message
from desktop.services.context import ServiceContext
from desktop.store import Store

log = logging.getLogger(__name__)

#: Every step in order; the summary names each one with what became of it.
STEPS = ("store", "import", "sample", "audit", "pdf", "sync")
#: The synthetic caseload: cases per RAG, enough for a full weekly quota (10/10/5).
CASES = {"Red": 14, "Amber": 14, "Green": 12}
AREA = "Selftest Area"
#: The Mosaic profile's flag columns (Y/N), each set on a few cases.
FLAGS = ("Not In School", "Missing Episodes", "Exploitation Risk", "Edge Of Care",
         "Placement At Risk", "Placement With Parents", "Reg 24", "Unsuitable Accommodation",
         "Stepped Down")
#: SQLite's plain header: an encrypted file must not start with it.
PLAIN_HEADER = b"SQLite format 3\x00"


class StepFailed(Exception):
    """A step's own check failed (its message says which, in words)."""


@dataclass
class SelfTestReport:
    """What the self-test did.

    Attributes:
        done: each step that passed, with a few words of what it made.
        failed: the step that failed, or None.
        reason: why it failed, in one line (no traceback: that is in the log).
    """

    done: dict[str, str] = field(default_factory=dict)
    failed: str | None = None
    reason: str = ""
    seconds: float = 0.0
    version: str = __version__

    @property
    def ok(self) -> bool:
        return self.failed is None

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def line(self) -> str:
        """The one-line summary IT reads after a deployment."""
        if not self.ok:
            before = ", ".join(self.done) or "none"
            return (f"DipSample {self.version} self-test FAILED at step '{self.failed}': "
                    f"{self.reason} (passed before it: {before})")
        parts = [f"{step} ok ({self.done[step]})" if self.done[step] else f"{step} ok"
                 for step in self.done]
        return (f"DipSample {self.version} self-test passed in {self.seconds:.1f} s: "
                + ", ".join(parts))


@dataclass
class _Run:
    """What one step hands to the next."""

    folder: Path
    store: Store | None = None
    ctx: ServiceContext | None = None
    auditor_id: str = ""
    item_ids: list[str] = field(default_factory=list)
    audit_id: str = ""

    def context(self) -> ServiceContext:
        if self.ctx is None:
            raise StepFailed("no store is open")
        return self.ctx


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def write_caseload(path: Path, today: dt.date) -> int:
    """A small synthetic Mosaic-style caseload export (every name made up); its rows.

    Why a file and not rows handed to the importer: reading a CSV through the
    mapping profile is part of what a build must be able to do.
    """
    header = ["Person ID", "Forename", "Surname", "DOB", "Service Area", "Team", "Worker",
              "Worker ID", "Team Manager", "Legal Status", "VTT RAG", "RAG Date",
              "Last Visit", "Visit By", "Last Virtual Visit", "Last Management Oversight",
              "Last VTT Review", "Last Risk Assessment", "Last Audit", "Case Status",
              "Start Date", "End Date", *FLAGS]
    cohorts = ("CIN", "CP Plan", "CLA", "Care Leaver")
    rows: list[list[str]] = []
    for rag, count in CASES.items():
        for n in range(count):
            number = len(rows) + 1
            team = 1 + number % 2
            rows.append([
                f"ST{number:04d}", "Selftest", f"Child{number:03d}",
                _d(today - dt.timedelta(days=365 * (2 + number % 14) + number)), AREA,
                f"Selftest Team {team}", f"Selftest Worker {team}", f"STW{team}",
                "Selftest Manager", cohorts[n % len(cohorts)], rag,
                _d(today - dt.timedelta(days=30)), _d(today - dt.timedelta(days=5 + n)),
                "SW", "", _d(today - dt.timedelta(days=10)),
                _d(today - dt.timedelta(days=20)), _d(today - dt.timedelta(days=40)), "",
                "Open", _d(today - dt.timedelta(days=400)), "",
                *("Y" if k == number % len(FLAGS) else "N" for k in range(len(FLAGS)))])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _store(run: _Run) -> str:
    from desktop.store import open_store

    path = run.folder / "data" / "selftest.db"
    # A passphrase given for a new file skips the keyring: nothing of the person's
    # keyring is read or written, and the .kdf file stays in the temporary folder.
    run.store = open_store(path, passphrase=secrets.token_urlsafe(24), prompt=None,
                           create=True)
    run.ctx = ServiceContext(store=run.store)
    with path.open("rb") as handle:
        if handle.read(len(PLAIN_HEADER)) == PLAIN_HEADER:
            raise StepFailed("the new database file is not encrypted")
    return f"SQLCipher, key from {run.store.key_source}"


def _import(run: _Run) -> str:
    from desktop.services.caseload.importer import import_caseload
    from desktop.services.people.staff import add_user

    ctx = run.context()
    source = run.folder / "caseload.csv"
    rows = write_caseload(source, ctx.today())
    report = import_caseload(ctx, source, "mosaic")
    if report.errors or report.created != rows:
        raise StepFailed(f"the synthetic caseload imported {report.created} of {rows} "
                         f"cases ({report.problem_count} problems)")
    auditor = add_user(ctx, username="selftest-auditor", name="Selftest Auditor",
                       roles="auditor", areas=AREA)
    run.auditor_id = auditor.id
    run.ctx = ServiceContext(store=ctx.store, user_id=auditor.id)
    return f"{rows} cases"


def _sample(run: _Run) -> str:
    from desktop.services.sampling.weekly import draw_weekly
    from desktop.services.sampling.weeks import week_of

    ctx = run.context()
    view = draw_weekly(ctx, run.auditor_id, week_of(ctx.today()), seed=1)
    wanted = 25
    if not view.saved or len(view.active_items) != wanted or view.shortfalls:
        raise StepFailed(f"the weekly sample holds {len(view.active_items)} cases, not "
                         f"{wanted}")
    run.item_ids = [item.item_id for item in view.active_items if item.item_id is not None]
    return f"{len(run.item_ids)} cases"


def _answer(answer_type: str, today: dt.date) -> str:
    """A valid answer for a question of this type (the form's own kinds)."""
    return {"standard": "met", "yes_no": "yes", "grade": "good",
            "date": today.isoformat()}.get(answer_type, "Synthetic self-test answer.")


def _audit(run: _Run) -> str:
    from desktop.services.audits import lifecycle
    from desktop.services.audits.form import read_audit_form
    from desktop.services.sampling.my_week import open_audit_for

    ctx = run.context()
    audit_id = open_audit_for(ctx, run.item_ids[0])
    form = read_audit_form(ctx, audit_id)
    for question in form.view.answers:
        lifecycle.save_answer(ctx, audit_id, question.code,
                              _answer(question.answer_type, ctx.today()))
    lifecycle.save_details(ctx, audit_id, overview="Synthetic self-test overview.",
                           positive_practice="Synthetic self-test practice.", grade="good",
                           auditor_rag=form.case_rag or "amber")
    left = lifecycle.problems(ctx, audit_id)
    if left:
        raise StepFailed(f"the audit cannot be submitted: {left[0]}")
    result = lifecycle.submit(ctx, audit_id)
    run.audit_id = audit_id
    return result.status.replace("_", " ")


def _pdf(run: _Run) -> str:
    from desktop.reports.case_tool import case_tool_pdf

    out = run.folder / "case-tool.pdf"
    case_tool_pdf(run.context(), run.audit_id, out)
    data = out.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise StepFailed("the case tool PDF is not a whole PDF file")
    return f"{len(data) // 1024} KB"


def _sync(run: _Run) -> str:
    """Push everything to a temporary shared folder, then pull it into a second new
    store (another laptop) and find the audit there: the round trip, not just a write."""
    from desktop.models import Audit
    from desktop.store import open_store
    from desktop.sync.engine import sync
    from desktop.sync.folder import FolderTarget

    store = run.context().store
    share = run.folder / "share"
    share.mkdir()
    # A key of its own, never the organisation's key from the keyring.
    key = secrets.token_bytes(32)
    sent = sync(store, FolderTarget(share, store.device_id), key)
    if sent.outcome != "ok" or not sent.pushed or sent.pending:
        raise StepFailed(f"the push to the folder ended '{sent.outcome}' with "
                         f"{sent.pending} changes unsent")
    other = open_store(run.folder / "laptop2" / "selftest.db",
                       passphrase=secrets.token_urlsafe(24), prompt=None, create=True)
    try:
        got = sync(other, FolderTarget(share, other.device_id), key)
        with other.read() as session:
            arrived = session.get(Audit, run.audit_id) is not None
    finally:
        other.close()
    if got.outcome != "ok" or got.pulled != sent.pushed or not arrived:
        raise StepFailed(f"a second store pulled {got.pulled} of {sent.pushed} changes from "
                         f"the folder ('{got.outcome}')")
    return f"{sent.pushed} changes through a folder to a second store"


@contextmanager
def _isolated_home(folder: Path) -> Iterator[None]:
    """Every path the application resolves points into ``folder`` while it runs."""
    previous = os.environ.get("DIPSAMPLE_HOME")
    os.environ["DIPSAMPLE_HOME"] = str(folder / "home")
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DIPSAMPLE_HOME", None)
        else:
            os.environ["DIPSAMPLE_HOME"] = previous


def run_self_test(folder: Path | None = None) -> SelfTestReport:
    """Run every step in a new temporary folder (``folder``: inside this one), then
    remove it. Never raises for a failed step: the report names it."""
    started = time.monotonic()
    report = SelfTestReport()
    work = Path(tempfile.mkdtemp(prefix="dipsample-selftest-", dir=folder))
    run = _Run(work)
    steps: dict[str, Callable[[_Run], str]] = {
        "store": _store, "import": _import, "sample": _sample, "audit": _audit,
        "pdf": _pdf, "sync": _sync}
    try:
        with _isolated_home(work):
            for name, step in steps.items():
                try:
                    report.done[name] = step(run)
                except Exception as exc:  # every failure is named, never a traceback
                    report.failed = name
                    report.reason = (str(exc) if isinstance(exc, StepFailed)
                                     else f"{type(exc).__name__}: {safe_message(exc)}")
                    log.error("self-test step %s failed", name, exc_info=True)
                    break
    finally:
        if run.store is not None:
            run.store.close()
        shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.monotonic() - started
    log.info("self-test %s", "passed" if report.ok else f"failed at {report.failed}")
    return report
