"""what an import carried, synced; an exercise's cohort as a column; actions' status history

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00

Why together: three facts that rested on a workaround, each a small addition.

- ``caseload_imports``: which case fields each caseload import's file carried. The
  standards engine reads the newest to call a standard "not known from this export";
  it was read from the import's event-log entry, which never leaves the computer that
  imported, so a laptop that got its cases by sync showed every complex-Green child
  "late for years". This store's last import recorded there (an event whose detail
  lists its ``fields``) becomes the first record, logged as a change of this store so
  that it syncs like one written by an import.
- ``exercise_summaries.cohort``: the cohort (legal status) of a themed exercise, kept
  until now as a tail of its theme's text, ``Neglect (cohort: child protection plans)``.
  Each such theme is split here into the theme as typed and the cohort's code. Not
  logged: every store holding the record splits the same text the same way.
- ``action_status_changes``: each move of an action's status with the app's time, so
  the weekly report's "overdue at the end of the week" survives an action sent back
  from done. Nothing is made up for the past here: an action with no recorded change
  is read from its stamps as before (desktop/services/reporting/weekly.py), and the
  tracker records what it knows of an action's past before its first recorded move.

The parsing below is this revision's own copy (the app's code may change later; a
migration must keep meaning what it meant).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import sqlalchemy as sa
from alembic import op

from desktop.models.base import UTCDateTime
from desktop.store.hlc import Timestamp

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

#: The cohort words a theme's tail used (desktop/services/exercises.py at 0012).
COHORT_WORDS = {
    "children in need": "cin",
    "child protection plans": "cp",
    "children in care": "cic",
    "care leavers": "care_leaver",
    "unborn children": "unborn",
    "disabled children's service": "disabled",
    "fostering": "fostering",
    "special guardianship orders": "sgo",
}
_TAIL = re.compile(r"\s*\(cohort: ([^()]+)\)$")
#: The caseload import's event-log entity and the detail key of the fields it carried.
IMPORT_ENTITY = "caseload_import"
FIELDS_KEY = "fields"


def _synced_columns() -> list[sa.Column[object]]:
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('hlc', sa.String(length=40), nullable=False),
        sa.Column('device_id', sa.String(length=36), nullable=False),
        sa.Column('deleted', sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'caseload_imports',
        sa.Column('exported_on', sa.Date(), nullable=True),
        sa.Column('imported_at', UTCDateTime(), nullable=False),
        sa.Column('profile', sa.String(length=80), nullable=False),
        sa.Column('fields', sa.Text(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('full', sa.Boolean(), nullable=False),
        *_synced_columns(),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_caseload_imports')),
    )
    op.create_index('ix_caseload_imports_exported', 'caseload_imports',
                    ['exported_on', 'hlc'], unique=False)
    op.create_table(
        'action_status_changes',
        sa.Column('action_id', sa.String(length=36), nullable=False),
        sa.Column('from_status', sa.String(length=20), nullable=True),
        sa.Column('to_status', sa.String(length=20), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('by_id', sa.String(length=36), nullable=True),
        *_synced_columns(),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'],
                                name=op.f('fk_action_status_changes_action_id_actions')),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'],
                                name=op.f('fk_action_status_changes_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_status_changes')),
    )
    op.create_index('ix_action_status_changes_action_at', 'action_status_changes',
                    ['action_id', 'at'], unique=False)
    with op.batch_alter_table('exercise_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cohort', sa.String(length=20), nullable=True))
    _split_themes()
    _carried_from_the_event_log()


def _split_themes() -> None:
    """``Neglect (cohort: child protection plans)`` -> theme ``Neglect``, cohort ``cp``."""
    conn = op.get_bind()
    table = sa.table('exercise_summaries', sa.column('id', sa.String()),
                     sa.column('theme', sa.String()), sa.column('cohort', sa.String()))
    for record_id, theme in conn.execute(
            sa.select(table.c.id, table.c.theme).where(table.c.theme.like('%(cohort: %'))
    ).all():
        found = _TAIL.search(theme or "")
        if found is None or found.group(1) not in COHORT_WORDS:
            continue  # a theme a person typed with brackets of their own: left as it is
        conn.execute(sa.update(table).where(table.c.id == record_id).values(
            theme=theme[:found.start()].strip(), cohort=COHORT_WORDS[found.group(1)]))


def _carried_from_the_event_log() -> None:
    """This store's last caseload import, as a synced record logged for the next push."""
    conn = op.get_bind()
    events = sa.table('event_log', sa.column('seq', sa.Integer()),
                      sa.column('entity', sa.String()), sa.column('entity_id', sa.String()),
                      sa.column('at', UTCDateTime()), sa.column('device_id', sa.String()),
                      sa.column('detail_json', sa.Text()))
    last = conn.execute(sa.select(events.c.entity_id, events.c.at, events.c.device_id,
                                  events.c.detail_json)
                        .where(events.c.entity == IMPORT_ENTITY)
                        .order_by(events.c.seq.desc()).limit(1)).first()
    if last is None:
        return
    entity_id, at, event_device, detail_json = last
    try:
        detail = json.loads(detail_json or "{}")
    except ValueError:
        return
    carried = detail.get(FIELDS_KEY) if isinstance(detail, dict) else None
    if not isinstance(carried, list):
        return  # an import from before the fields were recorded: nothing is known
    device = conn.execute(sa.text(
        "SELECT value FROM store_meta WHERE key = 'device_id'")).scalar() or event_device
    cases = sa.table('cases', sa.column('exported_on', sa.Date()))
    exported_on = conn.execute(sa.select(sa.func.max(cases.c.exported_on))).scalar()
    now = dt.datetime.now(dt.UTC)
    version = _next_version(conn, str(device))
    imports = sa.table(
        'caseload_imports', sa.column('id', sa.String()), sa.column('exported_on', sa.Date()),
        sa.column('imported_at', UTCDateTime()), sa.column('profile', sa.String()),
        sa.column('fields', sa.Text()), sa.column('rows', sa.Integer()),
        sa.column('full', sa.Boolean()), sa.column('created_at', UTCDateTime()),
        sa.column('updated_at', UTCDateTime()), sa.column('hlc', sa.String()),
        sa.column('device_id', sa.String()), sa.column('deleted', sa.Boolean()))
    record_id = str(entity_id)
    conn.execute(sa.insert(imports).values(
        id=record_id, exported_on=exported_on, imported_at=at or now,
        profile=str(detail.get("profile") or "")[:80],
        fields=",".join(sorted({str(f) for f in carried})),
        rows=int(detail.get("rows") or 0), full=bool(detail.get("full")),
        created_at=now, updated_at=now, hlc=version, device_id=str(device), deleted=False))
    changes = sa.table(
        'change_log', sa.column('table_name', sa.String()), sa.column('record_id', sa.String()),
        sa.column('op', sa.String()), sa.column('base_version', sa.String()),
        sa.column('version', sa.String()), sa.column('device_id', sa.String()),
        sa.column('fields_json', sa.Text()), sa.column('at', UTCDateTime()),
        sa.column('pushed_at', UTCDateTime()))
    conn.execute(sa.insert(changes).values(
        table_name='caseload_imports', record_id=record_id, op='insert', base_version='',
        version=version, device_id=str(device), fields_json='', at=now, pushed_at=None))


