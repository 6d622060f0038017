"""Compliance across the whole open caseload, per standard, question and team.

Why rolling windows: one week of 25 audits gives an interval some 30 points wide;
4, 8 and 12 weeks pooled narrow it, and every figure carries its interval so nobody
reads a wide one as precise. The population of a window is case-weeks (each open case
once for every week of the window), and a case audited twice counts twice.

The strata are the draw's design strata (RAG x priority x area; docs/statistics.md),
so the weights undo the priority-first draw as well as the RAG quotas. Audits of
targeted samples stay out (``ComplianceReport.excluded``): nobody knows their chance
of selection.

Per team: a team's figure uses the team's own case-weeks per design stratum and its
audits; it needs the same minimums as any figure (audits, effective n, two audits in
every RAG the team holds), else "insufficient sample" and no number.

Scope of a figure: some questions belong to templates used for one RAG only (seed
003's visiting arrangements for Green cases). When a RAG was audited in the period
but never asked a question, the question does not apply there, and the figure covers
the other RAGs (``Figure.strata`` says which). A RAG with no audits at all in the
period stays in scope, so missing audits give "insufficient sample", never a figure
quietly narrowed to the RAGs that happened to be audited. A figure that covers some
RAGs only says so in words (``Figure.population``, "Green cases only"), wherever it is
printed (issue 24, item 5: "Visit f2f: 94.2%" read as caseload-wide).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Team
from desktop.services.auth import Permission, guard
from desktop.services.context import ServiceContext
from desktop.services.sampling.settings import load_sampling_settings
from desktop.services.sampling.weeks import week_of
from desktop.services.statistics.agreement import Agreement, agreement
from desktop.services.statistics.estimates import (
    MIN_AUDITS,
    MIN_EFFECTIVE_N,
    Estimate,
    Observation,
    rag_of,
    stratified_rate,
)
from desktop.services.statistics.observations import (
    AnswerRecord,
    AuditRecord,
    caseload_sizes,
    load_audits,
    open_by_rag,
    outcome,
)

WINDOWS_WEEKS = (4, 8, 12)


#: The RAGs in the order a report names them.
RAG_ORDER = ("red", "amber", "green")
#: ``Figure.population`` of a figure that covers every RAG of the caseload.
ALL_CASES = "all open cases"


def population_words(rags: Iterable[str]) -> str:
    """"Green cases only", "Red and Amber cases only": the RAGs a figure covers."""
    names = sorted(set(rags), key=lambda r: (RAG_ORDER.index(r) if r in RAG_ORDER else 9, r))
    words = [r.title() for r in names]
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{joined} cases only"


@dataclass(frozen=True)
class Figure:
    """One weighted figure: ``key`` is a standard or question code.

    Attributes:
        strata: the RAGs the figure covers.
        population: "all open cases", or the RAGs it covers in words ("Green cases
            only") when a standard is asked of some RAGs only.
    """

    key: str
    label: str
    estimate: Estimate
    strata: tuple[str, ...] = ()
    population: str = ALL_CASES

    @property
    def partial(self) -> bool:
        """Whether the figure covers some RAGs of the caseload only."""
        return self.population != ALL_CASES


@dataclass(frozen=True)
class TeamFigures:
    team_id: str
    team_name: str
    audits: int
    figures: list[Figure]


@dataclass(frozen=True)
class ComplianceReport:
    """Attributes:
        audits: finalised audits in the period, targeted ones included.
        stratum_sizes: open cases per RAG at the end of the period.
        excluded: audits left out of every figure (targeted samples).
        assumed_design: audits with no recorded design stratum, placed where the
            weekly draw would have put them.
        audits_by_week: for every ISO week the period touches, the audits of the
            estimates dated in it (0 for a week with none), oldest first.
        weeks: the length of the period in weeks (case-weeks = open cases x weeks).
        rag_agreement: describes the audited sample, not the caseload (unweighted).
    """

    start: dt.date
    end: dt.date
    audits: int
    stratum_sizes: dict[str, int]
    by_standard: list[Figure]
    by_question: list[Figure]
    by_team: list[TeamFigures]
    rag_agreement: Agreement
    excluded: int = 0
    assumed_design: int = 0
    weeks: float = 0.0
    audits_by_week: tuple[tuple[str, int], ...] = ()

    @property
    def weeks_without_audits(self) -> list[str]:
        return [week for week, n in self.audits_by_week if not n]


def _combined(answers: Iterable[AnswerRecord]) -> bool | None:
    """One audit's result on one standard: met only if every applicable answer is met."""
    results = [r for r in (outcome(a.answer_type, a.value) for a in answers) if r is not None]
    return None if not results else all(results)


Scope = dict[str, frozenset[str]]


def _observations(audits: Sequence[AuditRecord], key_of: Callable[[AnswerRecord], str | None]
                  ) -> dict[str, list[Observation]]:
    per_key: dict[str, list[Observation]] = {}
    for audit in audits:
        if audit.stratum is None:
            continue
        grouped: dict[str, list[AnswerRecord]] = {}
        for answer in audit.answers:
            key = key_of(answer)
            if key is not None:
                grouped.setdefault(key, []).append(answer)
        for key, answers in grouped.items():
            result = _combined(answers)
            per_key.setdefault(key, []).append(
                Observation(audit.stratum, result is not None, bool(result)))
    return per_key


def scopes(audits: Sequence[AuditRecord], key_of: Callable[[AnswerRecord], str | None],
           strata: Iterable[str]) -> Scope:
    """For each key, the RAGs it applies to (see the module docstring)."""
    audited = {rag_of(a.stratum) for a in audits if a.stratum is not None}
    asked: dict[str, set[str]] = {}
    for key, obs in _observations(audits, key_of).items():
        asked[key] = {rag_of(o.stratum) for o in obs}
    everything = {rag_of(h) for h in strata} | audited
    return {key: frozenset(h for h in everything if h in seen or h not in audited)
            for key, seen in asked.items()}


@dataclass(frozen=True)
class Minimums:
    """Below these a figure says "insufficient sample" (estimates.py)."""

    audits: int = MIN_AUDITS
    effective_n: float = MIN_EFFECTIVE_N


def _figures(audits: Sequence[AuditRecord], sizes: Mapping[str, float],
             key_of: Callable[[AnswerRecord], str | None], labels: dict[str, str],
             confidence: float, scope: Scope, minimums: Minimums,
             caseload_rags: frozenset[str]) -> list[Figure]:
    figures = []
    for key, obs in sorted(_observations(audits, key_of).items()):
        rags = scope.get(key, frozenset(rag_of(h) for h in sizes))
        population = (ALL_CASES if not rags or caseload_rags <= rags
                      else population_words(rags & caseload_rags or rags))
        in_scope = {h: n for h, n in sizes.items() if rag_of(h) in rags}
        estimate = stratified_rate([o for o in obs if rag_of(o.stratum) in rags], in_scope,
                                   confidence, min_audits=minimums.audits,
                                   min_effective_n=minimums.effective_n)
        covered = {rag_of(h) for h, n in in_scope.items() if n > 0}
        covered |= {rag_of(o.stratum) for o in obs if rag_of(o.stratum) in rags}
        figures.append(Figure(key, labels.get(key, key), estimate, tuple(sorted(covered)),
                              population))
    return figures


def _weeks(start: dt.date, end: dt.date, audits: Iterable[AuditRecord]
           ) -> tuple[tuple[str, int], ...]:
    """Every ISO week from ``start`` to ``end`` with the audits dated in it."""
    counts: dict[str, int] = {}
    day = start - dt.timedelta(days=start.weekday())
    while day <= end:
        counts[week_of(day)] = 0
        day += dt.timedelta(days=7)
    for audit in audits:
        if audit.audit_date is not None and week_of(audit.audit_date) in counts:
            counts[week_of(audit.audit_date)] += 1
    return tuple(counts.items())


def compliance(audits: Sequence[AuditRecord], sizes: Mapping[str, float],
               team_sizes: Mapping[str, Mapping[str, float]], start: dt.date, end: dt.date,
               team_names: Mapping[str, str] | None = None, confidence: float = 0.95,
               *, open_cases: Mapping[str, int] | None = None,
               minimums: Minimums | None = None) -> ComplianceReport:
    """The report for ``audits`` (pure: the caller supplies the population's sizes per
    design stratum, ``sizes``, overall and per team)."""
    minimums = minimums or Minimums()
    labels = {a.question_code: a.question_text for r in audits for a in r.answers}
    designed = [a for a in audits if a.stratum is not None]

    def standard_of(a: AnswerRecord) -> str | None:
        return a.standard_code

    def question_of(a: AnswerRecord) -> str | None:
        return a.question_code

    standard_scope = scopes(designed, standard_of, sizes)
    caseload_rags = frozenset({rag_of(h) for h, n in sizes.items() if n > 0}
                              | {rag_of(a.stratum) for a in designed if a.stratum})
    by_standard = _figures(designed, sizes, standard_of, {}, confidence, standard_scope,
                           minimums, caseload_rags)
    by_question = _figures(designed, sizes, question_of, labels, confidence,
                           scopes(designed, question_of, sizes), minimums, caseload_rags)
    teams: dict[str, list[AuditRecord]] = {}
    for audit in designed:
        if audit.team_id is not None:
            teams.setdefault(audit.team_id, []).append(audit)
    names = team_names or {}
    by_team = [TeamFigures(team, names.get(team, team), len(team_audits),
                           _figures(team_audits, team_sizes.get(team, {}), standard_of, {},
                                    confidence, standard_scope, minimums, caseload_rags))
               for team, team_audits in sorted(teams.items(),
                                               key=lambda kv: names.get(kv[0], kv[0]))]
    rag_pairs = [(a.auditor_rag, a.recorded_rag) for a in audits
                 if a.auditor_rag and a.recorded_rag]
    if open_cases is None:
        totals: dict[str, float] = {}
        for h, n in sizes.items():
            totals[rag_of(h)] = totals.get(rag_of(h), 0) + n
        open_cases = {h: round(n) for h, n in totals.items()}
    return ComplianceReport(start, end, len(audits), dict(open_cases), by_standard,
                            by_question, by_team, agreement(rag_pairs, confidence=confidence),
                            excluded=len(audits) - len(designed),
                            assumed_design=sum(a.assumed_design for a in designed),
                            weeks=((end - start).days + 1) / 7,
                            audits_by_week=_weeks(start, end, designed))


def compliance_report(ctx: ServiceContext, start: dt.date, end: dt.date,
                      confidence: float = 0.95, minimums: Minimums | None = None
                      ) -> ComplianceReport:
    """Weighted figures for finalised audits dated ``start`` to ``end`` inclusive.

    Read over the whole caseload whoever asks (``ctx.store``, not the person's scope):
    the estimate is of the council's caseload, and it holds counts, never a record.
    Printing reports is the permission it needs.
    """
    guard(ctx, Permission.REPORTS)
    if end < start:
        raise InputProblem(f"the period ends ({end}) before it starts ({start})")
    priority = load_sampling_settings().priority_cohorts
    weeks = ((end - start).days + 1) / 7
    with ctx.store.read() as session:
        audits = load_audits(session, start, end, priority)
        sizes, team_sizes = caseload_sizes(session, end, priority, weeks)
        open_cases = open_by_rag(session, end)
        names = {t.id: t.name for t in session.scalars(select(Team))}
    return compliance(audits, sizes, team_sizes, start, end, names, confidence,
                      open_cases=open_cases, minimums=minimums)


def rolling_reports(ctx: ServiceContext, end: dt.date | None = None,
                    weeks: Sequence[int] = WINDOWS_WEEKS, minimums: Minimums | None = None
                    ) -> list[ComplianceReport]:
    """One report per window of ``weeks`` weeks ending on ``end`` (default today)."""
    end = end or ctx.today()
    reports = []
    for index, n in enumerate(weeks):
        ctx.report(index, len(weeks), f"{n}-week window")
        reports.append(compliance_report(ctx, end - dt.timedelta(weeks=n) +
                                         dt.timedelta(days=1), end, minimums=minimums))
    ctx.report(len(weeks), len(weeks), "done")
    return reports
