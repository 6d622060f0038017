"""Sync: a sync with nothing to do, and a first sync of 10,000 audits, to each target.

``sync_nothing_folder``: ours is a whole sync of a store that is up to date with a
folder holding 40 bundles of three other devices (reachability, nothing to push, the
listing, nothing new to apply, the log line); the baseline lists the same folder.
``sync_nothing_database``: the same against PostgreSQL; the baseline connects and
asks the server for bundles after the cursor (one SELECT).

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

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from benchmarks.core import Benchmark, Side, Sides
from benchmarks.stores import PASSPHRASE, StoreCopies, create_store
from desktop.models import Action, Audit, AuditAnswer, Case, TemplateQuestion, User
from desktop.services.audits.historical import _row
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county
from desktop.store import Store, open_store
from desktop.sync.bundle import Bundle, RecordChange, seal
from desktop.sync.central import DatabaseTarget
from desktop.sync.engine import SyncReport, sync
from desktop.sync.folder import FolderTarget
from desktop.sync.merge import ALL, row_to_json, synced_models

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
                    with raw.cursor() as cursor:  # type: ignore[union-attr]
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


@contextmanager
def nothing_folder_setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    share = workdir / "share"
    share.mkdir()
    _other_devices(lambda device: FolderTarget(share, device), 40)
    with _up_to_date(workdir, lambda s: sync(s, FolderTarget(share, s.device_id), KEY)
                     ) as store:

        def ours() -> SyncReport:
            return sync(store, FolderTarget(share, store.device_id), KEY)

        def baseline() -> int:
            return sum(len(os.listdir(share / d)) for d in os.listdir(share))

        yield Sides(ours=Side(ours, check=_nothing), baseline=Side(baseline))


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


BENCHMARKS = [
    Benchmark("sync_nothing_folder", 3.0, nothing_folder_setup,
              "a sync with nothing to do, against listing the folder"),
    Benchmark("sync_nothing_database", 3.0, nothing_database_setup,
              "a sync with nothing to do, against one SELECT of new bundles"),
    Benchmark("sync_first_folder_10k", 4.0, first_folder_setup,
              "first sync of 10,000 audits to a folder, against a plain file of the rows"),
    Benchmark("sync_first_database_10k", 4.0, first_database_setup,
              "first sync of 10,000 audits to PostgreSQL, against executemany of the rows"),
]
