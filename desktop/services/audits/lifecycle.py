"""An audit's life: draft, submitted and open for comment, finalised, reopened.

Why each change is its own small transaction: the form saves every answer as it is
typed, so a laptop that dies mid-audit loses nothing (the store writes with
``synchronous=FULL``). Submission checks the whole audit and, in one transaction,
copies the case's RAG at that moment beside the auditor's, opens a RAG disagreement
when they differ, escalates a concern of significant harm, starts the comment window
(seed 001: 72 hours) and records the practice-standards version in force. The event
log gets one row per editing session (:func:`~desktop.services.event_log.log_edit`), not
one per autosave; submitting, reopening and discarding are always logged.

Statuses: ``draft`` -> (submit) ``open_for_comment`` <-> ``queried`` -> (sweep)
``finalised`` -> (reopen, with a reason) ``reopened`` -> (submit) ``open_for_comment``.
Submission moves straight to ``open_for_comment`` because the window opens at the
moment of submission; the ``submitted`` code is kept for records synced from
elsewhere and is treated like ``open_for_comment``.

``Case.last_audit`` is set at submission, not finalisation: the re-audit gap (seed 001,
"if an audit has been completed in the last 4 weeks") counts from when the case was
audited, and waiting 72 hours would let another auditor draw the same case meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, PermissionRefused, RuleViolation
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    Case,
    Escalation,
    RagDisagreement,
    SampleItem,
    TemplateQuestion,
    identity,
)
from desktop.models.enums import (
    ActionStatus,
    AuditStatus,
    EscalationStatus,
    EventAction,
    Role,
    SampleItemStatus,
)
from desktop.services.audits.access import acting_user, roles_of
from desktop.services.audits.answers import (
    GRADES,
    RAGS,
    RATIONALE_QUESTION,
    FieldProblem,
    normalise,
    submission_field_problems,
)
from desktop.services.audits.seal import REOPEN, seal_audit
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.guard import actor_in, refuse
from desktop.services.context import ServiceContext
from desktop.services.disagreements import LIVE, close_if_now_agreeing, open_disagreement
from desktop.services.escalations import open_escalation
from desktop.services.event_log import log_change, log_edit
from desktop.services.records import get_live
from desktop.services.sampling.settings import load_sampling_settings
from desktop.services.templates.versions import current_template
from desktop.services.workflow_settings import load_workflow_settings

EDITABLE = (AuditStatus.DRAFT.value, AuditStatus.REOPENED.value)
IN_WINDOW = (AuditStatus.SUBMITTED.value, AuditStatus.OPEN_FOR_COMMENT.value,
             AuditStatus.QUERIED.value)
#: Roles that may reopen someone else's audit.
REOPENERS = (Role.QA.value, Role.ADMINISTRATOR.value)


@dataclass(frozen=True)
class SubmitResult:
    audit_id: str
    status: str
    submitted_at: dt.datetime
    comment_until: dt.datetime
    recorded_rag: str | None
    disagreement_id: str | None
    escalation_id: str | None
    standards_version_id: str | None


def load_audit(session: Session, audit_id: str) -> Audit:
    audit = get_live(session, Audit, audit_id, "audit")
    return audit


def _editable(session: Session, ctx: ServiceContext, audit_id: str) -> Audit:
    audit = load_audit(session, audit_id)
    if audit.status not in EDITABLE:
        raise RuleViolation(f"the audit is {audit.status}; only a draft or a reopened audit "
                            "can be edited")
    if ctx.user_id is not None and ctx.user_id != audit.auditor_id:
        raise RuleViolation("only the audit's own auditor can edit it")
    return audit


def _check_reaudit_gap(session: Session, case: Case, today: dt.date) -> None:
    """No case is audited again within the re-audit gap (seed 001; docs/domain.md,
    'Sampling rules'), whichever way the audit was started: the sampler keeps such
    cases out of samples, and this keeps them out of audits begun any other way.
    The gap counts back from today, as the sampler counts back from the week's Monday.
    """
    gap = load_sampling_settings().reaudit_gap_days
    if gap <= 0:
        return
    cutoff = today - dt.timedelta(days=gap)
    last = session.scalar(select(func.max(Audit.audit_date)).where(
        Audit.case_id == case.id, Audit.deleted.is_(False)))
    latest = max((d for d in (last, case.last_audit) if d is not None), default=None)
    if latest is not None and latest > cutoff:
        raise RuleViolation(f"case {case.case_ref} was audited on {latest:%d %b %Y}; it can "
                            f"be audited again from {latest + dt.timedelta(days=gap):%d %b %Y} "
                            f"({gap} days)")


def start_audit(ctx: ServiceContext, case_id: str, template_code: str, *,
                sample_item_id: str | None = None, exercise_id: str | None = None) -> str:
    """A new draft audit of a case with the current version of a template; its id."""
    guard(ctx, P.AUDIT, case_id=case_id)
    auditor = acting_user(ctx, "starting an audit")
    template = current_template(ctx, template_code)
    with ctx.store.transaction() as session:
        case = get_live(session, Case, case_id, "case")
        busy = session.scalar(select(Audit.id).where(
            Audit.case_id == case_id, Audit.deleted.is_(False), Audit.status.in_(EDITABLE)))
        if busy is not None:
            raise RuleViolation(f"case {case.case_ref} already has an audit in progress "
                                f"({busy})")
        _check_reaudit_gap(session, case, ctx.today())
        if sample_item_id is not None:
            item = session.get(SampleItem, sample_item_id)
            if item is None or item.case_id != case_id:
                raise InputProblem("the sample item is not this case's")
        audit = Audit(case_id=case_id, auditor_id=auditor, template_id=template.template_id,
                      sample_item_id=sample_item_id, exercise_id=exercise_id,
                      status=AuditStatus.DRAFT.value, origin="app", audit_date=ctx.today())
        session.add(audit)
        session.flush()
        log_change(session, ctx, EventAction.CREATE, "audit", audit.id, case=case_id,
                   template=template.code, version=template.version)
        return audit.id


def save_answer(ctx: ServiceContext, audit_id: str, question_code: str, value: object,
                note: str | None = None) -> str | None:
    """Save one answer at once (autosave); returns the stored value.

    ``note`` is the written reason for a "not met" without an action, or any remark.
    """
    guard(ctx, P.AUDIT, audit_id=audit_id)
    with ctx.store.transaction() as session:
        audit = _editable(session, ctx, audit_id)
        question = session.scalar(select(TemplateQuestion).where(
            TemplateQuestion.template_id == audit.template_id,
            TemplateQuestion.code == question_code, TemplateQuestion.deleted.is_(False)))
        if question is None:
            raise InputProblem(f"the audit's template has no question '{question_code}'")
        try:
            stored = normalise(question.answer_type, value)
        except ValueError as exc:
            raise InputProblem(f"question '{question_code}': {exc}") from None
        answer = session.scalar(select(AuditAnswer).where(
            AuditAnswer.audit_id == audit.id, AuditAnswer.question_id == question.id))
        if answer is None:
            answer = AuditAnswer(id=identity.answer_id(audit.id, question.id),
                                 audit_id=audit.id, question_id=question.id, value=stored,
                                 note=(note or "").strip())
            session.add(answer)
        else:
            answer.value = stored
            answer.deleted = False
            if note is not None:
                answer.note = note.strip()
        log_edit(session, ctx, "audit", audit.id, question=question_code,
                 answered=stored is not None)
        return stored


def save_details(ctx: ServiceContext, audit_id: str, *, overview: str | None = None,
                 positive_practice: str | None = None, grade: str | None = None,
                 auditor_rag: str | None = None, significant_harm: bool | None = None) -> None:
    """Save the audit's own fields; only those given change (``""`` clears grade/RAG).

    A RAG now matching the case's closes the audit's live disagreement (the audit was
    reopened to correct it) at once, so QA's list stops showing it before resubmission.
    """
    guard(ctx, P.AUDIT, audit_id=audit_id)
    with ctx.store.transaction() as session:
        audit = _editable(session, ctx, audit_id)
        changed: list[str] = []
        if overview is not None:
            audit.overview = overview.strip()
            changed.append("overview")
        if positive_practice is not None:
            audit.positive_practice = positive_practice.strip()
            changed.append("positive_practice")
        if grade is not None:
            if grade and grade not in GRADES:
                raise InputProblem(f"'{grade}' is not a grade ({', '.join(GRADES)})")
            audit.grade = grade or None
            changed.append("grade")
        if auditor_rag is not None:
            if auditor_rag and auditor_rag not in RAGS:
                raise InputProblem(f"'{auditor_rag}' is not a RAG rating (red, amber, green)")
            audit.auditor_rag = auditor_rag or None
            changed.append("auditor_rag")
        if significant_harm is not None:
            audit.significant_harm = significant_harm
            changed.append("significant_harm")
        if changed:
            log_edit(session, ctx, "audit", audit.id, fields=changed)
        if auditor_rag:
            case = session.get(Case, audit.case_id)
            close_if_now_agreeing(session, ctx, audit, case.rag if case is not None else None)


def discard_draft(ctx: ServiceContext, audit_id: str) -> None:
    """Throw away a draft (a tombstone, so the deletion syncs)."""
    guard(ctx, P.AUDIT, audit_id=audit_id)
    with ctx.store.transaction() as session:
        audit = _editable(session, ctx, audit_id)
        if audit.status != AuditStatus.DRAFT:
            raise RuleViolation("only a draft can be discarded; a reopened audit keeps its "
                                "history")
        audit.deleted = True
        log_change(session, ctx, EventAction.CHANGE, "audit", audit.id, fields=["deleted"])


def _checks(session: Session, audit: Audit, rationale: str = "") -> tuple[list[FieldProblem],
                                                     dict[str, AuditAnswer],
                                                     list[TemplateQuestion]]:
    questions = list(session.scalars(select(TemplateQuestion).where(
        TemplateQuestion.template_id == audit.template_id, TemplateQuestion.deleted.is_(False))
        .order_by(TemplateQuestion.position)))
    answers = {a.question_id: a for a in session.scalars(select(AuditAnswer).where(
        AuditAnswer.audit_id == audit.id, AuditAnswer.deleted.is_(False)))}
    with_actions = {q for q in session.scalars(select(Action.question_id).where(
        Action.audit_id == audit.id, Action.deleted.is_(False),
        Action.status != ActionStatus.CANCELLED.value, Action.question_id.is_not(None)))
        if q is not None}
    case = session.get(Case, audit.case_id)
    return (submission_field_problems(audit, questions, answers, with_actions,
                                      case_rag=case.rag if case is not None else None,
                                      rationale=rationale), answers, questions)


def problems(ctx: ServiceContext, audit_id: str) -> list[str]:
    """What stops the audit being submitted now (empty: it can be)."""
    guard(ctx, P.VIEW_AUDITS, audit_id=audit_id)
    return [p.text for p in field_problems(ctx, audit_id)]


def field_problems(ctx: ServiceContext, audit_id: str,
                   rationale: str = "") -> list[FieldProblem]:
    """:func:`problems` with the field of the form each one belongs to; ``rationale`` is a
    RAG rationale given outside the questions (the disagreement panel's reason)."""
    guard(ctx, P.VIEW_AUDITS, audit_id=audit_id)
    with ctx.read() as session:
        return _checks(session, load_audit(session, audit_id), rationale)[0]


def _standards_version(ctx: ServiceContext) -> str | None:
    from desktop.services.standards.settings import current_standards_version

    return current_standards_version(ctx).id


def _rationale(answers: dict[str, AuditAnswer], questions: list[TemplateQuestion]) -> str:
    for q in questions:
        if q.code == RATIONALE_QUESTION and q.id in answers:
            return answers[q.id].value or ""
    return ""


def submit(ctx: ServiceContext, audit_id: str, *, concern: str = "",
           rag_rationale: str = "") -> SubmitResult:
    """Submit a draft or reopened audit and open the comment window.

    ``concern`` describes a concern of significant harm when the audit is flagged and
    no escalation has been raised for it yet.

    Raises:
        RuleViolation: the audit is not editable, or is incomplete (every problem listed).
    """
    guard(ctx, P.AUDIT, audit_id=audit_id)
    settings = load_workflow_settings()
    version_id = _standards_version(ctx)  # its own transaction, before ours
    with ctx.store.transaction() as session:
        audit = _editable(session, ctx, audit_id)
        found, answers, questions = _checks(session, audit, rag_rationale)
        if found:
            raise RuleViolation("the audit cannot be submitted: "
                                f"{'; '.join(p.text for p in found)}")
        case = session.get(Case, audit.case_id)
        assert case is not None
        now = ctx.now()
        was = audit.status
        audit.status = AuditStatus.OPEN_FOR_COMMENT.value
        audit.submitted_at = now
        audit.comment_until = now + dt.timedelta(hours=settings.comment_window_hours)
        audit.finalised_at = None
        audit.recorded_rag = case.rag
        audit.standards_version_id = version_id
        if was == AuditStatus.DRAFT:
            audit.audit_date = ctx.today()
        if audit.audit_date and (case.last_audit is None or case.last_audit < audit.audit_date):
            case.last_audit = audit.audit_date
            log_change(session, ctx, EventAction.CHANGE, "case", case.id,
                       fields=["last_audit"], audit=audit.id)
        if audit.sample_item_id is not None:
            item = session.get(SampleItem, audit.sample_item_id)
            if item is not None and item.status == SampleItemStatus.ACTIVE:
                item.status = SampleItemStatus.AUDITED.value
        log_change(session, ctx, EventAction.CHANGE, "audit", audit.id, to=audit.status,
                   recorded_rag=audit.recorded_rag, auditor_rag=audit.auditor_rag,
                   grade=audit.grade)
        seal_audit(session, ctx, audit.id, "submit")
        disagreement_id = None
        if audit.recorded_rag is not None and audit.recorded_rag != audit.auditor_rag:
            existing = session.scalar(select(RagDisagreement.id).where(
                RagDisagreement.audit_id == audit.id, RagDisagreement.deleted.is_(False),
                RagDisagreement.status.in_(LIVE)))
            disagreement_id = existing or open_disagreement(
                session, ctx, audit, rag_rationale.strip() or _rationale(answers, questions)).id
        else:
            close_if_now_agreeing(session, ctx, audit, audit.recorded_rag)
        escalation_id = None
        if audit.significant_harm:
            escalation_id = session.scalar(select(Escalation.id).where(
                Escalation.audit_id == audit.id, Escalation.deleted.is_(False),
                Escalation.status != EscalationStatus.CLOSED.value))
            if escalation_id is None:
                escalation_id = open_escalation(session, ctx, case, concern, audit.id,
                                                settings).id
        return SubmitResult(audit.id, audit.status, now, audit.comment_until,
                            audit.recorded_rag, disagreement_id, escalation_id, version_id)


def _may_reopen(ctx: ServiceContext, audit_id: str) -> None:
    """The audit's auditor, QA or an administrator; anyone else is refused and logged
    (before the reopening's own transaction, so the refusal's entry stays)."""
    with ctx.read() as session:
        audit = session.get(Audit, audit_id)
        actor = actor_in(session, ctx.user_id)
    if audit is None or actor.system or ctx.user_id == audit.auditor_id \
            or actor.roles & set(REOPENERS):
        return
    refuse(ctx, actor, "audits.reopen", "audit", audit_id)
    raise PermissionRefused("only the auditor, QA or an administrator can reopen an audit")


def reopen(ctx: ServiceContext, audit_id: str, reason: str) -> None:
    """Reopen a submitted or finalised audit for correction; the reason is kept and logged."""
    if not reason.strip():
        raise RuleViolation("reopening an audit needs a reason")
    user = acting_user(ctx, "reopening an audit")
    _may_reopen(ctx, audit_id)
    with ctx.store.transaction() as session:
        audit = load_audit(session, audit_id)
        if audit.status not in (*IN_WINDOW, AuditStatus.FINALISED.value):
            raise RuleViolation(f"the audit is {audit.status}; only a submitted or finalised "
                                "audit can be reopened")
        if user != audit.auditor_id and not roles_of(session, user) & set(REOPENERS):
            raise RuleViolation("only the auditor, QA or an administrator can reopen an audit")
        was = audit.status
        audit.status = AuditStatus.REOPENED.value
        audit.reopened_at = ctx.now()
        audit.reopen_reason = reason.strip()
        audit.comment_until = None
        log_change(session, ctx, EventAction.CHANGE, "audit", audit.id, to=audit.status,
                   was=was, fields=["reopen_reason"])
        seal_audit(session, ctx, audit.id, REOPEN)
