"""A week's case tools in one action: progress, one file per audit, Cancel leaves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.errors import InputProblem
from desktop.reports.case_tool import week_case_tools
from desktop.services.context import Cancelled, ServiceContext
from desktop.services.event_log import events_for
from desktop.store import Store
from tests.unit.reports import hostile
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
