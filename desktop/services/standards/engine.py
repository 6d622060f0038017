"""Each practice standard's due date, last-met date and status for a case on a date.

The rules (DOMAIN.md, seeds 001 and 003), every number from :class:`StandardsSettings`:

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

Statuses: ``met`` (due later than the reminder window), ``due_soon`` (within
``reminder_working_days`` working days of the due date, including due today),
``overdue`` (the due date has passed; ``overdue_days`` counts calendar days), and
``not_applicable``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from desktop.models.enums import Rag
from desktop.services.standards.facts import CaseFacts, RagChange
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


@dataclass(frozen=True, slots=True)
class StandardResult:
    """Attributes:
        due: when the standard must next be met (None when not applicable or no record).
        last_met: the last date it was met on or before the date asked about.
        overdue_days: calendar days past ``due`` when overdue, else None.
        basis: a short plain-English line on the rule applied (no personal data).
    """

    standard: str
    status: str
    due: dt.date | None
    last_met: dt.date | None
    overdue_days: int | None = None
    basis: str = ""


@dataclass(frozen=True, slots=True)
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
        return any(r.status == Status.OVERDUE for r in self.results)

    def result(self, standard: str) -> StandardResult:
        return next(r for r in self.results if r.standard == standard)


@lru_cache(maxsize=8192)
def _reminder_start(due: dt.date, working_days: int, region: str) -> dt.date:
    return add_working_days(due, -working_days, region)


def _status(standard: str, due: dt.date | None, last: dt.date | None, as_of: dt.date,
            settings: StandardsSettings, basis: str) -> StandardResult:
    if due is None:
        return StandardResult(standard, Status.OVERDUE.value, None, last, None,
                              basis + "; no record")
    if as_of > due:
        return StandardResult(standard, Status.OVERDUE.value, due, last, (as_of - due).days,
                              basis)
    start = _reminder_start(due, settings.reminder_working_days, settings.bank_holiday_region)
    status = Status.DUE_SOON if as_of >= start else Status.MET
    return StandardResult(standard, status.value, due, last, None, basis)


def _na(standard: str, last: dt.date | None) -> StandardResult:
    return StandardResult(standard, Status.NOT_APPLICABLE.value, None, last)


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


def _rank(rag: str | None) -> int:
    return Rag(rag).rank if rag in Rag._value2member_map_ else 0


def last_step_up_after(day: dt.date | None, changes: tuple[RagChange, ...]) -> dt.date | None:
    for change in reversed(changes):
        if day is not None and change.on <= day:
            return None
        if _rank(change.rag_to) > _rank(change.rag_from):
            return change.on
    return None


def recently_stepped_down(facts: CaseFacts, as_of: dt.date, within_days: int) -> bool:
    """A step-down to Green from Red or Amber within the last ``within_days`` days."""
    for change in reversed(facts.rag_changes):
        if (as_of - change.on).days > within_days:
            return False
        if change.rag_to == Rag.GREEN and change.rag_from in (Rag.RED, Rag.AMBER):
            return True
    return False


def is_complex_green(facts: CaseFacts, as_of: dt.date, settings: StandardsSettings) -> bool:
    if facts.rag != Rag.GREEN:
        return False
    return (facts.cohort in settings.complex_cohorts
            or not facts.flags.isdisjoint(settings.complex_flags)
            or recently_stepped_down(facts, as_of, settings.stepped_down_recent_days))


def _days_for(visit_days: Mapping[str, int]) -> Callable[[str | None], int]:
    longest = max(visit_days.values())

    def interval(rag: str | None) -> int:
        return visit_days.get(rag, longest) if rag is not None else longest

    return interval


def evaluate(facts: CaseFacts, as_of: dt.date, settings: StandardsSettings) -> CaseStandards:
    """Every standard for one case on ``as_of`` (pure: no database, no clock)."""
    rag = facts.rag
    changes = facts.rag_changes
    visit_interval = _days_for(settings.visit_days)
    results: list[StandardResult] = []

    if rag in settings.visit_days:
        due = interval_due(facts.last_f2f, facts.opened_on, changes, rag, visit_interval)
        results.append(_status(Standard.VISIT_F2F.value, due, facts.last_f2f, as_of, settings,
                               f"{rag}: face-to-face every {settings.visit_days[rag]} days"))
    else:
        results.append(StandardResult(Standard.VISIT_F2F.value, Status.OVERDUE.value, None,
                                      facts.last_f2f, None, "no RAG rating on record"))

    complex_green = is_complex_green(facts, as_of, settings)
    last_sw = None
    for by in settings.complex_green_visit_by:
        seen = facts.last_f2f_by.get(by)
        if seen is not None and (last_sw is None or seen > last_sw):
            last_sw = seen
    if complex_green:
        complex_days = dict(settings.visit_days)
        complex_days[Rag.GREEN.value] = min(settings.complex_green_visit_days,
                                            settings.visit_days[Rag.GREEN.value])
        due = interval_due(last_sw, facts.opened_on, changes, rag, _days_for(complex_days))
        results.append(_status(
            Standard.VISIT_COMPLEX_GREEN.value, due, last_sw, as_of, settings,
            f"green but complex: seen by {'/'.join(settings.complex_green_visit_by)} "
            f"every {complex_days[Rag.GREEN.value]} days"))
    else:
        results.append(_na(Standard.VISIT_COMPLEX_GREEN.value, last_sw))

    last_vtt = facts.last_vtt_review
    if changes and (last_vtt is None or changes[-1].on > last_vtt):
        last_vtt = changes[-1].on
    if rag == Rag.GREEN:
        anchor = last_vtt if last_vtt is not None else facts.opened_on
        due = anchor + dt.timedelta(days=settings.vtt_review_days) if anchor else None
        results.append(_status(Standard.VTT_REVIEW.value, due, last_vtt, as_of, settings,
                               f"green: VTT review every {settings.vtt_review_days} days"))
    else:
        results.append(_na(Standard.VTT_REVIEW.value, last_vtt))

    anchor = facts.last_oversight if facts.last_oversight is not None else facts.opened_on
    due = anchor + dt.timedelta(days=settings.oversight_days) if anchor else None
    basis = f"oversight every {settings.oversight_days} days"
    if due is not None and settings.oversight_after_step_up_days is not None:
        stepped = last_step_up_after(facts.last_oversight, changes)
        if stepped is not None:
            sooner = stepped + dt.timedelta(days=settings.oversight_after_step_up_days)
            if sooner < due:
                due = sooner
                basis += f"; within {settings.oversight_after_step_up_days} days of a step-up"
    results.append(_status(Standard.OVERSIGHT.value, due, facts.last_oversight, as_of, settings,
                           basis))

    last_ra = facts.last_risk_assessment
    anchor = last_ra if last_ra is not None else facts.opened_on
    due = anchor + dt.timedelta(days=settings.risk_assessment_days) if anchor else None
    results.append(_status(Standard.RISK_ASSESSMENT.value, due, last_ra, as_of, settings,
                           f"risk assessment reviewed every {settings.risk_assessment_days} "
                           "days"))

    return CaseStandards(facts.case_id, facts.case_ref, rag, complex_green,
                         facts.service_area_id, facts.team_id, facts.worker_id, tuple(results))
