"""The weekly report for senior management, read back by pypdf: findings by team and by
worker, audits against quota, hostile names as text, marking and page numbers."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from desktop.errors import InputProblem
from desktop.models import Audit, User
from desktop.reports.charts import chart_label
from desktop.reports.weekly import grades_text, standards_text, weekly_pdf
from desktop.services import actions, escalations
from desktop.services.reporting.weekly import weekly_data
from desktop.store import Store
from tests.unit.reports import hostile
from tests.unit.reports.hostile import read_pdf, squash
from tests.unit.reports.pages import marked_and_numbered


def test_a_week_by_team_and_worker(store: Store, tmp_path: Path) -> None:
    h = hostile.build(store)
    plain = hostile.plain_audit(h)
    with store.transaction() as session:
        second = session.get(User, h.world.auditor2)
        assert second is not None
        second.name = hostile.MARKUP  # a name is typed text too
    with store.read() as session:
        found = session.get(Audit, plain)
        assert found is not None
        plain_case = found.case_id
    escalations.raise_concern(h.ctx, plain_case, "Concern <b>& harm</b>")
    actions.add_action(h.ctx, actions.NewAction(
        description="Chase the visit", due_on=dt.date(2026, 11, 5), audit_id=plain))
    h.world.clock.advance(days=10)  # the week is over: the action due on the 5th is overdue

    data = weekly_data(h.ctx, hostile.WEEK)
    assert data.as_of == dt.date(2026, 11, 8)
    assert data.total.audits == 2
    assert data.total.escalations == 1 and data.total.overdue == 1
    assert data.total.disagreements == 1  # the hostile audit's red against amber
    assert [t.name for t in data.teams] == [hostile.POLISH_TEAM]
    assert [(w.name, w.team) for w in data.workers] == [(hostile.ARABIC_WORKER,
                                                        hostile.POLISH_TEAM)]
    team = data.teams[0]
    assert dict(team.grades) == {"requires_improvement": 1, "good": 1}
    auditor = next(q for q in data.quotas if q.name == hostile.EMOJI_AUDITOR)
    assert (auditor.wanted, auditor.audited, auditor.drawn) == (25, 2, False)

    out = tmp_path / "weekly.pdf"
    weekly_pdf(h.ctx, hostile.WEEK, out)
    pdf = read_pdf(out)
    flat = pdf.squashed
    marked_and_numbered(pdf.pages)
    assert "Week 2026-W45: 2 to 8 Nov 2026" in pdf.text
    assert squash(hostile.POLISH_TEAM) in flat
    assert squash(hostile.EMOJI_AUDITOR) in flat
    assert squash(hostile.MARKUP) in flat  # markup and ]]> printed as typed
    # pypdf gives right-to-left runs in reading order, in their shaped letter forms
    assert hostile.ARABIC_WORKER in unicodedata.normalize("NFKC", pdf.text)
    assert squash(grades_text(team.grades)) in flat
    assert squash(standards_text(team)) in flat
    assert "2 audits submitted this week" in pdf.text
    assert "1 escalations of significant harm; 1 actions overdue on 8 Nov 2026" in pdf.text
    # the chart's labels are drawn text too: the auditor without the emoji the font lacks
    assert squash(chart_label(hostile.EMOJI_AUDITOR)) in flat


def test_an_empty_week_says_so(store: Store, tmp_path: Path) -> None:
    h = hostile.build(store)
    out = tmp_path / "empty.pdf"
    data = weekly_pdf(h.ctx, "2026-W40", out)
    assert data.total.audits == 0 and not data.teams
    pdf = read_pdf(out)
    marked_and_numbered(pdf.pages)
    assert pdf.text.count("No audits, escalations or overdue actions this week.") == 2
    assert "No audits this week, so nothing to chart." in pdf.text
    assert "0 audits submitted this week" in pdf.text
    with pytest.raises(InputProblem, match="not an ISO week"):
        weekly_data(h.ctx, "2026-45")


def test_many_teams_flow_over_pages(tmp_path: Path) -> None:
    """A county-sized week: every team and worker row is printed, the charts split
    over pages instead of overflowing one."""
    from tests.unit.services.county import demo_county

    with demo_county(tmp_path, cases=600, seed=3, as_of=dt.date(2026, 11, 20)) as ctx:
        out = tmp_path / "county.pdf"
        data = weekly_pdf(ctx, "2026-W46", out)
    pdf = read_pdf(out)
    marked_and_numbered(pdf.pages)
    assert len(data.teams) > 20 and data.total.audits > 50
    assert sum(t.audits for t in data.teams) == data.total.audits
    assert sum(w.audits for w in data.workers) == data.total.audits
    assert sum(w.overdue for w in data.workers) == data.total.overdue
    flat = pdf.squashed
    for team in data.teams:
        assert squash(team.name) in flat
        assert squash(standards_text(team)) in flat
    for quota in data.quotas:
        assert squash(quota.name) in flat
