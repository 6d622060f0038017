"""The central PostgreSQL schema, created and upgraded with Alembic.

Why Alembic and not ``create_all``: laptops are updated over weeks, not all at once, so
the central schema must carry a version that every laptop can read: one that finds the
schema older upgrades it (its scripts ship in ``central_schema/``), one that finds it
newer than it knows stops with a message instead of writing what a newer version may
read differently. The upgrade runs in one transaction (PostgreSQL's DDL is
transactional) under an advisory lock, so two laptops making a new central store at the
same moment make it once.

The version table lives in the council's schema, beside the bundles: one database may
hold several schemas (a test run each, or a council's test and live stores).
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import ProgrammingError

from desktop.errors import EnvironmentProblem
from desktop.sync.pause import test_pause

SCRIPTS = Path(__file__).resolve().parent / "central_schema"
#: The advisory lock an upgrade holds until it commits.
UPGRADE_LOCK = 0x44495055  # "DIPU"
#: The revision whose tables an earlier build made without a version stamp.
FIRST = "c0001"


def _config(connection: Connection | None = None, schema: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    config.attributes["schema"] = schema
    return config


@functools.cache
def head() -> str:
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


@functools.cache
def known() -> frozenset[str]:
    return frozenset(r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions())


def stamped(conn: Connection, schema: str) -> str | None:
    """The schema's revision; None when it has no version table (new, or made before)."""
    if conn.scalar(select(func.to_regclass(f'"{schema}".alembic_version'))) is None:
        return None
    return conn.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version'))


def is_current(engine: Engine, schema: str) -> bool:
    """One query: the schema is at this build's head (the path of every sync)."""
    try:
        with engine.connect() as conn:
            found = conn.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version'))
    except ProgrammingError:  # no such schema or table yet
        return False
    return found == head()


def upgrade(engine: Engine, schema: str) -> str:
    """Bring ``schema`` to this build's head; returns the revision it was at ("" if new).

    Raises EnvironmentProblem when a newer DipSample has upgraded it already.
    """
    with engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(UPGRADE_LOCK)))
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        before = stamped(conn, schema)
        if before is None and conn.scalar(
                select(func.to_regclass(f'"{schema}".bundles'))) is not None:
            command.stamp(_config(conn, schema), FIRST)  # made before the stamp existed
            before = FIRST
        if before is not None and before not in known():
            raise EnvironmentProblem(
                "The central database has been upgraded by a newer version of DipSample; "
                "update DipSample on this computer before it syncs again.")
        if before != head():
            command.upgrade(_config(conn, schema), "head")
        test_pause("central-upgrade")  # made, not committed (a kill test stops here)
    return before or ""
