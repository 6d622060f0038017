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
