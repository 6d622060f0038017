"""Saving a drawn sample (sample, items, claims in one transaction) and reading it back.

Why bulk inserts for items and claims: coordinator mode saves 450 items and 450
claims at once; the recorder's bulk path logs every row for sync all the same.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Case, Claim, Sample, SampleItem, UserServiceArea, identity, new_id
from desktop.models.enums import SampleItemStatus
from desktop.services.context import ServiceContext
from desktop.services.sampling.allocate import Pick, Shortfall
from desktop.store.changes import recorder_of
from desktop.store.events import record_event


@dataclass(frozen=True)
class ItemView:
    case_id: str
    case_ref: str
    rag: str | None
    stratum: str
    reason: str
    status: str = SampleItemStatus.ACTIVE.value
    position: int = 0
    item_id: str | None = None
    drop_reason: str | None = None
    drop_note: str = ""
    replaces_item_id: str | None = None
    #: The chance the draw gave this case, and the group it was drawn from (None for a
    #: targeted pick: not a probability sample of the caseload).
    probability: float | None = None
    design_stratum: str | None = None


@dataclass(frozen=True)
class SampleView:
    """A sample as drawn (``saved`` False for a dry run) or as saved earlier.

    Attributes:
        existing: True when this is a sample saved by an earlier draw, returned
            instead of drawing again.
    """

    auditor_id: str
    week: str
    kind: str
    seed: int
    items: list[ItemView]
    shortfalls: list[Shortfall]
    sample_id: str | None = None
    saved: bool = False
    existing: bool = False
    criteria: dict[str, Any] = field(default_factory=dict)

    @property
    def active_items(self) -> list[ItemView]:
        return [i for i in self.items if i.status != SampleItemStatus.DROPPED]


def areas_of(session: Session, user_id: str) -> frozenset[str]:
    return frozenset(session.scalars(select(UserServiceArea.service_area_id).where(
        UserServiceArea.user_id == user_id, UserServiceArea.deleted.is_(False))))


def shortfall_to_dict(s: Shortfall) -> dict[str, Any]:
    return {"stratum": s.stratum, "wanted": s.wanted, "found": s.found,
            "filled_from": s.filled_from, "unfilled": s.unfilled, "text": s.text}


def shortfall_from_dict(d: dict[str, Any]) -> Shortfall:
    return Shortfall(d["stratum"], d["wanted"], d["found"], dict(d["filled_from"]),
                     d["unfilled"])


def saved_sample(session: Session, auditor_id: str, week: str, kind: str = "weekly"
                 ) -> Sample | None:
    return session.scalar(select(Sample).where(
        Sample.auditor_id == auditor_id, Sample.iso_week == week, Sample.kind == kind,
        Sample.deleted.is_(False)).order_by(Sample.created_at, Sample.id).limit(1))


def view_of(session: Session, sample: Sample, existing: bool = False) -> SampleView:
    rows = session.execute(
        select(SampleItem, Case.case_ref).join(Case, Case.id == SampleItem.case_id)
        .where(SampleItem.sample_id == sample.id, SampleItem.deleted.is_(False))
        .order_by(SampleItem.position, SampleItem.created_at, SampleItem.id))
    items = [ItemView(item.case_id, ref, item.rag_at_draw, item.stratum, item.reason,
                      item.status, item.position, item.id, item.drop_reason, item.drop_note,
                      item.replaces_item_id, item.selection_probability, item.design_stratum)
             for item, ref in rows]
    return SampleView(sample.auditor_id, sample.iso_week, sample.kind, sample.seed, items,
                      [shortfall_from_dict(d) for d in json.loads(sample.shortfalls_json)],
                      sample.id, True, existing, json.loads(sample.criteria_json))


def unsaved_view(auditor_id: str, week: str, kind: str, seed: int, picks: Sequence[Pick],
                 shortfalls: list[Shortfall], criteria: dict[str, Any]) -> SampleView:
    items = [ItemView(p.case_id, p.case_ref, p.rag, p.stratum, p.reason, position=i,
                      probability=p.probability, design_stratum=p.design_stratum)
             for i, p in enumerate(picks)]
    return SampleView(auditor_id, week, kind, seed, items, shortfalls, criteria=criteria)


def item_row(sample_id: str, case_id: str, position: int, stratum: str, rag: str | None,
             reason: str, replaces: str | None = None, probability: float | None = None,
             design_stratum: str | None = None) -> dict[str, Any]:
    return {"id": new_id(), "sample_id": sample_id, "case_id": case_id, "position": position,
            "stratum": stratum, "rag_at_draw": rag, "reason": reason,
            "status": SampleItemStatus.ACTIVE.value, "drop_reason": None, "drop_note": "",
            "dropped_at": None, "replaces_item_id": replaces,
            "selection_probability": probability, "design_stratum": design_stratum}


def claim_row(case_id: str, auditor_id: str, week: str, item_id: str, at: dt.datetime
              ) -> dict[str, Any]:
    """A claim's row; its id is the auditor's, case's and week's (identity.claim_id)."""
    return {"id": identity.claim_id(auditor_id, case_id, week), "case_id": case_id,
            "auditor_id": auditor_id, "iso_week": week, "sample_item_id": item_id,
            "claimed_at": at, "released": False}


def add_claims(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Claim cases (rows from :func:`claim_row`): one claim per auditor, case and week.

    Why not always a new row: a claim's id is its auditor, case and week, so the same
    auditor claiming the case again that week (a targeted pick, a replacement of a case
    they had dropped) finds their claim there. A live one is kept as it is; a released
    one is taken up again for the new item. Sync merges the same claim made on two
    laptops into one record.
    """
    held = {claim.id: claim for claim in session.scalars(select(Claim).where(
        Claim.id.in_([row["id"] for row in rows])))} if rows else {}
    for row in rows:
        claim = held.get(row["id"])
        if claim is not None and (claim.released or claim.deleted):
            claim.released, claim.deleted = False, False
            claim.sample_item_id, claim.claimed_at = row["sample_item_id"], row["claimed_at"]
    recorder_of(session).bulk_insert(session, Claim, [row for row in rows
                                                      if row["id"] not in held])


