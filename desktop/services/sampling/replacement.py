"""Dropping a sampled case and drawing its replacement by the same rules.

Why the dropped item stays: as in the US federal Child and Family Services Reviews, a
case taken out of a sample is recorded with the reason, so that who was dropped and
why can be reviewed later; a silent swap would hide bias (dropping the hard cases).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import Case, Claim, Sample, SampleItem, User
from desktop.models.enums import DropReason, Role, SampleItemStatus
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.sampling.allocate import (
    COHORT_LABELS,
    Candidate,
    design_stratum,
    label,
)
from desktop.services.sampling.population import load_population
from desktop.services.sampling.records import add_claims, areas_of, claim_row, item_row
from desktop.services.sampling.settings import SamplingSettings, load_sampling_settings
from desktop.services.sampling.weeks import week_start
from desktop.store.changes import recorder_of
from desktop.store.events import record_event

DROP_REASON_TEXT = {
    DropReason.CLOSED_SINCE_DRAW.value: "closed since the draw",
    DropReason.SIBLING_AUDITED.value: "a sibling already audited",
    DropReason.CONFLICT_OF_INTEREST.value: "a conflict of interest",
    DropReason.OTHER.value: "other",
}


@dataclass(frozen=True)
class Replacement:
    dropped_item_id: str
    new_item_id: str
    case_id: str
    case_ref: str
    rag: str
    stratum: str
    reason: str


def _choose(candidates: list[Candidate], stratum: str, settings: SamplingSettings,
            seed: str, group: str | None = None
            ) -> tuple[Candidate, str, float, str] | None:
    """The replacement, why, its chance and its design stratum.

    Why the dropped case's own group first, at random within it: the group (RAG x
    priority x area) is what the estimates weight by, and a case taken uniformly from
    what the group has left keeps the group's picks a simple random sample
    (docs/statistics.md). Then the same RAG, priority cases first, in the auditor's
    areas; then the fill order.
    """
    priority = set(settings.priority_cohorts)

    def key(c: Candidate) -> str:
        return design_stratum(c.rag, c.service_area_id, c.cohort in priority)

    pools: list[tuple[str, list[Candidate]]] = []
    if group is not None:
        pools.append((stratum, [c for c in candidates if key(c) == group]))
    for source in (stratum, *settings.fill_from.get(stratum, ())):
        pools.append((source, [c for c in candidates if c.rag == source]))
    for source, pool in pools:
        if not pool:
            continue
        pool = sorted(pool, key=lambda c: c.case_ref)
        random.Random(f"{seed}:{source}").shuffle(pool)
        pool.sort(key=lambda c: c.cohort not in priority)
        case = pool[0]
        tied = [c for c in pool if (c.cohort in priority) == (case.cohort in priority)]
        if source != stratum:
            why = (f"filled from the {label(source)} cases: no {label(stratum)} case was "
                   "left to choose")
        elif case.cohort in priority:
            why = f"priority cohort: {COHORT_LABELS.get(case.cohort, case.cohort)}"
        else:
            why = f"chosen at random from the {label(stratum)} cases"
        return case, why, 1 / len(tied), key(case)
    return None


def replace_item(ctx: ServiceContext, item_id: str, reason: str, note: str = "", *,
                 settings: SamplingSettings | None = None) -> Replacement:
    """Drop ``item_id`` with a reason from :class:`DropReason` and add a replacement.

    The replacement comes from the same stratum of the auditor's areas by the same
    rules and exclusions as the draw (priority first, then random; seeded by the
    sample's seed and the dropped item, so it is reproducible), filling from the next
    stratum when the same one is exhausted. The dropped item keeps its reason and its
    claim is released so another auditor may sample the case.

    Raises:
        InputProblem: unknown item or reason, or "other" without an explanation.
        RuleViolation: the item is not active, the acting user may not change this
            sample, or no eligible case is left.
    """
    guard(ctx, Permission.SAMPLE)
    if reason not in DROP_REASON_TEXT:
        raise InputProblem(f"'{reason}' is not a drop reason; use one of "
                           f"{', '.join(DROP_REASON_TEXT)}")
    if reason == DropReason.OTHER and not note.strip():
        raise InputProblem("a drop for 'other' reasons needs an explanation")
    settings = settings or load_sampling_settings()
    with ctx.store.transaction() as session:
        item = session.get(SampleItem, item_id)
        if item is None or item.deleted:
            raise InputProblem(f"no sample item '{item_id}'")
        if item.status != SampleItemStatus.ACTIVE:
            raise RuleViolation(f"this case is {item.status} in its sample and cannot be "
                                "replaced")
        sample = session.get(Sample, item.sample_id)
        assert sample is not None
        _check_may_change(ctx, session, sample)
        in_sample = set(session.scalars(select(SampleItem.case_id).where(
            SampleItem.sample_id == sample.id)))
        population = load_population(session, sample.iso_week, week_start(sample.iso_week),
                                     settings, areas_of(session, sample.auditor_id),
                                     extra_excluded=in_sample)
        chosen = _choose(population.candidates, item.stratum, settings,
                         f"{sample.seed}:{item.id}", item.design_stratum)
        if chosen is None:
            raise RuleViolation("no eligible case is left in the auditor's service areas to "
                                "replace this one")
        case, why, probability, group = chosen
        now = ctx.now()
        item.status = SampleItemStatus.DROPPED.value
        item.drop_reason = reason
        item.drop_note = note.strip()
        item.dropped_at = now
        for claim in session.scalars(select(Claim).where(Claim.sample_item_id == item.id,
                                                         Claim.released.is_(False))):
            claim.released = True
        last = session.scalar(select(func.max(SampleItem.position)).where(
            SampleItem.sample_id == sample.id)) or 0
        row = item_row(sample.id, case.case_id, last + 1, item.stratum, case.rag,
                       f"replacement ({DROP_REASON_TEXT[reason]}): {why}", replaces=item.id,
                       probability=probability, design_stratum=group)
        recorder = recorder_of(session)
        session.flush()
        recorder.bulk_insert(session, SampleItem, [row])
        add_claims(session, [claim_row(case.case_id, sample.auditor_id, sample.iso_week,
                                       row["id"], now)])
        record_event(session, user_id=ctx.user_id, action="change", entity="sample_item",
                     entity_id=item.id, detail={"dropped": reason, "replacement": row["id"]})
        ref = session.scalar(select(Case.case_ref).where(Case.id == case.case_id)) or ""
    return Replacement(item.id, row["id"], case.case_id, ref, case.rag, item.stratum,
                       row["reason"])


def _check_may_change(ctx: ServiceContext, session: Session, sample: Sample) -> None:
    """The sample's own auditor or a coordinator may change it (system calls may too)."""
    if ctx.user_id is None or ctx.user_id == sample.auditor_id:
        return
    user = session.get(User, ctx.user_id)
    if user is None or not (user.has_role(Role.COORDINATOR) or user.has_role(Role.QA)):
        raise RuleViolation("only the sample's auditor or a coordinator may replace its cases")
