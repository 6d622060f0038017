"""Opening an older database upgrades it, after an encrypted backup beside it."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from desktop.errors import SchemaTooNew
from desktop.models import Base, Case, CaseEvent, Change
from desktop.store import keys, migrate, open_store
from desktop.store.database import make_engine

FIRST = "0001"


def _make_at_first_revision(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    key = keys.resolve_key(db_path, prompt=None)
    engine = make_engine(db_path, key)
    migrate.upgrade(engine, FIRST)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO cases (id, created_at, updated_at, hlc, device_id, deleted, case_ref,"
            " child_name, cohort, flags, status, source) VALUES ('c1', '2026-01-01',"
            " '2026-01-01', '', '', 0, 'SYN-OLD', 'Oldchild', 'cin', '', 'open', 'test')"
        ))
        for n, (kind, day, deleted) in enumerate([("visit_f2f", "2026-02-01", 0),
                                                  ("visit_f2f", "2026-01-05", 0),
                                                  ("vtt_review", "2026-01-09", 1)]):
            conn.execute(text(
                "INSERT INTO case_events (id, created_at, updated_at, hlc, device_id, deleted,"
                " case_id, kind, occurred_on, origin, note) VALUES (:id, '2026-01-01',"
                " '2026-01-01', :hlc, '', :deleted, 'c1', :kind, :day, 'import', '')"),
                {"id": f"e{n}", "hlc": f"h{n}", "deleted": deleted, "kind": kind, "day": day})
            conn.execute(text(
                "INSERT INTO change_log (table_name, record_id, op, base_version, version,"
                " device_id, fields_json, at) VALUES ('case_events', :id, 'insert', '',"
                " :hlc, '', '{}', '2026-01-01')"), {"id": f"e{n}", "hlc": f"h{n}"})
    engine.dispose()


def test_upgrade_from_the_first_revision_keeps_data_and_backs_up(db_path: Path) -> None:
    _make_at_first_revision(db_path)
    store = open_store(db_path, prompt=None, create=True)
    try:
        assert store.schema_revision == migrate.head_revision() != FIRST
        assert store.backup_path is not None and store.backup_path.exists()
        assert store.backup_path.parent == db_path.parent
        with store.read() as session:
            assert session.get(Case, "c1").case_ref == "SYN-OLD"
        indexes = {ix["name"] for ix in inspect(store.engine).get_indexes("change_log")}
        assert "ix_change_log_pending" in indexes
        # 0004: live events kept as facts in the order they happened, numbered; their
        # change-log copies gone, and new ones numbered after them.
        with store.read() as session:
            events = session.execute(select(CaseEvent.seq, CaseEvent.occurred_on)
                                     .order_by(CaseEvent.seq)).all()
            assert [(n, d.isoformat()) for n, d in events] == [(1, "2026-01-05"),
                                                               (2, "2026-02-01")]
            assert not session.scalars(select(Change).where(
                Change.table_name == "case_events")).all()
        with store.transaction() as session:
            session.add(CaseEvent(case_id="c1", kind="vtt_review",
                                  occurred_on=dt.date(2026, 3, 1), origin="manual"))
        with store.read() as session:
            assert session.scalar(select(func.max(CaseEvent.seq))) == 3
    finally:
        store.close()
    # The backup is encrypted with the same key and still at the first revision.
    conn = sqlite3.connect(store.backup_path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()
    key = keys.resolve_key(db_path, prompt=None)
    backup_engine = make_engine(store.backup_path, key)
    assert migrate.current_revision(backup_engine) == FIRST
    backup_engine.dispose()


def test_a_new_database_is_made_at_head_without_backup(db_path: Path) -> None:
    store = open_store(db_path, prompt=None, create=True)
    assert store.schema_revision == migrate.head_revision()
    assert store.backup_path is None
    store.close()


def test_a_newer_schema_is_refused_untouched(db_path: Path) -> None:
    open_store(db_path, prompt=None, create=True).close()
    key = keys.resolve_key(db_path, prompt=None)
    engine = make_engine(db_path, key)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaTooNew, match="newer DipSample"):
        open_store(db_path, prompt=None, create=True)
    engine = make_engine(db_path, key)
    assert migrate.current_revision(engine) == "9999"
    engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping")
def test_migrations_match_the_models(db_path: Path) -> None:
    """Autogenerate finds nothing to do at head: nobody changed a model without a revision."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    store = open_store(db_path, prompt=None, create=True)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.close()
    assert diff == []


@pytest.mark.pg
def test_migrations_run_on_postgresql(pg_url: str) -> None:
    """The same scripts build the central store on a real PostgreSQL server."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = engine.execution_options(schema_translate_map=None)
        with scoped.begin() as conn:
            conn.execute(text(f'SET search_path TO "{schema}"'))
            from alembic import command

            command.upgrade(migrate.alembic_config(conn), "head")
            tables = set(inspect(conn).get_table_names(schema=schema))
            conn.execute(text(f'SET search_path TO "{schema}"'))
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert set(Base.metadata.tables) <= tables
        assert version == migrate.head_revision()
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
