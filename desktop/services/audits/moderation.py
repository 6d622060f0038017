"""Moderation: a QA moderator re-grades a share of finalised audits without the first grade.

Why blind: a moderator who can see the auditor's grade anchors on it, and the agreement
figure then says little. The moderator's view therefore carries neither the overall
grade nor any answer to a grade-type question; only the QA results list (after the
re-grade) puts the two side by side. The draw is random with a recorded seed, so a
council can show which audits were chosen and reproduce the choice (the seed and the
moderator who drew are in the event log). A moderator never draws their own audits: a
re-grade of one's own work is no check, and when leaving them out leaves too few the draw
reports the shortfall rather than making up the number with them. Agreement is
reported with the statistics service's Cohen's kappa on the Ofsted scale.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import Audit, AuditTemplate, Case, Moderation, User
from desktop.models.enums import AnswerType, AuditStatus, EventAction, ModerationStatus, Role
from desktop.services.audits.access import require_role
from desktop.services.audits.answers import GRADES
from desktop.services.audits.views import AnswerView, answers_of
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_change
from desktop.services.records import get_live
from desktop.services.statistics.agreement import GRADE_SCALE, Agreement, agreement
from desktop.services.workflow_settings import load_workflow_settings

MODERATORS = (Role.MODERATOR.value, Role.QA.value)


@dataclass(frozen=True)
class ModerationDraw:
    """Attributes:
        eligible: finalised, graded audits in the period.
        target: the share of ``eligible``, rounded up.
        already: audits of the period drawn before.
        selected: the moderation ids drawn now (target minus already, when positive,
            less the shortfall).
        own: eligible audits of the moderator's own, which they never draw.
        shortfall: how many fewer were drawn than wanted because only the moderator's own
            audits were left (0: the target is met).
    """

    seed: int
    share: float
    eligible: int
    target: int
    already: int
    selected: list[str]
    own: int = 0
    shortfall: int = 0


@dataclass(frozen=True)
class ModerationView:
    """What the moderator sees: everything but the first grade."""

    moderation_id: str
    audit_id: str
    case_ref: str
    template_code: str
    template_version: int
    audit_date: dt.date | None
    overview: str
    positive_practice: str
    recorded_rag: str | None
    auditor_rag: str | None
    answers: tuple[AnswerView, ...]
    #: The template's title, as a person reads it (the code is for support).
    template_title: str = ""


@dataclass(frozen=True)
class ModerationResult:
    moderation_id: str
    audit_id: str
    auditor_id: str
    moderator_id: str | None
    audit_grade: str | None
    moderator_grade: str | None
    agrees: bool
    note: str
    completed_at: dt.datetime | None


def draw_audits(auditors: Mapping[str, str], drawn: set[str], moderator: str, wanted: int,
                seed: int) -> tuple[list[str], int]:
    """Up to ``wanted`` of the audits in ``auditors`` (audit id -> auditor id) not yet
    ``drawn`` and not the ``moderator``'s own, sorted; and how many short of ``wanted``.

    Why apart from the store: the rule "never one's own audit" is then checked on every
    shape of input, and the same inputs and seed always draw the same audits.
    """
    pool = sorted(a for a, auditor in auditors.items() if a not in drawn and auditor != moderator)
    chosen = random.Random(seed).sample(pool, min(len(pool), max(0, wanted)))
    return sorted(chosen), max(0, wanted) - len(chosen)


def select_for_moderation(ctx: ServiceContext, *, since: dt.date | None = None,
                          until: dt.date | None = None, share: float | None = None,
                          seed: int | None = None) -> ModerationDraw:
    """Draw audits for moderation so that ``share`` of the period's finalised audits
    (default from ``workflow.json``, 10%) are moderated; never the moderator's own."""
    guard(ctx, P.MODERATE)
    share = load_workflow_settings().moderation_share if share is None else share
    if not 0 < share <= 1:
        raise InputProblem("the moderation share must be above 0 and at most 1")
    seed = int(ctx.now().timestamp()) if seed is None else seed
    with ctx.store.transaction() as session:
        moderator = require_role(session, ctx, "drawing audits for moderation", *MODERATORS)
        query = select(Audit.id, Audit.auditor_id).where(
            Audit.deleted.is_(False), Audit.grade.is_not(None),
            Audit.status == AuditStatus.FINALISED.value)
        if since is not None:
            query = query.where(Audit.audit_date >= since)
        if until is not None:
            query = query.where(Audit.audit_date <= until)
        auditors = {audit_id: auditor for audit_id, auditor in session.execute(query)}
        drawn = set(session.scalars(select(Moderation.audit_id).where(
            Moderation.deleted.is_(False), Moderation.audit_id.in_(list(auditors)))))
        target = math.ceil(share * len(auditors))
        chosen, shortfall = draw_audits(auditors, drawn, moderator, target - len(drawn), seed)
        own = sum(1 for auditor in auditors.values() if auditor == moderator)
        now = ctx.now()
        selected = []
        for audit_id in chosen:
            row = Moderation(audit_id=audit_id, status=ModerationStatus.SELECTED.value,
                             selected_at=now)
            session.add(row)
            session.flush()
            log_change(session, ctx, EventAction.CREATE, "moderation", row.id, audit=audit_id,
                       seed=seed)
            selected.append(row.id)
    return ModerationDraw(seed, share, len(auditors), target, len(drawn), selected, own,
                          shortfall)


