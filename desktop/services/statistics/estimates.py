"""The design-weighted compliance rate and its 95% interval (docs/statistics.md).

Why weights: the sampler over-samples Red and Amber and, within every RAG, takes the
priority cohorts first (seeds 000, 001), so a plain share of "met" answers over-
represents the riskier cases. A stratum here is a design stratum of the draw, the
group a case was drawn from (RAG x priority x area, ``Observation.stratum``), and
each audit in stratum h stands for N_h / n_h units of the population (N_h its size,
n_h its audits). Within a group the sampler takes a simple random sample, so this is
the stratified estimator of the caseload's compliance for the design actually used.

The estimator is the ratio R = sum(w*y) / sum(w*x), with y = 1 when the standard was
met and x = 1 when it applied (a "not applicable" answer leaves the case out of the
domain, e.g. the VTT review for Red cases). When every answer applies this is exactly
Cochran's stratified proportion p_st = sum(W_h p_h). Its variance is the Taylor
linearisation for a stratified design with the finite-population correction,
v = sum N_h^2 (1 - n_h/N_h) s2_zh / n_h with z = (y - R x) / X (Cochran 1977, 5A.13
and 6.13; Sarndal, Swensson and Wretman 1992, 5.5). A stratum with one audit has no
s2 of its own: such strata are pooled within their RAG x priority (else their RAG,
else all of them) as collapsed strata (Cochran 1977, 5A.12), which overstates the
variance a little, never understates it; a lone one left counts its own squared
deviation. A stratum of the population with no audit at all passes its size to the
audited strata of its RAG x priority (else of its RAG) in proportion to theirs.
When a whole RAG x priority group has cases but no audit (a team's Red priority cases,
say), its cases are represented by the other priority level's audits of that RAG: the
figure is given, but flagged (``Estimate.unaudited``), because the two levels can differ
(issue 24, item 5: 14 such team figures averaged 3.3 points low).

The interval is Wilson's score interval on an effective sample size (Dean and Pagano
2015), n_eff = min(n*, n_Kish, n): n* = R(1 - R) / v is the design-effect size, n_Kish
= (sum w)^2 / sum w^2 (Kish 1965) is the most the weights allow whatever the
answers say, and n the applicable answers. Why the cap (issue 10, item 2): with every
answer in a heavily weighted stratum alike, v and so the interval collapsed (2 Green
audits carrying 70% of a team's weight read "95.0%, CI 89.6 to 97.6"); Kish's n of
4.1 gives 46.5 to 99.8. When v is 0 because every stratum was audited completely the
figure is exact and the interval is the point; it still needs ``MIN_AUDITS``
applicable answers like any other figure (issue 24: 1 to 5 answers were published as
exact).

A figure with fewer than ``MIN_AUDITS`` applicable answers, an effective n below
``MIN_EFFECTIVE_N``, or a RAG of the population with fewer than ``MIN_PER_STRATUM``
audits says "insufficient sample" instead of a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import NormalDist

METHOD = ("stratified ratio estimator over the draw's design strata, weights N_h/n_h, "
          "FPC; Wilson interval on min(n*, Kish n, n)")
#: A RAG present in the population needs this many audits (its variance needs n - 1 > 0).
MIN_PER_STRATUM = 2
#: Below these a figure says "insufficient sample": one week of a team's audits (6 to 8)
#: is not enough to publish, nor is a figure whose weights leave it worth fewer than 8.
MIN_AUDITS = 10
MIN_EFFECTIVE_N = 8.0


@dataclass(frozen=True, slots=True)
class Observation:
    """One audit's answer on one standard or question, in its design stratum."""

    stratum: str
    applicable: bool
    met: bool


@dataclass(frozen=True, slots=True)
class StratumCount:
    """What one design stratum contributed: its audits, applicable answers, population
    size (after any collapsing of unaudited strata) and the weight of each audit."""

    stratum: str
    audits: int
    applicable: int
    size: float
    weight: float


@dataclass(frozen=True, slots=True)
class UnauditedGroup:
    """A RAG x priority group of the population with no audit at all: its size (in the
    population's units) and its share of the population, represented by the audits of
    the other priority level of its RAG."""

    group: str
    size: float
    share: float

    def words(self) -> str:
        """"Red priority-cohort cases" / "Red cases outside the priority cohorts"."""
        rag, _, level = self.group.partition("/")
        if level == "priority":
            return f"{rag.title()} priority-cohort cases"
        return f"{rag.title()} cases outside the priority cohorts"


