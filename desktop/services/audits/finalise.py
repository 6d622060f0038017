"""The sweep: finalise audits whose comment window has passed, escalate late concerns.

Why a sweep and not a timer: laptops are often off or offline (docs/domain.md), so the
app runs it on start and after sync, and ``dipsample finalise-due`` runs it from a
scheduled task. An audit finalises at the moment its window ended (or when its last
query was answered, if later), not at the moment the sweep happened to run, so the
record says when it really became final.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.models import Audit, AuditComment
from desktop.models.enums import AuditStatus, EventAction
from desktop.services.audits.comments import unanswered_queries
from desktop.services.audits.seal import seal_audits
from desktop.services.context import ServiceContext
from desktop.services.escalations import escalate_overdue
from desktop.services.event_log import log_change

DUE = (AuditStatus.SUBMITTED.value, AuditStatus.OPEN_FOR_COMMENT.value)


@dataclass(frozen=True)
class SweepReport:
    """Attributes:
        finalised: audits finalised by this sweep.
        held_by_query: audits past their window still waiting for the auditor's answer.
        escalated: concerns moved to the Head of Service.
    """

    finalised: list[str]
    held_by_query: list[str]
    escalated: list[str]


def finalise_due(ctx: ServiceContext) -> tuple[list[str], list[str]]:
    """(finalised, held by an unanswered query) audit ids."""
    now = ctx.now()
    finalised: list[str] = []
    held: list[str] = []
    with ctx.store.transaction() as session:
        due = list(session.scalars(select(Audit).where(
            Audit.deleted.is_(False), Audit.status.in_(DUE), Audit.comment_until <= now)
            .order_by(Audit.comment_until)))
        for index, audit in enumerate(due):
            ctx.report(index, len(due), "finalising audits")
            if unanswered_queries(session, audit.id):
                held.append(audit.id)  # normally "queried"; a synced record may lag
                continue
            last_answer = session.scalar(select(func.max(AuditComment.answered_at)).where(
                AuditComment.audit_id == audit.id, AuditComment.deleted.is_(False)))
            assert audit.comment_until is not None
            audit.finalised_at = max(audit.comment_until, last_answer or audit.comment_until)
            audit.status = AuditStatus.FINALISED.value
            finalised.append(audit.id)
            log_change(session, ctx, EventAction.CHANGE, "audit", audit.id, to=audit.status)
        seal_audits(session, ctx.user_id, finalised, "finalise")
        held += list(session.scalars(select(Audit.id).where(
            Audit.deleted.is_(False), Audit.status == AuditStatus.QUERIED.value,
            Audit.comment_until <= now)))
    return finalised, held


def sweep(ctx: ServiceContext) -> SweepReport:
    finalised, held = finalise_due(ctx)
    return SweepReport(finalised, held, escalate_overdue(ctx))


def window_state(audit: Audit, now: dt.datetime) -> str:
    """A short phrase for lists: how the comment window stands."""
    if audit.status not in (*DUE, AuditStatus.QUERIED.value) or audit.comment_until is None:
        return ""
    if audit.status == AuditStatus.QUERIED:
        return "held by a query"
    left = audit.comment_until - now
    if left.total_seconds() <= 0:
        return "due to finalise"
    return f"{int(left.total_seconds() // 3600)}h left for comments"
