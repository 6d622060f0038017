"""The census of the practice standards on every open case: counts, not estimates,
with the same minimum of 10 as every figure, and statuses it cannot judge left out."""

from __future__ import annotations

import datetime as dt

from desktop.services.standards.engine import CaseStandards, StandardResult
from desktop.services.statistics.census import NOT_RATED, census

AREAS = {"a1": "North", "a2": "Tiny"}
ON = dt.date(2026, 10, 31)


def case(n: int, rag: str | None, area: str, **statuses: str) -> CaseStandards:
    return CaseStandards(f"c{n}", f"REF-{n}", rag, False, area, "t", "w",
                         tuple(StandardResult(code, status, None, None)
                               for code, status in statuses.items()))


def test_in_time_late_not_applicable_and_not_known() -> None:
    cases = ([case(n, "red", "a1", visit_f2f="met", vtt_review="not_applicable")
              for n in range(6)]
             + [case(10 + n, "red", "a1", visit_f2f="due_soon", vtt_review="not_applicable")
                for n in range(3)]
             + [case(20 + n, "green", "a1", visit_f2f="overdue", vtt_review="met")
                for n in range(3)]
             # A standard the export could not show: neither in time nor late.
             + [case(30 + n, "green", "a2", visit_f2f="not_known", vtt_review="overdue")
                for n in range(2)]
             + [case(40, None, "a2", visit_f2f="overdue", vtt_review="not_applicable")])
    counted = census(cases, ON, AREAS)
    assert counted.cases == 15
    assert counted.rags == ["red", "green", NOT_RATED]
    assert counted.areas == ["North", "Tiny"]
    visits = counted.figure("visit_f2f")
    assert visits is not None and visits.population == "all open cases"
    overall = visits.overall
    assert (overall.in_time, overall.late, overall.unknown) == (9, 4, 2)
    assert overall.applicable == 13 and overall.rate == 9 / 13 and overall.note == ""
    assert visits.by_rag["red"].rate is None  # 9 cases: below the minimum of 10
    assert visits.by_rag["red"].note == "insufficient: 9 cases (needs 10)"
    assert visits.by_rag[NOT_RATED].note == "insufficient: 1 case (needs 10)"
    assert visits.by_area["Tiny"].unknown == 2 and visits.by_area["Tiny"].applicable == 1
    vtt = counted.figure("vtt_review")
    assert vtt is not None and vtt.population == "Green cases only"
    assert vtt.by_rag["red"].applicable == 0 and vtt.overall.applicable == 5
    assert [f.standard for f in counted.figures] == ["visit_f2f", "vtt_review"]


def test_ten_cases_give_a_figure() -> None:
    cases = [case(n, "amber", "a1", oversight="met" if n < 7 else "overdue")
             for n in range(10)]
    figure = census(cases, ON, AREAS).figure("oversight")
    assert figure is not None
    assert figure.by_area["North"].rate == 0.7 and figure.by_area["North"].sufficient
