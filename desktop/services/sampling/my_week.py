"""An auditor's week as the My week screen shows it: the sample, its cases, the quotas.

Why a read model of its own: the screen needs, for each sampled case, things kept in
four tables (the item and its reason, the case's initials, cohort and team, and the
audit started from it), and the quota progress counted from them; reading them in one
call on the worker keeps the screen free of rules and the GUI thread free of queries.

Why the sample is the auditor's whoever drew it: in coordinator mode the coordinator
draws every auditor of an area at once; each auditor then finds their allocation here
(``drawn_by`` says who drew it) and drawing again returns it rather than a new one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import Audit, Case, Sample, SampleItem, ServiceArea, Team, User
from desktop.models.enums import AuditStatus, Role, SampleItemStatus
from desktop.services.audits.access import acting_user
from desktop.services.audits.lifecycle import EDITABLE, start_audit
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.reporting.weekly import NOT_FINDINGS
from desktop.services.sampling.records import areas_of, saved_sample, shortfall_from_dict
from desktop.services.sampling.replacement import DROP_REASON_TEXT
from desktop.services.sampling.settings import RAGS, load_sampling_settings
from desktop.services.sampling.weekly import AreaDraw, draw_area, draw_weekly
from desktop.services.sampling.weeks import parse_week, week_of, week_start

#: The template of a weekly dip-sample audit: seed 000's risk assessment and RAG form
#: (the demo county's audit history uses the same one).
WEEKLY_TEMPLATE = "risk_assessment_rag"

#: An audit's status in the words of the My week list.
AUDIT_STATUS_TEXT = {
    AuditStatus.DRAFT.value: "draft",
    AuditStatus.SUBMITTED.value: "submitted, open for comment",
    AuditStatus.OPEN_FOR_COMMENT.value: "submitted, open for comment",
    AuditStatus.QUERIED.value: "submitted, queried",
    AuditStatus.FINALISED.value: "finalised",
    AuditStatus.REOPENED.value: "reopened",
}
NOT_STARTED = "not started"
#: Statuses of a case that counts as audited towards the week's quota.
AUDITED = frozenset(s.value for s in AuditStatus) - {AuditStatus.DRAFT.value}


def initials(name: str) -> str:
    """The child's initials, as a sampled list shows a child (not the full name)."""
    return "".join(part[0].upper() for part in name.replace("-", " ").split() if part[0].isalpha())


@dataclass(frozen=True)
class WeekCase:
    """One case of the week's sample.

    Attributes:
        rag: the case's RAG now (``stratum`` is the quota it counts towards).
        why: the reason it was chosen, in words.
        dropped: the item was dropped from the sample (``status_text`` says why).
        audit_id / audit_status: the audit started from this item (or the auditor's
            draft of the case), if any.
        status_text: the audit status in words, or why the case was dropped.
    """

    item_id: str
    case_id: str
    case_ref: str
    initials: str
    rag: str | None
    stratum: str
    cohort: str
    team: str
    why: str
    dropped: bool
    replaces_ref: str | None
    audit_id: str | None
    audit_status: str | None
    status_text: str


@dataclass(frozen=True)
class QuotaProgress:
    """One RAG stratum: how many cases are wanted, drawn (active) and audited.

    Attributes:
        shortfall: how many of ``wanted`` the draw could not find in the stratum itself.
        shortfall_text: why, in words ("" when the stratum was met in full).
    """

    rag: str
    wanted: int
    drawn: int
    audited: int
    shortfall: int
    shortfall_text: str


@dataclass(frozen=True)
class MyWeek:
    """The acting auditor's sample for ``week`` (``sample_id`` None: not drawn yet).

    Attributes:
        drawn_by: who drew it, when it was not the auditor (a coordinator's allocation).
    """

    auditor_id: str
    week: str
    sample_id: str | None
    drawn_at: dt.datetime | None
    drawn_by: str | None
    cases: list[WeekCase]
    quotas: list[QuotaProgress]
    #: The auditor's audits dated in the week that are findings (submitted, not
    #: reopened), from this sample or not: the figure the QA dashboard and the weekly
    #: report count against the quota, so that the two screens agree.
    week_audits: int = 0

    @property
    def active(self) -> list[WeekCase]:
        return [c for c in self.cases if not c.dropped]


def read_my_week(ctx: ServiceContext, week: str | None = None) -> MyWeek:
    """The acting user's weekly sample for ``week`` (None: this week, in England), with
    its cases and quota progress."""
    guard(ctx, Permission.VIEW_CASES)
    auditor = acting_user(ctx, "showing your week's sample")
    week = week_of(ctx.today()) if week is None else parse_week(week)
    with ctx.read() as session:
        sample = saved_sample(session, auditor, week)
        counted = _week_audits(session, auditor, week)
        if sample is None:
            quotas = load_sampling_settings().quotas
            return MyWeek(auditor, week, None, None, None, [],
                          [QuotaProgress(r, quotas[r], 0, 0, 0, "") for r in RAGS],
                          counted)
        cases = _cases(session, sample)
        drawn_by = None
        if sample.drawn_by_id is not None and sample.drawn_by_id != auditor:
            drawn_by = session.scalar(select(User.name).where(User.id == sample.drawn_by_id))
        return MyWeek(auditor, week, sample.id, sample.drawn_at, drawn_by, cases,
                      _quotas(sample, cases), counted)


def _week_audits(session: Session, auditor: str, week: str) -> int:
    """The weekly report's count of ``auditor``'s audits in ``week`` (its rule:
    reporting/weekly.py, NOT_FINDINGS)."""
    start = week_start(week)
    return session.scalar(
        select(func.count(Audit.id)).where(
            Audit.auditor_id == auditor, Audit.deleted.is_(False),
            Audit.audit_date.between(start, start + dt.timedelta(days=6)),
            Audit.status.not_in(NOT_FINDINGS))) or 0


