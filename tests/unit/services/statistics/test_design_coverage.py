"""Do the 95% intervals cover the caseload's true rate? (issue 10, "Done when").

A synthetic county (tests/unit/services/statistics/design_simulation.py) plants an
outcome per case that differs between priority cohorts and other cases, between
areas and between RAG ratings. Each repetition draws 12 weeks through the real
sampler (coordinator draws, areas in a random order), audits every pick with its
planted outcome, and asks the real compliance report for the 4-, 8- and 12-week
figures of two standards. The share of those intervals that hold the true rate must
be at least 93%. Before the design strata were carried into the estimate, the
estimator weighted by RAG only and its 12-week figure missed the truth in every run
(73% against a true 78%).

The quick version fits a minute; the marked-slow one runs ten times the repetitions.
"""

from __future__ import annotations

import pytest

from tests.unit.services.statistics.design_simulation import (
    STANDARDS,
    WINDOWS,
    Run,
    build_county,
    coverage,
    one_run,
)

QUICK_REPETITIONS = 10
LONG_REPETITIONS = 120


def repeated(store, repetitions: int) -> list[Run]:  # type: ignore[no-untyped-def]
    county = build_county(store)
    runs: list[Run] = []
    for repetition in range(repetitions):
        runs += one_run(county, repetition)
    return runs


def check(runs: list[Run], repetitions: int) -> None:
    assert len(runs) == repetitions * len(STANDARDS) * len(WINDOWS)
    assert all(r.rate is not None for r in runs), "a caseload figure was withheld"
    share = coverage(runs)
    assert share >= 0.93, f"95% intervals covered the truth in {share:.1%} of {len(runs)}"
    # Not covering by being uselessly wide: the 12-week intervals stay narrow.
    widths = [r.high - r.low for r in runs if r.weeks == 12 and r.high and r.low]
    assert sum(widths) / len(widths) < 0.15
    # And centred on the truth: the mean error of the 12-week figures is small.
    for standard in STANDARDS:
        twelve = [r for r in runs if r.weeks == 12 and r.standard == standard]
        bias = sum(r.rate - r.truth for r in twelve if r.rate is not None) / len(twelve)
        assert abs(bias) < 0.03, (standard, bias)


def test_intervals_cover_the_true_caseload_rate(store) -> None:  # type: ignore[no-untyped-def]
    check(repeated(store, QUICK_REPETITIONS), QUICK_REPETITIONS)


@pytest.mark.long
def test_intervals_cover_the_true_caseload_rate_long(store) -> None:  # type: ignore[no-untyped-def]
    check(repeated(store, LONG_REPETITIONS), LONG_REPETITIONS)
