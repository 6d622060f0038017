"""Plain row dicts for the bulk writers, with every column filled.

Why every column: a bulk insert writes one statement shape for all rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnDefault

from desktop.models import Synced
from desktop.models.base import Base

_TEMPLATES: dict[tuple[type[Base], frozenset[str]], dict[str, Any]] = {}


def _template(model: type[Base], skip: frozenset[str]) -> dict[str, Any]:
    """Every column of ``model`` but ``skip``, with its scalar default (made once)."""
    found = _TEMPLATES.get((model, skip))
    if found is None:
        found = {}
        for column in model.__table__.columns:
            if column.key not in skip:
                default = column.default
                found[column.key] = (default.arg if isinstance(default, ColumnDefault)
                                     and default.is_scalar else None)
        _TEMPLATES[(model, skip)] = found
    return found


def _row(model: type[Base], skip: frozenset[str], values: dict[str, Any]) -> dict[str, Any]:
    template = _template(model, skip)
    if not values.keys() <= template.keys():
        unknown = sorted(set(values) - set(template))
        raise KeyError(f"{model.__name__} has no column {unknown[0]}")
    row = dict(template)
    row.update(values)
    return row


_SYNCED_SKIP = frozenset(Synced.SYNC_COLUMNS)
_FACT_SKIP = frozenset({"seq"})


def model_row(model: type[Synced], record_id: str, **values: Any) -> dict[str, Any]:
    """A row of a synced ``model``: the column defaults, the given id, then ``values``."""
    row = _row(model, _SYNCED_SKIP, values)  # type: ignore[arg-type]
    row["id"] = record_id
    return row


def fact_row(model: type[Base], **values: Any) -> dict[str, Any]:
    """A row of an append-only table (its ``seq`` is assigned by the store)."""
    return _row(model, _FACT_SKIP, values)
