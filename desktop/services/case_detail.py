"""One case as the case review shows it (identity, RAG history, compliance, timeline),
and its key facts as the audit form shows them beside the questions.

Why one read: the detail pane beside the case list needs rows from seven tables (the
case, its events, audits, actions, disagreements, escalations and the organisation) and
the standards engine's verdict for today; one call on the worker gives the pane all of
it, in words, so the screen holds no rules.

Why initials and a separate :func:`reveal_name`: a reviewer rarely needs the child's
name to judge practice, and data protection asks that a full name be shown only when
someone chooses to see it, with a record that they did (docs/domain.md, 'Data
protection'). The record holds the case id and the user, never the name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models import (
    Action,
    Audit,
    Case,
    CaseEvent,
    Escalation,
    RagDisagreement,
    Team,
    Worker,
)
from desktop.models.enums import CaseEventKind, Grade
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.case_filters import COHORT_NAMES, STANDARD_LABELS
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_view
from desktop.services.sampling.my_week import AUDIT_STATUS_TEXT, initials
from desktop.services.standards.engine import Evaluator, Standard, Status
from desktop.services.standards.facts import load_facts
from desktop.services.standards.settings import load_settings


def day_text(day: dt.date) -> str:
    """A date as the council writes it (dd/mm/yyyy)."""
    return day.strftime("%d/%m/%Y")


GRADE_TEXT = {Grade.OUTSTANDING.value: "Outstanding", Grade.GOOD.value: "Good",
              Grade.REQUIRES_IMPROVEMENT.value: "Requires improvement",
              Grade.INADEQUATE.value: "Inadequate"}
EVENT_TEXT = {
    CaseEventKind.VISIT_FACE_TO_FACE.value: "Face-to-face visit",
    CaseEventKind.VISIT_VIRTUAL.value: "Virtual visit",
    CaseEventKind.MANAGEMENT_OVERSIGHT.value: "Management oversight",
    CaseEventKind.VTT_REVIEW.value: "VTT review",
    CaseEventKind.RISK_ASSESSMENT.value: "Risk assessment",
    CaseEventKind.RAG_CHANGE.value: "RAG changed",
    CaseEventKind.OPENED.value: "Case opened",
    CaseEventKind.CLOSED.value: "Case closed",
}
VISITOR_TEXT = {"social_worker": "social worker", "personal_adviser": "personal adviser",
                "social_care_professional": "social care professional",
                "partner_agency": "partner agency"}


@dataclass(frozen=True)
class Identity:
    """Who the case is about, without the child's name.

    Attributes:
        age: whole years on the day asked about; None when unborn or not known.
    """

    case_id: str
    case_ref: str
    initials: str
    date_of_birth: dt.date | None
    age: int | None
    cohort: str
    cohort_text: str
    team: str
    worker: str
    status: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    rag: str | None


@dataclass(frozen=True)
class RagStep:
    on: dt.date
    rag_from: str | None
    rag_to: str


@dataclass(frozen=True)
class Compliance:
    """One practice standard's state today.

    Attributes:
        status: the engine's code (met, due_soon, overdue, not_applicable).
        text: the status in words, so colour is never the only signal.
    """

    standard: str
    label: str
    status: str
    due: dt.date | None
    last_met: dt.date | None
    text: str
    basis: str


@dataclass(frozen=True)
class TimelineEntry:
    """Something that happened on the case.

    Attributes:
        kind: "event" (a visit, oversight, review, RAG change), "audit", "action",
            "disagreement" or "escalation".
        record_id: the audit's id for an audit (the screen can open it), else the
            record's own id.
    """

    on: dt.date
    kind: str
    what: str
    detail: str
    record_id: str


@dataclass(frozen=True)
class CaseDetail:
    identity: Identity
    as_of: dt.date
    rag_history: list[RagStep]
    compliance: list[Compliance]
    timeline: list[TimelineEntry]


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None or born > day:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def status_text(status: str, due: dt.date | None, basis: str = "",
                no_record_since: dt.date | None = None, as_of: dt.date | None = None) -> str:
    """ "Overdue since 03/11/2026", "Due 28/11/2026", "Met", "Not applicable", or for
    any other status the engine's own words for it (its ``basis``: "not known from this
    export: ..."), so a status the engine adds is never shown as one it is not. Late
    with nothing on record since the case opened (``no_record_since``) says so, never
    "overdue since" a date counted from the opening."""
    if status == Status.OVERDUE.value and no_record_since is not None:
        days = f" ({(as_of - no_record_since).days} days)" if as_of else ""
        return f"No record since the case opened on {day_text(no_record_since)}{days}"
    if status == Status.OVERDUE.value:
        return f"Overdue since {day_text(due)}" if due else "Overdue: nothing on record"
    if status == Status.DUE_SOON.value:
        return f"Due {day_text(due)}" if due else "Due"
    if status == Status.MET.value:
        return "Met"
    if status == Status.NOT_APPLICABLE.value:
        return "Not applicable"
    words = basis or status.replace("_", " ")
    return words[:1].upper() + words[1:]


def _case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.deleted:
        raise InputProblem("that case is no longer in the store")
    return case


def _closed(session: Session, case: Case, as_of: dt.date) -> list[Compliance]:
    """No standard applies to a case not open on the day, but each says when it was
    last met, from the same facts the timeline lists (it said "never" for all five
    beside a timeline of visits: trial item 10)."""
    found = load_facts(session, as_of, [Case.id == case.id], open_only=False)
    last: dict[str, dt.date | None] = {}
    if found:
        judged = Evaluator(load_settings(), as_of).evaluate(found[0])
        last = {r.standard: r.last_met for r in judged.results}
    return [Compliance(code, label, Status.NOT_APPLICABLE.value, None, last.get(code),
                       "Not applicable: the case is not open", "")
            for code, label in STANDARD_LABELS.items()]


def _compliance(session: Session, case: Case, as_of: dt.date) -> list[Compliance]:
    facts = load_facts(session, as_of, [Case.id == case.id])
    if not facts:  # closed, or not open yet on the day: no standard applies
        return _closed(session, case, as_of)
    judged = Evaluator(load_settings(), as_of).evaluate(facts[0])
    return [Compliance(r.standard, STANDARD_LABELS.get(r.standard, r.standard), r.status,
                       r.due, r.last_met,
                       status_text(r.status, r.due, r.basis, r.no_record_since, as_of), r.basis)
            for r in judged.results]


def _events(session: Session, case_id: str) -> tuple[list[RagStep], list[TimelineEntry]]:
    rows = session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case_id).order_by(CaseEvent.occurred_on, CaseEvent.seq))
    steps: list[RagStep] = []
    entries: list[TimelineEntry] = []
    for event in rows:
        detail = ""
        if event.kind == CaseEventKind.RAG_CHANGE.value and event.rag_to:
            steps.append(RagStep(event.occurred_on, event.rag_from, event.rag_to))
            detail = f"{(event.rag_from or 'none').title()} to {event.rag_to.title()}"
        elif event.by:
            detail = f"by {VISITOR_TEXT.get(event.by, event.by.replace('_', ' '))}"
        entries.append(TimelineEntry(event.occurred_on, "event",
                                     EVENT_TEXT.get(event.kind, event.kind), detail,
                                     f"{event.kind}:{event.seq}"))
    return steps, entries


def _day(at: dt.datetime | None, fallback: dt.datetime) -> dt.date:
    return (at or fallback).date()


def _records(s: Session, case_id: str, as_of: dt.date) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for audit in s.scalars(select(Audit).where(
            Audit.case_id == case_id, Audit.deleted.is_(False))):
        grade = GRADE_TEXT.get(audit.grade or "", "not graded yet")
        entries.append(TimelineEntry(
            audit.audit_date or _day(audit.submitted_at, audit.created_at), "audit", "Audit",
            f"{grade}; {AUDIT_STATUS_TEXT.get(audit.status, audit.status)}", audit.id))
    for action in s.scalars(select(Action).where(
            Action.case_id == case_id, Action.deleted.is_(False))):
        due = ""
        if action.due_on is not None:
            late = action.status in ("open", "in_progress") and action.due_on < as_of
            due = f"; {'overdue since' if late else 'due'} {day_text(action.due_on)}"
        entries.append(TimelineEntry(
            _day(None, action.created_at), "action", f"Action: {action.description}",
            f"{action.status.replace('_', ' ')}{due}", action.id))
    for item in s.scalars(select(RagDisagreement).where(
            RagDisagreement.case_id == case_id, RagDisagreement.deleted.is_(False))):
        outcome = f"; outcome {item.outcome_rag.title()}" if item.outcome_rag else ""
        entries.append(TimelineEntry(
            _day(item.discussed_at, item.created_at), "disagreement", "RAG disagreement",
            f"recorded {item.recorded_rag.title()}, auditor {item.auditor_rag.title()}; "
            f"{item.status}{outcome}", item.id))
    for esc in s.scalars(select(Escalation).where(
            Escalation.case_id == case_id, Escalation.deleted.is_(False))):
        entries.append(TimelineEntry(
            esc.raised_at.date(), "escalation", "Significant-harm escalation",
            f"{esc.status.replace('_', ' ')}; respond by {day_text(esc.respond_by.date())}",
            esc.id))
    return entries


def _identity(session: Session, case: Case, as_of: dt.date) -> Identity:
    team = session.get(Team, case.team_id) if case.team_id else None
    worker = session.get(Worker, case.worker_id) if case.worker_id else None
    return Identity(
        case.id, case.case_ref, initials(case.child_name), case.date_of_birth,
        age_on(case.date_of_birth, as_of), case.cohort,
        COHORT_NAMES.get(case.cohort, case.cohort), team.name if team else "",
        worker.name if worker else "", case.status, case.opened_on, case.closed_on,
        case.rag)


def _read_case(session: Session, case_id: str, as_of: dt.date
               ) -> tuple[Case, Identity, list[Compliance], list[RagStep], list[TimelineEntry]]:
    """The case, who it is about, the standards' verdict and its events (RAG changes
    oldest first): what the detail pane and the form's key facts both start from."""
    case = _case(session, case_id)
    steps, timeline = _events(session, case.id)
    return (case, _identity(session, case, as_of), _compliance(session, case, as_of), steps,
            timeline)