def _cases(session: Session, sample: Sample) -> list[WeekCase]:
    rows = session.execute(
        select(SampleItem, Case.case_ref, Case.child_name, Case.rag, Case.cohort, Team.name)
        .join(Case, Case.id == SampleItem.case_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .where(SampleItem.sample_id == sample.id, SampleItem.deleted.is_(False))
        .order_by(SampleItem.position)).all()
    refs = {item.id: ref for item, ref, *_rest in rows}
    audits = _audits(session, sample.auditor_id, [(r[0].id, r[0].case_id) for r in rows])
    cases = []
    for item, ref, child, rag, cohort, team in rows:
        dropped = item.status == SampleItemStatus.DROPPED
        audit = audits.get(item.id)
        replaces = refs.get(item.replaces_item_id) if item.replaces_item_id else None
        why = item.reason + (f"; replaces {replaces}" if replaces else "")
        if dropped:
            text = f"dropped: {DROP_REASON_TEXT.get(item.drop_reason or '', 'other')}"
        else:
            text = AUDIT_STATUS_TEXT.get(audit[1], audit[1]) if audit else NOT_STARTED
        cases.append(WeekCase(item.id, item.case_id, ref, initials(child), rag, item.stratum,
                              cohort, team or "", why, dropped, replaces,
                              audit[0] if audit else None, audit[1] if audit else None, text))
    return cases


def _audits(session: Session, auditor: str, items: list[tuple[str, str]]
            ) -> dict[str, tuple[str, str]]:
    """Each item's audit (id, status): the newest started from it, else the auditor's
    draft of the case (started from the case list, say)."""
    item_ids = [i for i, _case in items]
    found: dict[str, tuple[str, str]] = {}
    for audit_id, item_id, status in session.execute(
            select(Audit.id, Audit.sample_item_id, Audit.status)
            .where(Audit.sample_item_id.in_(item_ids), Audit.deleted.is_(False))
            .order_by(Audit.created_at)):
        assert item_id is not None  # matched by sample_item_id IN (...)
        found[item_id] = (audit_id, status)
    by_case = {case: item for item, case in items if item not in found}
    if by_case:
        for audit_id, case_id, status in session.execute(
                select(Audit.id, Audit.case_id, Audit.status)
                .where(Audit.case_id.in_(list(by_case)), Audit.auditor_id == auditor,
                       Audit.status.in_(EDITABLE), Audit.deleted.is_(False))):
            found[by_case[case_id]] = (audit_id, status)
    return found


def _quotas(sample: Sample, cases: list[WeekCase]) -> list[QuotaProgress]:
    criteria = json.loads(sample.criteria_json or "{}")
    quotas = criteria.get("quotas") or load_sampling_settings().quotas
    short = {d["stratum"]: d for d in json.loads(sample.shortfalls_json or "[]")}
    drawn = Counter(c.stratum for c in cases if not c.dropped)
    audited = Counter(c.stratum for c in cases
                      if not c.dropped and c.audit_status in AUDITED)
    result = []
    for rag in RAGS:
        gap = short.get(rag)
        result.append(QuotaProgress(
            rag, int(quotas.get(rag, 0)), drawn[rag], audited[rag],
            gap["wanted"] - gap["found"] if gap else 0,
            shortfall_from_dict(gap).text if gap else ""))
    return result


def draw_my_week(ctx: ServiceContext, week: str) -> MyWeek:
    """Draw the acting auditor's sample for ``week`` (or find the one already drawn)."""
    guard(ctx, Permission.SAMPLE)
    draw_weekly(ctx, acting_user(ctx, "drawing your week's sample"), week)
    return read_my_week(ctx, week)


def coordinated_areas(ctx: ServiceContext) -> list[str]:
    """The service areas the acting user may draw whole (a coordinator's own areas)."""
    user_id = acting_user(ctx, "drawing an area's samples")
    with ctx.read() as session:
        user = session.get(User, user_id)
        if user is None or not user.has_role(Role.COORDINATOR):
            return []
        ids = areas_of(session, user_id)
        return sorted(session.scalars(select(ServiceArea.name).where(
            ServiceArea.id.in_(sorted(ids)), ServiceArea.deleted.is_(False))))


def draw_my_area(ctx: ServiceContext, area_name: str, week: str) -> AreaDraw:
    """Coordinator mode from the window: refused to anyone not coordinating the area."""
    guard(ctx, Permission.SAMPLE)
    if area_name not in coordinated_areas(ctx):
        raise RuleViolation("only a coordinator of the area may draw its samples")
    return draw_area(ctx, area_name, week)


def open_audit_for(ctx: ServiceContext, item_id: str) -> str:
    """The audit of a sampled case: the one already started from it, else a new draft.

    Raises:
        InputProblem: no such item.
        RuleViolation: the case was dropped, or the sample is someone else's.
    """
    guard(ctx, Permission.AUDIT)
    auditor = acting_user(ctx, "starting an audit")
    with ctx.read() as session:
        item = session.get(SampleItem, item_id)
        if item is None or item.deleted:
            raise InputProblem("this case is no longer in a sample; reload the list")
        if item.status == SampleItemStatus.DROPPED:
            raise RuleViolation("this case was dropped from the sample, so it is not audited "
                                "from it")
        sample = session.get(Sample, item.sample_id)
        if sample is None or sample.auditor_id != auditor:
            raise RuleViolation("only the sample's own auditor can audit its cases")
        found = _audits(session, auditor, [(item.id, item.case_id)]).get(item.id)
        case_id = item.case_id
    if found is not None:
        return found[0]
    return start_audit(ctx, case_id, WEEKLY_TEMPLATE, sample_item_id=item_id)
