"""Sync: a sync with nothing to do, and a first sync of 10,000 audits, to each target.

``sync_nothing_folder``: ours is a whole sync of a store that is up to date with a
folder holding 40 bundles of three other devices (reachability, nothing to push, the
listing, nothing new to apply, the log line); the baseline lists the same folder. Each
timed run does it :data:`QUIET_LOOPS` times: one listing takes a tenth of a
millisecond, which printed as a baseline of zero (issue 21).
``sync_nothing_database``: the same against PostgreSQL; the baseline connects and
asks the server for bundles after the cursor (one SELECT).

``first_pull_folder_20k`` / ``first_pull_database_20k``: ours is a new laptop's first
sync from a target holding a snapshot of a 20,000-case county with 10,000 audits (their
answers and an action each): the snapshot fetched, opened, every record and case event
inserted with its field histories. The baseline loads the same rows (every synced
record and case event, read beforehand) into a new store with ``executemany``, one
table at a time, in one transaction (issue 21: at most 3 times as long).

``sync_first_folder_10k`` / ``sync_first_database_10k``: ours is the first sync of a
store holding 10,000 audits with their answers and an action each (and the demo
county they belong to): every record read, sealed and written to the target, and the
change log marked. The folder's baseline reads the same rows and writes them to one
plain file with an fsync (no encryption, no histories); the database's is a plain
``executemany`` of the same rows (as JSON) into a PostgreSQL table.

The PostgreSQL server is ``DIPSAMPLE_TEST_PG_URL`` (as the tests'); each run gets a new
schema, dropped afterwards.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from benchmarks.core import Benchmark, Side, Sides
from benchmarks.stores import PASSPHRASE, StoreCopies, create_store, remove_store
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    Case,
    CaseEvent,
    TemplateQuestion,
    User,
)
from desktop.services.audits.historical import _row
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.store import Store, open_store
from desktop.store.changes import insert_table_rows
from desktop.sync.bundle import Bundle, RecordChange, seal
from desktop.sync.central import DatabaseTarget
from desktop.sync.engine import SyncReport, sync
from desktop.sync.folder import FolderTarget
from desktop.sync.merge import ALL, row_to_json, synced_models
from desktop.sync.snapshot import write_snapshot

AS_OF = dt.date(2026, 11, 20)
KEY = bytes(range(32))  # a fixed organisation key: benchmarks touch no keyring


def _server() -> str:
    url = os.environ.get("DIPSAMPLE_TEST_PG_URL")
    if not url:
        raise RuntimeError("DIPSAMPLE_TEST_PG_URL names no PostgreSQL server")
    return url


def _schema_url(server: str, schema: str) -> str:
    return f"{server}{'&' if '?' in server else '?'}schema={schema}"


def _admin(server: str) -> Any:
    return create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1))


def _drop(server: str, schema: str) -> None:
    engine = _admin(server)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def add_audits(store: Store, count: int) -> None:
    """``count`` finalised audits with an answer to every question and one action each."""
    with store.read() as session:
        cases = list(session.scalars(select(Case.id).limit(count)))
        auditor = session.scalar(select(User.id).limit(1))
        template, = session.execute(select(TemplateQuestion.template_id).limit(1)).one()
        questions = list(session.scalars(select(TemplateQuestion.id).where(
            TemplateQuestion.template_id == template)))
    audits, answers, actions = [], [], []
    for n in range(count):
        audit = _row(Audit, case_id=cases[n % len(cases)], auditor_id=auditor,
                     template_id=template, status="finalised", overview=f"Overview {n}")
        audits.append(audit)
        answers += [_row(AuditAnswer, audit_id=audit["id"], question_id=q, value="met")
                    for q in questions]
        actions.append(_row(Action, audit_id=audit["id"], case_id=audit["case_id"],
                            description=f"Action {n}"))
    with store.transaction() as session:
        for model, rows in ((Audit, audits), (AuditAnswer, answers), (Action, actions)):
            store.recorder.bulk_insert(session, model, rows)


@contextmanager
def _audit_store(workdir: Path, quick: bool) -> Iterator[Path]:
    path = workdir / "audits.db"
    store = create_store(path)
    try:
        build_demo_county(ServiceContext(store=store), cases=1_000 if quick else 3_000,
                          seed=1, as_of=AS_OF)
        add_audits(store, 1_000 if quick else 10_000)
    finally:
        store.close()
    yield path


def _all_rows(store: Store) -> list[tuple[str, dict[str, Any]]]:
    out = []
    with store.read() as session:
        for name, model in synced_models().items():
            table = model.__table__  # type: ignore[attr-defined]
            out += [(name, row_to_json(r)) for r in session.execute(select(table)).mappings()]
    return out


def _pushed(report: SyncReport) -> None:
    if report.outcome != "ok" or not report.pushed:
        raise AssertionError(f"the first sync did not push: {report.outcome}")


@contextmanager
def first_folder_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    with _audit_store(workdir, quick) as pristine, StoreCopies(pristine, "first") as copies:
        share = workdir / "share"
        plain = workdir / "plain.jsonl"

        def fresh() -> None:
            copies.fresh()
            for folder in share.glob("*"):
                for file in folder.iterdir():
                    file.unlink()

        def ours() -> SyncReport:
            store = copies.store
            return sync(store, FolderTarget(share, store.device_id), KEY)

        def baseline() -> int:
            rows = _all_rows(copies.store)
            with plain.open("w", encoding="utf-8") as handle:
                for name, row in rows:
                    handle.write(json.dumps([name, row]) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            return len(rows)

        share.mkdir()
        yield Sides(ours=Side(ours, prepare=fresh, check=_pushed),
                    baseline=Side(baseline, prepare=copies.fresh))


@contextmanager
def first_database_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    server = _server()
    schemas: list[str] = []
    with _audit_store(workdir, quick) as pristine, StoreCopies(pristine, "first") as copies:

        def fresh() -> None:
            copies.fresh()
            schemas.append(f"bench_{uuid.uuid4().hex[:10]}")

        def ours() -> SyncReport:
            store = copies.store
            target = DatabaseTarget.connect(_schema_url(server, schemas[-1]), store.device_id)
            try:
                return sync(store, target, KEY)
            finally:
                target.close()

        def baseline() -> int:
            rows = _all_rows(copies.store)
            engine = _admin(server)
            try:
                with engine.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schemas[-1]}"'))
                    conn.execute(text(f'CREATE TABLE "{schemas[-1]}".plain '
                                      "(table_name text, id text, row text)"))
                    raw = conn.connection.dbapi_connection
                    with raw.cursor() as cursor:
                        cursor.executemany(
                            f'INSERT INTO "{schemas[-1]}".plain VALUES (%s, %s, %s)',
                            [(name, row["id"], json.dumps(row)) for name, row in rows])
            finally:
                engine.dispose()
            return len(rows)

        try:
            yield Sides(ours=Side(ours, prepare=fresh, check=_pushed),
                        baseline=Side(baseline, prepare=fresh))
        finally:
            for schema in schemas:
                _drop(server, schema)


def _other_devices(target_for: Any, bundles: int) -> list[str]:
    """``bundles`` small bundles from three other devices, pushed through ``target_for``."""
    pushed = []
    for n in range(bundles):
        device = f"0000000{n % 3}-0000-4000-8000-000000000000"
        name = f"{n:012d}-000000000000-bench"
        record_id, version = str(uuid.uuid4()), f"m{n:013d}.a0.0000000{n % 3}"
        at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC).isoformat()
        change = RecordChange("service_areas", record_id, version, device, {ALL: ""}, {
            "id": record_id, "name": f"Area {n}", "created_at": at, "updated_at": at,
            "hlc": version, "device_id": device, "deleted": False})
        target = target_for(device)
        pushed.append(target.push(name, seal(KEY, f"{device}/{name}",
                                             Bundle(device, "", [change]))))
    return pushed


@contextmanager
def _up_to_date(workdir: Path, sync_once: Any) -> Iterator[Store]:
    path = workdir / "quiet.db"
    create_store(path).close()
    store = open_store(path, passphrase=PASSPHRASE, prompt=None)
    try:
        sync_once(store)  # applies the other devices' bundles: nothing is left to do
        yield store
    finally:
        store.close()


def _nothing(report: SyncReport) -> None:
    if report.outcome != "ok" or report.pushed or report.pulled:
        raise AssertionError("a sync with nothing to do did something")


#: Quiet folder syncs (and listings) per timed run: one takes well under a millisecond.
QUIET_LOOPS = 200


def _all_nothing(reports: list[SyncReport]) -> None:
    for report in reports:
        _nothing(report)


@contextmanager
def nothing_folder_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    share = workdir / "share"
    share.mkdir()
    _other_devices(lambda device: FolderTarget(share, device), 40)
    with _up_to_date(workdir, lambda s: sync(s, FolderTarget(share, s.device_id), KEY)
                     ) as store:

        def ours() -> list[SyncReport]:
            return [sync(store, FolderTarget(share, store.device_id), KEY)
                    for _ in range(QUIET_LOOPS)]

        def baseline() -> int:
            return sum(sum(len(os.listdir(share / d)) for d in os.listdir(share))
                       for _ in range(QUIET_LOOPS))

        yield Sides(ours=Side(ours, check=_all_nothing), baseline=Side(baseline))


@contextmanager
def nothing_database_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    server = _server()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = _schema_url(server, schema)
    made: list[DatabaseTarget] = []

    def target_for(device: str) -> DatabaseTarget:
        target = DatabaseTarget.connect(url, device)
        made.append(target)
        target.check()
        return target

    try:
        _other_devices(target_for, 40)
        for target in made:
            target.close()

        def sync_once(store: Store) -> SyncReport:
            target = DatabaseTarget.connect(url, store.device_id)
            try:
                return sync(store, target, KEY)
            finally:
                target.close()

        with _up_to_date(workdir, sync_once) as store:
            cursor = 40

            def baseline() -> int:
                engine = _admin(server)
                try:
                    with engine.connect() as conn:
                        return len(conn.execute(text(
                            f'SELECT bundle_id FROM "{schema}".bundles WHERE server_seq > :c'),
                            {"c": cursor}).all())
                finally:
                    engine.dispose()

            yield Sides(ours=Side(lambda: sync_once(store), check=_nothing),
                        baseline=Side(baseline))
    finally:
        _drop(server, schema)


#: The county a new laptop pulls: cases and audits (full, quick).
COUNTY = {False: (20_000, 10_000), True: (2_000, 1_000)}
#: Built once per process and shared by both first-pull benchmarks (minutes to make).
_county: dict[bool, Path] = {}


def _county_store(quick: bool) -> Path:
    """The closed pristine county store (its data pushed nowhere yet)."""
    if quick not in _county:
        folder = Path(tempfile.mkdtemp(prefix="bench-county-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "county.db"
        cases, audits = COUNTY[quick]
        store = create_store(path)
        try:
            build_demo_county(ServiceContext(store=store), cases=cases, seed=1, as_of=AS_OF)
            add_audits(store, audits)
        finally:
            store.close()
        _county[quick] = path
    return _county[quick]


@dataclass
class Loaded:
    """Every synced record and case event of a store, as rows to insert again."""

    tables: list[tuple[Any, list[dict[str, Any]]]]
    facts: list[dict[str, Any]]

    @property
    def count(self) -> int:
        return sum(len(rows) for _, rows in self.tables) + len(self.facts)


def _rows_of(path: Path, workdir: Path) -> Loaded:
    """The rows of the store at ``path`` that a new store does not hold already (a new
    store comes with the audit templates this install ships)."""
    empty = NewLaptop(workdir, "empty")
    empty.fresh()
    assert empty.store is not None
    with empty.store.read() as session:
        held = {name: set(session.scalars(select(model.__table__.c.id)))  # type: ignore[attr-defined]
                for name, model in synced_models().items()}
    empty.close()
    store = open_store(path, passphrase=PASSPHRASE, prompt=None)
    try:
        with store.read() as session:
            tables = []
            for name, model in synced_models().items():
                table = model.__table__  # type: ignore[attr-defined]
                tables.append((table, [dict(r) for r in session.execute(
                    select(table)).mappings() if r["id"] not in held[name]]))
            facts = [dict(r) for r in session.execute(
                select(CaseEvent.__table__)).mappings()]
    finally:
        store.close()
    return Loaded(tables, facts)


class NewLaptop:
    """A new, empty store for each run (made untimed, removed after)."""

    def __init__(self, folder: Path, label: str) -> None:
        self.folder = folder
        self.label = label
        self.count = 0
        self.store: Store | None = None

    def fresh(self) -> None:
        self.close()
        self.count += 1
        self.store = create_store(self.folder / f"{self.label}-{self.count}.db")

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            remove_store(self.store.path)
            self.store = None


def _loaded_baseline(laptop: NewLaptop, loaded: Loaded) -> Side:
    def baseline() -> int:
        assert laptop.store is not None
        with laptop.store.transaction() as session:
            for table, rows in loaded.tables:
                insert_table_rows(session, table, rows)
            insert_table_rows(session, CaseEvent.__table__, loaded.facts)
        return loaded.count

    return Side(baseline, prepare=laptop.fresh)


def _pulled_all(expected: int) -> Callable[[SyncReport], None]:
    def check(report: SyncReport) -> None:
        if report.outcome != "ok" or report.pulled < expected:
            raise AssertionError(f"the first pull took {report.pulled} of {expected} "
                                 f"records: {report.outcome} {report.message}")

    return check


@contextmanager
def first_pull_folder_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    pristine = _county_store(quick)
    loaded = _rows_of(pristine, workdir)
    records = loaded.count - len(loaded.facts)
    share = workdir / "share"
    share.mkdir()
    qa = open_store(pristine, passphrase=PASSPHRASE, prompt=None)
    try:  # the QA install pushes the county and writes a snapshot of it
        _pushed(sync(qa, FolderTarget(share, qa.device_id), KEY))
        write_snapshot(qa, FolderTarget(share, qa.device_id), KEY)
    finally:
        qa.close()
    laptop, other = NewLaptop(workdir, "laptop"), NewLaptop(workdir, "loaded")

    def ours() -> SyncReport:
        assert laptop.store is not None
        return sync(laptop.store, FolderTarget(share, laptop.store.device_id), KEY)

    try:
        yield Sides(ours=Side(ours, prepare=laptop.fresh, check=_pulled_all(records)),
                    baseline=_loaded_baseline(other, loaded))
    finally:
        laptop.close()
        other.close()


@contextmanager
def first_pull_database_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    server = _server()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url = _schema_url(server, schema)
    pristine = _county_store(quick)
    loaded = _rows_of(pristine, workdir)
    records = loaded.count - len(loaded.facts)
    laptop, other = NewLaptop(workdir, "laptop"), NewLaptop(workdir, "loaded")
    try:
        qa = open_store(pristine, passphrase=PASSPHRASE, prompt=None)
        target = DatabaseTarget.connect(url, qa.device_id)
        try:
            _pushed(sync(qa, target, KEY))
            write_snapshot(qa, target, KEY)
        finally:
            target.close()
            qa.close()

        def ours() -> SyncReport:
            assert laptop.store is not None
            pulling = DatabaseTarget.connect(url, laptop.store.device_id)
            try:
                return sync(laptop.store, pulling, KEY)
            finally:
                pulling.close()

        yield Sides(ours=Side(ours, prepare=laptop.fresh, check=_pulled_all(records)),
                    baseline=_loaded_baseline(other, loaded))
    finally:
        laptop.close()
        other.close()
        _drop(server, schema)


BENCHMARKS = [
    Benchmark("sync_nothing_folder", 3.0, nothing_folder_setup,
              f"{QUIET_LOOPS} syncs with nothing to do, against listing the folder as often"),
    Benchmark("sync_nothing_database", 3.0, nothing_database_setup,
              "a sync with nothing to do, against one SELECT of new bundles"),
    Benchmark("sync_first_folder_10k", 4.0, first_folder_setup,
              "first sync of 10,000 audits to a folder, against a plain file of the rows"),
    Benchmark("sync_first_database_10k", 4.0, first_database_setup,
              "first sync of 10,000 audits to PostgreSQL, against executemany of the rows"),
    Benchmark("first_pull_folder_20k", 3.0, first_pull_folder_setup,
              "a new laptop's first pull from a folder's snapshot of 20,000 cases and "
              "10,000 audits, against executemany of the same rows into a new store"),
    Benchmark("first_pull_database_20k", 3.0, first_pull_database_setup,
              "the same from PostgreSQL"),
]
