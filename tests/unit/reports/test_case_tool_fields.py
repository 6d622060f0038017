"""The case tool holds every field the council's forms ask (seeds 000, 001, 002), read
back from the PDF with pypdf: who sampled and how the case was drawn, the RAG
discussion, the escalation as its own section, each action's priority and review date,
the feedback to the allocated worker's manager, the sign-off; the case reference on
every page, and DRAFT on every page of a draft.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.reports import formats
from desktop.reports.case_tool import BY_HAND, case_tool_pdf
from desktop.reports.text import label
from desktop.store import Store
from tests.unit.reports import full_audit
from tests.unit.reports.full_audit import Full
from tests.unit.reports.hostile import read_pdf, squash
from tests.unit.reports.pages import marked_and_numbered


@pytest.fixture
def full(store: Store) -> Full:
    return full_audit.build(store)


def section(text: str, title: str, following: str) -> str:
    """The text between the heading ``title`` and the next heading ``following``."""
    start = text.index(title)
    return text[start:text.index(following, start)]


def test_every_field_of_the_forms_is_printed(full: Full, tmp_path: Path) -> None:
    out = tmp_path / "tool.pdf"
    case_tool_pdf(full.ctx, full.audit_id, out)
    pdf = read_pdf(out)
    text, flat = pdf.text, pdf.squashed
    world = full.world
    # Seed 000: who sampled, in what role and area; the RAG group and week drawn in.
    sampled = squash(section(text, "Sampled by", "Questions and answers"))
    for value in ("User auditor1", full_audit.JOB_TITLE, full_audit.AREA,
                  "2026-W45(2to8Nov2026),weeklysample", "RAGgroupAmber",
                  "Weeklydraw:amber"):
        assert squash(value) in sampled, value
    # Who took part in the RAG discussion, and when.
    rag = squash(section(text, "RAG rating", "Concern of significant harm"))
    assert squash(f"Discussed {formats.moment(full.discussed_at)} with: Team manager: "
                  "Manager One; Auditor: User auditor1.") in rag
    assert squash(full_audit.NEXT_STEPS) in rag
    # Seed 001: the concern itself, whom it went to, its deadline, the response.
    harm = squash(section(text, "Concern of significant harm", "Actions"))
    for value in (full_audit.CONCERN, "To the team manager", "Manager One", "Respond by",
                  formats.moment(full.respond_by), full_audit.RESPONSE, "Response by",
                  "User tm1"):
        assert squash(value) in harm, value
    # Each action's priority and its two-week review date.
    acts = squash(section(text, "Actions", "Comments from the worker and manager"))
    for value in ("Priority", "High", "Review on", formats.day(full.action_review),
                  full_audit.ACTION, "20 Nov 2026"):
        assert squash(value) in acts, value
    # Seed 002: the manager fed back to, whether and when; attached; sent to QA.
    feedback = squash(section(text, "Feedback and where the case tool went", "Finalisation"))
    for value in ("Allocated worker's manager", "Manager One",
                  "Findings fed back to the manager", "Yes", "Date fed back", "3 Nov 2026",
                  "Attached to the child's record", "\u2610 Yes",
                  "Sent to the Quality Assurance and Partnerships Team", BY_HAND):
        assert squash(value) in feedback, value
    signed = squash(text[text.index("Sign-off"):])
    for value in ("Dip-sampling manager", "User auditor1", "Signature", "Date",
                  "Allocated worker's manager", "Manager One"):
        assert squash(value) in signed, value
    # What it already printed is kept.
    for value in ("Overall grade", label("requires_improvement"),
                  "Rating on the record: Amber. Auditor's rating: Red.",
                  "Query (awaiting an answer)", "Why red?", "Queried: held open",
                  full_audit.BEST, "Allocated worker", world.worker.name):
        assert squash(value) in flat, value


def test_the_case_reference_heads_every_page(full: Full, tmp_path: Path) -> None:
    out = tmp_path / "tool.pdf"
    case_tool_pdf(full.ctx, full.audit_id, out)
    pages = read_pdf(out).pages
    assert len(pages) >= 2  # the long overview runs on
    marked_and_numbered(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Case {full.case_ref}" in page, number
        assert "DRAFT" not in page, number  # submitted: no marking


def test_a_draft_says_so_on_every_page(full: Full, tmp_path: Path) -> None:
    audit_id, ref = full_audit.draft(full, rag="green")
    out = tmp_path / "draft.pdf"
    case_tool_pdf(full.ctx, audit_id, out)
    pages = read_pdf(out).pages
    assert len(pages) >= 2
    marked_and_numbered(pages)
    for number, page in enumerate(pages, start=1):
        assert f"DRAFT Case {ref}" in " ".join(page.split()), number
    text = read_pdf(out).text
    # A draft has no rating recorded yet: the case's own is shown, and said to be.
    assert "Rating on the record: not recorded" not in text
    assert squash("Rating on the record: Green (as the case shows it now") in squash(text)
    assert squash("The concern as typed: A draft's concern.") in squash(text)
