"""Everything the case tool (seed 002, form 2) prints for one audit, read in bulk.

What the council's forms ask of it, and where each comes from: who sampled, in what
role and area, and the RAG group and week the case was drawn in (seed 000: the user's
job title and areas, the sample item and its sample); who took part in the RAG
discussion and when (the disagreement); the concern of significant harm, whom it went
to, its deadline and the response (seed 001: the escalation and its steps); each
action's priority and two-week review date (seed 001); the allocated worker's manager
the findings go back to, and whether and when they were fed back (seed 002: the case's
team manager, and the template's feedback questions where it has them).

Why bulk: the batch prints a whole week's sample (450 audits across a county's
auditors, seed 000); a query per table for all of them, rather than per audit, is what
keeps the batch within twice the time reportlab needs to write the same pages.
Reading a case tool for printing is a view of the audit; the report logs the print or
export itself (``event_log.log_export``), so this read logs nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    AuditComment,
    AuditTemplate,
    Case,
    Escalation,
    EscalationStep,
    ExerciseSummary,
    RagDisagreement,
    Sample,
    SampleItem,
    ServiceArea,
    TemplateQuestion,
    User,
    UserServiceArea,
    Worker,
)
from desktop.models.enums import AuditStatus, WorkerRole
from desktop.services.audits.drafts import panels_from_json
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.roles import ROLE_ORDER, ROLE_TITLES
from desktop.services.context import ServiceContext
from desktop.services.disagreements import discussion_dated
from desktop.services.reporting.names import initials, team_names, user_names, worker_names
from desktop.services.sampling.weeks import parse_week, week_start

#: How many audits one query asks about (well under SQLite's bound-parameter limit).
CHUNK = 500
#: Audits still being written: printed marked DRAFT, left out of a week's batch unless
#: asked for.
DRAFTS = (AuditStatus.DRAFT.value, AuditStatus.REOPENED.value)
#: The template questions that record the feedback seed 002 asks for (the quality case
#: tool has them; a template without them leaves the fields to be filled by hand).
FED_BACK = "fed_back_to_manager"
FED_BACK_ON = "feedback_date"
BEST_PRACTICE = "best_practice"


@dataclass(frozen=True)
class ToolAnswer:
    section: str
    question: str
    answer_type: str
    value: str | None
    note: str
    code: str = ""


@dataclass(frozen=True)
class ToolAction:
    description: str
    owner: str
    due_on: dt.date | None
    by_when_text: str
    status: str
    priority: str = ""
    #: When the Practice Development Team reviews it (seed 001: after two weeks).
    review_on: dt.date | None = None


@dataclass(frozen=True)
class ToolComment:
    author: str
    posted_at: dt.datetime | None
    is_query: bool
    answered: bool
    body: str


@dataclass(frozen=True)
class ToolDisagreement:
    recorded_rag: str
    auditor_rag: str
    status: str
    outcome_rag: str | None
    next_steps: str
    rationale: str
    discussed_at: dt.datetime | None = None
    #: Who took part, named with their part ("Team manager: A. Name").
    participants: tuple[str, ...] = ()
    #: False when ``discussed_at`` is only when it was recorded (at submission).
    discussion_dated: bool = True


@dataclass(frozen=True)
class ToolEscalation:
    """A concern of significant harm raised from the audit (seed 001)."""

    concern: str
    status: str
    raised_at: dt.datetime | None
    respond_by: dt.datetime | None
    #: The team manager it went to, and the Head of Service when it went on to one.
    team_manager: str
    head_of_service: str
    escalated_at: dt.datetime | None
    response: str
    responded_at: dt.datetime | None
    responded_by: str
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class ToolSampling:
    """How the case came to be audited (seed 000)."""

    #: The ISO week of the sample the case was drawn in; None: not drawn in a sample.
    week: str | None = None
    #: weekly or targeted.
    kind: str = ""
    #: The RAG group (stratum) the case was drawn for, and its RAG when drawn.
    stratum: str | None = None
    rag_at_draw: str | None = None
    reason: str = ""
    #: The dip-sample exercise the audit belongs to, if any.
    exercise: str = ""


@dataclass(frozen=True)
class CaseTool:
    audit_id: str
    case_ref: str
    child_initials: str
    team: str
    worker: str
    auditor: str
    audit_date: dt.date | None
    template_title: str
    template_code: str
    template_version: int
    status: str
    grade: str | None
    recorded_rag: str | None
    auditor_rag: str | None
    significant_harm: bool
    overview: str
    positive_practice: str
    submitted_at: dt.datetime | None
    comment_until: dt.datetime | None
    finalised_at: dt.datetime | None
    answers: tuple[ToolAnswer, ...]
    actions: tuple[ToolAction, ...]
    comments: tuple[ToolComment, ...]
    disagreement: ToolDisagreement | None
    #: The auditor's part: their job title (seed 000: "Area Manager (North)"), else
    #: their roles in words; and the service areas they sample in.
    auditor_role: str = ""
    auditor_areas: str = ""
    sampling: ToolSampling = ToolSampling()
    #: The case's RAG as the record shows it now (a draft has no recorded one yet).
    case_rag: str | None = None
    #: The allocated worker's manager (the case's team manager, else the team's).
    team_manager: str = ""
    escalations: tuple[ToolEscalation, ...] = ()
    #: A draft's concern of significant harm, typed but not yet raised.
    draft_concern: str = ""

    @property
    def is_draft(self) -> bool:
        return self.status in DRAFTS

    def answer(self, code: str) -> ToolAnswer | None:
        """The answer to the template's question ``code``; None: no such question."""
        return next((a for a in self.answers if a.code == code), None)

    @property
    def has_findings(self) -> bool:
        """Identified actions or noted good practice: what the case tool is for (seed 002)."""
        best = self.answer(BEST_PRACTICE)
        return bool(self.actions or self.positive_practice.strip()
                    or (best is not None and (best.value or "").strip()))


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def case_tools(ctx: ServiceContext, audit_ids: Sequence[str]) -> list[CaseTool]:
    """The case tools of ``audit_ids``, in that order.

    Raises:
        InputProblem: an id names no audit.
    """
    guard(ctx, P.REPORTS)
    found: dict[str, CaseTool] = {}
    for chunk in _chunks(list(dict.fromkeys(audit_ids))):
        found.update({t.audit_id: t for t in _read(ctx, chunk)})
    missing = [i for i in audit_ids if i not in found]
    if missing:
        raise InputProblem(f"no audit with the id '{missing[0]}'")
    return [found[i] for i in audit_ids]


