"""sync: the runs of case events received from each target, never sent back to it

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 14:00:00

Why: a laptop started from a snapshot sent every case event it received back with its
first push, and every other store then checked each against its own (issue 21, item
6). ``sync_fact_origins`` records which target each run of received events came from;
local, never synced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sync_fact_origins',
        sa.Column('first_seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint('first_seq', name=op.f('pk_sync_fact_origins')),
    )


def downgrade() -> None:
    op.drop_table('sync_fact_origins')
