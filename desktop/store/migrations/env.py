"""Alembic environment: runs on the connection the store hands over.

``render_as_batch`` lets SQLite alter tables (it copies them), and the same scripts
run on PostgreSQL for the central store.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import desktop.models  # noqa: F401  (registers every table)
from desktop.models.base import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through desktop.store.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
