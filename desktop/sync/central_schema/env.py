"""Alembic environment of the central PostgreSQL schema: runs on the connection that
:mod:`desktop.sync.central_migrate` hands over, with the version table in the council's
schema (one database may hold several schemas, one per test run or per council)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

connection: Connection | None = context.config.attributes.get("connection")
schema: str | None = context.config.attributes.get("schema")
if connection is None or schema is None:
    raise RuntimeError("run central migrations through desktop.sync.central_migrate")

context.configure(connection=connection, target_metadata=None,
                  version_table_schema=schema)
with context.begin_transaction():
    context.run_migrations()
