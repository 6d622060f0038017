"""The central store: sealed bundles in server order, and snapshots for new laptops.

Revision ID: c0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def _schema() -> str:
    schema = op.get_context().version_table_schema
    assert schema is not None
    return schema


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "bundles",
        sa.Column("server_seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("bundle_id", sa.String(200), nullable=False, unique=True),
        sa.Column("device", sa.String(36), nullable=False, index=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        schema=schema,
    )
    op.create_table(
        "snapshots",
        sa.Column("snapshot_id", sa.String(200), primary_key=True),
        sa.Column("device", sa.String(36), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        schema=schema,
    )


def downgrade() -> None:
    schema = _schema()
    op.drop_table("snapshots", schema=schema)
    op.drop_table("bundles", schema=schema)
