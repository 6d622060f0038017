"""Compliance across the whole open caseload, per standard, question and team.

Why rolling windows: one week of 25 audits gives an interval some 30 points wide;
4, 8 and 12 weeks pooled narrow it, and every figure carries its interval so nobody
reads a wide one as precise. A case audited twice within a window counts twice: the
population is case-weeks, and the four-week re-audit gap keeps that rare.

Per team: a team's figure uses the team's own stratum sizes and audits, and only when
every stratum the team holds has at least two audits; otherwise the team is listed
with "insufficient sample" and no number.

Scope of a figure: some questions belong to templates used for one stratum only (seed
003's visiting arrangements for Green cases). When a stratum was audited in the
period but never asked a question, the question does not apply there, and the figure
covers the other strata (``Figure.strata`` says which). A stratum with no audits at
all in the period stays in scope, so missing audits give "insufficient sample", never
a figure quietly narrowed to the strata that happened to be audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Team
from desktop.services.context import ServiceContext
from desktop.services.statistics.agreement import Agreement, agreement
from desktop.services.statistics.estimates import Estimate, Observation, stratified_rate
from desktop.services.statistics.observations import (
    AnswerRecord,
    AuditRecord,
    caseload_sizes,
    load_audits,
    outcome,
)

WINDOWS_WEEKS = (4, 8, 12)


@dataclass(frozen=True)
class Figure:
    """One weighted figure: ``key`` is a standard or question code."""

    key: str
    label: str
    estimate: Estimate
    strata: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeamFigures:
    team_id: str
    team_name: str
    audits: int
    figures: list[Figure]


@dataclass(frozen=True)
class ComplianceReport:
    start: dt.date
    end: dt.date
    audits: int
    stratum_sizes: dict[str, int]
    by_standard: list[Figure]
    by_question: list[Figure]
    by_team: list[TeamFigures]
    rag_agreement: Agreement


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
    """For each key, the strata it applies to (see the module docstring)."""
    audited = {a.stratum for a in audits if a.stratum is not None}
    asked: dict[str, set[str]] = {}
    for key, obs in _observations(audits, key_of).items():
        asked[key] = {o.stratum for o in obs}
    everything = set(strata) | audited
    return {key: frozenset(h for h in everything if h in seen or h not in audited)
            for key, seen in asked.items()}


def _figures(audits: Sequence[AuditRecord], sizes: Mapping[str, int],
             key_of: Callable[[AnswerRecord], str | None], labels: dict[str, str],
             confidence: float, scope: Scope) -> list[Figure]:
    figures = []
    for key, obs in sorted(_observations(audits, key_of).items()):
        strata = scope.get(key, frozenset(sizes))
        in_scope = {h: n for h, n in sizes.items() if h in strata}
        estimate = stratified_rate([o for o in obs if o.stratum in strata], in_scope,
                                   confidence)
        figures.append(Figure(key, labels.get(key, key), estimate, tuple(sorted(
            h for h in strata if in_scope.get(h, 0) > 0 or any(o.stratum == h for o in obs)))))
    return figures


def compliance(audits: Sequence[AuditRecord], sizes: Mapping[str, int],
               team_sizes: Mapping[str, Mapping[str, int]], start: dt.date, end: dt.date,
               team_names: Mapping[str, str] | None = None, confidence: float = 0.95
               ) -> ComplianceReport:
    """The report for ``audits`` (pure: the caller supplies stratum sizes)."""
    labels = {a.question_code: a.question_text for r in audits for a in r.answers}

    def standard_of(a: AnswerRecord) -> str | None:
        return a.standard_code

    def question_of(a: AnswerRecord) -> str | None:
        return a.question_code

    standard_scope = scopes(audits, standard_of, sizes)
    by_standard = _figures(audits, sizes, standard_of, {}, confidence, standard_scope)
    by_question = _figures(audits, sizes, question_of, labels, confidence,
                           scopes(audits, question_of, sizes))
    teams: dict[str, list[AuditRecord]] = {}
    for audit in audits:
        if audit.team_id is not None:
            teams.setdefault(audit.team_id, []).append(audit)
    names = team_names or {}
    by_team = [TeamFigures(team, names.get(team, team), len(team_audits),
                           _figures(team_audits, team_sizes.get(team, {}), standard_of, {},
                                    confidence, standard_scope))
               for team, team_audits in sorted(teams.items(),
                                               key=lambda kv: names.get(kv[0], kv[0]))]
    rag_pairs = [(a.auditor_rag, a.recorded_rag) for a in audits
                 if a.auditor_rag and a.recorded_rag]
    return ComplianceReport(start, end, len(audits), dict(sizes), by_standard, by_question,
                            by_team, agreement(rag_pairs, confidence=confidence))


def compliance_report(ctx: ServiceContext, start: dt.date, end: dt.date,
                      confidence: float = 0.95) -> ComplianceReport:
    """Weighted figures for finalised audits dated ``start`` to ``end`` inclusive."""
    if end < start:
        raise InputProblem(f"the period ends ({end}) before it starts ({start})")
    with ctx.store.read() as session:
        audits = load_audits(session, start, end)
        sizes, team_sizes = caseload_sizes(session, end)
        names = {t.id: t.name for t in session.scalars(select(Team))}
    return compliance(audits, sizes, team_sizes, start, end, names, confidence)


def rolling_reports(ctx: ServiceContext, end: dt.date | None = None,
                    weeks: Sequence[int] = WINDOWS_WEEKS) -> list[ComplianceReport]:
    """One report per window of ``weeks`` weeks ending on ``end`` (default today)."""
    end = end or ctx.today()
    reports = []
    for index, n in enumerate(weeks):
        ctx.report(index, len(weeks), f"{n}-week window")
        reports.append(compliance_report(ctx, end - dt.timedelta(weeks=n) +
                                         dt.timedelta(days=1), end))
    ctx.report(len(weeks), len(weeks), "done")
    return reports
