"""The standards engine on hand-made facts: every rule around its boundaries."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from desktop.services.standards.engine import Standard, evaluate, interval_due
from desktop.services.standards.facts import CaseFacts, RagChange
from desktop.services.standards.settings import StandardsSettings

D = dt.date
S = StandardsSettings()


def facts(rag: str = "red", **kw: object) -> CaseFacts:
    base = CaseFacts(case_id="c1", case_ref="SYN-1", rag=rag, cohort="cin", flags=frozenset(),
                     service_area_id="a", team_id="t", worker_id="w", opened_on=D(2026, 1, 5),
                     last_f2f=None, last_f2f_by={}, last_oversight=None, last_vtt_review=None,
                     last_risk_assessment=None)
    return replace(base, **kw)


def result(f: CaseFacts, as_of: dt.date, standard: Standard, settings: StandardsSettings = S):
    return evaluate(f, as_of, settings).result(standard.value)


@pytest.mark.parametrize(("rag", "days"), [("red", 7), ("amber", 14), ("green", 42)])
def test_visit_interval_by_rag_due_today_is_not_overdue(rag: str, days: int) -> None:
    last = D(2026, 11, 2)
    f = facts(rag, last_f2f=last)
    due = last + dt.timedelta(days=days)
    today = result(f, due, Standard.VISIT_F2F)
    assert (today.status, today.due, today.last_met) == ("due_soon", due, last)
    after = result(f, due + dt.timedelta(days=1), Standard.VISIT_F2F)
    assert (after.status, after.overdue_days) == ("overdue", 1)


def test_due_tomorrow_is_due_soon_and_far_off_is_met() -> None:
    f = facts("green", last_f2f=D(2026, 10, 1))  # due 12 November 2026 (Thursday)
    assert result(f, D(2026, 11, 11), Standard.VISIT_F2F).status == "due_soon"
    # Seven working days before Thursday 12 November is Tuesday 3 November.
    assert result(f, D(2026, 11, 3), Standard.VISIT_F2F).status == "due_soon"
    assert result(f, D(2026, 11, 2), Standard.VISIT_F2F).status == "met"


def test_reminder_window_skips_christmas_bank_holidays() -> None:
    # Due Thursday 31 December 2026. Counting back 7 working days skips Monday 28
    # (Boxing Day observed) and Friday 25 (Christmas): the window opens Friday 18,
    # where a plain weekday count would open it on Tuesday 22.
    f = facts("green", last_f2f=D(2026, 11, 19))
    assert result(f, D(2026, 12, 18), Standard.VISIT_F2F).status == "due_soon"
    assert result(f, D(2026, 12, 17), Standard.VISIT_F2F).status == "met"


def test_reminder_window_length_is_configurable() -> None:
    f = facts("green", last_f2f=D(2026, 10, 1))  # due Thursday 12 November
    two = replace(S, reminder_working_days=2)
    assert result(f, D(2026, 11, 10), Standard.VISIT_F2F, two).status == "due_soon"
    assert result(f, D(2026, 11, 9), Standard.VISIT_F2F, two).status == "met"


def test_no_visit_on_record_starts_the_clock_at_opening() -> None:
    f = facts("red", opened_on=D(2026, 11, 2))
    assert result(f, D(2026, 11, 9), Standard.VISIT_F2F).status == "due_soon"
    r = result(f, D(2026, 11, 12), Standard.VISIT_F2F)
    assert (r.status, r.due, r.overdue_days, r.last_met) == ("overdue", D(2026, 11, 9), 3, None)
    unknown = result(facts("red", opened_on=None), D(2026, 11, 12), Standard.VISIT_F2F)
    assert (unknown.status, unknown.due) == ("overdue", None)


def test_step_up_mid_period_due_within_new_interval_of_the_change() -> None:
    # Green, seen 1 Nov; stepped up to Red on 20 Nov. L + 7 (8 Nov) lies before the
    # change, so the child is due within 7 days of the decision: 27 Nov.
    changes = (RagChange(D(2026, 11, 20), "green", "red"),)
    f = facts("red", last_f2f=D(2026, 11, 1), rag_changes=changes)
    r = result(f, D(2026, 11, 20), Standard.VISIT_F2F)
    assert (r.due, r.status) == (D(2026, 11, 27), "due_soon")
    assert result(f, D(2026, 11, 28), Standard.VISIT_F2F).overdue_days == 1


def test_step_up_never_makes_a_visit_later_than_already_due() -> None:
    # Green, seen 1 Oct: due 12 Nov. Stepped up to Amber on 10 Nov: 10 + 14 = 24 Nov is
    # later than 12 Nov, so 12 Nov stands.
    changes = (RagChange(D(2026, 11, 10), "green", "amber"),)
    f = facts("amber", last_f2f=D(2026, 10, 1), rag_changes=changes)
    assert result(f, D(2026, 11, 10), Standard.VISIT_F2F).due == D(2026, 11, 12)


def test_step_down_relaxes_from_the_last_visit() -> None:
    # Red, seen 2 Nov (due 9 Nov); stepped down to Green on 5 Nov: due 2 Nov + 42.
    changes = (RagChange(D(2026, 11, 5), "red", "green"),)
    f = facts("green", last_f2f=D(2026, 11, 2), rag_changes=changes)
    assert result(f, D(2026, 11, 20), Standard.VISIT_F2F).due == D(2026, 12, 14)


def test_step_down_after_step_up_keeps_the_later_date() -> None:
    # Green seen day 0 (1 Oct); Red on 31 Oct (due 7 Nov); Amber on 5 Nov: L + 14 is
    # 15 Oct, already past, so the Red date of 7 Nov stands rather than turning overdue.
    changes = (RagChange(D(2026, 10, 31), "green", "red"),
               RagChange(D(2026, 11, 5), "red", "amber"))
    f = facts("amber", last_f2f=D(2026, 10, 1), rag_changes=changes)
    assert result(f, D(2026, 11, 5), Standard.VISIT_F2F).due == D(2026, 11, 7)


def test_change_on_the_visit_day_counts_before_the_visit() -> None:
    changes = (RagChange(D(2026, 11, 2), "green", "red"),)
    f = facts("red", last_f2f=D(2026, 11, 2), rag_changes=changes)
    assert result(f, D(2026, 11, 3), Standard.VISIT_F2F).due == D(2026, 11, 9)


def test_interval_due_ignores_changes_before_the_visit() -> None:
    changes = (RagChange(D(2026, 9, 1), "green", "red"), RagChange(D(2026, 9, 20), "red", "amber"))
    due = interval_due(D(2026, 10, 1), None, changes, "amber", lambda r: {"amber": 14}[r])
    assert due == D(2026, 10, 15)


@pytest.mark.parametrize("flag", ["not_in_school", "missing", "exploitation", "reg_24",
                                  "stepped_down", "placement_with_parents"])
def test_green_with_a_seed_003_flag_is_complex(flag: str) -> None:
    f = facts("green", flags=frozenset({flag}), last_f2f=D(2026, 11, 1),
              last_f2f_by={"social_worker": D(2026, 11, 1)})
    r = result(f, D(2026, 11, 10), Standard.VISIT_COMPLEX_GREEN)
    assert (r.status, r.due) == ("met", D(2026, 11, 29))
    assert result(f, D(2026, 11, 30), Standard.VISIT_COMPLEX_GREEN).overdue_days == 1


def test_cp_plan_green_needs_a_social_worker_visit_monthly() -> None:
    # Last seen by a partner agency on 20 Nov; by the social worker on 1 Oct.
    f = facts("green", cohort="cp", last_f2f=D(2026, 11, 20),
              last_f2f_by={"partner_agency": D(2026, 11, 20), "social_worker": D(2026, 10, 1)})
    complex_visit = result(f, D(2026, 11, 20), Standard.VISIT_COMPLEX_GREEN)
    assert complex_visit.last_met == D(2026, 10, 1)
    assert (complex_visit.status, complex_visit.overdue_days) == ("overdue", 22)
    # The six-weekly visit by anyone is met by the partner's visit.
    assert result(f, D(2026, 11, 20), Standard.VISIT_F2F).status == "met"


def test_plain_green_and_red_have_no_complex_rule() -> None:
    assert result(facts("green"), D(2026, 11, 20),
                  Standard.VISIT_COMPLEX_GREEN).status == "not_applicable"
    red_cp = facts("red", cohort="cp")
    assert result(red_cp, D(2026, 11, 20), Standard.VISIT_COMPLEX_GREEN).status == "not_applicable"


def test_recent_step_down_makes_green_complex_for_one_review_cycle() -> None:
    changes = (RagChange(D(2026, 11, 1), "amber", "green"),)
    f = facts("green", rag_changes=changes, last_f2f_by={"social_worker": D(2026, 11, 1)})
    assert evaluate(f, D(2026, 12, 13), S).complex_green  # 42 days after
    assert not evaluate(f, D(2026, 12, 14), S).complex_green


def test_vtt_review_six_weekly_for_green_and_a_rag_change_counts() -> None:
    f = facts("green", last_vtt_review=D(2026, 9, 1))
    assert result(f, D(2026, 10, 13), Standard.VTT_REVIEW).status == "due_soon"
    assert result(f, D(2026, 10, 14), Standard.VTT_REVIEW).overdue_days == 1
    changed = replace(f, rag_changes=(RagChange(D(2026, 10, 1), "amber", "green"),))
    assert result(changed, D(2026, 10, 14), Standard.VTT_REVIEW).due == D(2026, 11, 12)
    assert result(facts("amber"), D(2026, 10, 14), Standard.VTT_REVIEW).status == "not_applicable"


def test_oversight_every_four_weeks_and_sooner_after_a_step_up() -> None:
    f = facts("amber", last_oversight=D(2026, 11, 2))
    assert result(f, D(2026, 11, 30), Standard.OVERSIGHT).status == "due_soon"
    assert result(f, D(2026, 12, 1), Standard.OVERSIGHT).overdue_days == 1
    stepped = replace(f, rag="red", rag_changes=(RagChange(D(2026, 11, 10), "amber", "red"),))
    r = result(stepped, D(2026, 11, 18), Standard.OVERSIGHT)
    assert (r.due, r.overdue_days) == (D(2026, 11, 17), 1)
    off = replace(S, oversight_after_step_up_days=None)
    assert result(stepped, D(2026, 11, 18), Standard.OVERSIGHT, off).due == D(2026, 11, 30)
    # A step-down does not bring oversight forward.
    down = replace(f, rag="green", rag_changes=(RagChange(D(2026, 11, 10), "amber", "green"),))
    assert result(down, D(2026, 11, 18), Standard.OVERSIGHT).due == D(2026, 11, 30)


def test_risk_assessment_must_be_on_file_and_recent() -> None:
    f = facts("amber", last_risk_assessment=D(2026, 10, 1))
    assert result(f, D(2026, 11, 12), Standard.RISK_ASSESSMENT).status == "due_soon"
    assert result(f, D(2026, 11, 13), Standard.RISK_ASSESSMENT).status == "overdue"
    missing = result(facts("amber", opened_on=D(2026, 1, 5)), D(2026, 11, 13),
                     Standard.RISK_ASSESSMENT)
    assert (missing.status, missing.last_met) == ("overdue", None)


def test_unrated_case_is_not_known_not_late() -> None:
    # Trial item 9: an unrated case's visit interval is not known, so it is neither
    # late nor in time; it is said in words and counted apart.
    r = result(facts(None), D(2026, 11, 13), Standard.VISIT_F2F)  # type: ignore[arg-type]
    assert r.status == "not_known" and "no RAG" in r.basis


def test_settings_change_the_intervals() -> None:
    strict = replace(S, visit_days={"red": 5, "amber": 10, "green": 30})
    f = facts("red", last_f2f=D(2026, 11, 2))
    assert result(f, D(2026, 11, 8), Standard.VISIT_F2F, strict).overdue_days == 1
