"""Plain row dicts for the bulk writers, with every column filled.

Why every column: a bulk insert writes one statement shape for all rows.
"""

from __future__ import annotations

from typing import Any

from desktop.models import Synced
from desktop.models.base import Base


def _row(model: type[Base], skip: frozenset[str], values: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if column.key in skip:
            continue
        default = column.default
        row[column.key] = default.arg if default is not None and default.is_scalar else None
    unknown = set(values) - set(row)
    if unknown:
        raise KeyError(f"{model.__name__} has no column {sorted(unknown)[0]}")
    row.update(values)
    return row


def model_row(model: type[Synced], record_id: str, **values: Any) -> dict[str, Any]:
    """A row of a synced ``model``: the column defaults, the given id, then ``values``."""
    row = _row(model, frozenset(Synced.SYNC_COLUMNS) - {"id"}, values)
    row["id"] = record_id
    return row


def fact_row(model: type[Base], **values: Any) -> dict[str, Any]:
    """A row of an append-only table (its ``seq`` is assigned by the store)."""
    return _row(model, frozenset({"seq"}), values)