def _role_words(user: User | None) -> str:
    """A user's part as seed 000 names it: the job title, else the roles in words."""
    if user is None:
        return ""
    if user.job_title.strip():
        return user.job_title.strip()
    roles = [ROLE_TITLES[r] for r in ROLE_ORDER if user.has_role(r)]
    return ", ".join(roles).capitalize()


def _team_managers(session: Session, cases: Sequence[Case]) -> dict[str, str]:
    """Each case's team manager (a worker id): its own, else its team's (one query)."""
    teams = {c.team_id for c in cases if c.team_manager_id is None and c.team_id}
    by_team: dict[str, str] = {}
    if teams:
        for team_id, worker_id in session.execute(
                select(Worker.team_id, Worker.id).where(
                    Worker.team_id.in_(teams), Worker.deleted.is_(False),
                    Worker.role == WorkerRole.TEAM_MANAGER.value)
                .order_by(Worker.staff_ref.desc())):
            by_team[team_id or ""] = worker_id  # the first by staff_ref wins, as elsewhere
    return {c.id: c.team_manager_id or by_team.get(c.team_id or "", "") for c in cases}


def _areas(session: Session, user_ids: set[str]) -> dict[str, str]:
    """Each user's service areas, named, in alphabetical order."""
    found: dict[str, list[str]] = defaultdict(list)
    if user_ids:
        for user_id, name in session.execute(
                select(UserServiceArea.user_id, ServiceArea.name)
                .join(ServiceArea, ServiceArea.id == UserServiceArea.service_area_id)
                .where(UserServiceArea.user_id.in_(user_ids),
                       UserServiceArea.deleted.is_(False)).order_by(ServiceArea.name)):
            found[user_id].append(name)
    return {u: ", ".join(names) for u, names in found.items()}


