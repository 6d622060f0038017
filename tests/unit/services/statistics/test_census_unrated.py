"""Unrated cases in the census (trial item 9): a RAG-dependent standard (the visit) on a
case with no RAG rating is not known, left out of the figure and counted apart in
words, never "0.0% (0 of 278)" late; the RAG-free standards still count them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from desktop.reports.monthly import census_text
from desktop.services.standards.engine import evaluate
from desktop.services.standards.facts import CaseFacts
from desktop.services.standards.settings import StandardsSettings
from desktop.services.statistics.census import NOT_RATED, census

D = dt.date
ON = D(2026, 11, 30)
BASE = CaseFacts(case_id="c", case_ref="SYN", rag=None, cohort="cin", flags=frozenset(),
                 service_area_id="a", team_id="t", worker_id="w", opened_on=D(2026, 1, 5),
                 last_f2f=D(2026, 11, 25), last_f2f_by={}, last_oversight=D(2026, 11, 20),
                 last_vtt_review=None, last_risk_assessment=D(2026, 11, 20))


def test_unrated_cases_are_not_counted_late_for_visits() -> None:
    settings = StandardsSettings()
    unrated = [replace(BASE, case_id=f"u{n}", case_ref=f"SYN-U{n}") for n in range(12)]
    rated = [replace(BASE, case_id=f"r{n}", case_ref=f"SYN-R{n}", rag="red",
                     last_f2f=D(2026, 11, 28 if n < 8 else 1)) for n in range(12)]
    counted = census((evaluate(f, ON, settings) for f in unrated + rated), ON, {"a": "North"})
    visits = counted.figure("visit_f2f")
    assert visits is not None
    cell = visits.by_rag[NOT_RATED]
    assert (cell.in_time, cell.late, cell.unknown, cell.unrated) == (0, 0, 12, 12)
    assert census_text(cell) == "not known (12 cases)"
    # "All open cases" is the rated cases' figure, not pulled down by the unrated.
    assert (visits.overall.in_time, visits.overall.applicable) == (8, 12)
    oversight = counted.figure("oversight")
    assert oversight is not None and oversight.by_rag[NOT_RATED].in_time == 12
