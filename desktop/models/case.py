"""A child's case record, as exported from Mosaic, LCS or Eclipse, and its history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Fact, Synced, UTCDateTime


class Case(Synced, Base):
    """The fields the standards and the sampler need (docs/domain.md, 'The case record').

    The ``last_*`` dates are the latest known; the :class:`CaseEvent` rows keep the
    history behind them (a RAG change mid-period matters to the visiting standard).
    ``flags`` holds sorted comma-separated :class:`~desktop.models.enums.CaseFlag`
    codes, one field so that a sync merges it as one value.
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_rag", "status", "rag"),
        # One per sort order of the case list: its first screenful straight from an index.
        Index("ix_cases_rag_ref", "rag", "case_ref"),
        Index("ix_cases_cohort_ref", "cohort", "case_ref"),
        Index("ix_cases_status_ref", "status", "case_ref"),
        Index("ix_cases_visit_ref", "last_f2f_visit", "case_ref"),
        Index("ix_cases_team_ref", "team_id", "case_ref"),
        Index("ix_cases_worker_ref", "worker_id", "case_ref"),
        Index("ix_cases_child_sort", text("lower(child_name)"), "case_ref"),
    )

    case_ref: Mapped[str] = mapped_column(String(40), unique=True)
    child_name: Mapped[str] = mapped_column(String(120), default="")
    #: Date of birth, or the expected date of birth for an unborn child.
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, default=None)
    #: An unborn child's expected date of delivery (the unborn cohort has no birth date).
    expected_delivery_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    service_area_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_areas.id"), index=True, default=None
    )
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), default=None)
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("workers.id"), default=None)
    team_manager_id: Mapped[str | None] = mapped_column(ForeignKey("workers.id"), default=None)
    cohort: Mapped[str] = mapped_column(String(20), default="cin")
    flags: Mapped[str] = mapped_column(String(300), default="")
    rag: Mapped[str | None] = mapped_column(String(10), default=None)
    rag_set_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    last_f2f_visit: Mapped[dt.date | None] = mapped_column(Date, default=None)
    last_f2f_visit_by: Mapped[str | None] = mapped_column(String(30), default=None)
    last_virtual_visit: Mapped[dt.date | None] = mapped_column(Date, default=None)
    last_oversight: Mapped[dt.date | None] = mapped_column(Date, default=None)
    last_vtt_review: Mapped[dt.date | None] = mapped_column(Date, default=None)
    last_risk_assessment: Mapped[dt.date | None] = mapped_column(Date, default=None)
    last_audit: Mapped[dt.date | None] = mapped_column(Date, default=None)
    #: Which system and profile the row came from, for support (never personal data).
    source: Mapped[str] = mapped_column(String(40), default="")
    #: The date of the export that last wrote the case: an older export never moves a
    #: case backwards, here or after sync brought a newer one (docs/sync.md).
    exported_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    @property
    def flag_set(self) -> frozenset[str]:
        return frozenset(f for f in self.flags.split(",") if f)


class CaseloadImport(Synced, Base):
    """One caseload import: which case fields its file carried, synced to every laptop.

    Why a synced record: the standards engine calls a standard "not known from this
    export" when the export had no column for a field it needs (a "visit by" column for
    the complex-Green visit; desktop/services/standards/needs.py). That was read from the
    import's entry in the event log, which stays on the computer that imported, so a
    laptop that got its cases by sync computed the standard anyway and showed every
    such child "late for years". Every store reads the newest export's record here
    (by ``exported_on``, then the later version), wherever the import ran.

    One record per import, never changed: two laptops importing offline make two
    records, no conflict; the newer export's tells. Counts and codes only, no names.
    """

    __tablename__ = "caseload_imports"
    __table_args__ = (Index("ix_caseload_imports_exported", "exported_on", "hlc"),)

    #: The date of the export (as ``Case.exported_on``); None when not known (an import
    #: recorded only in the event log before 0013).
    exported_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    #: When it was imported, by the app's clock.
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The import profile's name (a mapping's, not a person's).
    profile: Mapped[str] = mapped_column(String(80), default="")
    #: The case fields the file carried: mapped, with the column present; sorted,
    #: comma-joined (``Case`` column names).
    fields: Mapped[str] = mapped_column(Text, default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    #: A full export (cases it no longer lists were closed) or a partial one.
    full: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def field_set(self) -> frozenset[str]:
        return frozenset(f for f in self.fields.split(",") if f)


def join_flags(flags: set[str] | frozenset[str] | list[str]) -> str:
    """The canonical text of a flag set: sorted, so equal sets compare equal."""
    return ",".join(sorted(set(flags)))


class CaseEvent(Fact, Base):
    """Something that happened on a case: a visit, oversight, a review, a RAG change.

    ``rag_from``/``rag_to`` are set for RAG changes; ``by`` says who visited
    (a :class:`~desktop.models.enums.VisitBy` code).

    Why an append-only fact and not a synced record: an event never changes once known,
    so it needs no version, device, tombstone or change-log row. Those took 70% of a
    100,000-case store (546,641 events, each with five sync columns and a JSON copy in
    the change log). Sync sends events by ``seq`` (everything after the last one sent),
    and a receiver keeps one copy of an event it already holds (same case, kind, day,
    visitor, RAG and origin), so two laptops importing the same export agree.
    ``seq`` also orders two RAG changes recorded on the same day.

    Why a clustered key (``WITHOUT ROWID`` on SQLite): every reader asks for a case's
    events of a kind up to a day, so the rows are stored in that order and the table
    is its own index (a separate index cost another 37 MB on the 100,000-case demo).
    """

    __tablename__ = "case_events"
    __table_args__ = (
        PrimaryKeyConstraint("case_id", "kind", "occurred_on", "seq"),
        {"sqlite_with_rowid": False},
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str | None] = mapped_column(String(30), default=None)
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("workers.id"), default=None)
    rag_from: Mapped[str | None] = mapped_column(String(10), default=None)
    rag_to: Mapped[str | None] = mapped_column(String(10), default=None)
    #: Where it came from: "import", "audit", "disagreement", "manual".
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    note: Mapped[str] = mapped_column(Text, default="")
