"""Agreement between two ratings of the same cases: percent agreement and Cohen's kappa.

Used for the auditor's RAG against the RAG on the record (seed 000) and for a
moderator's grade against the auditor's (the audit workflow's moderation).

Why weighted kappa: RAG and grades are ordered, and Red against Amber is a smaller
disagreement than Red against Green. Linear weights count each step equally;
quadratic weights penalise two-step disagreements four times as much (and equal the
intraclass correlation for large samples). The standard error is the large-sample
variance of Fleiss, Cohen and Everitt (1969), the one SAS PROC FREQ and statsmodels
report; the interval is kappa +/- z * SE, clipped to [-1, 1]. With fewer than
``MIN_PAIRS`` pairs, or when every rating falls in one category (expected agreement
1, kappa undefined), no kappa is reported and the note says why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop.services.statistics.estimates import wilson, z_value

RAG_SCALE = ("green", "amber", "red")
GRADE_SCALE = ("inadequate", "requires_improvement", "good", "outstanding")
MIN_PAIRS = 2


@dataclass(frozen=True)
class Kappa:
    weights: str
    kappa: float | None
    standard_error: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Agreement:
    """Attributes:
        table: counts, rows the first rating, columns the second, in ``categories`` order.
        percent_low, percent_high: Wilson interval of the share of exact agreement.
    """

    categories: tuple[str, ...]
    pairs: int
    table: list[list[int]]
    percent: float | None
    percent_low: float | None
    percent_high: float | None
    unweighted: Kappa
    linear: Kappa
    quadratic: Kappa
    note: str = ""


def _weights(k: int, kind: str) -> list[list[float]]:
    """Agreement weights: 1 on the diagonal, falling with distance."""
    if kind == "none":
        return [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    power = 1 if kind == "linear" else 2
    return [[1 - (abs(i - j) / (k - 1)) ** power for j in range(k)] for i in range(k)]


def weighted_kappa(table: Sequence[Sequence[int]], kind: str, confidence: float = 0.95
                   ) -> Kappa:
    """Cohen's kappa with ``kind`` weights ("none", "linear", "quadratic") and its CI."""
    k = len(table)
    n = sum(sum(row) for row in table)
    if n < MIN_PAIRS or k < 2:
        return Kappa(kind, None, None, None, None)
    w = _weights(k, kind)
    p = [[table[i][j] / n for j in range(k)] for i in range(k)]
    rows = [sum(p[i]) for i in range(k)]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    observed = sum(w[i][j] * p[i][j] for i in range(k) for j in range(k))
    expected = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    if expected >= 1 - 1e-12:
        return Kappa(kind, None, None, None, None)
    kappa = (observed - expected) / (1 - expected)
    w_row = [sum(cols[j] * w[i][j] for j in range(k)) for i in range(k)]
    w_col = [sum(rows[i] * w[i][j] for i in range(k)) for j in range(k)]
    total = sum(p[i][j] * (w[i][j] - (w_row[i] + w_col[j]) * (1 - kappa)) ** 2
                for i in range(k) for j in range(k))
    variance = (total - (kappa - expected * (1 - kappa)) ** 2) / ((1 - expected) ** 2 * n)
    se = math.sqrt(max(variance, 0.0))
    z = z_value(confidence)
    return Kappa(kind, kappa, se, max(-1.0, kappa - z * se), min(1.0, kappa + z * se))


def agreement(pairs: Iterable[tuple[str, str]], categories: Sequence[str] = RAG_SCALE,
              confidence: float = 0.95) -> Agreement:
    """Agreement of (first, second) rating pairs on an ordered scale, low to high.

    Pairs with a rating outside ``categories`` (or missing) are left out.
    """
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    table = [[0] * k for _ in range(k)]
    for first, second in pairs:
        if first in index and second in index:
            table[index[first]][index[second]] += 1
    n = sum(map(sum, table))
    agree = sum(table[i][i] for i in range(k))
    percent = agree / n if n else None
    low, high = wilson(percent, n, confidence) if percent is not None else (None, None)
    unweighted, linear, quadratic = (weighted_kappa(table, kind, confidence)
                                     for kind in ("none", "linear", "quadratic"))
    note = ""
    if n < MIN_PAIRS:
        note = f"insufficient sample: {n} pair{'s' * (n != 1)} (needs {MIN_PAIRS})"
    elif unweighted.kappa is None:
        note = "kappa undefined: every rating is in one category"
    return Agreement(tuple(categories), n, table, percent, low, high, unweighted, linear,
                     quadratic, note=note)
