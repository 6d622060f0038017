"""A week's case tools in one action: one PDF with a bookmark per case, or one file per
audit; progress, and Cancel leaves nothing; drafts left out unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.errors import InputProblem
from desktop.reports.case_tool import week_case_tools, week_case_tools_pdf
from desktop.services.audits import lifecycle
from desktop.services.context import Cancelled, ServiceContext
from desktop.services.event_log import events_for
from desktop.services.reporting.case_tool import WeekChoice, case_tools, week_audit_ids
from desktop.store import Store
from tests.unit.reports import full_audit, hostile
from tests.unit.reports.hostile import HostileAudit, read_pdf


@pytest.fixture
def audits(store: Store) -> tuple[HostileAudit, str]:
    h = hostile.build(store)
    return h, hostile.plain_audit(h)


def test_a_weeks_case_tools_with_progress(audits: tuple[HostileAudit, str],
                                          tmp_path: Path) -> None:
    h, second = audits
    seen: list[tuple[int, int, str]] = []
    ctx = ServiceContext(store=h.ctx.store, user_id=h.world.qa, clock=h.world.clock,
                         progress=lambda done, total, stage: seen.append((done, total, stage)))
    result = week_case_tools(ctx, h.world.auditor, hostile.WEEK, tmp_path / "week")
    assert len(result.files) == 2
    assert sorted(p.name for p in tmp_path.joinpath("week").iterdir()) == sorted(
        p.name for p in result.files)
    assert [d for d, t, s in seen if s == "writing case tools"] == [1, 2]
    texts = [read_pdf(p).text for p in result.files]
    assert sum("Plain overview" in t for t in texts) == 1
    for audit_id in (h.audit_id, second):
        exports = [e for e in events_for(ctx, "audit", audit_id) if e.action == "export"]
        assert [e.user_id for e in exports] == [h.world.qa]


def test_cancel_removes_the_files_already_written_and_logs_nothing(
        audits: tuple[HostileAudit, str], tmp_path: Path) -> None:
    h, _ = audits
    ctx = ServiceContext(store=h.ctx.store, user_id=h.world.qa, clock=h.world.clock)

    def cancel_after_first(done: int, total: int, stage: str) -> None:
        if stage == "writing case tools" and done == 1:
            ctx.cancel.cancel()

    ctx.progress = cancel_after_first
    with pytest.raises(Cancelled):
        week_case_tools(ctx, None, hostile.WEEK, tmp_path / "week")
    assert list((tmp_path / "week").iterdir()) == []
    assert [e for e in events_for(ctx, "audit", h.audit_id) if e.action == "export"] == []


def test_a_week_without_audits_is_refused(audits: tuple[HostileAudit, str],
                                          tmp_path: Path) -> None:
    h, _ = audits
    with pytest.raises(InputProblem, match="no audits in 2026-W40"):
        week_case_tools(h.ctx, None, "2026-W40", tmp_path)
    with pytest.raises(InputProblem, match="not an ISO week"):
        week_case_tools(h.ctx, None, "week 45", tmp_path)


# -- a week as one printable document -------------------------------------------------
def plain(full: full_audit.Full) -> str:
    """A submitted audit with neither actions nor good practice; its id."""
    from tests.unit.services.audits.test_lifecycle import MET

    ctx = full.ctx
    audit_id = lifecycle.start_audit(ctx, full.world.case("red"), "risk_assessment_rag")
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="Nothing to act on", grade="good",
                           auditor_rag="red")
    lifecycle.submit(ctx, audit_id)
    return audit_id


@pytest.fixture
def week(store: Store) -> tuple[full_audit.Full, str, str]:
    full = full_audit.build(store)
    second = plain(full)
    draft_id, _ref = full_audit.draft(full)
    return full, second, draft_id


def test_a_week_prints_as_one_pdf_with_a_bookmark_per_case(
        week: tuple[full_audit.Full, str, str], tmp_path: Path) -> None:
    full, second, draft_id = week
    choice = WeekChoice(drafts=True)
    separate = week_case_tools(full.ctx, None, "2026-w45", tmp_path / "separate", choice)
    bound = week_case_tools_pdf(full.ctx, None, "2026-w45", tmp_path / "week.pdf", choice)
    assert bound.file == tmp_path / "week.pdf"
    assert set(bound.audit_ids) == {full.audit_id, second, draft_id}
    counts = {p: len(PdfReader(p).pages) for p in separate.files}
    reader = PdfReader(tmp_path / "week.pdf")
    assert len(reader.pages) == sum(counts.values())
    outline = [o for o in reader.outline if not isinstance(o, list)]
    assert len(outline) == len(reader.outline) == 3  # one level: a bookmark per case
    refs = {t.audit_id: t.case_ref for t in case_tools(full.ctx, bound.audit_ids)}
    first_pages = [reader.get_destination_page_number(o) for o in outline]
    pages = read_pdf(tmp_path / "week.pdf").pages
    start = 0
    for audit_id, entry, first in zip(bound.audit_ids, outline, first_pages, strict=True):
        length = next(n for p, n in counts.items() if audit_id[:8] in p.name)
        assert first == start  # each bookmark opens its case tool's first page
        ref = refs[audit_id]
        assert str(entry.title).startswith(ref)
        for number in range(length):  # its own header and "Page n of N" on each page
            page = " ".join(pages[start + number].split())
            assert f"Case {ref}" in page
            assert f"Page {number + 1} of {length}" in page
            assert ("DRAFT" in page) == (audit_id == draft_id)
        start += length
    exports = [e for e in events_for(full.ctx, "audit", second) if e.action == "export"]
    assert len(exports) == 2  # the separate files and the bound PDF, each logged


def test_drafts_and_cases_without_findings_left_out_unless_asked(
        week: tuple[full_audit.Full, str, str], tmp_path: Path) -> None:
    full, second, draft_id = week
    ctx = full.ctx
    assert set(week_audit_ids(ctx, full_audit.WEEK)) == {full.audit_id, second}
    assert draft_id in week_audit_ids(ctx, full_audit.WEEK, choice=WeekChoice(drafts=True))
    # Seed 002: the case tool is for cases with actions or noted good practice.
    assert week_audit_ids(ctx, full_audit.WEEK, choice=WeekChoice(findings_only=True)) == [
        full.audit_id]
    result = week_case_tools_pdf(ctx, None, full_audit.WEEK, tmp_path / "w.pdf",
                                 WeekChoice(findings_only=True))
    assert result.audit_ids == (full.audit_id,)
