"""Compliance figures from finalised audits in a real store, and rolling windows."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.models import (
    Audit,
    AuditAnswer,
    AuditTemplate,
    Sample,
    SampleItem,
    TemplateQuestion,
)
from desktop.services.context import ServiceContext
from desktop.services.statistics.compliance import (
    Minimums,
    compliance,
    compliance_report,
    rolling_reports,
)
from desktop.services.statistics.observations import AnswerRecord, AuditRecord, load_audits
from tests.unit.services.sampling.caseload import Caseload

D = dt.date
#: These tests check the arithmetic on a handful of audits, below the publishing
#: minimums (tested in test_estimates.py and below).
ANY_SIZE = Minimums(audits=0, effective_n=0)


def record(stratum: str, value: str, team: str = "t1", code: str = "q_visit") -> AuditRecord:
    answer = AnswerRecord(code, "Visits as required?", "visit_f2f", "standard", value)
    return AuditRecord("a", "c", team, "w", "area", stratum, D(2026, 11, 2), stratum, stratum,
                       (answer,))


def test_weighted_figure_differs_from_the_plain_share() -> None:
    audits = ([record("red", "met")] * 3 + [record("red", "not_met")] * 7
              + [record("green", "met")] * 4 + [record("green", "partly_met")])
    report = compliance(audits, {"red": 100, "green": 900}, {}, D(2026, 11, 1),
                        D(2026, 11, 30), minimums=ANY_SIZE)
    [figure] = report.by_standard
    # 0.1 * 0.3 + 0.9 * 0.8 = 0.75, against a plain 7/15.
    assert figure.key == "visit_f2f"
    assert figure.estimate.rate == pytest.approx(0.75)
    assert figure.estimate.unweighted == pytest.approx(7 / 15)
    [question] = report.by_question
    assert question.label == "Visits as required?"


def test_team_with_a_thin_stratum_is_insufficient() -> None:
    audits = ([record("red", "met", "t1")] * 3 + [record("green", "met", "t1")]
              + [record("red", "met", "t2")] * 2 + [record("green", "not_met", "t2")] * 2)
    sizes = {"t1": {"red": 10, "green": 40}, "t2": {"red": 5, "green": 20}}
    report = compliance(audits, {"red": 15, "green": 60}, sizes, D(2026, 11, 1),
                        D(2026, 11, 30), {"t1": "Alpha", "t2": "Beta"}, minimums=ANY_SIZE)
    alpha, beta = report.by_team
    assert alpha.team_name == "Alpha"
    assert alpha.figures[0].estimate.note == (
        "insufficient sample: Green stratum has 1 audit (needs 2)")
    assert beta.figures[0].estimate.rate == pytest.approx(5 / 25 * 1 + 20 / 25 * 0)


@pytest.fixture
def world(store):  # type: ignore[no-untyped-def]
    load = Caseload(store)
    reds = load.cases_of(20, "red")
    greens = load.cases_of(80, "green")
    auditor = load.auditor("am-north", "North")
    with store.transaction() as session:
        template = AuditTemplate(code="t", title="t")
        session.add(template)
        session.flush()
        q_visit = TemplateQuestion(template_id=template.id, code="q_visit", text="Visits?",
                                   answer_type="standard", standard_code="visit_f2f")
        q_over = TemplateQuestion(template_id=template.id, code="q_over", text="Oversight?",
                                  answer_type="yes_no", standard_code="oversight")
        q_text = TemplateQuestion(template_id=template.id, code="q_text", text="Notes",
                                  answer_type="text")
        session.add_all([q_visit, q_over, q_text])
        session.flush()

        def audit(case_id: str, on: dt.date, visit: str, over: str, status: str = "finalised",
                  deleted: bool = False, auditor_rag: str = "red", recorded: str = "red"
                  ) -> None:
            a = Audit(case_id=case_id, auditor_id=auditor, template_id=template.id,
                      status=status, audit_date=on, deleted=deleted, recorded_rag=recorded,
                      auditor_rag=auditor_rag)
            session.add(a)
            session.flush()
            session.add_all([AuditAnswer(audit_id=a.id, question_id=q_visit.id, value=visit),
                             AuditAnswer(audit_id=a.id, question_id=q_over.id, value=over),
                             AuditAnswer(audit_id=a.id, question_id=q_text.id, value="x")])

        recent = D(2026, 11, 16)
        for i, case in enumerate(reds[:4]):
            audit(case, recent, "met" if i < 2 else "not_met", "yes")
        for i, case in enumerate(greens[:4]):
            audit(case, recent, "met" if i < 3 else "not_applicable", "no", auditor_rag="amber",
                  recorded="green")
        audit(reds[5], recent, "not_met", "no", status="open_for_comment")
        audit(reds[6], recent, "not_met", "no", deleted=True)
        old = D(2026, 9, 28)  # 8 weeks and a day before 23 November
        for case in greens[10:13]:
            audit(case, old, "not_met", "no", recorded="green", auditor_rag="green")
    return store


def test_report_from_the_store_counts_only_finalised_audits(world) -> None:  # type: ignore[no-untyped-def]
    ctx = ServiceContext(store=world)
    report = compliance_report(ctx, D(2026, 11, 1), D(2026, 11, 30), minimums=ANY_SIZE)
    assert report.audits == 8 and report.assumed_design == 8
    assert report.stratum_sizes == {"red": 20, "green": 80}
    figures = {f.key: f.estimate for f in report.by_standard}
    # Visits: Red 2 of 4 met, each audit standing for 5 cases: 10 of 20. Green 3 met and
    # 1 not applicable, each standing for 20: 60 of an estimated 60 applicable.
    # (10 + 60) / (20 + 60) = 0.875.
    assert figures["visit_f2f"].rate == pytest.approx(0.875)
    assert figures["visit_f2f"].applicable == 7
    # Oversight: Red all yes, Green all no: 0.2.
    assert figures["oversight"].rate == pytest.approx(0.2)
    assert {f.key for f in report.by_question} == {"q_visit", "q_over"}
    agreement = report.rag_agreement
    assert agreement.pairs == 8 and agreement.percent == pytest.approx(0.5)


def test_rolling_windows_pool_more_weeks(world) -> None:  # type: ignore[no-untyped-def]
    ctx = ServiceContext(store=world, clock=lambda: dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC))
    four, eight, twelve = rolling_reports(ctx, minimums=ANY_SIZE)
    assert (four.start, four.end) == (D(2026, 10, 27), D(2026, 11, 23))
    assert (four.audits, eight.audits, twelve.audits) == (8, 8, 11)
    visits = {f.key: f.estimate for f in twelve.by_standard}["visit_f2f"]
    # Green: 3 met, 3 not met, 1 not applicable of 7 (weight 80/7); Red 2 of 4 (weight 5):
    # (10 + 3 * 80/7) / (20 + 6 * 80/7) = 0.5.
    assert visits.rate == pytest.approx(0.5)


def test_stratum_comes_from_the_draw_when_known(store) -> None:  # type: ignore[no-untyped-def]
    load = Caseload(store)
    [case] = load.cases_of(1, "green")
    auditor = load.auditor("a", "North")
    with store.transaction() as session:
        template = AuditTemplate(code="t", title="t")
        sample = Sample(auditor_id=auditor, iso_week="2026-W47")
        session.add_all([template, sample])
        session.flush()
        item = SampleItem(sample_id=sample.id, case_id=case, stratum="red", rag_at_draw="red")
        session.add(item)
        session.flush()
        session.add(Audit(case_id=case, auditor_id=auditor, template_id=template.id,
                          status="finalised", audit_date=D(2026, 11, 18), recorded_rag="amber",
                          sample_item_id=item.id))
    with store.read() as session:
        [record_] = load_audits(session, D(2026, 11, 1), D(2026, 11, 30))
    assert record_.stratum == f"red/other/{load.areas['North']}" and record_.assumed_design


def test_design_stratum_of_the_draw_is_used_and_targeted_audits_stay_out(store) -> None:  # type: ignore[no-untyped-def]
    load = Caseload(store)
    drawn, targeted = load.cases_of(2, "green")
    auditor = load.auditor("a", "North")
    with store.transaction() as session:
        template = AuditTemplate(code="t", title="t")
        weekly = Sample(auditor_id=auditor, iso_week="2026-W47")
        themed = Sample(auditor_id=auditor, iso_week="2026-W47", kind="targeted")
        session.add_all([template, weekly, themed])
        session.flush()
        items = [SampleItem(sample_id=weekly.id, case_id=drawn, stratum="amber",
                            rag_at_draw="amber", selection_probability=0.25,
                            design_stratum="amber/priority/X"),
                 SampleItem(sample_id=themed.id, case_id=targeted, stratum="targeted",
                            rag_at_draw="green")]
        session.add_all(items)
        session.flush()
        session.add_all([Audit(case_id=item.case_id, auditor_id=auditor,
                               template_id=template.id, status="finalised",
                               audit_date=D(2026, 11, 18), sample_item_id=item.id)
                         for item in items])
    with store.read() as session:
        records = {r.case_id: r for r in load_audits(session, D(2026, 11, 1), D(2026, 11, 30))}
    assert records[drawn].stratum == "amber/priority/X" and not records[drawn].assumed_design
    assert records[targeted].stratum is None
    report = compliance(list(records.values()), {}, {}, D(2026, 11, 1), D(2026, 11, 30))
    assert (report.audits, report.excluded) == (2, 1)


def test_a_green_only_question_covers_green_but_missing_audits_do_not_narrow() -> None:
    green_only = AnswerRecord("q_green", "Seen monthly by a social worker?",
                              "visit_complex_green", "standard", "met")
    def audit(stratum: str, answers: tuple[AnswerRecord, ...]) -> AuditRecord:
        return AuditRecord("a", "c", "t1", "w", "area", stratum, D(2026, 11, 2), stratum,
                           stratum, answers)

    audits = ([audit("red", (record("red", "met").answers[0],))] * 3
              + [audit("green", (green_only, record("green", "not_met").answers[0]))] * 3)
    report = compliance(audits, {"red": 100, "amber": 0, "green": 900}, {}, D(2026, 11, 1),
                        D(2026, 11, 30), minimums=ANY_SIZE)
    figures = {f.key: f for f in report.by_standard}
    assert figures["visit_complex_green"].strata == ("green",)
    assert figures["visit_complex_green"].estimate.rate == 1.0
    # Issue 24, item 5: a figure of Green cases only says so; Amber holds no case here,
    # so a figure of Red and Green covers every open case.
    assert figures["visit_complex_green"].population == "Green cases only"
    assert figures["visit_complex_green"].partial
    assert figures["visit_f2f"].population == "all open cases"
    assert not figures["visit_f2f"].partial
    assert figures["visit_f2f"].strata == ("green", "red")
    assert figures["visit_f2f"].estimate.rate == pytest.approx(0.1)
    # Amber holds cases but no audits at all: a question asked in Red and Green still
    # needs Amber audits before it gives a figure.
    report = compliance(audits, {"red": 100, "amber": 50, "green": 900}, {}, D(2026, 11, 1),
                        D(2026, 11, 30), minimums=ANY_SIZE)
    figures = {f.key: f for f in report.by_standard}
    assert figures["visit_f2f"].estimate.note == (
        "insufficient sample: Amber stratum has 0 audits (needs 2)")
    assert figures["visit_complex_green"].estimate.note.startswith("insufficient sample: Amber")
