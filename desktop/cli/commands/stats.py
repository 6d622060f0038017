"""``dipsample stats``: weighted compliance with 95% intervals, and RAG agreement.

Without ``--from`` it reports rolling windows of 4, 8 and 12 weeks ending ``--to``
(default today). ``--json`` prints ``{"windows": [...]}``; each window holds
``start``, ``end``, ``audits``, ``stratum_sizes``, ``by_standard``, ``by_question``,
``by_team`` and ``rag_agreement``, with ``population`` ("case-weeks"), ``weeks``,
``excluded`` (targeted audits, left out), ``assumed_design`` (audits with no
recorded design stratum), ``audits_by_week`` (every ISO week of the window with the
audits dated in it) and ``weeks_without_audits``; each figure holds ``key``,
``label``, ``rate``, ``low``, ``high``, ``applicable``, ``audits``, ``unweighted``,
``strata`` (the RAG strata it covers), ``population`` ("all open cases", or "Green
cases only" for a standard asked of Green cases only), ``effective_n`` (what the
interval rests on), ``kish_n``, ``per_stratum`` (each design stratum's ``audits``,
``applicable``, ``size`` in case-weeks and ``weight``), ``unaudited_groups`` (RAG x
priority groups with cases but no audit, their ``size`` and ``share``), ``flag``
(why a figure given should be read with care, else ""), ``sufficient`` and ``note``
("insufficient sample: ..." when there is no figure). ``rag_agreement.describes``
says that agreement and kappa describe the audited sample, not the caseload. The text
output says the same: a figure's population after its standard, its flag on the line
below, the assumed design and the weeks with audits under each window. See
docs/statistics.md.
"""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.commands.standards import iso_date
from desktop.cli.support import acting_context, emit, store_from
from desktop.errors import UserError
from desktop.services.statistics.agreement import Agreement, Kappa
from desktop.services.statistics.compliance import (
    ComplianceReport,
    Figure,
    compliance_report,
    rolling_reports,
)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("stats", parents=[common],
                                   help="weighted compliance figures with intervals")
    parser.add_argument("--from", dest="start", type=iso_date, default=None,
                        help="first audit date (default: rolling 4/8/12-week windows)")
    parser.add_argument("--to", dest="end", type=iso_date, default=None,
                        help="last audit date (default: today)")
    parser.add_argument("--all", dest="everything", action="store_true",
                        help="also every team's figures (the default lists the standards "
                        "and the RAG agreement of each window)")
    parser.set_defaults(handler=run)


#: What the agreement figures describe (issue 10, item 5): the audits as drawn, Red and
#: priority cases over-represented by design, with no weighting to the caseload.
AGREEMENT_SCOPE = ("the audited sample (unweighted; Red and priority cases are "
                   "over-represented by design), not the caseload")


def figure_json(figure: Figure) -> dict[str, Any]:
    e = figure.estimate
    return {"key": figure.key, "label": figure.label, "rate": e.rate, "low": e.low,
            "high": e.high, "standard_error": e.standard_error, "applicable": e.applicable,
            "audits": e.audits, "unweighted": e.unweighted, "strata": list(figure.strata),
            "population": figure.population,
            "effective_n": e.effective_n, "kish_n": e.kish_n, "sufficient": e.sufficient,
            "per_stratum": [{"stratum": c.stratum, "audits": c.audits,
                             "applicable": c.applicable, "size": c.size, "weight": c.weight}
                            for c in e.per_stratum],
            "unaudited_groups": [{"group": g.group, "size": g.size, "share": g.share}
                                 for g in e.unaudited],
            "flag": e.flag, "method": e.method, "note": e.note}


def kappa_json(k: Kappa) -> dict[str, Any]:
    return {"kappa": k.kappa, "standard_error": k.standard_error, "low": k.low, "high": k.high}


def agreement_json(a: Agreement) -> dict[str, Any]:
    return {"categories": list(a.categories), "pairs": a.pairs, "table": a.table,
            "percent": a.percent, "percent_low": a.percent_low, "percent_high": a.percent_high,
            "kappa": kappa_json(a.unweighted), "kappa_linear": kappa_json(a.linear),
            "kappa_quadratic": kappa_json(a.quadratic), "note": a.note,
            "describes": AGREEMENT_SCOPE}


