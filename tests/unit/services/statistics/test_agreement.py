"""Percent agreement and (weighted) kappa against statsmodels and textbook numbers."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from desktop.services.statistics.agreement import agreement, weighted_kappa

TABLE = [[20, 5, 1], [4, 15, 6], [0, 3, 11]]


def pairs_from(table: list[list[int]], scale=("green", "amber", "red")):  # type: ignore[no-untyped-def]
    return [(scale[i], scale[j]) for i, row in enumerate(table) for j, n in enumerate(row)
            for _ in range(n)]


@pytest.mark.parametrize(("kind", "wt"), [("none", None), ("linear", "linear"),
                                          ("quadratic", "quadratic")])
def test_kappa_and_its_variance_match_statsmodels(kind: str, wt: str | None) -> None:
    ours = weighted_kappa(TABLE, kind)
    theirs = cohens_kappa(np.array(TABLE), wt=wt)
    assert ours.kappa == pytest.approx(theirs.kappa)
    assert ours.standard_error == pytest.approx(theirs.std_kappa)
    assert ours.low == pytest.approx(theirs.kappa - 1.959964 * theirs.std_kappa, abs=1e-6)


def test_textbook_two_by_two() -> None:
    # Cohen's kappa for yes/no: 20 both yes, 15 both no, 5 and 10 split (Wikipedia's
    # worked example): p_o = 0.7, p_e = 0.5, kappa = 0.4.
    ours = weighted_kappa([[20, 5], [10, 15]], "none")
    assert ours.kappa == pytest.approx(0.4)


def test_agreement_of_auditor_and_recorded_rag() -> None:
    result = agreement([*pairs_from(TABLE), ("red", None), ("purple", "red")])  # type: ignore[list-item]
    assert result.pairs == 65 and result.table == TABLE
    assert result.percent == pytest.approx(46 / 65)
    assert result.percent_low < result.percent < result.percent_high
    assert result.linear.kappa == pytest.approx(cohens_kappa(np.array(TABLE),
                                                             wt="linear").kappa)
    assert result.note == ""


def test_agreement_too_few_or_degenerate() -> None:
    assert agreement([("red", "red")]).note.startswith("insufficient sample")
    same = agreement([("red", "red")] * 5)
    assert same.percent == 1.0 and same.unweighted.kappa is None
    assert same.note == "kappa undefined: every rating is in one category"
