"""Counts in words (desktop/words.py), and a sentence of the dashboard that had its own."""

from __future__ import annotations

from desktop.services.reporting.weekly import Findings
from desktop.views.dashboard_charts import disagreements
from desktop.words import plural


def test_one_is_singular_and_thousands_are_grouped() -> None:
    assert plural(1, "audit") == "1 audit"
    assert plural(0, "audit") == "0 audits"
    assert plural(2, "escalation") == "2 escalations"
    assert plural(12_500, "case") == "12,500 cases"
    assert plural(3, "child", "children") == "3 children"
    assert plural(1, "child", "children") == "1 child"


def test_the_dashboard_says_one_audit_in_one_team(qapp: object) -> None:
    drawn = disagreements([Findings("North", audits=1, disagreements=1)], "2026-W48",
                          dark=False)
    assert drawn.summary == "1 RAG disagreement on 1 audit in 1 team."
    assert drawn.text == "RAG disagreements by team, 2026-W48: North: 1 of 1 audit."
    drawn = disagreements([Findings("North", audits=3, disagreements=0),
                           Findings("South", audits=1_200, disagreements=2)], "2026-W48",
                          dark=False)
    assert drawn.summary == "2 RAG disagreements on 1,203 audits in 2 teams."


def test_a_count_axis_is_labelled_at_whole_numbers(qapp: object) -> None:
    """A largest count of one was labelled "0 0 0 1 1" (ticks a quarter apart)."""
    from desktop.qt import QtCharts
    from desktop.views.dashboard_charts import count_axis

    for top, step, upper in [(1, 1, 2), (4, 1, 5), (9, 5, 15), (1_203, 500, 1_500)]:
        axis = count_axis(top)
        assert axis.tickType() == QtCharts.QValueAxis.TickType.TicksDynamic
        assert (axis.tickInterval(), axis.min(), axis.max()) == (step, 0, upper), top
        labels = [int(axis.min() + i * step) for i in range(int(upper / step) + 1)]
        assert len(set(labels)) == len(labels) and labels[-1] >= top
