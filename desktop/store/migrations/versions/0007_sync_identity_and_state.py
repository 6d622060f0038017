"""sync: versions that cannot collide, the export date of a case, sync's own tables

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 15:50:00

Why: two laptops offline may both make "version 4" of a template or of the practice
standards, so those numbers are labels now, not unique keys (the ids derive from the
content). A case keeps the date of the export that last wrote it, so an older export
never moves it backwards. Sync keeps its conflicts (a synced record) and its own local
state: the version of each field it last sent or received, the bundles it applied, and
its log (docs/sync.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.models.base import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_templates', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_templates_code_version', type_='unique')
        batch_op.create_index('ix_audit_templates_code', ['code'], unique=False)
    with op.batch_alter_table('standards_versions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_standards_versions_number', type_='unique')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exported_on', sa.Date(), nullable=True))
    op.create_table(
        'sync_conflicts',
        sa.Column('table_name', sa.String(length=60), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('field', sa.String(length=60), nullable=False),
        sa.Column('winner_version', sa.String(length=40), nullable=False),
        sa.Column('winner_device', sa.String(length=36), nullable=False),
        sa.Column('winner_json', sa.Text(), nullable=False),
        sa.Column('loser_version', sa.String(length=40), nullable=False),
        sa.Column('loser_device', sa.String(length=36), nullable=False),
        sa.Column('loser_json', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('settled_by_id', sa.String(length=36), nullable=True),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('hlc', sa.String(length=40), nullable=False),
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_conflicts')),
    )
    op.create_index('ix_sync_conflicts_record', 'sync_conflicts', ['table_name', 'record_id'],
                    unique=False)
    op.create_table(
        'sync_field_versions',
        sa.Column('table_name', sa.String(length=60), nullable=False),
        sa.Column('record_id', sa.String(length=36), nullable=False),
        sa.Column('field', sa.String(length=60), nullable=False),
        sa.Column('history', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', 'record_id', 'field',
                                name=op.f('pk_sync_field_versions')),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'sync_applied',
        sa.Column('bundle_id', sa.String(length=120), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('applied_at', UTCDateTime(), nullable=False),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('bundle_id', name=op.f('pk_sync_applied')),
    )
    op.create_table(
        'sync_log',
        sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('pushed', sa.Integer(), nullable=False),
        sa.Column('pulled', sa.Integer(), nullable=False),
        sa.Column('conflicts', sa.Integer(), nullable=False),
        sa.Column('rejected', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_sync_log')),
    )


def downgrade() -> None:
    op.drop_table('sync_log')
    op.drop_table('sync_applied')
    op.drop_table('sync_field_versions')
    op.drop_index('ix_sync_conflicts_record', table_name='sync_conflicts')
    op.drop_table('sync_conflicts')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('exported_on')
    with op.batch_alter_table('standards_versions', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_standards_versions_number', ['number'])
    with op.batch_alter_table('audit_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_templates_code')
        batch_op.create_unique_constraint('uq_audit_templates_code_version',
                                          ['code', 'version'])