@dataclass(frozen=True)
class Estimate:
    """Attributes:
        rate: the weighted compliance rate, None when the sample is insufficient.
        low, high: the interval at ``confidence``.
        effective_n: the n the interval was computed on, min(n*, Kish n, n).
        kish_n: Kish's effective n of the weights alone.
        applicable: answers that applied (the domain's sample size).
        audits: observations in the sample, applicable or not.
        unweighted: the plain share of "met" among applicable answers, for contrast.
        per_stratum: each design stratum's audits, size and weight.
        note: why there is no figure ("insufficient sample: ..."), else "".
        unaudited: RAG x priority groups with cases but no audit, whose cases the
            other priority level's audits stand for (the figure is flagged).
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
    kish_n: float | None = None
    per_stratum: tuple[StratumCount, ...] = ()
    unaudited: tuple[UnauditedGroup, ...] = ()

    @property
    def sufficient(self) -> bool:
        return self.rate is not None

    @property
    def flag(self) -> str:
        """Why a figure given should be read with care, in one sentence, else ""."""
        if not self.unaudited or not self.sufficient:
            return ""
        groups = "; ".join(f"{g.words()} ({100 * g.share:.0f}% of the population)"
                           for g in self.unaudited)
        return (f"flagged: no audit of {groups}, so the other audits of the same RAG "
                "stand for them")


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


def rag_of(stratum: str) -> str:
    """The RAG part of a design stratum (``red/priority/<area>``) or a plain RAG."""
    return stratum.split("/", 1)[0]


def group_of(stratum: str) -> str:
    """RAG x priority: the level unaudited and single-audit strata are pooled at."""
    return "/".join(stratum.split("/")[:2])


def _collapsed_sizes(sizes: Mapping[str, float], audited: Mapping[str, int]
                     ) -> dict[str, float]:
    """Each audited stratum's size plus its share of the unaudited strata's sizes of
    its RAG x priority (else its RAG). Sizes never fall below the audits."""
    result = {h: float(max(sizes.get(h, 0), n)) for h, n in audited.items() if n}
    for h, size in sizes.items():
        if size <= 0 or audited.get(h):
            continue
        for level in (group_of, rag_of):
            peers = [g for g in result if level(g) == level(h)]
            if peers:
                total = sum(sizes.get(g, 0) or result[g] for g in peers)
                for g in peers:
                    result[g] += size * (sizes.get(g, 0) or result[g]) / total
                break
    return result


def unaudited_groups(sizes: Mapping[str, float], audited: Mapping[str, int]
                     ) -> tuple[UnauditedGroup, ...]:
    """The RAG x priority groups of ``sizes`` holding cases but no audited stratum."""
    covered = {group_of(h) for h, n in audited.items() if n}
    missing: dict[str, float] = {}
    for h, size in sizes.items():
        if size > 0 and group_of(h) not in covered and "/" in h:
            missing[group_of(h)] = missing.get(group_of(h), 0.0) + size
    total = sum(s for s in sizes.values() if s > 0)
    return tuple(UnauditedGroup(g, n, n / total if total else 0.0)
                 for g, n in sorted(missing.items()))


def _insufficient(note: str, applicable: int, audits: int, unweighted: float | None,
                  confidence: float, per_stratum: tuple[StratumCount, ...] = (),
                  kish: float | None = None, effective: float | None = None) -> Estimate:
    return Estimate(None, None, None, None, effective, applicable, audits, unweighted,
                    confidence, f"insufficient sample: {note}", kish_n=kish,
                    per_stratum=per_stratum)


def _variance(by_stratum: Mapping[str, list[Observation]], sizes: Mapping[str, float],
              rate: float, total_x: float) -> tuple[float, bool]:
    """The linearised variance (module docstring) and whether it was a census."""
    variance = 0.0
    census = True
    singles: dict[str, list[float]] = {}
    for h, obs in by_stratum.items():
        n_h, size = len(obs), sizes[h]
        fpc = max(0.0, 1 - n_h / size)
        census &= fpc == 0
        t = [size / n_h * ((o.applicable and o.met) - rate * o.applicable) / total_x
             for o in obs]
        if n_h == 1:
            if fpc > 0:
                singles.setdefault(group_of(h), []).extend(t)
            continue
        mean = sum(t) / n_h
        variance += fpc * n_h / (n_h - 1) * sum((v - mean) ** 2 for v in t)
    for level in (lambda g: g, rag_of, lambda g: ""):
        pooled: dict[str, list[float]] = {}
        for g, values in singles.items():
            pooled.setdefault(level(g), []).extend(values)
        singles = {}
        for g, values in pooled.items():
            if len(values) == 1:
                singles[g] = values
                continue
            mean = sum(values) / len(values)
            k = len(values)
            variance += k / (k - 1) * sum((v - mean) ** 2 for v in values)
    variance += sum(v[0] ** 2 for v in singles.values())
    return max(variance, 0.0), census


def stratified_rate(observations: Iterable[Observation], stratum_sizes: Mapping[str, float],
                    confidence: float = 0.95, *, min_audits: int = MIN_AUDITS,
                    min_effective_n: float = MIN_EFFECTIVE_N) -> Estimate:
    """The weighted rate over the population whose stratum sizes are ``stratum_sizes``."""
    by_stratum: dict[str, list[Observation]] = {}
    for obs in observations:
        by_stratum.setdefault(obs.stratum, []).append(obs)
    audits = sum(len(v) for v in by_stratum.values())
    applicable = sum(o.applicable for v in by_stratum.values() for o in v)
    met = sum(o.applicable and o.met for v in by_stratum.values() for o in v)
    unweighted = met / applicable if applicable else None
    per_rag: dict[str, float] = {}
    for h, size in stratum_sizes.items():
        per_rag[rag_of(h)] = per_rag.get(rag_of(h), 0) + size
    audited_rag: dict[str, int] = {}
    for h, rows in by_stratum.items():
        audited_rag[rag_of(h)] = audited_rag.get(rag_of(h), 0) + len(rows)
        per_rag.setdefault(rag_of(h), 0)
    for rag in sorted(per_rag):
        n_rag = audited_rag.get(rag, 0)
        if (per_rag[rag] > 0 or n_rag) and n_rag < MIN_PER_STRATUM:
            return _insufficient(f"{rag.title()} stratum has {n_rag} audit"
                                 f"{'s' * (n_rag != 1)} (needs {MIN_PER_STRATUM})",
                                 applicable, audits, unweighted, confidence)
    if applicable == 0:
        return _insufficient("no answer applied", 0, audits, None, confidence)
    sizes = _collapsed_sizes(stratum_sizes, {h: len(v) for h, v in by_stratum.items()})
    weights = {h: sizes[h] / len(obs) for h, obs in by_stratum.items()}
    per_stratum = tuple(StratumCount(h, len(obs), sum(o.applicable for o in obs), sizes[h],
                                     weights[h]) for h, obs in sorted(by_stratum.items()))
    total_y = sum(weights[h] * sum(o.applicable and o.met for o in obs)
                  for h, obs in by_stratum.items())
    total_x = sum(weights[h] * sum(o.applicable for o in obs)
                  for h, obs in by_stratum.items())
    rate = total_y / total_x
    kish = total_x ** 2 / sum(weights[h] ** 2 * sum(o.applicable for o in obs)
                              for h, obs in by_stratum.items())
    variance, census = _variance(by_stratum, sizes, rate, total_x)
    exact = census and variance == 0
    design_n = rate * (1 - rate) / variance if variance > 0 else math.inf
    effective = None if exact else min(design_n, kish, float(applicable))
    # Before the census: a figure from 1 to 9 answers is not published, exact or not.
    if applicable < min_audits:
        return _insufficient(f"{applicable} applicable audit{'s' * (applicable != 1)} "
                             f"(needs {min_audits})", applicable, audits, unweighted,
                             confidence, per_stratum, kish, effective)
    unaudited = unaudited_groups(stratum_sizes, {h: len(v) for h, v in by_stratum.items()})
    if exact:
        return Estimate(rate, rate, rate, 0.0, None, applicable, audits, unweighted, confidence,
                        "every case in every stratum was audited", kish_n=kish,
                        per_stratum=per_stratum, unaudited=unaudited)
    assert effective is not None  # only an exact figure has none
    if effective < min_effective_n:
        return _insufficient(f"effective sample size {effective:.1f} (needs "
                             f"{min_effective_n:g})", applicable, audits, unweighted,
                             confidence, per_stratum, kish, effective)
    low, high = wilson(rate, effective, confidence)
    return Estimate(rate, low, high, math.sqrt(variance), effective, applicable, audits,
                    unweighted, confidence, kish_n=kish, per_stratum=per_stratum,
                    unaudited=unaudited)
