"""The weighted estimator and its interval against independent computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from desktop.services.statistics.estimates import Observation, stratified_rate, wilson


def obs(stratum: str, met: int, not_met: int, not_applicable: int = 0) -> list[Observation]:
    return ([Observation(stratum, True, True)] * met + [Observation(stratum, True, False)]
            * not_met + [Observation(stratum, False, False)] * not_applicable)


def test_worked_example_by_hand() -> None:
    # Red N=100, 6 of 10 met; Amber N=300, 8 of 10; Green N=600, 5 of 5. W = .1, .3, .6.
    # p_st = .1*.6 + .3*.8 + .6*1 = 0.90 (the plain share 19/25 = 0.76 is biased low).
    # v = .01*(1-.1)*.6*.4/9 + .09*(1-10/300)*.8*.2/9 + .36*(1-5/600)*0/4
    #   = 0.00024 + 0.00154667 = 0.00178667.
    data = obs("red", 6, 4) + obs("amber", 8, 2) + obs("green", 5, 0)
    est = stratified_rate(data, {"red": 100, "amber": 300, "green": 600})
    assert est.rate == pytest.approx(0.90)
    assert est.unweighted == pytest.approx(0.76)
    assert est.standard_error == pytest.approx(math.sqrt(0.00024 + 0.0015466667), rel=1e-6)
    assert est.low < 0.90 < est.high <= 1.0
    assert est.applicable == 25 and est.audits == 25


def test_matches_cochrans_formula_computed_with_numpy() -> None:
    rng = np.random.default_rng(3)
    sizes = {"red": 140, "amber": 520, "green": 2300}
    n = {"red": 40, "amber": 40, "green": 20}
    data = []
    for h in sizes:
        met = int(rng.integers(1, n[h]))
        data += obs(h, met, n[h] - met)
    est = stratified_rate(data, sizes)
    big_n = sum(sizes.values())
    p = {h: sum(o.met for o in data if o.stratum == h) / n[h] for h in sizes}
    expected = sum(sizes[h] / big_n * p[h] for h in sizes)
    var = sum((sizes[h] / big_n) ** 2 * (1 - n[h] / sizes[h]) * p[h] * (1 - p[h]) / (n[h] - 1)
              for h in sizes)
    assert est.rate == pytest.approx(expected)
    assert est.standard_error == pytest.approx(math.sqrt(var))


def test_unbiased_over_every_possible_stratified_sample() -> None:
    # A tiny population: the estimator's mean over all samples is the true rate, and
    # the variance estimator's mean is the true design variance (both exact, by
    # enumeration, with no reference to the code's own formulas).
    population = {"red": [1, 0, 1, 1, 0], "green": [1, 1, 0, 1]}
    sizes = {h: len(v) for h, v in population.items()}
    truth = sum(sum(v) for v in population.values()) / sum(sizes.values())
    rates, variances = [], []
    for red in itertools.combinations(population["red"], 2):
        for green in itertools.combinations(population["green"], 2):
            data = ([Observation("red", True, bool(y)) for y in red]
                    + [Observation("green", True, bool(y)) for y in green])
            est = stratified_rate(data, sizes, min_audits=0, min_effective_n=0)
            rates.append(est.rate)
            variances.append(est.standard_error ** 2)
    assert np.mean(rates) == pytest.approx(truth)
    assert np.mean(variances) == pytest.approx(np.var(rates))


def test_not_applicable_answers_leave_the_domain() -> None:
    # VTT review applies to Green only: the rate is Green's.
    data = obs("red", 0, 0, 10) + obs("green", 3, 1)
    est = stratified_rate(data, {"red": 100, "green": 400}, min_audits=4, min_effective_n=0)
    assert est.rate == pytest.approx(0.75)
    assert est.applicable == 4 and est.audits == 14


def test_single_stratum_interval_is_wilson_on_effective_n() -> None:
    # Without the correction (huge N) the variance is pq/(n-1), so n* = n - 1.
    data = obs("red", 7, 3)
    est = stratified_rate(data, {"red": 10**9})
    low, high = proportion_confint(0.7 * 9, 9, alpha=0.05, method="wilson")
    assert (est.low, est.high) == (pytest.approx(low), pytest.approx(high))
    assert wilson(0.7, 10) == pytest.approx(proportion_confint(7, 10, method="wilson"))


def test_interval_stays_inside_0_1_and_is_not_certain_at_100_percent() -> None:
    # Every answer met: no variance to see, so the interval rests on Kish's n of the
    # weights, (10*5 + 5*100)^2 / (10*25 + 5*10000) = 6.02, not on the 15 audits.
    est = stratified_rate(obs("red", 10, 0) + obs("green", 5, 0), {"red": 50, "green": 500},
                          min_effective_n=0)
    assert est.rate == 1.0 and est.high == 1.0
    assert est.kish_n == est.effective_n == pytest.approx(550 ** 2 / 50250)
    assert est.low == pytest.approx(proportion_confint(6.0199, 6.0199, method="wilson")[0],
                                    abs=1e-4)


def test_a_heavy_stratum_without_variance_does_not_collapse_the_interval() -> None:
    # The team: 2 Green audits (both met) carry 70% of the weight, 12 Red and
    # Amber audits the rest. The design-effect n is huge; Kish's n (about 4.1) rules.
    data = obs("red", 5, 1) + obs("amber", 5, 1) + obs("green", 2, 0)
    sizes = {"red": 150, "amber": 150, "green": 700}
    est = stratified_rate(data, sizes, min_effective_n=0)
    weights = [25.0] * 12 + [350.0] * 2
    kish = sum(weights) ** 2 / sum(w * w for w in weights)
    assert est.effective_n == pytest.approx(kish) and kish < 5
    assert est.low < 0.6 and est.high > 0.99
    assert est.effective_n <= est.applicable
    assert {c.stratum: (c.audits, c.weight) for c in est.per_stratum} == {
        "red": (6, 25.0), "amber": (6, 25.0), "green": (2, 350.0)}


def test_below_the_minimums_a_figure_says_insufficient_sample() -> None:
    few = stratified_rate(obs("red", 4, 2) + obs("green", 1, 1), {"red": 50, "green": 500})
    assert few.rate is None and few.note == (
        "insufficient sample: 8 applicable audits (needs 10)")
    light = stratified_rate(obs("red", 6, 6) + obs("green", 2, 0), {"red": 50, "green": 5000})
    assert light.rate is None and light.note.startswith(
        "insufficient sample: effective sample size")
    assert light.effective_n is not None and light.effective_n < 8


def test_design_strata_pool_single_audits_and_pass_on_unaudited_sizes() -> None:
    # red/priority/N has 1 audit: pooled with red/priority/S's single audit for its
    # variance. red/other/S has no audit: its 300 cases go to red/other/N.
    data = (obs("red/priority/N", 1, 0) + obs("red/priority/S", 0, 1)
            + obs("red/other/N", 8, 2) + obs("green/other/N", 6, 2))
    sizes = {"red/priority/N": 10, "red/priority/S": 10, "red/other/N": 100,
             "red/other/S": 300, "green/other/N": 800}
    est = stratified_rate(data, sizes)
    cells = {c.stratum: c.size for c in est.per_stratum}
    assert cells == {"red/priority/N": 10, "red/priority/S": 10, "red/other/N": 400,
                     "green/other/N": 800}
    expected = (10 * 1 + 10 * 0 + 400 * 0.8 + 800 * 0.75) / 1220
    assert est.rate == pytest.approx(expected)
    assert est.standard_error is not None and est.standard_error > 0


def test_census_is_exact() -> None:
    est = stratified_rate(obs("red", 9, 3), {"red": 12})
    assert (est.rate, est.low, est.high) == (0.75, 0.75, 0.75)
    assert est.note == "every case in every stratum was audited"


def test_a_census_of_fewer_than_ten_answers_is_insufficient() -> None:
    # Issue 24, item 5: every case of every stratum audited, but 4 answers: the
    # minimum of 10 holds for an exact figure too, never a zero-width "75.0%".
    est = stratified_rate(obs("red", 3, 1), {"red": 4})
    assert est.rate is None and est.low is None and not est.sufficient
    assert est.note == "insufficient sample: 4 applicable audits (needs 10)"
    assert stratified_rate(obs("red", 3, 1), {"red": 4}, min_audits=0).rate == 0.75


def test_a_priority_group_with_no_audit_is_flagged_not_borrowed_silently() -> None:
    # Red priority cases hold 100 of 1,100 case-weeks and got no audit: Red's other
    # cases stand for them, and the figure says so.
    data = obs("red/other/N", 10, 5) + obs("green/other/N", 8, 2) + obs("green/priority/N", 4, 1)
    sizes = {"red/priority/N": 100, "red/other/N": 300, "green/other/N": 600,
             "green/priority/N": 100}
    est = stratified_rate(data, sizes)
    assert est.sufficient
    [group] = est.unaudited
    assert (group.group, group.size) == ("red/priority", 100)
    assert group.share == pytest.approx(100 / 1100)
    assert est.flag == ("flagged: no audit of Red priority-cohort cases (9% of the "
                        "population), so the other audits of the same RAG stand for them")
    audited = stratified_rate(data + obs("red/priority/N", 2, 1), sizes)
    assert audited.unaudited == () and audited.flag == ""


def test_insufficient_sample_says_so_instead_of_a_number() -> None:
    one_green = obs("red", 5, 5) + obs("green", 1, 0)
    est = stratified_rate(one_green, {"red": 50, "green": 500})
    assert est.rate is None and not est.sufficient
    assert est.note == "insufficient sample: Green stratum has 1 audit (needs 2)"
    none_amber = stratified_rate(obs("red", 5, 5), {"red": 50, "amber": 10})
    assert none_amber.note == "insufficient sample: Amber stratum has 0 audits (needs 2)"
    all_na = stratified_rate(obs("red", 0, 0, 3), {"red": 50})
    assert all_na.note == "insufficient sample: no answer applied"
