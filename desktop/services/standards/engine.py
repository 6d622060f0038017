"""Each practice standard's due date, last-met date and status for a case on a date.

The rules (docs/domain.md, 'Practice standards'), every number from :class:`StandardsSettings`:

- ``visit_f2f``: a face-to-face visit every 7/14/42 days by RAG.
- ``visit_complex_green``: a Green case that is complex (CP plan, a seed 003 flag, or
  stepped down from Red/Amber recently) is seen at least monthly by a social worker;
  only visits by the configured visitors count.
- ``vtt_review``: Green cases have their VTT reviewed six-weekly; a RAG change is a
  review too ("whenever circumstances change").
- ``oversight``: management oversight every 4 weeks, sooner after a step-up.
- ``risk_assessment``: a risk assessment on file and no older than its interval.

**A RAG change mid-period.** The RAG in force governs the interval, and a change never
makes a child wait longer than the rule in force at each moment allowed:

- *Stepped up* (e.g. Green to Red on day X, last visit L): the visit is due on the
  earlier of the date already due and X + the new interval. The earlier date because
  stepping up must never push a visit later; X + interval, not L + interval, because a
  worker cannot be overdue on the day a case is stepped up for a visit that under the
  rating then in force was not yet due (L + 7 can lie before X). A practitioner reads
  this as "once a case goes Red, the child is seen within a week of that decision".
- *Stepped down* (e.g. Red to Green): the due date becomes the later of the date
  already due and L + the new interval. The visit cadence relaxes from the last visit,
  as the new rating allows, but a step-down never makes an earlier date *more* urgent.
- Changes are applied in date order after the last visit; a change on the visit day
  counts as made before the visit (the visit was made under the new rating).
- With no visit on record the clock starts at the case's opening date; with no opening
  date either, the standard is overdue with no due date ("no record").

**Nothing on record since opening** (docs/domain.md, "Nothing on record"). A field the
export carries but that is blank for a child is that child's "no record": the standard
asks for a visit (review, oversight, assessment) and none is recorded, so once the
interval from the opening has passed the standard is not met and counts as late in
every figure. It is never shown as a bare "late N days", which read as a visit that
happened and is overdue: the result carries ``no_record_since`` (the opening date) and
every reader says "no record since opening (N days)".

Statuses: ``met`` (due later than the reminder window), ``due_soon`` (within
``reminder_working_days`` working days of the due date, including due today),
``overdue`` (the due date has passed; ``overdue_days`` counts calendar days),
``not_applicable``, and ``not_known``: the standard applies but the export the cases
came from has no column it is computed from (a "visit by" column, say; see
:mod:`~desktop.services.standards.needs`), or the standard depends on a RAG rating the
case does not have (the face-to-face visit of an unrated case). Not known is never late
and never counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from desktop.models.enums import Rag
from desktop.services.standards.facts import CaseFacts, RagChange
from desktop.services.standards.needs import not_known, not_known_reason
from desktop.services.standards.settings import StandardsSettings
from desktop.services.working_days import add_working_days


class Standard(StrEnum):
    """Codes shared with ``TemplateQuestion.standard_code``."""

    VISIT_F2F = "visit_f2f"
    VISIT_COMPLEX_GREEN = "visit_complex_green"
    VTT_REVIEW = "vtt_review"
    OVERSIGHT = "oversight"
    RISK_ASSESSMENT = "risk_assessment"


class Status(StrEnum):
    MET = "met"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "not_applicable"
    #: The export has no column the standard is computed from.
    NOT_KNOWN = "not_known"


# Plain strings for the hot loop: an enum member's ``.value`` costs a descriptor call.
_F2F, _COMPLEX, _VTT, _OVERSIGHT, _RISK = (s.value for s in Standard)
_MET, _SOON, _OVERDUE, _NA, _NOT_KNOWN = (s.value for s in Status)
_RED, _AMBER, _GREEN = Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value
_RANK = {_RED: 3, _AMBER: 2, _GREEN: 1}
#: The basis of a RAG-dependent standard on a case with no RAG rating on record.
NO_RAG = "not known: no RAG rating on record"


@dataclass(slots=True)
class StandardResult:
    """Attributes:
        due: when the standard must next be met (None when not applicable or no record).
        last_met: the last date it was met on or before the date asked about.
        overdue_days: calendar days past ``due`` when overdue, else None.
        basis: a short plain-English line on the rule applied (no personal data).
        no_record_since: the case's opening date when nothing is on record for the
            standard and its due date is counted from the opening (None otherwise).
    """

    standard: str
    status: str
    due: dt.date | None
    last_met: dt.date | None
    overdue_days: int | None = None
    basis: str = ""
    no_record_since: dt.date | None = None

    @property
    def no_record(self) -> bool:
        """Late because nothing was ever recorded since the case opened."""
        return self.status == _OVERDUE and self.no_record_since is not None


@dataclass(slots=True)
class CaseStandards:
    case_id: str
    case_ref: str
    rag: str | None
    complex_green: bool
    service_area_id: str | None
    team_id: str | None
    worker_id: str | None
    results: tuple[StandardResult, ...]

    @property
    def overdue(self) -> bool:
        return any(r.status == _OVERDUE for r in self.results)

    def result(self, standard: str) -> StandardResult:
        return next(r for r in self.results if r.standard == standard)


@lru_cache(maxsize=8192)
def _reminder_start(due: dt.date, working_days: int, region: str) -> dt.date:
    return add_working_days(due, -working_days, region)


def _rag_at(day: dt.date, changes: tuple[RagChange, ...], current: str | None) -> str | None:
    rag = None
    for change in changes:
        if change.on <= day:
            rag = change.rag_to
        else:
            return rag if rag is not None else change.rag_from
    return rag if rag is not None else current


def interval_due(last: dt.date | None, opened: dt.date | None, changes: tuple[RagChange, ...],
                 current: str | None, interval: Callable[[str | None], int]) -> dt.date | None:
    """The next due date under the mid-period rule of the module docstring."""
    anchor = last if last is not None else opened
    if anchor is None:
        return None
    if not changes:
        return anchor + dt.timedelta(days=interval(current))
    rag = _rag_at(anchor, changes, current)
    days = interval(rag)
    due = anchor + dt.timedelta(days=days)
    for change in changes:
        if change.on <= anchor:
            continue
        new = interval(change.rag_to)
        if new < days:
            due = min(due, change.on + dt.timedelta(days=new))
        elif new > days:
            due = max(due, anchor + dt.timedelta(days=new))
        days = new
    return due


def last_step_up_after(day: dt.date | None, changes: tuple[RagChange, ...]) -> dt.date | None:
    for change in reversed(changes):
        if day is not None and change.on <= day:
            return None
        if _RANK.get(change.rag_to or "", 0) > _RANK.get(change.rag_from or "", 0):
            return change.on
    return None


def recently_stepped_down(facts: CaseFacts, as_of: dt.date, within_days: int) -> bool:
    """A step-down to Green from Red or Amber within the last ``within_days`` days."""
    for change in reversed(facts.rag_changes):
        if (as_of - change.on).days > within_days:
            return False
        if change.rag_to == _GREEN and change.rag_from in (_RED, _AMBER):
            return True
    return False


def _days_for(visit_days: Mapping[str, int]) -> Callable[[str | None], int]:
    longest = max(visit_days.values())
    table = dict(visit_days)

    def interval(rag: str | None) -> int:
        return table.get(rag, longest) if rag is not None else longest

    return interval


class Evaluator:
    """Every standard for one case on one date, with the settings' derived values
    computed once (the caseload pass calls :meth:`evaluate` 100,000 times)."""

    def __init__(self, settings: StandardsSettings, as_of: dt.date) -> None:
        self.settings = settings
        self.as_of = as_of
        self.visit_interval = _days_for(settings.visit_days)
        complex_days = dict(settings.visit_days)
        complex_days[_GREEN] = min(settings.complex_green_visit_days,
                                   settings.visit_days[_GREEN])
        self.complex_interval = _days_for(complex_days)
        self.complex_flags = frozenset(settings.complex_flags)
        self.complex_cohorts = frozenset(settings.complex_cohorts)
        self.vtt_days = dt.timedelta(days=settings.vtt_review_days)
        self.oversight_days = dt.timedelta(days=settings.oversight_days)
        self.step_up_days = (None if settings.oversight_after_step_up_days is None else
                             dt.timedelta(days=settings.oversight_after_step_up_days))
        self.risk_days = dt.timedelta(days=settings.risk_assessment_days)
        self.visit_basis = {rag: f"{rag}: face-to-face every {days} days"
                            for rag, days in settings.visit_days.items()}
        self.complex_basis = (f"green but complex: seen by "
                              f"{'/'.join(settings.complex_green_visit_by)} every "
                              f"{complex_days[_GREEN]} days")
        self.vtt_basis = f"green: VTT review every {settings.vtt_review_days} days"
        self.oversight_basis = f"oversight every {settings.oversight_days} days"
        self.step_up_basis = (f"{self.oversight_basis}; within "
                              f"{settings.oversight_after_step_up_days} days of a step-up")
        self.risk_basis = (f"risk assessment reviewed every {settings.risk_assessment_days} "
                           "days")
        self.reminder = settings.reminder_working_days
        self.region = settings.bank_holiday_region
        #: due date -> first day of its reminder window (a few hundred distinct dates).
        self.window_start: dict[dt.date, dt.date] = {}
        #: missing fields -> the standards they make not known (one entry in practice).
        self._unknown: dict[frozenset[str], frozenset[str]] = {}

    def unknown(self, gaps: frozenset[str]) -> frozenset[str]:
        """The standards the fields ``gaps`` (missing from the export) make not known."""
        found = self._unknown.get(gaps)
        if found is None:
            found = self._unknown[gaps] = not_known(gaps)
        return found

    def _not_known(self, results: list[StandardResult], gaps: frozenset[str]) -> None:
        """Replace the results of the standards the export cannot compute (those that
        apply: whether a standard applies is known from the RAG and the cohort)."""
        unknown = self.unknown(gaps)
        for index, result in enumerate(results):
            if result.standard in unknown and result.status != _NA:
                results[index] = StandardResult(result.standard, _NOT_KNOWN, None, None, None,
                                                not_known_reason(result.standard, gaps))

    def status(self, standard: str, due: dt.date | None, last: dt.date | None,
               basis: str, opened: dt.date | None = None) -> StandardResult:
        """``opened``: the case's opening date, which ``due`` is counted from when
        ``last`` is None (nothing on record)."""
        as_of = self.as_of
        if due is None:
            return StandardResult(standard, _OVERDUE, None, last, None, basis + "; no record")
        if as_of > due:
            if last is None and opened is not None:
                return StandardResult(standard, _OVERDUE, due, None, (as_of - due).days,
                                      basis + "; nothing on record since the case opened",
                                      opened)
            return StandardResult(standard, _OVERDUE, due, last, (as_of - due).days, basis)
        start = self.window_start.get(due)
        if start is None:
            start = self.window_start[due] = _reminder_start(due, self.reminder, self.region)
        return StandardResult(standard, _SOON if as_of >= start else _MET, due, last, None,
                              basis)

    def is_complex_green(self, facts: CaseFacts) -> bool:
        if facts.rag != _GREEN:
            return False
        return (facts.cohort in self.complex_cohorts
                or not facts.flags.isdisjoint(self.complex_flags)
                or recently_stepped_down(facts, self.as_of,
                                         self.settings.stepped_down_recent_days))

    def evaluate(self, facts: CaseFacts) -> CaseStandards:
        rag = facts.rag
        changes = facts.rag_changes
        opened = facts.opened_on
        status = self.status
        results: list[StandardResult] = []

        basis = self.visit_basis.get(rag) if rag is not None else None
        if basis is not None:
            due = interval_due(facts.last_f2f, opened, changes, rag, self.visit_interval)
            results.append(status(_F2F, due, facts.last_f2f, basis, opened))
        else:
            # The interval is the RAG's: with none on record it cannot be judged (not
            # known, counted apart), not late (docs/domain.md, "Nothing on record").
            results.append(StandardResult(_F2F, _NOT_KNOWN, None, facts.last_f2f, None,
                                          NO_RAG))

        complex_green = self.is_complex_green(facts)
        last_sw = None
        if facts.last_f2f_by:
            for by in self.settings.complex_green_visit_by:
                seen = facts.last_f2f_by.get(by)
                if seen is not None and (last_sw is None or seen > last_sw):
                    last_sw = seen
        if complex_green:
            due = interval_due(last_sw, opened, changes, rag, self.complex_interval)
            results.append(status(_COMPLEX, due, last_sw, self.complex_basis, opened))
        else:
            results.append(StandardResult(_COMPLEX, _NA, None, last_sw))

        last_vtt = facts.last_vtt_review
        if changes and (last_vtt is None or changes[-1].on > last_vtt):
            last_vtt = changes[-1].on
        if rag == _GREEN:
            anchor = last_vtt if last_vtt is not None else opened
            results.append(status(_VTT, anchor + self.vtt_days if anchor else None, last_vtt,
                                  self.vtt_basis, opened))
        else:
            results.append(StandardResult(_VTT, _NA, None, last_vtt))

        last_o = facts.last_oversight
        anchor = last_o if last_o is not None else opened
        due = anchor + self.oversight_days if anchor else None
        basis = self.oversight_basis
        if due is not None and changes and self.step_up_days is not None:
            stepped = last_step_up_after(last_o, changes)
            if stepped is not None and stepped + self.step_up_days < due:
                due = stepped + self.step_up_days
                basis = self.step_up_basis
        results.append(status(_OVERSIGHT, due, last_o, basis, opened))

        last_ra = facts.last_risk_assessment
        anchor = last_ra if last_ra is not None else opened
        results.append(status(_RISK, anchor + self.risk_days if anchor else None, last_ra,
                              self.risk_basis, opened))
        if facts.gaps:
            self._not_known(results, facts.gaps)

        return CaseStandards(facts.case_id, facts.case_ref, rag, complex_green,
                             facts.service_area_id, facts.team_id, facts.worker_id,
                             tuple(results))


def is_complex_green(facts: CaseFacts, as_of: dt.date, settings: StandardsSettings) -> bool:
    return Evaluator(settings, as_of).is_complex_green(facts)


def evaluate(facts: CaseFacts, as_of: dt.date, settings: StandardsSettings) -> CaseStandards:
    """Every standard for one case on ``as_of`` (pure: no database, no clock)."""
    return Evaluator(settings, as_of).evaluate(facts)
