"""sync: bundles rejected here, retried until they apply or a person sets them aside

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 10:00:00

Why: a bundle that would not open or apply was skipped for ever by the central
database's cursor, and a foreign one in a shared folder failed every later sync of
every device with no way to set it aside (issue 21, items 2 and 7). ``sync_rejected``
names each such bundle once per target with its device and why, and when a person set
it aside; it is local and never synced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.models.base import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sync_rejected',
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('bundle_id', sa.String(length=200), nullable=False),
        sa.Column('device', sa.String(length=36), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('first_at', UTCDateTime(), nullable=False),
        sa.Column('last_at', UTCDateTime(), nullable=False),
        sa.Column('set_aside_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('target', 'bundle_id', name=op.f('pk_sync_rejected')),
    )


def downgrade() -> None:
    op.drop_table('sync_rejected')
