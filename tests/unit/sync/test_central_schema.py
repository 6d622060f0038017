"""The central schema is made and upgraded with Alembic, against the real server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text

from desktop.store import Store
from desktop.sync import central_migrate
from desktop.sync.bundle import organisation_key
from desktop.sync.central import DatabaseTarget, bundles, metadata, parse_url
from desktop.sync.engine import sync
from tests.unit.sync.helpers import fresh_schema, plain_url

pytestmark = pytest.mark.pg


@pytest.fixture
def central(pg_url: str) -> Iterator[tuple[str, str]]:
    """A URL with a schema of its own, and that schema's name."""
    with fresh_schema(pg_url) as url:
        yield url, parse_url(url)[1]


def _engine(pg_url: str):  # type: ignore[no-untyped-def]
    return create_engine(plain_url(pg_url))


def test_first_use_makes_the_schema_at_the_head_revision(pg_url: str,
                                                         central: tuple[str, str]) -> None:
    url, schema = central
    target = DatabaseTarget.connect(url, "d" * 36)
    try:
        target.check()
    finally:
        target.close()
    engine = _engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version')
                               ) == central_migrate.head()
            assert {"bundles", "snapshots", "alembic_version"} <= set(
                inspect(conn).get_table_names(schema=schema))
            # what the queries declare is what the scripts made: no difference at all
            declared = MetaData(schema=schema)
            for table in metadata.tables.values():
                table.to_metadata(declared, schema=schema)
            context = MigrationContext.configure(conn, opts={
                "include_schemas": True, "include_name": lambda name, kind, _p: (
                    name == schema if kind == "schema" else name != "alembic_version")})
            assert compare_metadata(context, declared) == []
    finally:
        engine.dispose()


def test_a_schema_made_before_the_stamp_is_adopted_with_its_bundles(
        pg_url: str, central: tuple[str, str]) -> None:
    _url, schema = central
    engine = _engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            metadata.create_all(conn.execution_options(
                schema_translate_map={"central": schema}))
            conn.execute(text(f"INSERT INTO \"{schema}\".bundles VALUES "
                              "(1, 'x/1', 'x', 'sealed')"))
        assert central_migrate.upgrade(engine, schema) == central_migrate.FIRST
        with engine.connect() as conn:
            assert conn.scalar(text(f'SELECT count(*) FROM "{schema}".bundles')) == 1
            assert conn.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version')
                               ) == central_migrate.head()
    finally:
        engine.dispose()


def test_a_schema_from_a_newer_version_stops_the_sync_and_is_not_written(
        pair: tuple[Store, Store], pg_url: str, central: tuple[str, str]) -> None:
    url, schema = central
    a, _ = pair
    engine = _engine(pg_url)
    try:
        central_migrate.upgrade(engine, schema)
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE \"{schema}\".alembic_version SET version_num = 'c9999'"))
        target = DatabaseTarget.connect(url, a.device_id)
        try:
            report = sync(a, target, organisation_key(create=True))
        finally:
            target.close()
        assert report.outcome == "offline"
        assert "upgraded by a newer version of DipSample" in report.message
        with engine.connect() as conn:
            assert conn.scalar(text(f'SELECT count(*) FROM "{schema}".bundles')) == 0
            assert conn.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version')
                               ) == "c9999"
    finally:
        engine.dispose()


def test_two_laptops_making_the_central_store_at_once_make_it_once(
        pg_url: str, central: tuple[str, str]) -> None:
    url, schema = central
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def first_use() -> None:
        target = DatabaseTarget.connect(url, "e" * 36)
        try:
            start.wait()
            target.check()
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)
        finally:
            target.close()

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    engine = _engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text(f'SELECT count(*) FROM "{schema}".alembic_version')) == 1
            assert bundles.name in inspect(conn).get_table_names(schema=schema)
    finally:
        engine.dispose()
