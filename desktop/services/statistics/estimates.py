"""The design-weighted compliance rate and its 95% interval.

Why weights: Red and Amber cases are over-sampled (10 + 10 of 25 a week, while most
of a caseload is Green), so a plain share of "met" answers over-represents the riskier
cases. Each audit in stratum h stands for N_h / n_h cases (stratum size over sample
size), which gives the stratified estimator of the caseload's compliance.

The estimator is the ratio R = sum(w*y) / sum(w*x), with y = 1 when the standard was
met and x = 1 when it applied (a "not applicable" answer leaves the case out of the
domain, e.g. the VTT review for Red cases). When every answer applies this is exactly
Cochran's stratified proportion p_st = sum(W_h p_h). Its variance is the Taylor
linearisation for a stratified design with the finite-population correction,
v = sum N_h^2 (1 - n_h/N_h) s2_zh / n_h with z = (y - R x) / X, which reduces to
Cochran's sum W_h^2 (1 - f_h) p_h q_h / (n_h - 1) in that case.

Why not "estimate +/- 1.96 SE": with 25 audits a week the Wald interval breaks down
near 0% and 100% (it can even leave [0, 1]) and covers far less than 95%. The
interval is Wilson's score interval on the design-effective sample size
n* = R(1 - R) / v (Kish), as evaluated for complex surveys by Dean and Pagano (2015):
it stays inside [0, 1], is asymmetric near the edges, and for one stratum without
the correction it is the familiar Wilson interval. When v is 0 because every stratum
was audited completely, the figure is exact and the interval is the point; when v is
0 because the answers agree within every stratum (R is 0 or 1, say), n* is taken as
the number of applicable answers, so 10 out of 10 is not reported as certain.

A stratum present in the caseload needs at least two audits (its variance needs
n_h - 1 > 0); otherwise the result says "insufficient sample" instead of a number.
A stratum size below its sample size (cases re-rated since) is raised to the sample
size, because the population cannot be smaller than what was audited.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import NormalDist

METHOD = "stratified ratio estimator, weights N_h/n_h, FPC; Wilson interval on Kish n*"
MIN_PER_STRATUM = 2


@dataclass(frozen=True, slots=True)
class Observation:
    """One audit's answer on one standard or question, in its design stratum."""

    stratum: str
    applicable: bool
    met: bool


@dataclass(frozen=True)
class Estimate:
    """Attributes:
        rate: the weighted compliance rate, None when the sample is insufficient.
        low, high: the interval at ``confidence``.
        applicable: answers that applied (the domain's sample size).
        audits: observations in the sample, applicable or not.
        unweighted: the plain share of "met" among applicable answers, for contrast.
        note: why there is no figure ("insufficient sample: ..."), else "".
    """

    rate: float | None
    low: float | None
    high: float | None
    standard_error: float | None
    effective_n: float | None
    applicable: int
    audits: int
    unweighted: float | None
    confidence: float
    note: str = ""
    method: str = METHOD

    @property
    def sufficient(self) -> bool:
        return self.rate is not None


def z_value(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson(rate: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a proportion observed as ``rate`` on ``n`` (may be
    fractional: an effective sample size)."""
    z = z_value(confidence)
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (rate + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n))
    low = 0.0 if rate <= 0 else max(0.0, centre - half)
    high = 1.0 if rate >= 1 else min(1.0, centre + half)
    return low, high


def _insufficient(note: str, applicable: int, audits: int, unweighted: float | None,
                  confidence: float) -> Estimate:
    return Estimate(None, None, None, None, None, applicable, audits, unweighted, confidence,
                    f"insufficient sample: {note}")


def stratified_rate(observations: Iterable[Observation], stratum_sizes: Mapping[str, int],
                    confidence: float = 0.95) -> Estimate:
    """The weighted rate over the population whose stratum sizes are ``stratum_sizes``."""
    by_stratum: dict[str, list[Observation]] = {}
    for obs in observations:
        by_stratum.setdefault(obs.stratum, []).append(obs)
    audits = sum(len(v) for v in by_stratum.values())
    applicable = sum(o.applicable for v in by_stratum.values() for o in v)
    met = sum(o.applicable and o.met for v in by_stratum.values() for o in v)
    unweighted = met / applicable if applicable else None
    sizes = {h: max(stratum_sizes.get(h, 0), len(by_stratum.get(h, ())))
             for h in set(stratum_sizes) | set(by_stratum)}
    for h in sorted(sizes):
        n_h = len(by_stratum.get(h, ()))
        if sizes[h] > 0 and n_h < MIN_PER_STRATUM:
            return _insufficient(f"{h.title()} stratum has {n_h} audit{'s' * (n_h != 1)} "
                                 f"(needs {MIN_PER_STRATUM})", applicable, audits, unweighted,
                                 confidence)
    if applicable == 0:
        return _insufficient("no answer applied", 0, audits, None, confidence)
    total_y = total_x = 0.0
    for h, obs in by_stratum.items():
        weight = sizes[h] / len(obs)
        total_y += weight * sum(o.applicable and o.met for o in obs)
        total_x += weight * sum(o.applicable for o in obs)
    rate = total_y / total_x
    variance = 0.0
    census = True
    for h, obs in by_stratum.items():
        n_h, size = len(obs), sizes[h]
        fpc = 1 - n_h / size
        census &= fpc == 0
        z = [((o.applicable and o.met) - rate * o.applicable) / total_x for o in obs]
        mean = sum(z) / n_h
        s2 = sum((v - mean) ** 2 for v in z) / (n_h - 1)
        variance += size * size * fpc * s2 / n_h
    variance = max(variance, 0.0)
    if census and variance == 0:
        return Estimate(rate, rate, rate, 0.0, None, applicable, audits, unweighted, confidence,
                        "every case in every stratum was audited")
    effective = rate * (1 - rate) / variance if variance > 0 else float(applicable)
    low, high = wilson(rate, effective, confidence)
    return Estimate(rate, low, high, math.sqrt(variance), effective, applicable, audits,
                    unweighted, confidence)