def _next_version(conn: sa.Connection, device: str) -> str:
    """A version later than every one this store holds (as the store's clock ticks).

    Read from every table with an ``hlc`` column and the clock's high-water mark, so the
    record is newer than anything here, and the clock, which resumes above the newest
    change-log row, never goes back."""
    highest = ""
    inspector = sa.inspect(conn)
    for name in inspector.get_table_names():
        columns = {c["name"] for c in inspector.get_columns(name)}
        if "hlc" in columns:
            found = conn.execute(sa.text(f'SELECT max(hlc) FROM "{name}"')).scalar()
            highest = max(highest, found or "")
    for found in (
            conn.execute(sa.text("SELECT max(version) FROM change_log")).scalar(),
            conn.execute(sa.text(
                "SELECT value FROM store_meta WHERE key = 'clock.high_water'")).scalar()):
        highest = max(highest, found or "")
    wall = time.time_ns() // 1_000_000
    counter = 0
    if highest:
        seen = Timestamp.parse(highest)
        if seen.wall_ms >= wall:
            wall, counter = seen.wall_ms, seen.counter + 1
    return str(Timestamp(wall, counter, device.replace("-", "")[:8]))


def downgrade() -> None:
    conn = op.get_bind()
    words = {code: text for text, code in COHORT_WORDS.items()}
    table = sa.table('exercise_summaries', sa.column('id', sa.String()),
                     sa.column('theme', sa.String()), sa.column('cohort', sa.String()))
    for record_id, theme, cohort in conn.execute(
            sa.select(table.c.id, table.c.theme, table.c.cohort)
            .where(table.c.cohort.is_not(None))).all():
        tail = f"(cohort: {words.get(cohort, cohort)})"
        conn.execute(sa.update(table).where(table.c.id == record_id).values(
            theme=f"{theme} {tail}" if theme else tail))
    with op.batch_alter_table('exercise_summaries', schema=None) as batch_op:
        batch_op.drop_column('cohort')
    op.execute("DELETE FROM change_log WHERE table_name IN "
               "('caseload_imports', 'action_status_changes')")
    op.drop_index('ix_action_status_changes_action_at', table_name='action_status_changes')
    op.drop_table('action_status_changes')
    op.drop_index('ix_caseload_imports_exported', table_name='caseload_imports')
    op.drop_table('caseload_imports')