def _participants(text: str) -> list[tuple[str, str]]:
    """(role, id) of who took part in a RAG discussion, as stored (JSON)."""
    try:
        people = json.loads(text or "[]")
    except ValueError:
        return []
    return [(str(p["role"]), str(p["id"])) for p in people
            if isinstance(p, dict) and "role" in p and "id" in p]


def _read(ctx: ServiceContext, ids: Sequence[str]) -> list[CaseTool]:
    with ctx.read() as session:
        rows = session.execute(
            select(Audit, Case, AuditTemplate)
            .join(Case, Case.id == Audit.case_id)
            .join(AuditTemplate, AuditTemplate.id == Audit.template_id)
            .where(Audit.id.in_(ids), Audit.deleted.is_(False))).all()
        template_ids = {t.id for _, _, t in rows}
        questions = session.scalars(select(TemplateQuestion).where(
            TemplateQuestion.template_id.in_(template_ids),
            TemplateQuestion.deleted.is_(False)).order_by(TemplateQuestion.position)).all()
        by_template: dict[str, list[TemplateQuestion]] = defaultdict(list)
        for q in questions:
            by_template[q.template_id].append(q)
        answers: dict[tuple[str, str], AuditAnswer] = {
            (a.audit_id, a.question_id): a for a in session.scalars(select(AuditAnswer).where(
                AuditAnswer.audit_id.in_(ids), AuditAnswer.deleted.is_(False)))}
        actions: dict[str, list[Action]] = defaultdict(list)
        for action in session.scalars(select(Action).where(
                Action.audit_id.in_(ids), Action.deleted.is_(False))
                .order_by(Action.position, Action.due_on, Action.id)):
            actions[action.audit_id or ""].append(action)
        comments: dict[str, list[AuditComment]] = defaultdict(list)
        for comment in session.scalars(select(AuditComment).where(
                AuditComment.audit_id.in_(ids), AuditComment.deleted.is_(False))
                .order_by(AuditComment.posted_at, AuditComment.id)):
            comments[comment.audit_id].append(comment)
        disagreements: dict[str, RagDisagreement] = {}
        for found in session.scalars(select(RagDisagreement).where(
                RagDisagreement.audit_id.in_(ids), RagDisagreement.deleted.is_(False))
                .order_by(RagDisagreement.created_at)):
            disagreements[found.audit_id or ""] = found  # the latest one counts
        escalations: dict[str, list[Escalation]] = defaultdict(list)
        for escalation in session.scalars(select(Escalation).where(
                Escalation.audit_id.in_(ids), Escalation.deleted.is_(False))
                .order_by(Escalation.raised_at, Escalation.id)):
            escalations[escalation.audit_id or ""].append(escalation)
        all_escalations = [e for group in escalations.values() for e in group]
        responders: dict[str, str | None] = {}
        if all_escalations:
            for step in session.scalars(select(EscalationStep).where(
                    EscalationStep.escalation_id.in_([e.id for e in all_escalations]),
                    EscalationStep.deleted.is_(False), EscalationStep.kind == "responded")
                    .order_by(EscalationStep.at)):
                responders[step.escalation_id] = step.actor_user_id
        items: dict[str, tuple[SampleItem, Sample]] = {}
        item_ids = {a.sample_item_id for a, _, _ in rows if a.sample_item_id}
        if item_ids:
            items = {item.id: (item, sample) for item, sample in session.execute(
                select(SampleItem, Sample).join(Sample, Sample.id == SampleItem.sample_id)
                .where(SampleItem.id.in_(item_ids)))}
        exercise_ids = {a.exercise_id for a, _, _ in rows if a.exercise_id}
        exercises = dict(session.execute(select(ExerciseSummary.id, ExerciseSummary.title)
                                         .where(ExerciseSummary.id.in_(exercise_ids))).all()
                         ) if exercise_ids else {}
        managers = _team_managers(session, [c for _, c, _ in rows])
        participants = {d.id: _participants(d.participants_json)
                        for d in disagreements.values()}
        all_actions = [a for group in actions.values() for a in group]
        all_comments = [c for group in comments.values() for c in group]
        teams = team_names(session, (c.team_id for _, c, _ in rows))
        workers = worker_names(session, [c.worker_id for _, c, _ in rows]
                               + [a.owner_worker_id for a in all_actions]
                               + [c.author_worker_id for c in all_comments]
                               + list(managers.values())
                               + [e.team_manager_id for e in all_escalations]
                               + [i for people in participants.values() for _, i in people])
        auditor_ids = {a.auditor_id for a, _, _ in rows}
        auditors = {u.id: u for u in session.scalars(select(User).where(
            User.id.in_(auditor_ids)))} if auditor_ids else {}
        users = user_names(session, [a.auditor_id for a, _, _ in rows]
                           + [a.owner_user_id for a in all_actions]
                           + [c.author_user_id for c in all_comments]
                           + [e.head_of_service_id for e in all_escalations]
                           + list(responders.values())
                           + [i for people in participants.values() for _, i in people])
        areas = _areas(session, auditor_ids)

        def owner(action: Action) -> str:
            return (workers.get(action.owner_worker_id or "")
                    or users.get(action.owner_user_id or "") or action.lead)

        def author(comment: AuditComment) -> str:
            return (users.get(comment.author_user_id or "")
                    or workers.get(comment.author_worker_id or "") or "")

        def person(role: str, person_id: str) -> str:
            name = users.get(person_id) or workers.get(person_id) or "name not known"
            return f"{ROLE_WORDS.get(role, role.replace('_', ' ')).capitalize()}: {name}"

        def sampling(audit: Audit) -> ToolSampling:
            exercise = exercises.get(audit.exercise_id or "", "")
            found = items.get(audit.sample_item_id or "")
            if found is None:
                return ToolSampling(exercise=exercise)
            item, sample = found
            return ToolSampling(sample.iso_week, sample.kind, item.stratum, item.rag_at_draw,
                                item.reason, exercise)

        def escalation_of(e: Escalation) -> ToolEscalation:
            responder = responders.get(e.id)
            return ToolEscalation(
                e.concern, e.status, e.raised_at, e.respond_by,
                workers.get(e.team_manager_id or "", ""),
                users.get(e.head_of_service_id or "", ""), e.escalated_at, e.response,
                e.responded_at, users.get(responder or "", "") if responder else "",
                e.closed_at)

        tools = []
        for audit, case, template in rows:
            d = disagreements.get(audit.id)
            draft_concern = ""
            if audit.status in DRAFTS and audit.significant_harm and not escalations[audit.id]:
                draft_concern = panels_from_json(audit.panels_json).concern
            tools.append(CaseTool(
                audit_id=audit.id, case_ref=case.case_ref,
                child_initials=initials(case.child_name),
                team=teams.get(case.team_id or "", ""),
                worker=workers.get(case.worker_id or "", ""),
                auditor=users.get(audit.auditor_id, ""), audit_date=audit.audit_date,
                template_title=template.title, template_code=template.code,
                template_version=template.version, status=audit.status, grade=audit.grade,
                recorded_rag=audit.recorded_rag, auditor_rag=audit.auditor_rag,
                significant_harm=audit.significant_harm, overview=audit.overview,
                positive_practice=audit.positive_practice, submitted_at=audit.submitted_at,
                comment_until=audit.comment_until, finalised_at=audit.finalised_at,
                answers=tuple(
                    ToolAnswer(q.section, q.text, q.answer_type,
                               answers[(audit.id, q.id)].value
                               if (audit.id, q.id) in answers else None,
                               answers[(audit.id, q.id)].note
                               if (audit.id, q.id) in answers else "", q.code)
                    for q in by_template[template.id]),
                actions=tuple(ToolAction(a.description, owner(a), a.due_on, a.by_when_text,
                                         a.status, a.priority, a.review_on)
                              for a in actions[audit.id]),
                comments=tuple(ToolComment(author(c), c.posted_at, c.is_query,
                                           c.answered_at is not None, c.body)
                               for c in comments[audit.id]),
                disagreement=None if d is None else ToolDisagreement(
                    d.recorded_rag, d.auditor_rag, d.status, d.outcome_rag, d.next_steps,
                    d.rationale, d.discussed_at,
                    tuple(person(role, i) for role, i in participants[d.id]),
                    discussion_dated(d.discussed_at, audit.submitted_at)),
                auditor_role=_role_words(auditors.get(audit.auditor_id)),
                auditor_areas=areas.get(audit.auditor_id, ""),
                sampling=sampling(audit), case_rag=case.rag,
                team_manager=workers.get(managers.get(case.id, ""), ""),
                escalations=tuple(escalation_of(e) for e in escalations[audit.id]),
                draft_concern=draft_concern))
        return tools


