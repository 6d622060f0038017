"""the audit form's side panels as a draft on the audit

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 14:00:00

Why: the disagreement panel (reason, who took part, outcome, agreed rating) and the
concern of significant harm were kept only in the window until submission, so a crash
lost them; the form now autosaves them with the answers into one JSON column. Existing
audits get an empty draft ("{}"), which the form reads as empty panels.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('panels_json', sa.Text(), nullable=False,
                                      server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('audits', schema=None) as batch_op:
        batch_op.drop_column('panels_json')
