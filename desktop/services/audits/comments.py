"""Comments and queries on a submitted audit, from the worker and the team manager.

Seed 001: the social worker and their supervising manager "should be alerted to the
case note; and offered the opportunity to comment on the findings"; "if there are no
queries from the team, the case note can be left to automatically finalise after 72
hours". A query therefore holds the audit (status ``queried``) until the auditor
answers it; a plain comment does not. Comments are accepted only while the window is
open; an answer to a query is accepted later too, and the next sweep then finalises.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import InputProblem, RuleViolation
from desktop.models import AuditComment, Worker
from desktop.models.enums import AuditStatus, EventAction
from desktop.services.audits.lifecycle import IN_WINDOW, load_audit
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.auth.visibility import require_reach
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_change
from desktop.services.records import get_live


@dataclass(frozen=True)
class CommentRow:
    id: str
    author_user_id: str | None
    author_worker_id: str | None
    body: str
    is_query: bool
    reply_to_id: str | None
    posted_at: dt.datetime | None
    answered_at: dt.datetime | None


def unanswered_queries(session: Session, audit_id: str) -> int:
    return len(list(session.scalars(select(AuditComment.id).where(
        AuditComment.audit_id == audit_id, AuditComment.deleted.is_(False),
        AuditComment.is_query.is_(True), AuditComment.answered_at.is_(None)))))


def post_comment(ctx: ServiceContext, audit_id: str, body: str, *, is_query: bool = False,
                 author_worker_id: str | None = None) -> str:
    """A comment (or a query, which holds the audit open) on a submitted audit; its id.

    The author is the acting user, or ``author_worker_id`` when a worker without a
    DipSample account commented by email and QA records it for them.
    """
    guard(ctx, P.COMMENT, audit_id=audit_id)
    if not body.strip():
        raise RuleViolation("a comment needs text")
    if ctx.user_id is None and author_worker_id is None:
        raise RuleViolation("a comment needs an author (a signed-in user or a worker)")
    now = ctx.now()
    with ctx.store.transaction() as session:
        audit = load_audit(session, audit_id)
        if audit.status not in IN_WINDOW:
            raise RuleViolation(f"the audit is {audit.status}; comments are taken only while "
                                "it is open for comment")
        if audit.comment_until is not None and now >= audit.comment_until:
            raise RuleViolation(f"the comment window closed at "
                                f"{audit.comment_until:%Y-%m-%d %H:%M} UTC")
        if author_worker_id is not None:
            get_live(session, Worker, author_worker_id, "worker")
        comment = AuditComment(audit_id=audit.id, author_user_id=ctx.user_id,
                               author_worker_id=author_worker_id, body=body.strip(),
                               is_query=is_query, posted_at=now)
        session.add(comment)
        session.flush()
        if is_query and audit.status != AuditStatus.QUERIED:
            audit.status = AuditStatus.QUERIED.value
            log_change(session, ctx, EventAction.CHANGE, "audit", audit.id, to=audit.status)
        log_change(session, ctx, EventAction.CREATE, "audit_comment", comment.id,
                   audit=audit.id, query=is_query)
        return comment.id


def answer_query(ctx: ServiceContext, query_id: str, body: str) -> str:
    """The auditor's answer to a query; with no query left the audit is open again."""
    guard(ctx, P.COMMENT)
    require_reach(ctx, AuditComment, [query_id], "comment", P.COMMENT)
    if not body.strip():
        raise RuleViolation("an answer needs text")
    now = ctx.now()
    with ctx.store.transaction() as session:
        query = session.get(AuditComment, query_id)
        if query is None or query.deleted or not query.is_query:
            raise InputProblem(f"no query with id {query_id}")
        if query.answered_at is not None:
            raise RuleViolation("the query has already been answered")
        audit = load_audit(session, query.audit_id)
        if ctx.user_id is not None and ctx.user_id != audit.auditor_id:
            raise RuleViolation("only the audit's auditor can answer a query on it")
        reply = AuditComment(audit_id=audit.id, author_user_id=ctx.user_id, body=body.strip(),
                             is_query=False, reply_to_id=query.id, posted_at=now)
        session.add(reply)
        query.answered_at = now
        session.flush()
        log_change(session, ctx, EventAction.CREATE, "audit_comment", reply.id,
                   audit=audit.id, answers=query.id)
        if audit.status == AuditStatus.QUERIED and unanswered_queries(session, audit.id) == 0:
            audit.status = AuditStatus.OPEN_FOR_COMMENT.value
            log_change(session, ctx, EventAction.CHANGE, "audit", audit.id, to=audit.status)
        return reply.id


def comments_of(ctx: ServiceContext, audit_id: str) -> list[CommentRow]:
    guard(ctx, P.VIEW_AUDITS, audit_id=audit_id)
    with ctx.read() as session:
        rows = session.scalars(select(AuditComment).where(
            AuditComment.audit_id == audit_id, AuditComment.deleted.is_(False))
            .order_by(AuditComment.posted_at, AuditComment.id))
        return [CommentRow(c.id, c.author_user_id, c.author_worker_id, c.body, c.is_query,
                           c.reply_to_id, c.posted_at, c.answered_at) for c in rows]
