"""event log: a keyed chain over every column, and the heads sync anchors

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 10:00:00

Why: the event log's plain SHA-256 chain left out the device column, and anyone with
the file could recompute it after an edit (issue 20). Entries are now chained with an
HMAC under a key derived from the database key (desktop/store/events.py). A migration
never sees that key, so this script only records which scheme chains the entries now
(``store_meta`` 'event_log.chain': the old "sha256-v1" from entry 1 when there are
entries) and the first open after the upgrade, which has the key, chains them again
under it (``events.prepare_chain``), after the backup the upgrade made.

``chain_anchors`` keeps the chain heads this store sent in sync bundles and the heads
other devices' bundles carried; it is local and never synced.

Downgrade drops the table and the record; entries chained under the key then no longer
fit the older DipSample's plain chain, and its ``check`` would report them.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from desktop.models.base import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: Frozen here: the store's own constants may change in later versions.
CHAIN_META = "event_log.chain"
LEGACY = {"segments": [{"from": 1, "scheme": "sha256-v1", "key": ""}]}


def upgrade() -> None:
    op.create_table(
        'chain_anchors',
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'device_id', 'seq', 'hash', 'key_id',
                                name=op.f('pk_chain_anchors')),
    )
    conn = op.get_bind()
    logged = conn.execute(sa.text("SELECT 1 FROM event_log LIMIT 1")).first() is not None
    conn.execute(sa.text("DELETE FROM store_meta WHERE key = :key"), {"key": CHAIN_META})
    conn.execute(sa.text("INSERT INTO store_meta (key, value) VALUES (:key, :value)"),
                 {"key": CHAIN_META,
                  "value": json.dumps(LEGACY if logged else {"segments": []},
                                      separators=(",", ":"))})


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM store_meta WHERE key = 'event_log.chain'"))
    op.drop_table('chain_anchors')