def _load(session: Session, moderation_id: str) -> Moderation:
    row = get_live(session, Moderation, moderation_id, "moderation")
    return row


def moderation_view(ctx: ServiceContext, moderation_id: str) -> ModerationView:
    """The audit as the moderator may see it (no first grade); the view is logged."""
    guard(ctx, P.MODERATE)
    with ctx.store.transaction() as session:
        user = require_role(session, ctx, "moderating an audit", *MODERATORS)
        row = _load(session, moderation_id)
        audit = session.get(Audit, row.audit_id)
        assert audit is not None
        if audit.auditor_id == user:
            raise RuleViolation("you cannot moderate your own audit")
        case = session.get(Case, audit.case_id)
        template = session.get(AuditTemplate, audit.template_id)
        assert case is not None and template is not None
        log_change(session, ctx, EventAction.VIEW, "audit", audit.id, moderation=row.id)
    answers = tuple(a for a in answers_of(ctx, audit) if a.answer_type != AnswerType.GRADE)
    return ModerationView(row.id, audit.id, case.case_ref, template.code, template.version,
                          audit.audit_date, audit.overview, audit.positive_practice,
                          audit.recorded_rag, audit.auditor_rag, answers,
                          template_title=template.title)


def record_moderation(ctx: ServiceContext, moderation_id: str, grade: str, note: str = ""
                      ) -> None:
    """The moderator's own grade and note; a moderation is done once."""
    guard(ctx, P.MODERATE)
    if grade not in GRADES:
        raise InputProblem(f"'{grade}' is not a grade ({', '.join(GRADES)})")
    with ctx.store.transaction() as session:
        user = require_role(session, ctx, "moderating an audit", *MODERATORS)
        row = _load(session, moderation_id)
        if row.status == ModerationStatus.DONE:
            raise RuleViolation("this audit has already been moderated")
        audit = session.get(Audit, row.audit_id)
        if audit is not None and audit.auditor_id == user:
            raise RuleViolation("you cannot moderate your own audit")
        row.moderator_id = user
        row.grade = grade
        row.note = note.strip()
        row.status = ModerationStatus.DONE.value
        row.completed_at = ctx.now()
        log_change(session, ctx, EventAction.CHANGE, "moderation", row.id, to=row.status,
                   grade=grade)


def moderation_results(ctx: ServiceContext, *, disagreements_only: bool = False
                       ) -> list[ModerationResult]:
    """Completed moderations beside the first grade (for QA), disagreements first."""
    guard(ctx, P.REPORTS)
    with ctx.read() as session:
        require_role(session, ctx, "reading moderation results", *MODERATORS)
        rows = session.execute(
            select(Moderation, Audit.auditor_id, Audit.grade)
            .join(Audit, Audit.id == Moderation.audit_id)
            .where(Moderation.deleted.is_(False),
                   Moderation.status == ModerationStatus.DONE.value))
        results = [ModerationResult(m.id, m.audit_id, auditor, m.moderator_id, first, m.grade,
                                    first == m.grade, m.note, m.completed_at)
                   for m, auditor, first in rows]
    if disagreements_only:
        results = [r for r in results if not r.agrees]
    results.sort(key=lambda r: (r.agrees, r.completed_at or dt.datetime.min.replace(
        tzinfo=dt.UTC)))
    return results


