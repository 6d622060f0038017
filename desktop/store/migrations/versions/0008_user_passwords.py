"""users: a password hash and a count of failed sign-ins

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:00:00

Why: sign-in gains a password check (issue 13). Existing users get no password ("")
and sign in as before until one is set (docs/security.md, 'Passwords').
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('failed_signins', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('failed_signins')
        batch_op.drop_column('password_hash')