#: A discussion participant's part in words (the roles a disagreement stores).
ROLE_WORDS = {"auditor": "auditor", "social_worker": "allocated worker",
              "team_manager": "team manager", "head_of_service": "head of service",
              "qa": "QA officer", "coordinator": "coordinator"}


@dataclass(frozen=True)
class WeekChoice:
    """Which of a week's audits a batch of case tools holds.

    Attributes:
        drafts: include audits still being written (marked DRAFT on every page).
        findings_only: only cases with identified actions or noted good practice, the
            cases seed 002 says the case tool is for.
    """

    drafts: bool = False
    findings_only: bool = False


#: The default choice: every submitted audit of the week, drafts left out.
AS_SUBMITTED = WeekChoice()


def _has_findings() -> Any:
    """SQL: the audit has an action or noted good practice (its positive practice, or
    an answer to a template's best-practice question)."""
    action = exists().where(Action.audit_id == Audit.id, Action.deleted.is_(False))
    best = (exists().where(AuditAnswer.audit_id == Audit.id, AuditAnswer.deleted.is_(False),
                           AuditAnswer.question_id == TemplateQuestion.id,
                           TemplateQuestion.code == BEST_PRACTICE,
                           func.length(func.trim(func.coalesce(AuditAnswer.value, ""))) > 0))
    return or_(action, func.length(func.trim(Audit.positive_practice)) > 0, best)