def save_view(ctx: ServiceContext, session: Session, view: SampleView) -> SampleView:
    """Write the sample, its items and a claim per item; log the draw as an event."""
    now = ctx.now()
    sample_id = identity.weekly_sample_id(view.auditor_id, view.week, view.kind)
    if view.kind != "weekly" or session.get(Sample, sample_id) is not None:
        sample_id = new_id()  # targeted draws may be many a week; a week redrawn after a delete
    sample = Sample(id=sample_id, auditor_id=view.auditor_id, iso_week=view.week, kind=view.kind,
                    seed=view.seed, criteria_json=json.dumps(view.criteria, sort_keys=True),
                    shortfalls_json=json.dumps([shortfall_to_dict(s) for s in view.shortfalls],
                                               sort_keys=True),
                    drawn_at=now, drawn_by_id=ctx.user_id)
    session.add(sample)
    session.flush()
    items = [item_row(sample.id, i.case_id, i.position, i.stratum, i.rag, i.reason,
                      probability=i.probability, design_stratum=i.design_stratum)
             for i in view.items]
    for item in items:  # the same case drawn for the same sample elsewhere: one item
        item["id"] = identity.sample_item_id(sample.id, item["case_id"])
    recorder = recorder_of(session)
    recorder.bulk_insert(session, SampleItem, items)
    add_claims(session, [claim_row(i["case_id"], view.auditor_id, view.week, i["id"], now)
                         for i in items])
    record_event(session, user_id=ctx.user_id, action="create", entity="sample",
                 entity_id=sample.id, detail={"week": view.week, "kind": view.kind,
                                              "items": len(items), "seed": view.seed})
    saved = [ItemView(i.case_id, i.case_ref, i.rag, i.stratum, i.reason, i.status, i.position,
                      row["id"], probability=i.probability, design_stratum=i.design_stratum)
             for i, row in zip(view.items, items, strict=True)]
    return SampleView(view.auditor_id, view.week, view.kind, view.seed, saved, view.shortfalls,
                      sample.id, True, False, view.criteria)
