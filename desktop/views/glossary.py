"""The words that stay: terms of sampling, statistics and the council's process, explained.

Why a glossary and not plainer words everywhere: some terms are the right ones and a
QA officer reads them in the reports too ("weighted kappa", "effective sample size",
"stratum"); replacing them with a paraphrase on screen would make the screen and the
printed report disagree. So each such term stays, and wherever it appears on screen (a
label, a button, a group title, a column header, a cell) its tooltip explains it, from
this one list (desktop/views/accessible.py puts them there). docs/glossary.md is made
from the same list (``python -m desktop.views.glossary > docs/glossary.md``) and a test
checks that the two agree.

No Qt here: the list is words only.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache, lru_cache


@dataclass(frozen=True)
class Term:
    """Attributes:
        name: the term as the glossary heads it.
        meaning: what it means, in plain words (one short paragraph).
        matches: the words that show the term on screen (whole words, any case, a
            plural "s" allowed); the name itself when empty.
    """

    name: str
    meaning: str
    matches: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return self.matches or (self.name,)


TERMS: tuple[Term, ...] = (
    Term("Dip sample",
         "A few case records drawn at random each week from the auditor's service areas "
         "and audited against the practice standards, to see how practice is across the "
         "whole caseload. Each auditor's weekly sample is 25 cases by default: 10 Red, 10 "
         "Amber, 5 Green.",
         ("dip sample", "dip-sample", "dip-sampled", "weekly sample")),
    Term("RAG rating",
         "Red, Amber or Green: how worried the social worker is about the child, as "
         "recorded in the Vulnerability Tracking Tool (VTT). Red is the most worrying. "
         "An auditor gives their own RAG rating beside the one on the record.",
         ("RAG", "RAG rating")),
    Term("VTT",
         "The Vulnerability Tracking Tool: where the social worker records the child's "
         "RAG rating. A VTT review checks the rating again; for Green cases at least "
         "every six weeks, and whenever circumstances change.",
         ("VTT", "Vtt")),
    Term("Stratum",
         "One of the groups a sample is drawn from separately, so that each gets its "
         "share. The weekly sample has a Red, an Amber and a Green stratum (its quotas); "
         "the estimates use finer strata (RAG, priority cohort and area). Plural: strata.",
         ("stratum", "strata")),
    Term("Quota",
         "How many cases of each RAG rating an auditor's weekly sample asks for (10 Red, "
         "10 Amber and 5 Green unless Settings say otherwise).",
         ("quota",)),
    Term("Shortfall",
         "How many cases of a stratum's quota the draw could not find, because too few "
         "cases were eligible (audited in the last 4 weeks, or already sampled this "
         "week). The sample is topped up from another stratum and says so.",
         ("shortfall", "short by")),
    Term("Priority cohort",
         "The children drawn first because they are most at risk: unborn children, "
         "children on a child protection plan and care leavers (Settings can change "
         "the list).",
         ("priority cohort",)),
    Term("Cohort",
         "A child's legal status in the case system: child in need, child protection "
         "plan, child in care, care leaver, unborn, disabled children's service, "
         "fostering or special guardianship order (SGO).",
         ("cohort", "legal status")),
    Term("Estimate",
         "A percentage for the whole open caseload worked out from the audited sample, "
         "each audit counting for the cases it stands for. It is not a count of the "
         "audits: it comes with a 95% interval, because a different sample would give "
         "a slightly different figure.",
         ("estimate",)),
    Term("Census",
         "When every case of a group was audited, its figure is a count of the whole "
         "group rather than an estimate: there is no sampling error, and its interval is "
         "the figure itself.",
         ("census",)),
    Term("95% interval",
         "The range an estimate's true value lies in, 95 times out of 100: narrow when "
         "many audits support the figure, wide when few do. Also called a confidence "
         "interval.",
         ("95% interval", "confidence interval")),
    Term("Effective sample size",
         "How many audits of a simple random sample the audits behind a figure are worth, "
         "once their weights are taken into account; the interval rests on it. It is "
         "never more than the number of audits, and below 8 no figure is given. Written "
         "'effective n'.",
         ("effective sample size", "effective sample", "effective n")),
    Term("Insufficient sample",
         "Too few audits for a trustworthy figure, so none is shown: fewer than 10 "
         "applicable answers, an effective sample size below 8, or a RAG rating with "
         "fewer than 2 audits.",
         ("insufficient sample", "not enough pairs")),
    Term("Weighted kappa",
         "How far two ratings of the same cases agree beyond what chance would give, "
         "here the auditor's RAG rating against the one on the record: 1 is full "
         "agreement, 0 no better than chance. 'Weighted' (linear weights) counts Red "
         "against Green as a bigger disagreement than Red against Amber. It describes "
         "the audited sample, not the whole caseload.",
         ("weighted kappa", "kappa")),
    Term("Moderation",
         "A QA officer grades again a share of finalised audits (10% by default) without "
         "seeing the first grade, to check that auditors grade alike.",
         ("moderation", "moderated", "moderator")),
    Term("Open for comment",
         "After an audit is submitted, the worker and their manager may comment on it or "
         "query it for 72 hours; with no open query it then finalises by itself.",
         ("open for comment", "finalised", "queried")),
    Term("Concern of significant harm",
         "A worry, found while auditing, that a child is at risk of significant harm. It "
         "goes to the team manager at once with a deadline for a response, and to the "
         "Head of Service if none comes in time.",
         ("significant harm", "escalation", "escalated")),
    Term("RAG disagreement",
         "The auditor's RAG rating differs from the one on the record. It is discussed "
         "with the worker and team manager, next steps are agreed and recorded, and the "
         "rating on the record may change.",
         ("disagreement",)),
    Term("Exercise",
         "A themed dip sample run once (a theme, a cohort, a period, the audits in it), "
         "with an overall summary of quality at the end.",
         ("exercise",)),
    Term("Case tool",
         "The one-page record of an audit for the child's file, made only where there "
         "are actions or noted best practice, and sent to the allocated worker's "
         "manager.",
         ("case tool",)),
    Term("Practice standard",
         "What every case should show, checked by each audit: an up-to-date risk "
         "assessment, visits as often as the RAG rating asks, management oversight at "
         "least every 4 weeks, a VTT review on time.",
         ("practice standard", "standard")),
)


@cache
def _matcher() -> tuple[re.Pattern[str], dict[str, Term]]:
    """One pattern for every term's words (longest first, so "weighted kappa" wins over
    "kappa"), and the term of each word."""
    owner = {word.casefold(): term for term in TERMS for word in term.words}
    words = "|".join(re.escape(w) for w in sorted(owner, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({words})(?:e?s)?(?![\w-])", re.IGNORECASE), owner


@lru_cache(maxsize=4096)
def terms_in(text: str) -> list[Term]:
    """The glossary's terms that ``text`` shows, in the glossary's order (the ``&`` of a
    mnemonic ignored)."""
    bare = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not bare.strip():
        return []
    pattern, owner = _matcher()
    found = {owner[m.group(1).casefold()] for m in pattern.finditer(bare)}
    return [t for t in TERMS if t in found]


def explain(text: str) -> str:
    """What ``text``'s glossary terms mean, one paragraph each ("" when it has none)."""
    return "\n\n".join(f"{t.name}: {t.meaning}" for t in terms_in(text))


def markdown() -> str:
    """docs/glossary.md: every term and what it means."""
    lines = ["# Glossary", "",
             "The words DipSample keeps because they are the right ones, and what they "
             "mean. On screen, each is explained in the tooltip of the label, button, "
             "column or cell that shows it (made from the same list: "
             "desktop/views/glossary.py; regenerate this file with "
             "`python -m desktop.views.glossary > docs/glossary.md`).", ""]
    for term in TERMS:
        shown = ", ".join(f'"{w}"' for w in term.words)
        lines += [f"## {term.name}", "", term.meaning, "", f"On screen as: {shown}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown())
