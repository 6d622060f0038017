"""Shared helpers for the caseload import tests: a fixed clock, files, table counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from sqlalchemy import func, select

from desktop.models import Case, CaseEvent, ServiceArea, Team, Worker
from desktop.models.log import Change, Event
from desktop.services.context import ServiceContext
from desktop.store import Store

DATA = Path(__file__).resolve().parents[3] / "data"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)


def fixed_ctx(store: Store) -> ServiceContext:
    return ServiceContext(store=store, clock=lambda: NOW)


def counts(store: Store) -> dict[str, int]:
    """Row counts of every table an import may write."""
    with store.read() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                or 0 for model in (Case, CaseEvent, ServiceArea, Team, Worker, Change, Event)}


def write_csv(path: Path, header: list[str], rows: list[list[str]],
              encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def case(store: Store, ref: str) -> Case:
    with store.read() as session:
        found = session.scalar(select(Case).where(Case.case_ref == ref))
        assert found is not None, ref
        return found


def events(store: Store, ref: str) -> list[CaseEvent]:
    with store.read() as session:
        return list(session.scalars(
            select(CaseEvent).join(Case, Case.id == CaseEvent.case_id)
            .where(Case.case_ref == ref).order_by(CaseEvent.kind, CaseEvent.occurred_on)))


def mosaic_copies(path: Path, rows: int, *, prefix: str = "9", column: str | None = None,
                  value: str = "", first: tuple[str, str] | None = None) -> Path:
    """``rows`` copies of the Mosaic sample's first row with new references.

    Args:
        column, value: every copy's ``column`` holds ``value`` (e.g. a bad RAG).
        first: (case reference, RAG) of one more row written first: a change to an
            existing case.
    """
    with (DATA / "mosaic_caseload.csv").open(encoding="utf-8", newline="") as handle:
        header, sample, *_ = list(csv.reader(handle))
    rag = header.index("VTT RAG")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        if first is not None:
            changed = list(sample)
            changed[0], changed[rag] = first
            writer.writerow(changed)
        for number in range(rows):
            row = list(sample)
            row[0] = f"{prefix}{number:07d}"
            if column is not None:
                row[header.index(column)] = value
            writer.writerow(row)
    return path
