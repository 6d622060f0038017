"""case events as append-only facts; insert changes refer to the record

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:40:00

Why: on a 100,000-case store the case events (546,641 rows, each with five sync columns)
and their change-log copies were 70% of the file. Events never change, so they lose the
sync columns and their change-log rows (sync sends them by ``seq``). Change-log rows of
inserts written from now on carry no copy of the record (``fields_json`` is empty: the
record itself, never deleted, is the copy); existing copies are emptied too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = "case_id, kind, occurred_on, by, worker_id, rag_from, rag_to, origin, note"


def upgrade() -> None:
    op.create_table(
        'case_events_v4',
        sa.Column('seq', sa.Integer(), primary_key=True, autoincrement=True, nullable=False),
        sa.Column('case_id', sa.String(length=36), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('by', sa.String(length=30), nullable=True),
        sa.Column('worker_id', sa.String(length=36), sa.ForeignKey('workers.id'),
                  nullable=True),
        sa.Column('rag_from', sa.String(length=10), nullable=True),
        sa.Column('rag_to', sa.String(length=10), nullable=True),
        sa.Column('origin', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
    )
    op.execute(f"INSERT INTO case_events_v4 ({COLUMNS}) SELECT {COLUMNS} FROM case_events "
               "WHERE deleted = false ORDER BY case_id, occurred_on, hlc")
    op.execute("DELETE FROM change_log WHERE table_name = 'case_events'")
    op.execute("UPDATE change_log SET fields_json = '' WHERE op = 'insert'")
    op.drop_index('ix_case_events_case_kind_on', table_name='case_events')
    op.drop_table('case_events')
    op.rename_table('case_events_v4', 'case_events')
    op.create_index('ix_case_events_case_kind_on', 'case_events',
                    ['case_id', 'kind', 'occurred_on'], unique=False)


def downgrade() -> None:
    raise NotImplementedError("case events cannot be turned back into synced records")
