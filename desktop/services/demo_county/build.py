"""Build the demo county into an empty store, seeded and reproducible.

Why one transaction: a cancelled or failed build leaves the store as it was, never a
half county; and why bulk inserts in chunks: 200,000 cases and their history are over a
million rows, which the ORM's unit of work would take many minutes to flush.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import EnvironmentProblem, InputProblem
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    Case,
    CaseEvent,
    RagDisagreement,
    TemplateQuestion,
)
from desktop.models.enums import EventAction
from desktop.services.auth.acting import mark_demo
from desktop.services.context import ServiceContext
from desktop.services.demo_county.caseload import CaseSketch, case_chunks
from desktop.services.demo_county.history import HistoryMaker, Question
from desktop.services.demo_county.organisation import build_organisation
from desktop.services.event_log import log_change
from desktop.services.templates.versions import current_template
from desktop.store.changes import ChangeRecorder, insert_facts

MAX_CASES = 200_000
CHUNK = 5_000
#: The seed 000 dip sample: risk assessments and RAG ratings.
TEMPLATE_CODE = "risk_assessment_rag"


@dataclass
class DemoSummary:
    """What was built; the ``demo`` command prints it (``--json``: this object)."""

    seed: int
    as_of: dt.date
    cases: int = 0
    open_cases: int = 0
    rag: dict[str, int] = field(default_factory=dict)
    service_areas: int = 0
    teams: int = 0
    workers: int = 0
    users: int = 0
    auditors: int = 0
    case_events: int = 0
    audits: int = 0
    actions: int = 0
    disagreements: int = 0
    template: str = ""


def _set_last_audit(session: Session, recorder: ChangeRecorder,
                    latest: dict[str, dt.date]) -> None:
    """Each audited case's ``last_audit``, as a logged change on the inserted case."""
    ids = sorted(latest)
    updates = []
    for start in range(0, len(ids), 500):
        for case_id, hlc in session.execute(select(Case.id, Case.hlc)
                                            .where(Case.id.in_(ids[start:start + 500]))):
            updates.append((case_id, hlc, {"last_audit": latest[case_id]}))
    recorder.bulk_update(session, Case, updates)


def existing_cases(ctx: ServiceContext) -> int:
    """How many cases the store holds (the demo builds only into an empty store)."""
    with ctx.store.read() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def build_demo_county(ctx: ServiceContext, *, cases: int = 6_000, seed: int = 1,
                      as_of: dt.date) -> DemoSummary:
    """Make a synthetic local authority: seed 000's areas, teams, staff, users, cases.

    Raises:
        InputProblem: ``cases`` outside 1..200,000.
        EnvironmentProblem: the store already holds cases.
        Cancelled: the user cancelled; nothing was written.
    """
    if not 1 <= cases <= MAX_CASES:
        raise InputProblem(f"the demo county has 1 to {MAX_CASES:,} cases, not {cases:,}")
    held = existing_cases(ctx)
    if held:
        raise EnvironmentProblem(
            f"{ctx.store.path.name} already holds {held:,} cases; the demo needs an empty "
            "database (give another --db)")
    # Templates are stored by their own service (its own transaction) before the build.
    template = current_template(ctx, TEMPLATE_CODE)
    with ctx.store.read() as session:
        questions = [Question(q.id, q.code, q.answer_type) for q in session.scalars(
            select(TemplateQuestion).where(TemplateQuestion.template_id == template.template_id,
                                           TemplateQuestion.deleted.is_(False))
            .order_by(TemplateQuestion.position))]
    rng = random.Random(f"dipsample-demo:{seed}")
    summary = DemoSummary(seed=seed, as_of=as_of,
                          template=f"{template.title}, version {template.version}")
    total = cases + CHUNK  # the organisation and the history count as one chunk each
    recorder = ctx.store.recorder
    with ctx.store.transaction() as session:
        mark_demo(session)  # its people sign in without passwords (auth/acting.py)
        ctx.report(0, total, "staff and teams")
        org = build_organisation(rng)
        for model, rows in org.rows:
            recorder.bulk_insert(session, model, rows)
        sizes = {model.__name__: len(rows) for model, rows in org.rows}
        summary.service_areas, summary.teams = sizes["ServiceArea"], sizes["Team"]
        summary.workers, summary.users = sizes["Worker"], sizes["User"]
        summary.auditors = len(org.auditors)
        sketches: list[CaseSketch] = []
        rags: Counter[str] = Counter()
        for chunk in case_chunks(rng, org, cases, as_of, CHUNK):
            ctx.report(len(sketches), total, "cases")
            recorder.bulk_insert(session, Case, chunk.cases)
            insert_facts(session, CaseEvent, chunk.events)
            summary.case_events += len(chunk.events)
            sketches.extend(chunk.sketches)
            rags.update(s.rag for s in chunk.sketches if s.open)
        summary.cases = len(sketches)
        summary.open_cases = sum(1 for s in sketches if s.open)
        summary.rag = {r: rags[r] for r in ("red", "amber", "green")}
        ctx.report(cases, total, "audit history")
        now = dt.datetime.combine(as_of, dt.time(12, 0), tzinfo=dt.UTC)
        history = HistoryMaker(rng, org, sketches, template.template_id, questions, as_of,
                               now).build()
        recorder.bulk_insert(session, Audit, history.audits)
        recorder.bulk_insert(session, AuditAnswer, history.answers)
        recorder.bulk_insert(session, Action, history.actions)
        recorder.bulk_insert(session, RagDisagreement, history.disagreements)
        _set_last_audit(session, recorder, history.last_audit)
        summary.audits, summary.actions = len(history.audits), len(history.actions)
        summary.disagreements = len(history.disagreements)
        log_change(session, ctx, EventAction.CREATE, "demo_county", str(seed),
                   cases=summary.cases, as_of=as_of.isoformat())
    ctx.report(total, total, "done")
    return summary
