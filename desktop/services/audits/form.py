"""Everything the dip-sample form shows about one audit, read in one go.

Why one read: the form is built from the audit's own template version, and beside the
answers it shows the case's current RAG (a different pick opens the disagreement
panel), the people of the organisation (who took part in a discussion, who owns an
action), the audit's actions, its open concern of significant harm with the deadline,
its disagreement, and after submission the comments and queries. Reading them in one
worker call keeps the form consistent and the GUI thread free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from desktop.models import (
    Action,
    Audit,
    AuditComment,
    Case,
    Escalation,
    RagDisagreement,
    TemplateQuestion,
    User,
    Worker,
)
from desktop.models.enums import ActionStatus
from desktop.services.audits.comments import CommentRow, comments_of
from desktop.services.audits.drafts import Submission, panels_from_json
from desktop.services.audits.lifecycle import EDITABLE, REOPENERS
from desktop.services.audits.views import AuditView, show_audit
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.disagreements import LIVE
from desktop.services.escalations import OPEN as OPEN_ESCALATION
from desktop.services.escalations import response_deadline
from desktop.services.workflow_settings import WorkflowSettings, load_workflow_settings


@dataclass(frozen=True)
class Member:
    """Someone of the organisation the form offers: a DipSample user or a case worker.

    Attributes:
        kind: ``user`` or ``worker``.
        role: their role code (``social_worker``, ``team_manager``, ``qa``, ...), what a
            disagreement records beside the id.
    """

    kind: str
    id: str
    name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role.replace('_', ' ')})"


@dataclass(frozen=True)
class FormAction:
    id: str
    description: str
    owner_name: str
    due_on: dt.date | None
    status: str
    question_code: str | None
    priority: str = "medium"


@dataclass(frozen=True)
class FormEscalation:
    id: str
    status: str
    respond_by: dt.datetime
    #: The words raised, shown again in the form (the typed box is gone once raised).
    concern: str = ""


@dataclass(frozen=True)
class FormDisagreement:
    id: str
    status: str
    recorded_rag: str
    auditor_rag: str
    discussed: bool


@dataclass(frozen=True)
class AuditForm:
    """One audit as the form shows it.

    Attributes:
        case_rag: the case's RAG now (the form compares the auditor's pick with it).
        editable: a draft or reopened audit of the acting user: the form can change it.
        may_reopen: the acting user is the auditor, QA or an administrator.
        workers: the case's team (worker first, then its managers), for discussions.
        users: the active DipSample users, for discussions and action owners.
        escalation: the audit's open concern of significant harm, if raised.
        deadline_if_raised_now: when the team manager would have to respond to a
            concern raised at the moment of reading.
        names: user and worker ids to names, for the comments' authors.
        now: the moment of reading (the comment window's time left counts from it).
        panels: what the side panels held at the last autosave (shown again as typed).
    """

    view: AuditView
    case_rag: str | None
    editable: bool
    may_reopen: bool
    workers: tuple[Member, ...]
    users: tuple[Member, ...]
    actions: tuple[FormAction, ...]
    escalation: FormEscalation | None
    disagreement: FormDisagreement | None
    comments: tuple[CommentRow, ...]
    names: dict[str, str]
    settings: WorkflowSettings
    deadline_if_raised_now: dt.datetime
    now: dt.datetime
    panels: Submission = field(default_factory=Submission)

    @property
    def members(self) -> tuple[Member, ...]:
        return self.workers + self.users


def _first_role(roles: frozenset[str]) -> str:
    return sorted(roles)[0] if roles else "user"


def read_audit_form(ctx: ServiceContext, audit_id: str) -> AuditForm:
    """The form's whole content; opening it is logged as a view of the audit."""
    guard(ctx, P.VIEW_AUDITS, audit_id=audit_id)
    view = show_audit(ctx, audit_id)
    settings = load_workflow_settings()
    now = ctx.now()
    with ctx.read() as session:
        case = session.get(Case, view.summary.case_id)
        assert case is not None
        team_workers = list(session.scalars(select(Worker).where(
            Worker.team_id == case.team_id, Worker.deleted.is_(False))
            .order_by(Worker.role, Worker.name))) if case.team_id else []
        own = session.get(Worker, case.worker_id) if case.worker_id else None
        if own is not None and own not in team_workers:
            team_workers.insert(0, own)
        elif own is not None:
            team_workers.remove(own)
            team_workers.insert(0, own)
        workers = tuple(Member("worker", w.id, w.name, w.role) for w in team_workers)
        user_rows = list(session.scalars(select(User).where(
            User.deleted.is_(False), User.active.is_(True)).order_by(User.name)))
        users = tuple(Member("user", u.id, u.name, _first_role(u.role_set))
                      for u in user_rows)
        me = next((u for u in user_rows if u.id == ctx.user_id), None)
        template_id = session.scalar(select(Audit.template_id).where(Audit.id == audit_id))
        codes = {qid: code for qid, code in session.execute(
            select(TemplateQuestion.id, TemplateQuestion.code)
            .where(TemplateQuestion.template_id == template_id))}
        names = {m.id: m.name for m in (*workers, *users)}
        actions = tuple(_action(a, names, codes) for a in session.scalars(
            select(Action).where(Action.audit_id == audit_id, Action.deleted.is_(False),
                                 Action.status != ActionStatus.CANCELLED.value)
            .order_by(Action.position)))
        escalation = session.scalar(select(Escalation).where(
            Escalation.audit_id == audit_id, Escalation.deleted.is_(False),
            Escalation.status.in_(OPEN_ESCALATION)).order_by(Escalation.raised_at.desc()))
        disagreement = session.scalar(select(RagDisagreement).where(
            RagDisagreement.audit_id == audit_id, RagDisagreement.deleted.is_(False),
            RagDisagreement.status.in_(LIVE)))
        commenters = set(session.scalars(select(AuditComment.author_worker_id).where(
            AuditComment.audit_id == audit_id, AuditComment.author_worker_id.is_not(None))))
        for worker in session.scalars(select(Worker).where(Worker.id.in_(commenters))):
            names.setdefault(worker.id, worker.name)
        case_rag = case.rag
        panels = panels_from_json(session.scalar(
            select(Audit.panels_json).where(Audit.id == audit_id)) or "{}")
    mine = ctx.user_id == view.summary.auditor_id
    return AuditForm(
        view=view, case_rag=case_rag,
        editable=view.summary.status in EDITABLE and (mine or ctx.user_id is None),
        may_reopen=mine or (me is not None and bool(me.role_set & set(REOPENERS))),
        workers=workers, users=users, actions=actions,
        escalation=(FormEscalation(escalation.id, escalation.status, escalation.respond_by,
                                   escalation.concern)
                    if escalation is not None else None),
        disagreement=(FormDisagreement(disagreement.id, disagreement.status,
                                       disagreement.recorded_rag, disagreement.auditor_rag,
                                       disagreement.discussed_at is not None)
                      if disagreement is not None else None),
        comments=tuple(comments_of(ctx, audit_id)), names=names, settings=settings,
        deadline_if_raised_now=response_deadline(now, settings), now=now, panels=panels)


def _action(action: Action, names: dict[str, str], codes: dict[str, str]) -> FormAction:
    owner = names.get(action.owner_user_id or "") or names.get(action.owner_worker_id or "")
    return FormAction(action.id, action.description, owner or "", action.due_on,
                      action.status, codes.get(action.question_id or ""), action.priority)
