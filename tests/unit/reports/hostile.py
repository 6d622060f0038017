"""An audit full of what breaks printed reports, made through the real services.

Names in Arabic, Polish and with emoji; answers holding markup (``<b>``, ``&``,
``]]>``), a spreadsheet formula and 5,000 characters; an action and a comment that do
the same. All synthetic.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from pypdf import PdfReader

from desktop.models import Case, Team, User, Worker
from desktop.services import actions
from desktop.services.audits import comments, lifecycle
from desktop.services.context import ServiceContext
from desktop.services.disagreements import Participant, record_discussion
from desktop.store import Store
from tests.unit.services.audits.world import World, make_world

ARABIC_WORKER = "مريم الحسيني"
POLISH_TEAM = "Zespół Łódź Północ"
EMOJI_AUDITOR = "Zoë 😀 Kowalczyk 👍"
POLISH_CHILD = "Łucja Żółkiewska"
MARKUP = "<b>not bold</b> & Sons ]]> <font size=40>x</font>"
FORMULA = "=cmd|' /C calc'!A0"
#: 5,000 characters of numbered words, so a test can find every one of them in order.
LONG = " ".join(f"w{n:04d}" for n in range(1, 1001))[:5000]
ACTION = f"Update the plan {MARKUP} then {FORMULA}"
COMMENT = f"Query: why ]]> & <i>this</i>? {ARABIC_WORKER}"
NEXT_STEPS = "Meet & review <b>RAG</b> within 5 days"


@dataclass
class HostileAudit:
    world: World
    ctx: ServiceContext
    audit_id: str
    case_ref: str


def build(store: Store) -> HostileAudit:
    world = make_world(store)
    with store.transaction() as session:
        worker = session.get(Worker, world.worker.id)
        team = session.get(Team, world.team.id)
        auditor = session.get(User, world.auditor)
        assert worker is not None and team is not None and auditor is not None
        worker.name, team.name, auditor.name = ARABIC_WORKER, POLISH_TEAM, EMOJI_AUDITOR
    ctx = world.as_user(world.auditor)
    case_id = world.case("amber", child_name=POLISH_CHILD)
    audit_id = lifecycle.start_audit(ctx, case_id, "quality_case_tool")
    for code, value in {"theme": MARKUP, "reason_for_tool": FORMULA,
                        "child_seen_and_heard": "met", "plan_progressing": "not_met",
                        "record_up_to_date": "partly_met", "supervision_oversight": "met",
                        "practice_grade": "requires_improvement", "best_practice": LONG,
                        "fed_back_to_manager": "yes", "feedback_date": "2026-11-02"}.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview=f"Overview {MARKUP} {ARABIC_WORKER}",
                           positive_practice="", grade="requires_improvement",
                           auditor_rag="red")
    actions.add_action(ctx, actions.NewAction(
        description=ACTION, due_on=dt.date(2026, 11, 20), audit_id=audit_id,
        question_code="plan_progressing", owner_worker_id=world.worker.id))
    lifecycle.submit(ctx, audit_id, rag_rationale="Escalating risk & <b>missed</b> visits")
    world.clock.advance(hours=2)
    comments.post_comment(world.as_user(world.tm_user), audit_id, COMMENT, is_query=True)
    with store.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        ref = case.case_ref
    from desktop.models import RagDisagreement

    with store.read() as session:
        from sqlalchemy import select

        disagreement_id = session.scalar(select(RagDisagreement.id).where(
            RagDisagreement.audit_id == audit_id))
    assert disagreement_id is not None
    record_discussion(world.as_user(world.qa), disagreement_id,
                      discussed_at=world.clock.now - dt.timedelta(minutes=5),
                      participants=[Participant("team_manager", world.manager.id)],
                      next_steps=NEXT_STEPS)
    return HostileAudit(world, ctx, audit_id, ref)


@dataclass
class ReadBack:
    """A PDF as an independent reader sees it: each page's text."""

    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def squashed(self) -> str:
        return squash(self.text)


def read_pdf(source: object) -> ReadBack:
    reader = PdfReader(source)  # type: ignore[arg-type]
    return ReadBack([page.extract_text() for page in reader.pages])


def squash(text: str) -> str:
    """Text without whitespace (a reader breaks lines where the layout wrapped)."""
    return re.sub(r"\s+", "", text)


def in_order(words: list[str], text: str) -> list[str]:
    """The words of ``words`` not found in ``text`` in that order (empty: all found)."""
    at = 0
    missing = []
    for word in words:
        found = text.find(word, at)
        if found < 0:
            missing.append(word)
        else:
            at = found + len(word)
    return missing


def logical(visual_text: str) -> str:
    """Right-to-left text as printed (shaped forms, display order) back to what was typed."""
    return unicodedata.normalize("NFKC", visual_text)[::-1]


def plain_audit(h: HostileAudit) -> str:
    """A second, ordinary audit by the same auditor in the same week; its id."""
    from tests.unit.services.audits.test_lifecycle import MET

    case_id = h.world.case("red")
    audit_id = lifecycle.start_audit(h.ctx, case_id, "risk_assessment_rag")
    for code, value in MET.items():
        lifecycle.save_answer(h.ctx, audit_id, code, value)
    lifecycle.save_details(h.ctx, audit_id, overview="Plain overview", grade="good",
                           auditor_rag="red")
    lifecycle.submit(h.ctx, audit_id)
    return audit_id


#: The ISO week of the world's clock (Monday 2 November 2026).
WEEK = "2026-W45"
