"""Weekly and targeted samples, their items, and claims on cases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Synced, UTCDateTime


class Sample(Synced, Base):
    """One auditor's draw for one ISO week (or a targeted draw).

    ``criteria_json`` keeps the quotas and filters used, and ``seed`` the random seed,
    so the same data and seed can be shown to give the same sample.
    """

    __tablename__ = "samples"
    __table_args__ = (Index("ix_samples_week_auditor", "iso_week", "auditor_id"),)

    auditor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    iso_week: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(20), default="weekly")
    seed: Mapped[int] = mapped_column(Integer, default=0)
    criteria_json: Mapped[str] = mapped_column(Text, default="{}")
    #: Shortfalls reported at draw time, as JSON (a stratum with too few cases).
    shortfalls_json: Mapped[str] = mapped_column(Text, default="[]")
    drawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    drawn_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)

    items: Mapped[list[SampleItem]] = relationship(
        order_by="SampleItem.position", back_populates="sample"
    )


class SampleItem(Synced, Base):
    """A case in a sample, with why it was chosen; a dropped item keeps its reason."""

    __tablename__ = "sample_items"

    sample_id: Mapped[str] = mapped_column(ForeignKey("samples.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The stratum the case was drawn for (its RAG, or the stratum it filled in for).
    stratum: Mapped[str] = mapped_column(String(20))
    rag_at_draw: Mapped[str | None] = mapped_column(String(10), default=None)
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    drop_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    drop_note: Mapped[str] = mapped_column(Text, default="")
    dropped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    replaces_item_id: Mapped[str | None] = mapped_column(
        ForeignKey("sample_items.id"), default=None
    )
    #: The probability with which the draw selected this case (None: not known, e.g. a
    #: targeted pick), and the design stratum it was drawn from; the estimates weight by
    #: them (docs/statistics.md).
    selection_probability: Mapped[float | None] = mapped_column(Float, default=None)
    design_stratum: Mapped[str | None] = mapped_column(String(80), default=None)

    sample: Mapped[Sample] = relationship(back_populates="items")


class Claim(Synced, Base):
    """An auditor's claim on a case for one week.

    Deliberately no unique constraint on (case, week): two auditors offline may both
    claim a case, and sync must be able to bring both claims together and show the
    collision rather than lose one.
    """

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_week_case", "iso_week", "case_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    auditor_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    iso_week: Mapped[str] = mapped_column(String(8))
    sample_item_id: Mapped[str | None] = mapped_column(ForeignKey("sample_items.id"), default=None)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    released: Mapped[bool] = mapped_column(default=False)
