"""selection design on sample items, an unborn child's expected delivery, action priority

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:00:00

Why together: three small additive columns that the estimates (a sample item's selection
probability and design stratum), a council's first import (the expected date of delivery
of an unborn child) and the audit form's actions grid (priority) need; each is nullable
or has a default, so every existing row stays valid and nothing is copied.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expected_delivery_date', sa.Date(), nullable=True))
    with op.batch_alter_table('sample_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('selection_probability', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('design_stratum', sa.String(length=80), nullable=True))
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.String(length=10), nullable=False,
                                      server_default='medium'))


def downgrade() -> None:
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_column('priority')
    with op.batch_alter_table('sample_items', schema=None) as batch_op:
        batch_op.drop_column('design_stratum')
        batch_op.drop_column('selection_probability')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('expected_delivery_date')