def week_audit_ids(ctx: ServiceContext, week: str, auditor_id: str | None = None,
                   choice: WeekChoice = AS_SUBMITTED) -> list[str]:
    """The audits of a week's sample: made from the week's sample items, or dated in
    the week; one auditor's, or everyone's (a coordinator's or QA's batch). Drafts are
    left out unless ``choice`` asks for them (a week's batch is what was submitted), and
    with ``choice.findings_only`` so are cases with neither actions nor good practice.

    Raises:
        InputProblem: ``week`` is not an ISO week such as 2026-W47.
    """
    guard(ctx, P.REPORTS)
    week = parse_week(week.strip().upper())
    first = week_start(week)
    last = first + dt.timedelta(days=6)
    with ctx.read() as session:
        in_sample = select(SampleItem.id).join(Sample, Sample.id == SampleItem.sample_id).where(
            Sample.iso_week == week)
        query = (select(Audit.id).join(Case, Case.id == Audit.case_id)
                 .where(Audit.deleted.is_(False),
                        or_(Audit.sample_item_id.in_(in_sample),
                            Audit.audit_date.between(first, last)))
                 .order_by(Audit.auditor_id, Case.case_ref, Audit.id))
        if auditor_id is not None:
            query = query.where(Audit.auditor_id == auditor_id)
        if not choice.drafts:
            query = query.where(Audit.status.not_in(DRAFTS))
        if choice.findings_only:
            query = query.where(_has_findings())
        return list(session.scalars(query))
