"""Conflicts to settle and claim collisions to see: what the Sync screen lists and does.

Why settling is an ordinary edit: the chosen value is written to the record through
the recorder like any other change, with a clock later than both values, so it syncs
to every device and wins everywhere; the conflict is marked settled in the same
transaction (and that syncs too), so nobody settles it twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Case, SyncConflict, User
from desktop.services.audits.seal import resealing
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.sync.engine import claim_collisions
from desktop.sync.merge import synced_models, value_from_json

OPEN = "open"
SETTLED = "settled"


@dataclass(frozen=True)
class ConflictRow:
    """Both values side by side; ``kept`` is the one the merge kept (the later clock)."""

    id: str
    table: str
    record_id: str
    field: str
    kept: str
    other: str
    kept_device: str
    other_device: str


@dataclass(frozen=True)
class CollisionRow:
    case_ref: str
    iso_week: str
    auditors: tuple[str, ...]


def _text(value_json: str) -> str:
    value = json.loads(value_json)
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def open_conflicts(ctx: ServiceContext) -> list[ConflictRow]:
    with ctx.store.read() as session:
        rows = session.scalars(select(SyncConflict).where(
            SyncConflict.status == OPEN, SyncConflict.deleted.is_(False))
            .order_by(SyncConflict.created_at, SyncConflict.id))
        return [ConflictRow(c.id, c.table_name, c.record_id, c.field, _text(c.winner_json),
                            _text(c.loser_json), c.winner_device, c.loser_device)
                for c in rows]


def settle(ctx: ServiceContext, conflict_id: str, keep_other: bool) -> None:
    """Settle a conflict: keep the merged value, or write the other one back.

    Settling is an edit of the record, so it takes the right to edit records (auditors
    and QA; an audit's conflict also needs the audit within the person's reach).

    Raises:
        PermissionRefused: the acting user may not (refusal logged).
    """
    with ctx.store.read() as session:
        found = session.get(SyncConflict, conflict_id)
        audit_id = found.record_id if found is not None and found.table_name == "audits" \
            else None
    guard(ctx, Permission.AUDIT, audit_id=audit_id)
    with ctx.store.transaction() as session:
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.status != OPEN:
            raise InputProblem("This conflict is settled already (perhaps on another "
                               "laptop); read the list again.")
        if keep_other:
            model = synced_models().get(conflict.table_name)
            record: Any = None if model is None else session.get(model, conflict.record_id)
            if record is None:
                raise InputProblem("The record of this conflict is not in this store.")
            sealed = [getattr(record, "audit_id", record.id)] \
                if conflict.table_name in ("audits", "audit_answers") else []
            with resealing(session, ctx.user_id, sealed, "settle"):
                setattr(record, conflict.field, value_from_json(
                    model, conflict.field, json.loads(conflict.loser_json)))  # type: ignore[arg-type]
        conflict.status = SETTLED
        conflict.settled_by_id = ctx.user_id


def collisions(ctx: ServiceContext) -> list[CollisionRow]:
    """Cases two auditors claimed for the same week, by case reference and names."""
    with ctx.store.read() as session:
        found = claim_collisions(session)
        if not found:
            return []
        refs = dict(session.execute(select(Case.id, Case.case_ref).where(
            Case.id.in_({c.case_id for c in found}))).all())
        names = dict(session.execute(select(User.id, User.name).where(
            User.id.in_({a for c in found for a in c.auditor_ids}))).all())
        return [CollisionRow(refs.get(c.case_id, c.case_id[:8]), c.iso_week,
                             tuple(names.get(a, a[:8]) for a in c.auditor_ids))
                for c in found]
