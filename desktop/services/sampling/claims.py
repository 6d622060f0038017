"""Claims that collide: one case claimed by two auditors for the same week.

Why this can happen at all: claims are ordinary synced records, and two auditors
working offline can each claim a case before either has synced. Sync calls
:func:`claim_collisions` after applying remote changes and shows the result; both
claims are kept until a person releases one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.models import Case, Claim
from desktop.services.context import ServiceContext
from desktop.services.sampling.weeks import parse_week


@dataclass(frozen=True)
class ClaimHolder:
    claim_id: str
    auditor_id: str
    sample_item_id: str | None
    claimed_at: dt.datetime | None
    device_id: str


@dataclass(frozen=True)
class ClaimCollision:
    case_id: str
    case_ref: str
    week: str
    claims: list[ClaimHolder]


def claim_collisions(ctx: ServiceContext, iso_week: str) -> list[ClaimCollision]:
    """Cases with live claims by more than one auditor in ``iso_week``, by case_ref."""
    week = parse_week(iso_week)
    live = (Claim.iso_week == week, Claim.deleted.is_(False), Claim.released.is_(False))
    with ctx.read() as session:
        clashing = (select(Claim.case_id).where(*live).group_by(Claim.case_id)
                    .having(func.count(func.distinct(Claim.auditor_id)) > 1))
        rows = session.execute(
            select(Claim, Case.case_ref).join(Case, Case.id == Claim.case_id)
            .where(*live, Claim.case_id.in_(clashing))
            .order_by(Case.case_ref, Claim.claimed_at, Claim.id)).all()
    found: dict[str, ClaimCollision] = {}
    for claim, ref in rows:
        entry = found.setdefault(claim.case_id, ClaimCollision(claim.case_id, ref, week, []))
        entry.claims.append(ClaimHolder(claim.id, claim.auditor_id, claim.sample_item_id,
                                        claim.claimed_at, claim.device_id))
    return list(found.values())
