"""sync: what each target holds, and the records to relay between targets

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 12:00:00

Why: a store that synced to a folder and then to a database sent the database
nothing (the change log's rows were gone once the folder held them), and a store
bridging both relayed nothing between them (issue 21, item 3). ``sync_targets``
records, per target, the case events and relayed records it holds; ``sync_outbox``
the records some target may lack (only while a store has more than one target). Both
local, never synced. A store from before this keeps syncing with its target as before:
the first target a store meets is taken to hold what it was sent (``store_meta``
'sync.facts_sent' gives its events).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.models.base import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sync_targets',
        sa.Column('target', sa.String(length=300), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('fact_seq', sa.Integer(), nullable=False),
        sa.Column('relay_seq', sa.Integer(), nullable=False),
        sa.Column('whole', sa.Boolean(), nullable=False),
        sa.Column('first_at', UTCDateTime(), nullable=False),
        sa.Column('last_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('target', name=op.f('pk_sync_targets')),
    )
    op.create_table(
        'sync_outbox',
        sa.Column('table_name', sa.String(length=60), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint('table_name', 'record_id', name=op.f('pk_sync_outbox')),
    )
    op.create_index('ix_sync_outbox_seq', 'sync_outbox', ['seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sync_outbox_seq', table_name='sync_outbox')
    op.drop_table('sync_outbox')
    op.drop_table('sync_targets')
