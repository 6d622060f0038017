"""A chaos run of one council, bounded to a few minutes (issue 21, 'Done when').

A QA store owns the caseload (the demo county, small); three laptops, made from the
command line, start from its snapshot, one with a right clock, one four hours ahead,
one three hours behind. Each round every store does seeded random work through the
services, as the window does (answers, an audit's overview, actions' progress and
status, sample drops, comments), and every write goes into the test's own ledger; then
each syncs with a real ``dipsample sync`` process, some of them SIGKILLed at a named
point, some two at once on one store. Between rounds the share is damaged (a torn, a
flipped and a foreign bundle, later restored or set aside), the laptops switch from
the folder to the central database half-way while the QA store bridges both, a row in
the database is flipped and restored, and a sync's PostgreSQL connection is terminated
mid-push.

After syncing until quiet: every store holds the same records, field by field; every
write in the ledger is there with its value, or a later write saw it, or it is kept as
a conflict; no value won over a write made after seeing it; no conflict is on a
bookkeeping field; no device id changed.

The seed is ``DIPSAMPLE_CHAOS_SEED`` (printed with any failure), the rounds
``DIPSAMPLE_CHAOS_ROUNDS``. The laptops' clocks are moved in this process through
``open_store(wall_ms=...)`` and the services' ``ServiceContext.clock``, and in the sync
processes through ``DIPSAMPLE_TEST_CLOCK_OFFSET`` (desktop/store/hlc.py; tests only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import create_engine, func, select, text

from desktop.errors import InputProblem, RuleViolation
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    Case,
    CaseEvent,
    Claim,
    Meta,
    Sample,
    SampleItem,
    SyncConflict,
    TemplateQuestion,
    User,
)
from desktop.models.base import utcnow
from desktop.services.actions import record_progress, set_status
from desktop.services.audits.comments import post_comment
from desktop.services.audits.lifecycle import save_answer, save_details, submit
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.services.sampling.my_week import draw_my_week, open_audit_for
from desktop.services.sampling.replacement import replace_item
from desktop.services.sampling.weeks import shift_week
from desktop.store import Store, open_store
from desktop.store.hlc import OFFSET_ENV
from desktop.sync.bundle import Bundle, seal
from desktop.sync.collect import FACT_COLUMNS
from desktop.sync.folder import SUFFIX
from desktop.sync.merge import BOOKKEEPING
from desktop.sync.status import DATABASE, FOLDER, set_aside, sync_now
from tests import forked
from tests.unit.sync.file_keyring import FileKeyring
from tests.unit.sync.helpers import EXE, fresh_schema, plain_url, records
from tests.unit.sync.processes import child_env

pytestmark = [pytest.mark.slow, pytest.mark.pg, pytest.mark.timeout(900)]

SEED = int(os.environ.get("DIPSAMPLE_CHAOS_SEED", "2121"))
# Four rounds are the fewest that hold every event once, each in a round of its own
# after the first: damaged bundles (1), restored (2), the switch to the database and a
# connection cut mid-push (2), a flipped row (3). More rounds are more of the same random
# work and kills (DIPSAMPLE_CHAOS_ROUNDS=12 for a long run).
ROUNDS = max(4, int(os.environ.get("DIPSAMPLE_CHAOS_ROUNDS", "4")))
#: Hours each store's clock is off: the QA install, and the three laptops.
CLOCKS = {"qa": 0.0, "right": 0.0, "ahead": 4.0, "behind": -3.0}
LAPTOPS = ("right", "ahead", "behind")
#: Pause points of a sync where a SIGKILL is sent (desktop/sync/pause.py).
KILL_POINTS = ("pushed", "applying")
#: Work each store does per round.
OPS_PER_ROUND = 4
#: Fields the issue names as meaningless conflicts (beside merge.BOOKKEEPING).
NEVER_A_CONFLICT = frozenset({("standards_versions", "effective_from"),
                              ("samples", "drawn_at"), ("claims", "claimed_at")})
#: The name of the bundle sealed with another council's key.
FOREIGN = "999999999999-000000000000-foreign"


@dataclass
class Node:
    """One store: the QA install or a laptop, open here as the window would hold it."""

    name: str
    hours: float
    path: Path
    store: Store
    device_id: str = ""

    def wall_ms(self) -> int:
        return time.time_ns() // 1_000_000 + round(self.hours * 3_600_000)

    def now(self) -> dt.datetime:
        return utcnow() + dt.timedelta(hours=self.hours)

    def as_user(self, user_id: str) -> ServiceContext:
        return ServiceContext(store=self.store, user_id=user_id, clock=self.now)


@dataclass(frozen=True)
class Write:
    """One value written through a service: the record's field and the value stored."""

    table: str
    record_id: str
    field: str
    value: str
    #: Written once in the whole run (free text): "seen" and "won" can be told apart.
    unique: bool