def case_detail(ctx: ServiceContext, case_id: str) -> CaseDetail:
    """Everything the detail pane shows for ``case_id``, as of today; no name. Opening
    it is logged as a view of the case (docs/security.md, 'The event log')."""
    guard(ctx, P.VIEW_CASES, case_id=case_id)
    as_of = ctx.today()
    with ctx.read() as session:
        case, identity, compliance, steps, timeline = _read_case(session, case_id, as_of)
        timeline += _records(session, case.id, as_of)
    timeline.sort(key=lambda e: e.on, reverse=True)
    steps.reverse()
    log_view(ctx, "case", case_id, shown="detail")  # who opened which child's record
    return CaseDetail(identity, as_of, steps, compliance, timeline)


#: The dated facts beside the audit form, in the order an auditor checks them, each
#: named by what was last done (the standard's own label is what it asks for).
FACT_LABELS = {
    Standard.VISIT_F2F.value: "Last face-to-face visit",
    Standard.VISIT_COMPLEX_GREEN.value: "Last visit by a social worker",
    Standard.OVERSIGHT.value: "Last management oversight",
    Standard.VTT_REVIEW.value: "Last VTT review",
    Standard.RISK_ASSESSMENT.value: "Last risk assessment",
}


@dataclass(frozen=True)
class DatedFact:
    """When something the standards ask for was last done, and its standard today.

    Attributes:
        label: what was done ("Last face-to-face visit").
        last: the day it was last done as the standards engine counts it (None: never,
            on this record); ``last_text`` says it in words, with who made a visit.
        compliance: the standard's status from the engine, its words and its rule.
    """

    label: str
    last: dt.date | None
    last_text: str
    compliance: Compliance


