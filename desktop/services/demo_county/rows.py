"""Plain row dicts for :meth:`ChangeRecorder.bulk_insert`, with every column filled.

Why every column: the bulk insert writes one statement shape for all rows, and the
change log must carry each record's full content (sync replays it elsewhere).
"""

from __future__ import annotations

from typing import Any

from desktop.models import Synced


def model_row(model: type[Synced], record_id: str, **values: Any) -> dict[str, Any]:
    """A row of ``model``: the column defaults, the given id, then ``values``."""
    row: dict[str, Any] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if column.key in Synced.SYNC_COLUMNS:
            continue
        default = column.default
        row[column.key] = default.arg if default is not None and default.is_scalar else None
    unknown = set(values) - set(row)
    if unknown:
        raise KeyError(f"{model.__name__} has no column {sorted(unknown)[0]}")
    row["id"] = record_id
    row.update(values)
    return row