@dataclass
class Ledger:
    writes: list[Write] = field(default_factory=list)
    #: (table, record, field, value) that a later write read just before overwriting it.
    seen: set[tuple[str, str, str, str]] = field(default_factory=set)
    counter: int = 0

    def token(self, what: str) -> str:
        self.counter += 1
        return f"{what} {self.counter} (chaos)"

    def wrote(self, table: str, record_id: str, name: str, before: Any, value: Any,
              unique: bool = False) -> None:
        if before is not None:
            self.seen.add((table, record_id, name, as_text(before)))
        self.writes.append(Write(table, record_id, name, as_text(value), unique))


def as_text(value: Any) -> str:
    return json.dumps(value.isoformat() if isinstance(value, dt.date | dt.datetime)
                      else value)


@dataclass
class Run:
    """Everything the rounds share."""

    rng: random.Random
    root: Path
    share: Path
    central: str
    app: str
    nodes: dict[str, Node]
    ledger: Ledger = field(default_factory=Ledger)
    auditor: str = ""
    qa_user: str = ""
    audits: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    open_for_comment: list[str] = field(default_factory=list)
    switched: bool = False
    #: What the run did, in order (printed with a failure).
    story: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def say(self, line: str) -> None:
        self.story.append(f"{time.monotonic() - self.started:7.1f}s {line}")


# -- sync processes ------------------------------------------------------------------

def _env(run: Run, node: Node, *, pause: str | None = None, wait: float | None = None
         ) -> dict[str, str]:
    return child_env(run.root / "home", pause=pause, wait=wait,
                     extra={OFFSET_ENV: str(node.hours * 3600)})


def _target(run: Run, node: Node, database: bool | None = None) -> list[str]:
    if database is None:
        database = run.switched and node.name != "qa"
    return ["--database", run.central] if database else ["--folder", str(run.share)]


def _start(run: Run, node: Node, args: list[str], *, pause: str | None = None,
           wait: float | None = None) -> subprocess.Popen[str]:
    return forked.Popen([str(EXE), "sync", *args, "--db", str(node.path)],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True,
                        env=_env(run, node, pause=pause, wait=wait))


