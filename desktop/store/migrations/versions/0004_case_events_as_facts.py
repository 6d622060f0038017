"""case events as append-only facts; insert changes refer to the record

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:40:00

Why: on a 100,000-case store the case events (546,641 rows, each with five sync columns)
and their change-log copies were 70% of the file. Events never change, so they lose the
sync columns and their change-log rows (sync sends them by ``seq``) and are stored in
the order they are read (a clustered key; SQLite's WITHOUT ROWID). Change-log rows of
inserts written from now on carry no copy of the record (``fields_json`` is empty: the
record itself, never deleted, is the copy); existing copies are emptied too. The
case list gets an index per sort order, so its first screenful comes at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = "case_id, kind, occurred_on, by, worker_id, rag_from, rag_to, origin, note"
#: Indexes that give the case list's first screenful in each sort order at once; the
#: team and worker ones replace the single-column ones (same leading column).
SORT_INDEXES = {
    "ix_cases_rag_ref": ["rag", "case_ref"],
    "ix_cases_cohort_ref": ["cohort", "case_ref"],
    "ix_cases_status_ref": ["status", "case_ref"],
    "ix_cases_visit_ref": ["last_f2f_visit", "case_ref"],
    "ix_cases_team_ref": ["team_id", "case_ref"],
    "ix_cases_worker_ref": ["worker_id", "case_ref"],
}


def upgrade() -> None:
    op.create_table(
        'case_events_v4',
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('by', sa.String(length=30), nullable=True),
        sa.Column('worker_id', sa.String(length=36), nullable=True),
        sa.Column('rag_from', sa.String(length=10), nullable=True),
        sa.Column('rag_to', sa.String(length=10), nullable=True),
        sa.Column('origin', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name='fk_case_events_v4_case_id_cases'),
        sa.ForeignKeyConstraint(['worker_id'], ['workers.id'],
                                name='fk_case_events_v4_worker_id_workers'),
        sa.PrimaryKeyConstraint('case_id', 'kind', 'occurred_on', 'seq',
                                name='pk_case_events_v4'),
        sqlite_with_rowid=False,
    )
    op.execute(f"INSERT INTO case_events_v4 ({COLUMNS}, seq) SELECT {COLUMNS}, ROW_NUMBER() "
               "OVER (ORDER BY case_id, occurred_on, hlc) FROM case_events "
               "WHERE deleted = false")
    op.execute("INSERT INTO store_meta (key, value) SELECT 'case_events.seq', "
               "CAST(COUNT(*) AS TEXT) FROM case_events_v4")
    op.execute("DELETE FROM change_log WHERE table_name = 'case_events'")
    op.execute("UPDATE change_log SET fields_json = '' WHERE op = 'insert'")
    op.drop_index('ix_case_events_case_kind_on', table_name='case_events')
    op.drop_table('case_events')
    op.rename_table('case_events_v4', 'case_events')
    op.drop_index('ix_cases_team_id', table_name='cases')
    op.drop_index('ix_cases_worker_id', table_name='cases')
    for name, columns in SORT_INDEXES.items():
        op.create_index(name, 'cases', columns, unique=False)
    op.create_index('ix_cases_child_sort', 'cases', [sa.text('lower(child_name)'), 'case_ref'],
                    unique=False)
    op.create_index('ix_workers_name', 'workers', ['name'], unique=False)


def downgrade() -> None:
    raise NotImplementedError("case events cannot be turned back into synced records")