@dataclass(frozen=True)
class KeyFacts:
    """What an auditor checks the case record against, beside the audit form.

    Attributes:
        rag, rag_set_on: the RAG on the record and the day it was set (None: not known).
        rag_history: every RAG change, newest first.
        dated: the visit, oversight, VTT review and risk assessment, each with its
            standard's status (a standard that does not apply to the case is left out,
            but for the VTT review and the risk assessment, which every auditor asks
            about).
        last_virtual_visit: no standard counts it; shown because auditors ask.
    """

    case_id: str
    case_ref: str
    as_of: dt.date
    rag: str | None
    rag_set_on: dt.date | None
    rag_history: list[RagStep]
    cohort_text: str
    worker: str
    team: str
    status: str
    closed_on: dt.date | None
    dated: list[DatedFact]
    last_virtual_visit: dt.date | None


#: The case record's own date of each, for a case no standard applies to (closed).
RECORD_DATES = {Standard.VISIT_F2F.value: "last_f2f_visit",
                Standard.OVERSIGHT.value: "last_oversight",
                Standard.VTT_REVIEW.value: "last_vtt_review",
                Standard.RISK_ASSESSMENT.value: "last_risk_assessment"}
#: The engine's statuses that are worked out from the record's dates.
DATED_STATUSES = frozenset({Status.MET.value, Status.DUE_SOON.value, Status.OVERDUE.value,
                            Status.NOT_APPLICABLE.value})
