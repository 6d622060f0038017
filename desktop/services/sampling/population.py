"""Who may be sampled in a week: the eligible cases, read in three set queries.

Exclusions (docs/domain.md, 'Sampling rules'): closed and tombstoned cases; cases with no
RAG (they belong to no stratum); cases claimed (a live claim) by any auditor for the
week; cases drawn (a live claim) in one of the earlier weeks inside the re-audit gap,
audited or not yet (issue 10: a draw made before last week's audits must not pick last
week's cases again); cases audited within ``reaudit_gap_days`` before the week's Monday, by an audit
row (any status, unless deleted: a discarded draft is deleted) or by the case's own
``last_audit`` date from the case system. An audit exactly ``gap`` days before the
Monday is allowed: four weeks have passed by the first day the new audit can happen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from desktop.models import Audit, Case, Claim, Sample, SampleItem
from desktop.services.sampling.allocate import Candidate
from desktop.services.sampling.settings import RAGS, SamplingSettings
from desktop.services.sampling.weeks import shift_week

CANDIDATE_COLUMNS = (Case.id, Case.case_ref, Case.rag, Case.cohort, Case.service_area_id,
                     Case.team_id, Case.worker_id, Case.flags, Case.last_audit)


@dataclass
class Population:
    """Attributes:
        candidates: eligible cases (matching the area filter), ordered by case_ref.
        claimed: case ids with a live claim this week (any auditor).
        recently_audited: how many cases the re-audit gap excluded.
        flags: each candidate's flag set, for targeted samples.
    """

    candidates: list[Candidate]
    claimed: set[str]
    recently_audited: int
    flags: dict[str, frozenset[str]]
    #: With ``keep_weekly``: this week's claims made by weekly samples, case id ->
    #: auditor id (those cases stay among the candidates).
    weekly_claims: dict[str, str] = field(default_factory=dict)


def claimed_cases(session: Session, week: str) -> set[str]:
    return set(session.scalars(select(Claim.case_id).where(
        Claim.iso_week == week, Claim.deleted.is_(False), Claim.released.is_(False))))


def weekly_claims(session: Session, week: str) -> dict[str, str]:
    """This week's live claims that belong to weekly samples: case id -> auditor id."""
    return dict(session.execute(
        select(Claim.case_id, Claim.auditor_id)
        .join(SampleItem, SampleItem.id == Claim.sample_item_id)
        .join(Sample, Sample.id == SampleItem.sample_id)
        .where(Claim.iso_week == week, Claim.deleted.is_(False),
               Claim.released.is_(False), Sample.kind == "weekly")).all())


def claimed_earlier(session: Session, week: str, gap_days: int) -> set[str]:
    """Cases with a live claim in an earlier week whose Monday is inside the gap."""
    weeks = [shift_week(week, -k) for k in range(1, 1 + (gap_days - 1) // 7)] \
        if gap_days > 0 else []
    if not weeks:
        return set()
    return set(session.scalars(select(Claim.case_id).where(
        Claim.iso_week.in_(weeks), Claim.deleted.is_(False), Claim.released.is_(False))))


def recently_audited(session: Session, week_start: dt.date, gap_days: int) -> set[str]:
    cutoff = week_start - dt.timedelta(days=gap_days)
    cutoff_time = dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time(), dt.UTC)
    return set(session.scalars(select(Audit.case_id).distinct().where(
        Audit.deleted.is_(False),
        or_(Audit.audit_date > cutoff,
            and_(Audit.audit_date.is_(None), Audit.created_at >= cutoff_time)))))


def load_population(session: Session, week: str, week_start: dt.date,
                    settings: SamplingSettings, area_ids: Collection[str] | None = None,
                    extra_excluded: Collection[str] = (), keep_weekly: bool = False
                    ) -> Population:
    """Eligible cases in ``area_ids`` (all areas when None) for ``week``.

    ``keep_weekly``: this week's claims by weekly samples do not exclude their cases
    (the weekly draw works the whole week out again, whoever drew first; see
    desktop/services/sampling/weekly.py).
    """
    claimed = claimed_cases(session, week)
    kept = weekly_claims(session, week) if keep_weekly else {}
    audited = recently_audited(session, week_start, settings.reaudit_gap_days)
    audited |= claimed_earlier(session, week, settings.reaudit_gap_days)
    cutoff = week_start - dt.timedelta(days=settings.reaudit_gap_days)
    excluded = (claimed - set(kept)) | set(extra_excluded)
    query = select(*CANDIDATE_COLUMNS).where(
        Case.deleted.is_(False), Case.status == "open", Case.rag.in_(RAGS))
    if area_ids is not None:
        query = query.where(Case.service_area_id.in_(sorted(area_ids)))
    candidates: list[Candidate] = []
    flags: dict[str, frozenset[str]] = {}
    gap_excluded = 0
    # Sorted in Python: SQL ordering by the case_ref index reads the table in index
    # order, a random read per row.
    rows = sorted(session.connection().execute(query).all(), key=lambda r: r[1])
    for case_id, ref, rag, cohort, area, team, worker, flag_text, last_audit in rows:
        if case_id in excluded:
            continue
        if case_id in audited or (last_audit is not None and last_audit > cutoff):
            gap_excluded += 1
            continue
        assert rag is not None  # the query keeps rated cases only
        candidates.append(Candidate(case_id, ref, rag, cohort, area, team, worker))
        if flag_text:
            flags[case_id] = frozenset(f for f in flag_text.split(",") if f)
    return Population(candidates, claimed, gap_excluded, flags, kept)