def _finish(child: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    try:
        out, err = child.communicate(timeout=timeout)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    return child.returncode, out, err


def _paused(child: subprocess.Popen[str], point: str) -> bool:
    """Whether ``child`` stopped at ``point`` (False: it ended without reaching it)."""
    assert child.stderr is not None
    while True:
        line = child.stderr.readline()
        if not line:
            return False
        if line.startswith(f"paused at {point}"):
            return True


def _kill(child: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(signal.SIGKILL)
    _finish(child, 60)


def sync_process(run: Run, node: Node, args: list[str] | None = None) -> str:
    """One ``dipsample sync`` of ``node``, run to its end; its first line. A foreign
    bundle it reports is set aside at once, as a person told of it would."""
    code, out, err = _finish(_start(run, node, args or _target(run, node)))
    first = (out.strip().splitlines() or [err.strip()[-300:]])[0]
    run.say(f"{node.name}: sync -> {code} {first[:160]}")
    assert code in (0, 1), f"{node.name}: dipsample sync failed: {err[-2000:]}"
    if FOREIGN in first:
        set_foreign_aside(run, node)
    return first


def killed_sync(run: Run, node: Node, point: str) -> None:
    """A ``dipsample sync`` of ``node`` SIGKILLed at ``point`` (if it gets there)."""
    child = _start(run, node, _target(run, node), pause=point)
    if _paused(child, point):
        _kill(child)
        run.say(f"{node.name}: sync SIGKILLed at {point}")
    else:
        code, _, _ = _finish(child)
        run.say(f"{node.name}: sync ended ({code}) before {point}")


def two_at_once(run: Run, node: Node) -> None:
    """The window's sync and a scheduled one on one store at the same moment."""
    first = _start(run, node, _target(run, node), pause="pushed")
    reached = _paused(first, "pushed")
    second = _start(run, node, _target(run, node), wait=0.5)
    code, out, _ = _finish(second)
    run.say(f"{node.name}: second sync at once -> {code} {out.strip()[:120]}")
    if reached and first.stdin is not None:
        first.stdin.write("\n")
        first.stdin.flush()
    code, out, err = _finish(first)
    run.say(f"{node.name}: first sync -> {code} {out.strip()[:120]}")
    assert code in (0, 1), err[-2000:]


def terminated_mid_push(run: Run, node: Node) -> None:
    """A sync whose PostgreSQL connection is terminated while it pushes."""
    for _ in range(OPS_PER_ROUND):  # something to push
        run.rng.choice(WORK)(run, node)
    child = _start(run, node, _target(run, node, database=True), pause="central-insert")
    if not _paused(child, "central-insert"):
        code, _, _ = _finish(child)
        run.say(f"{node.name}: nothing to push to the database ({code})")
        return
    engine = create_engine(plain_url(_server()))
    try:
        with engine.begin() as conn:
            ended = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :app"), {"app": run.app}).scalar()
    finally:
        engine.dispose()
    assert child.stdin is not None
    child.stdin.write("\n")
    child.stdin.flush()
    code, out, err = _finish(child)
    run.say(f"{node.name}: {ended} connection(s) terminated mid-push -> {code} "
            f"{out.strip()[:120]}")
    assert code in (0, 1), err[-2000:]


def _server() -> str:
    server = os.environ.get("DIPSAMPLE_TEST_PG_URL")
    if not server:
        pytest.skip("DIPSAMPLE_TEST_PG_URL is not set")
    return server


# -- work through the services ----------------------------------------------------------

def _pick(run: Run, items: list[str]) -> str | None:
    return run.rng.choice(items) if items else None


def work_answer(run: Run, node: Node) -> None:
    audit_id = _pick(run, run.audits)
    with node.store.read() as session:
        audit = session.get(Audit, audit_id)
        questions = list(session.scalars(select(TemplateQuestion).where(
            TemplateQuestion.template_id == audit.template_id,  # type: ignore[union-attr]
            TemplateQuestion.deleted.is_(False)).order_by(TemplateQuestion.code)))
    question = run.rng.choice(questions)
    value = _answer_value(run, question.answer_type)
    note = run.ledger.token("note")
    with node.store.read() as session:
        before = session.scalar(select(AuditAnswer).where(
            AuditAnswer.audit_id == audit_id, AuditAnswer.question_id == question.id))
        old = (before.value, before.note, before.id) if before is not None else None
    try:
        stored = save_answer(node.as_user(run.auditor), audit_id, question.code, value, note)
    except (RuleViolation, InputProblem):
        return
    with node.store.read() as session:
        answer_id = session.scalar(select(AuditAnswer.id).where(
            AuditAnswer.audit_id == audit_id, AuditAnswer.question_id == question.id))
    run.ledger.wrote("audit_answers", answer_id, "value", old and old[0], stored)
    run.ledger.wrote("audit_answers", answer_id, "note", old and old[1], note, unique=True)


def _answer_value(run: Run, answer_type: str) -> str:
    choices = {"standard": ["met", "partly_met", "not_met", "not_applicable"],
               "yes_no": ["yes", "no"], "grade": ["outstanding", "good",
                                                   "requires_improvement", "inadequate"],
               "date": ["01/11/2026", "15/11/2026"]}.get(answer_type)
    return run.rng.choice(choices) if choices else run.ledger.token("answer")


def work_overview(run: Run, node: Node) -> None:
    audit_id = _pick(run, run.audits)
    overview = run.ledger.token("overview")
    with node.store.read() as session:
        before = session.scalar(select(Audit.overview).where(Audit.id == audit_id))
    try:
        save_details(node.as_user(run.auditor), audit_id, overview=overview)
    except (RuleViolation, InputProblem):
        return
    run.ledger.wrote("audits", audit_id, "overview", before, overview, unique=True)


def work_progress(run: Run, node: Node) -> None:
    action_id = _pick(run, run.actions)
    progress = run.ledger.token("progress")
    with node.store.read() as session:
        before = session.scalar(select(Action.progress).where(Action.id == action_id))
    try:
        record_progress(node.as_user(run.qa_user), action_id, progress=progress)
    except (RuleViolation, InputProblem):
        return
    run.ledger.wrote("actions", action_id, "progress", before, progress, unique=True)


def work_status(run: Run, node: Node) -> None:
    action_id = _pick(run, run.actions)
    to = run.rng.choice(["in_progress", "done", "verified", "cancelled", "open"])
    with node.store.read() as session:
        before = session.scalar(select(Action.status).where(Action.id == action_id))
    try:
        set_status(node.as_user(run.qa_user), [action_id], to,
                   reason="chaos" if to == "cancelled" else "")
    except (RuleViolation, InputProblem):
        return
    run.ledger.wrote("actions", action_id, "status", before, to)


def work_drop(run: Run, node: Node) -> None:
    with node.store.read() as session:
        items = sorted(session.scalars(select(SampleItem.id).join(
            Sample, Sample.id == SampleItem.sample_id).where(
            Sample.auditor_id == run.auditor, SampleItem.status == "active",
            SampleItem.deleted.is_(False))))
    item_id = _pick(run, items)
    if item_id is None:
        return
    note = run.ledger.token("drop")
    try:
        replace_item(node.as_user(run.auditor), item_id, "other", note)
    except (RuleViolation, InputProblem):
        return
    run.ledger.wrote("sample_items", item_id, "status", "active", "dropped")
    run.ledger.wrote("sample_items", item_id, "drop_note", "", note, unique=True)


def work_comment(run: Run, node: Node) -> None:
    audit_id = _pick(run, run.open_for_comment)
    body = run.ledger.token("comment")
    try:
        comment_id = post_comment(node.as_user(run.qa_user), audit_id, body)
    except (RuleViolation, InputProblem):
        return
    run.ledger.wrote("audit_comments", comment_id, "body", None, body, unique=True)


WORK: list[Callable[[Run, Node], None]] = [work_answer, work_answer, work_overview,
                                           work_progress, work_progress, work_status,
                                           work_drop, work_comment]


# -- the share and the database, damaged and restored ------------------------------------

@dataclass
class Damage:
    path: Path
    data: bytes
    how: str


def damage_bundles(run: Run) -> list[Damage]:
    """Tear one laptop bundle in the share, flip a byte of another, and put a bundle
    sealed with another council's key beside them."""
    found = sorted(p for p in run.share.glob(f"*/*{SUFFIX}"))
    chosen = run.rng.sample(found, 2)
    done = []
    for path, how in zip(chosen, ("torn", "flipped"), strict=True):
        data = path.read_bytes()
        if how == "torn":
            path.write_bytes(data[: len(data) // 2])
        else:
            flipped = bytearray(data)
            flipped[len(data) // 3] ^= 0x20
            path.write_bytes(bytes(flipped))
        done.append(Damage(path, data, how))
        run.say(f"share: {how} {path.parent.name[:8]}/{path.name}")
    foreign = run.share / str(uuid.uuid4())
    foreign.mkdir()
    (foreign / (FOREIGN + SUFFIX)).write_bytes(
        seal(os.urandom(32), f"{foreign.name}/{FOREIGN}", Bundle(foreign.name, "", [])))
    run.say(f"share: a foreign bundle {foreign.name[:8]}/{FOREIGN}")
    return done


def restore(run: Run, damages: list[Damage]) -> None:
    for damage in damages:
        damage.path.write_bytes(damage.data)
        run.say(f"share: restored the {damage.how} {damage.path.name}")


def set_foreign_aside(run: Run, node: Node) -> None:
    """``dipsample sync ignore`` the foreign bundle a sync of ``node`` reported."""
    code, out, err = _finish(forked.Popen(
        [str(EXE), "sync", "ignore", FOREIGN, "--db", str(node.path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(run, node)))
    run.say(f"{node.name}: sync ignore -> {code} {(out or err).strip()[:120]}")
    assert code == 0, err[-2000:]


@contextlib.contextmanager
def flipped_row(run: Run) -> Iterator[None]:
    """One bundle row in the central database with a byte flipped, restored after."""
    engine = create_engine(plain_url(_server()))
    schema = run.central.split("schema=", 1)[1].split("&", 1)[0]
    try:
        with engine.begin() as conn:
            row = conn.execute(text(
                f'SELECT bundle_id, data FROM "{schema}".bundles ORDER BY server_seq '
                "LIMIT 1 OFFSET :n"), {"n": run.rng.randrange(3)}).first()
            if row is None:
                yield
                return
            flipped = bytearray(row.data)
            flipped[len(flipped) // 2] ^= 0x01
            conn.execute(text(f'UPDATE "{schema}".bundles SET data = :d WHERE bundle_id = :b'),
                         {"d": bytes(flipped), "b": row.bundle_id})
        run.say(f"database: flipped {row.bundle_id[:8]}")
        yield
        with engine.begin() as conn:
            conn.execute(text(f'UPDATE "{schema}".bundles SET data = :d WHERE bundle_id = :b'),
                         {"d": bytes(row.data), "b": row.bundle_id})
        run.say(f"database: restored {row.bundle_id[:8]}")
    finally:
        engine.dispose()


# -- the run -------------------------------------------------------------------------------

def open_node(root: Path, name: str) -> Node:
    """A store held open as the window holds it (made here when it is not there)."""
    path = root / name / "dipsample.db"
    node = Node(name, CLOCKS[name], path, None)  # type: ignore[arg-type]
    node.store = open_store(path, prompt=None, create=True, wall_ms=node.wall_ms)
    node.device_id = node.store.device_id
    return node


def new_laptop(run: Run, name: str) -> Node:
    """A laptop made as IT scripts it: ``dipsample sync --folder SHARE --db NEW`` makes
    the store and pulls (from the snapshot); then the person opens it."""
    unopened = Node(name, CLOCKS[name], run.root / name / "dipsample.db", None)  # type: ignore[arg-type]
    first = sync_process(run, unopened, ["--folder", str(run.share)])
    assert first.startswith("ok"), first
    return open_node(run.root, name)


def set_up(run: Run) -> None:
    """The QA store's county, shared drafts, a snapshot, three laptops from it."""
    qa = run.nodes["qa"]
    # Built as of months ago, so that this week's re-audit gap leaves cases to draw.
    build_demo_county(ServiceContext(store=qa.store, clock=qa.now), cases=300, seed=SEED,
                      as_of=qa.now().date() - dt.timedelta(days=300))
    with qa.store.read() as session:
        users = list(session.scalars(select(User).order_by(User.username)))
        auditors = [u.id for u in users if u.roles == "auditor"]
        run.qa_user = next(u.id for u in users if "qa" in u.roles.split(","))
        run.actions = run.rng.sample(sorted(session.scalars(select(Action.id).where(
            Action.status.in_(["open", "in_progress"])))), 6)
    week = qa.now().strftime("%G-W%V")
    for auditor in auditors:  # the first auditor with a week to audit
        drawn = draw_my_week(qa.as_user(auditor), week)
        if len(drawn.cases) >= 8:
            run.auditor = auditor
            break
    for case in drawn.cases[:3]:
        run.audits.append(open_audit_for(qa.as_user(run.auditor), case.item_id))
    # Two of them submitted: open for comment, which QA comments on from any store.
    for audit_id in run.audits[1:]:
        if _fill_and_submit(run, qa, audit_id):
            run.open_for_comment.append(audit_id)
    sync_process(run, qa)
    code, out, err = _finish(forked.Popen(
        [str(EXE), "sync", "snapshot", "--db", str(qa.path)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=_env(run, qa)))
    assert code == 0, err
    run.say(f"qa: {out.strip()}")
    for name in LAPTOPS:
        run.nodes[name] = new_laptop(run, name)
    # The same auditor draws next week on two laptops, offline (item 9).
    next_week = shift_week(qa.now().strftime("%G-W%V"), 1)
    for name in ("right", "behind"):
        draw_my_week(run.nodes[name].as_user(run.auditor), next_week)


def _fill_and_submit(run: Run, node: Node, audit_id: str) -> bool:
    """Answer every question of a draft as met (or its type's plain value), fill the
    audit's own fields and submit it; False when it could not be submitted."""
    me = node.as_user(run.auditor)
    with node.store.read() as session:
        audit = session.get(Audit, audit_id)
        assert audit is not None
        questions = list(session.scalars(select(TemplateQuestion).where(
            TemplateQuestion.template_id == audit.template_id,
            TemplateQuestion.deleted.is_(False))))
        rag = session.scalar(select(Case.rag).where(Case.id == audit.case_id))
    plain = {"standard": "met", "yes_no": "yes", "grade": "good", "date": "01/11/2026"}
    for question in questions:
        save_answer(me, audit_id, question.code, plain.get(question.answer_type, "noted"))
    save_details(me, audit_id, overview="Submitted for the chaos run.",
                 positive_practice="Clear.", grade="good", auditor_rag=rag or "amber")
    try:
        submit(me, audit_id)
    except RuleViolation as exc:
        run.say(f"qa: could not submit {audit_id[:8]}: {exc}")
        return False
    return True


def restart(node: Node) -> None:
    """The laptop is switched off and on: its store closed and opened again."""
    node.store.close()
    node.store = open_store(node.path, prompt=None, wall_ms=node.wall_ms)


def one_round(run: Run, number: int) -> None:
    run.say(f"-- round {number}")
    for node in run.nodes.values():
        if run.rng.random() < 0.3:
            restart(node)
            run.say(f"{node.name}: restarted")
        for _ in range(OPS_PER_ROUND):
            run.rng.choice(WORK)(run, node)
    order = list(run.nodes.values())
    run.rng.shuffle(order)
    for node in order:
        roll = run.rng.random()
        if roll < 0.2:
            killed_sync(run, node, run.rng.choice(KILL_POINTS))
        elif roll < 0.3:
            two_at_once(run, node)
        else:
            sync_process(run, node)
        if node.name == "qa" and run.switched:  # the QA install bridges both targets
            sync_process(run, node, _target(run, node, database=True))


def until_quiet(run: Run, rounds: int = 10) -> None:
    """Every store syncs in turn (QA with both targets) until a whole round moves nothing."""
    for _ in range(rounds):
        moved = 0
        for node in run.nodes.values():
            specs = [DATABASE + run.central] if node.name != "qa" else \
                [FOLDER + str(run.share), DATABASE + run.central]
            for spec in specs:
                report = sync_now(node.store, spec)
                moved += report.pushed + report.pulled
                if report.rejected and all(FOREIGN in r for r in report.rejected):
                    set_aside(node.store, FOREIGN)
                    report = sync_now(node.store, spec)
                    moved += report.pushed + report.pulled
                assert report.outcome == "ok", (node.name, report)
        if not moved:
            return
    raise AssertionError("sync did not settle")


def check(run: Run) -> None:
    stores = list(run.nodes.values())
    first = records(stores[0].store)
    for node in stores[1:]:
        theirs = records(node.store)
        for table, rows in first.items():
            assert theirs[table] == rows, f"{node.name} differs from qa in {table}: " + \
                str(sorted(set(theirs[table].items()) ^ set(rows.items()))[:4])
    events = [case_events(node.store) for node in stores]
    for node, held in zip(stores[1:], events[1:], strict=True):
        assert held == events[0], f"{node.name} holds other case events than qa"
    with stores[0].store.read() as session:
        conflicts = list(session.scalars(select(SyncConflict)))
        finals = {}
        for write in run.ledger.writes:
            model = next(m for m in _models() if m.__tablename__ == write.table)
            value = session.scalar(select(getattr(model, write.field)).where(
                model.id == write.record_id))
            finals[(write.table, write.record_id, write.field)] = as_text(value)
    bookkeeping = sorted({(c.table_name, c.field) for c in conflicts}
                         & (BOOKKEEPING | NEVER_A_CONFLICT))
    assert not bookkeeping, f"conflicts on bookkeeping fields: {bookkeeping}"
    lost = {(c.table_name, c.record_id, c.field, c.loser_json) for c in conflicts}
    seen = run.ledger.seen
    for write in run.ledger.writes:
        key = (write.table, write.record_id, write.field)
        final = finals[key]
        if final == write.value or (*key, write.value) in seen or (*key, write.value) in lost:
            continue
        raise AssertionError(f"a write vanished without a conflict: {write} (now {final})")
    for write in run.ledger.writes:
        key = (write.table, write.record_id, write.field)
        if write.unique and finals[key] == write.value:
            assert (*key, write.value) not in seen, \
                f"{write} won over a write made after seeing it"
    with stores[0].store.read() as session:  # one live claim per auditor, case, week
        doubled = session.execute(select(Claim.auditor_id, Claim.case_id, Claim.iso_week)
                                  .where(Claim.deleted.is_(False), Claim.released.is_(False))
                                  .group_by(Claim.auditor_id, Claim.case_id, Claim.iso_week)
                                  .having(func.count() > 1)).all()
    assert not doubled, f"{len(doubled)} claims held twice by one auditor"
    for node in stores:
        with node.store.read() as session:
            kept = session.scalar(select(Meta.value).where(Meta.key == "device_id"))
        assert kept == node.device_id == node.store.device_id, f"{node.name} changed id"


def case_events(store: Store) -> list[tuple[Any, ...]]:
    """Every case event (append-only facts), as sorted comparable rows."""
    with store.read() as session:
        return sorted(session.execute(select(*[getattr(CaseEvent, c) for c in FACT_COLUMNS]
                                             )).all(), key=repr)


def _models() -> list[Any]:
    from desktop.sync.merge import synced_models

    return list(synced_models().values())


def test_a_council_in_chaos_converges_and_loses_nothing(
        tmp_path: Path, shared_keyring: Path) -> None:
    server = _server()
    app = f"chaos_{uuid.uuid4().hex[:10]}"
    with fresh_schema(server) as central:
        central = f"{central}&application_name={app}"
        share = tmp_path / "share"
        share.mkdir()
        run = Run(random.Random(SEED), tmp_path, share, central, app,
                  {"qa": open_node(tmp_path, "qa")})
        try:
            set_up(run)
            damages: list[Damage] = []
            for number in range(ROUNDS):
                if number == 1:
                    damages = damage_bundles(run)
                if number == 2:
                    restore(run, damages)
                if number == ROUNDS // 2:
                    run.switched = True
                    run.say("laptops switch to the database; QA bridges both")
                if number == ROUNDS // 2 + 1:
                    with flipped_row(run):
                        one_round(run, number)
                    continue
                one_round(run, number)
                if number == ROUNDS // 2:
                    terminated_mid_push(run, run.rng.choice(
                        [run.nodes[n] for n in LAPTOPS]))
            until_quiet(run)
            check(run)
            if os.environ.get("DIPSAMPLE_CHAOS_STORY"):
                print("\n".join(run.story))
                print(f"{len(run.ledger.writes)} writes in the ledger")
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}\nchaos seed {SEED} (DIPSAMPLE_CHAOS_SEED={SEED}); the run:\n"
                + "\n".join(run.story[-80:])) from exc
        finally:
            for node in run.nodes.values():
                node.store.close()


@pytest.fixture
def shared_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Secrets in a file that this test and its sync processes all read."""
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("DIPSAMPLE_TEST_KEYRING", str(path))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield path
    keyring.set_keyring(previous)