#: Facts shown even when their standard does not apply to the case today.
ALWAYS_SHOWN = frozenset({Standard.VISIT_F2F.value, Standard.OVERSIGHT.value,
                          Standard.VTT_REVIEW.value, Standard.RISK_ASSESSMENT.value})


def _dated(case: Case, compliance: list[Compliance]) -> list[DatedFact]:
    by_code = {item.standard: item for item in compliance}
    facts: list[DatedFact] = []
    for code, label in FACT_LABELS.items():
        item = by_code.get(code)
        if item is None or (code not in ALWAYS_SHOWN
                            and item.status == Status.NOT_APPLICABLE.value):
            continue
        # The engine's date; where no standard applies (a closed case) the record's own.
        # A status the engine cannot date (not known from the export) has no date and no
        # "never": whatever the record holds did not come from that export.
        record = RECORD_DATES.get(code)
        last = item.last_met
        if last is None and record and item.status == Status.NOT_APPLICABLE.value:
            last = getattr(case, record)
        text = (day_text(last) if last else
                "none on record" if item.status in DATED_STATUSES else "not known")
        if code == Standard.VISIT_F2F.value and last and case.last_f2f_visit_by:
            by = case.last_f2f_visit_by
            text += f" by {VISITOR_TEXT.get(by, by.replace('_', ' '))}"
        facts.append(DatedFact(label, last, text, item))
    return facts


def key_facts(ctx: ServiceContext, case_id: str) -> KeyFacts:
    """The case's facts an auditor checks the record against, as of today: its RAG and
    how it got there, cohort, worker and team, and when the visit, oversight, VTT
    review and risk assessment were last done with each standard's status from the
    standards engine. No name. Logged as a view of the case (shown beside a form)."""
    guard(ctx, P.VIEW_CASES, case_id=case_id)
    as_of = ctx.today()
    with ctx.read() as session:
        case, identity, compliance, steps, _timeline = _read_case(session, case_id, as_of)
        dated = _dated(case, compliance)
        rag_set_on = case.rag_set_on or (steps[-1].on if steps else None)
        virtual = case.last_virtual_visit
    steps.reverse()
    log_view(ctx, "case", case_id, shown="key_facts")
    return KeyFacts(identity.case_id, identity.case_ref, as_of, identity.rag, rag_set_on,
                    steps, identity.cohort_text, identity.worker, identity.team,
                    identity.status, identity.closed_on, dated, virtual)


def reveal_name(ctx: ServiceContext, case_id: str) -> str:
    """The child's full name; the view is recorded in the event log (ids only)."""
    guard(ctx, P.VIEW_CASES, case_id=case_id)
    with ctx.read() as session:
        name = _case(session, case_id).child_name
    log_view(ctx, "case", case_id, shown="full_name")
    return name