def report_json(r: ComplianceReport) -> dict[str, Any]:
    return {"start": r.start, "end": r.end, "audits": r.audits,
            "stratum_sizes": r.stratum_sizes, "population": "case-weeks", "weeks": r.weeks,
            "excluded": r.excluded, "assumed_design": r.assumed_design,
            "audits_by_week": [{"week": w, "audits": n} for w, n in r.audits_by_week],
            "weeks_without_audits": r.weeks_without_audits,
            "by_standard": [figure_json(f) for f in r.by_standard],
            "by_question": [figure_json(f) for f in r.by_question],
            "by_team": [{"team_id": t.team_id, "team_name": t.team_name, "audits": t.audits,
                         "figures": [figure_json(f) for f in t.figures]} for t in r.by_team],
            "rag_agreement": agreement_json(r.rag_agreement)}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def figure_line(figure: Figure, indent: str = "  ") -> str:
    """A figure's line: its standard and, when it covers some RAGs only, which ones
    ("visit_f2f (Green cases only)"); a flag on a line of its own below."""
    e = figure.estimate
    shown = f"{figure.key} ({figure.population})" if figure.partial else figure.key
    if not e.sufficient:
        return f"{indent}{shown:<24} {e.note}"
    effective = "" if e.effective_n is None else f", effective n={e.effective_n:.0f}"
    line = (f"{indent}{shown:<24} {_pct(e.rate):>7}  95% CI {_pct(e.low)} to "
            f"{_pct(e.high)}  (n={e.applicable}{effective}, unweighted {_pct(e.unweighted)})")
    return f"{line}\n{indent}    {e.flag}" if e.flag else line


FIGURE_HEADER = (f"  {'standard':<24} {'rate':>7}  95% interval "
                 "(n = audits it applies to, effective n the interval rests on, "
                 "unweighted rate)")


def report_text(r: ComplianceReport, everything: bool = True) -> list[str]:
    """One window's text; without ``everything`` the teams are counted, not listed
    (a whole county's teams made stats print 374 lines)."""
    lines = [f"{r.start.isoformat()} to {r.end.isoformat()}: {r.audits} finalised audits; "
             "open caseload " + ", ".join(f"{k} {v}" for k, v in sorted(r.stratum_sizes.items()))
             + "; weighted to the caseload's case-weeks"]
    if r.excluded:
        lines.append(f"  {r.excluded} audits of targeted samples are left out of these "
                     "figures (their chance of selection is not known)")
    figures = [figure_line(f) for f in r.by_standard]
    lines += [FIGURE_HEADER, *figures] if figures else ["  no scored answers"]
    designed = r.audits - r.excluded
    if r.assumed_design:
        lines.append(f"  assumed design: {r.assumed_design} of {designed} audits had no "
                     "design stratum recorded at the draw and are placed where the weekly "
                     "draw would have put them")
    if r.audits_by_week:
        lines.append("  audits by week: " + ", ".join(f"{w} {n}" for w, n in r.audits_by_week)
                     + (f"; weeks with no audits: {', '.join(r.weeks_without_audits)}"
                        if r.weeks_without_audits else ""))
    if everything:
        for team in r.by_team:
            lines.append(f"  team {team.team_name} ({team.audits} audits)")
            lines += [figure_line(f, "    ") for f in team.figures]
    elif r.by_team:
        lines.append(f"  {len(r.by_team)} teams with audits (--all lists each team's figures)")
    a = r.rag_agreement
    lines.append(f"  RAG agreement and kappa describe {AGREEMENT_SCOPE}:")
    if a.note and a.percent is None:
        lines.append(f"  RAG agreement: {a.note}")
    else:
        k = a.linear
        kappa = (f"weighted kappa (linear) {k.kappa:.2f}, 95% CI {k.low:.2f} to {k.high:.2f}"
                 if k.kappa is not None else a.note)
        lines.append(f"  RAG agreement: {_pct(a.percent)} of {a.pairs} "
                     f"(95% CI {_pct(a.percent_low)} to {_pct(a.percent_high)}); {kappa}")
    return lines


def run(args: argparse.Namespace) -> int:
    with store_from(args) as store:
        ctx = acting_context(store, args)
        end = args.end or ctx.today()
        if args.start is not None:
            if args.start > end:
                raise UserError("--from is after --to")
            reports = [compliance_report(ctx, args.start, end)]
        else:
            reports = rolling_reports(ctx, end)
    emit(args, {"windows": [report_json(r) for r in reports]},
         lambda: "\n\n".join("\n".join(report_text(r, args.everything)) for r in reports))
    return 0
