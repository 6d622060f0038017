"""A standard with nothing on record since the case opened (a blank cell in the export):
late, but said as "no record since opening", never a bare "late N days" counted from
the opening (trial report item 11), alike in the CLI, the case detail and the roll-ups."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from desktop.cli.commands.standards import _cell, rollup_json
from desktop.services.case_detail import status_text
from desktop.services.standards.engine import Standard, evaluate
from desktop.services.standards.facts import CaseFacts
from desktop.services.standards.rollups import Level, rollup
from desktop.services.standards.settings import StandardsSettings

D = dt.date
S = StandardsSettings()
OPENED = D(2022, 12, 1)
AS_OF = D(2026, 11, 30)


def facts(**kw: object) -> CaseFacts:
    base = CaseFacts(case_id="c1", case_ref="SYN-4", rag="green", cohort="cin",
                     flags=frozenset(), service_area_id="a", team_id="t", worker_id="w",
                     opened_on=OPENED, last_f2f=D(2026, 11, 20), last_f2f_by={},
                     last_oversight=D(2026, 11, 20), last_vtt_review=None,
                     last_risk_assessment=D(2026, 11, 20))
    return replace(base, **kw)


def test_blank_vtt_review_is_no_record_since_opening_not_late_days() -> None:
    case = evaluate(facts(), AS_OF, S)
    vtt = case.result(Standard.VTT_REVIEW.value)
    assert vtt.status == "overdue" and vtt.no_record and vtt.no_record_since == OPENED
    assert vtt.last_met is None and "nothing on record since the case opened" in vtt.basis
    days = (AS_OF - OPENED).days
    cell = _cell(case, Standard.VTT_REVIEW.value, AS_OF)
    assert cell == f"no record (open {days}d)" and "late" not in cell
    words = status_text(vtt.status, vtt.due, vtt.basis, vtt.no_record_since, AS_OF)
    assert words == f"No record since the case opened on 01/12/2022 ({days} days)"
    # A recorded visit that is late is still "late Nd" from its due date.
    late = evaluate(facts(last_f2f=D(2026, 9, 1)), AS_OF, S)
    assert not late.result(Standard.VISIT_F2F.value).no_record
    assert _cell(late, Standard.VISIT_F2F.value, AS_OF).startswith("late ")


def test_rollups_count_no_record_within_late() -> None:
    cases = [evaluate(facts(case_id=f"c{i}", case_ref=f"SYN-{i}",
                            last_vtt_review=None if i < 2 else D(2026, 11, 1)), AS_OF, S)
             for i in range(4)]
    [group] = rollup(cases, Level.TEAM)
    counts = group.by_standard[Standard.VTT_REVIEW.value]
    assert (counts.overdue, counts.no_record, counts.met + counts.due_soon) == (2, 2, 2)
    assert rollup_json(group)["by_standard"]["vtt_review"]["no_record"] == 2


def test_recently_opened_case_with_nothing_yet_is_not_late() -> None:
    young = evaluate(facts(opened_on=D(2026, 11, 1)), AS_OF, S)
    vtt = young.result(Standard.VTT_REVIEW.value)
    assert vtt.status in ("met", "due_soon") and not vtt.no_record