def moderation_agreement(ctx: ServiceContext) -> Agreement:
    """Auditor against moderator grades: percent agreement and Cohen's kappa."""
    guard(ctx, P.REPORTS)
    pairs = [(r.audit_grade or "", r.moderator_grade or "") for r in moderation_results(ctx)]
    return agreement(pairs, GRADE_SCALE)


@dataclass(frozen=True)
class ModerationItem:
    """One line of a moderator's list.

    Attributes:
        done: the moderator has saved their grade.
        audit_grade: the first grade, only once ``done`` (blind until then).
    """

    moderation_id: str
    audit_id: str
    case_ref: str
    audit_date: dt.date | None
    auditor: str
    done: bool
    moderator_grade: str | None
    audit_grade: str | None
    selected_at: dt.datetime | None


def moderation_items(ctx: ServiceContext) -> list[ModerationItem]:
    """The acting moderator's list: drawn audits still to grade (never their own
    audits), then the ones they graded, beside the first grade; oldest draw first.

    Why one list for every moderator: a drawn audit belongs to no moderator until one
    grades it, so any moderator but its auditor may take it.
    """
    guard(ctx, P.MODERATE)
    with ctx.read() as session:
        user = require_role(session, ctx, "reading moderation items", *MODERATORS)
        rows = session.execute(
            select(Moderation, Audit.auditor_id, Audit.grade, Audit.audit_date, Case.case_ref,
                   User.name)
            .join(Audit, Audit.id == Moderation.audit_id)
            .join(Case, Case.id == Audit.case_id)
            .outerjoin(User, User.id == Audit.auditor_id)
            .where(Moderation.deleted.is_(False)))
        items = []
        for row, auditor_id, first, day, ref, auditor in rows:
            done = row.status == ModerationStatus.DONE.value
            if auditor_id == user or (done and row.moderator_id != user):
                continue
            items.append(ModerationItem(row.id, row.audit_id, ref, day, auditor or "",
                                        done, row.grade, first if done else None,
                                        row.selected_at))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i.done, i.selected_at or far, i.case_ref))
    return items


def moderation_outcome(ctx: ServiceContext, moderation_id: str) -> ModerationResult:
    """A graded moderation beside the first grade; refused while it is still blind."""
    guard(ctx, P.REPORTS)
    with ctx.read() as session:
        require_role(session, ctx, "reading moderation results", *MODERATORS)
        row = _load(session, moderation_id)
        if row.status != ModerationStatus.DONE.value:
            raise RuleViolation("the first grade is shown once your own grade is saved")
        audit = session.get(Audit, row.audit_id)
        assert audit is not None
        return ModerationResult(row.id, audit.id, audit.auditor_id, row.moderator_id,
                                audit.grade, row.grade, audit.grade == row.grade, row.note,
                                row.completed_at)


@dataclass(frozen=True)
class AuditorAgreement:
    """One auditor's grades against the moderators' (``agreement.linear`` is the
    weighted kappa the table shows)."""

    auditor_id: str
    auditor: str
    agreement: Agreement


def agreement_by_auditor(ctx: ServiceContext) -> list[AuditorAgreement]:
    """Each auditor's moderated audits: percent agreement and weighted kappa, by name.

    Why per auditor: the overall figure says whether moderation agrees; the per-auditor
    one says whose grading to look at (with the note when too few pairs for a kappa).
    """
    guard(ctx, P.REPORTS)
    results = moderation_results(ctx)
    pairs: dict[str, list[tuple[str, str]]] = {}
    for result in results:
        pairs.setdefault(result.auditor_id, []).append(
            (result.audit_grade or "", result.moderator_grade or ""))
    with ctx.read() as session:
        names: dict[str, str] = {user_id: name for user_id, name in session.execute(
            select(User.id, User.name).where(User.id.in_(list(pairs))))}
    table = [AuditorAgreement(auditor, names.get(auditor, ""), agreement(graded, GRADE_SCALE))
             for auditor, graded in pairs.items()]
    table.sort(key=lambda a: (a.auditor.casefold(), a.auditor_id))
    return table
