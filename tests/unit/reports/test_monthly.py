"""The monthly QA report shows the statistics service's own numbers, read back by pypdf."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.errors import InputProblem
from desktop.models import (
    Audit,
    AuditAnswer,
    AuditTemplate,
    ExerciseSummary,
    Sample,
    SampleItem,
    TemplateQuestion,
)
from desktop.reports.monthly import interval, monthly_pdf, name, percent, populations_note
from desktop.services.context import ServiceContext
from desktop.services.reporting.monthly import parse_month
from desktop.services.statistics.compliance import compliance_report
from desktop.store import Store
from tests.unit.reports.hostile import read_pdf, squash
from tests.unit.reports.pages import marked_and_numbered
from tests.unit.services.county import demo_county
from tests.unit.services.sampling.caseload import Caseload

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    with demo_county(tmp_path_factory.mktemp("monthly"), cases=900, seed=3,
                     as_of=AS_OF) as ctx:
        yield ctx


def test_figures_equal_the_statistics_service(county: ServiceContext,
                                              tmp_path: Path) -> None:
    out = tmp_path / "monthly.pdf"
    data = monthly_pdf(county, "2026-10", out, key_messages="Visits <b>& oversight</b> improved")
    expected = compliance_report(county, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert data.current == expected
    assert expected.audits > 0 and expected.by_standard
    pdf = read_pdf(out)
    flat = pdf.squashed
    assert squash("Visits <b>& oversight</b> improved") in flat
    assert data.finalised_in_month > 0
    assert squash(f"{data.finalised_in_month:,} audits finalised in the month; the estimates "
                  f"rest on {expected.audits:,} finalised audits dated in the month") in flat
    sufficient = [f for f in expected.by_standard if f.estimate.sufficient]
    assert sufficient, "the demo month should give at least one figure"
    for figure in expected.by_standard:
        assert squash(name(figure)) in flat, figure.label
        if figure.estimate.sufficient:
            assert squash(percent(figure.estimate.rate)) in flat
            assert squash(interval(figure)) in flat
        else:
            assert "insufficient sample" in pdf.text
    assert "estimate" in pdf.text.lower()
    assert "Vtt" not in pdf.text and "VTT review" in pdf.text
    assert "stratum's share" not in pdf.text  # the design is RAG x priority x area
    # The census of the same month beside the estimates, each saying what it is.
    census = data.census
    assert census is not None and census.as_of == dt.date(2026, 10, 31)
    assert squash("a census, not an estimate") in flat
    assert squash("no sampling error") in flat
    assert squash(f"{census.cases:,} open cases") in flat
    assert "The census and the audit estimates side by side" in pdf.text
    for number, page in enumerate(pdf.pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pdf.pages)}" in page


def test_a_month_is_checked() -> None:
    assert parse_month("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    with pytest.raises(InputProblem):
        parse_month("2026-13")


def test_the_monthly_command_on_a_store_with_no_audits(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli.main import main
    from desktop.store import open_store

    open_store(db_path, prompt=None, create=True).close()

    messages = tmp_path / "messages.txt"
    messages.write_text("Oversight is better recorded.", encoding="utf-8")
    out = tmp_path / "m.pdf"
    code = main(["report", "monthly", "--month", "2026-10", "--messages", str(messages),
                 "-o", str(out), "--db", str(db_path)])
    assert code == 0, capsys.readouterr().err
    text = read_pdf(out).text
    assert "Oversight is better recorded." in text
    assert "0 audits finalised in the month" in text
    assert "No case was open on that day." in text
    assert "No finalised audits answered a standard this month." in text
    assert main(["report", "monthly", "--month", "October", "-o", str(out),
                 "--db", str(db_path)]) != 0
    assert "not a month like 2026-11" in capsys.readouterr().err


# -- a month built by hand: census and estimates of the same month --------------------


def _october(store: Store) -> ServiceContext:
    """A caseload in two areas (Tiny with 4 Green cases), audits finalised in October
    (Green ones asked about visits, every one about risk assessment; two finalised in
    November, one dated in September and finalised in October), a targeted sample and
    an exercise of the month."""
    load = Caseload(store)
    recent, stale = dt.date(2026, 10, 25), dt.date(2026, 6, 1)
    cases = {rag: load.cases_of(n, rag, last_f2f_visit=recent, last_oversight=stale,
                                last_vtt_review=recent, last_risk_assessment=recent)
             for rag, n in (("red", 20), ("amber", 20), ("green", 40))}
    load.cases_of(4, "green", "Tiny", last_f2f_visit=recent, last_risk_assessment=recent)
    auditor = load.auditor("qa-lead", "North")
    at = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)
    with store.transaction() as session:
        template = AuditTemplate(code="t", title="t")
        session.add(template)
        session.flush()
        ra = TemplateQuestion(template_id=template.id, code="q_ra", text="Risk assessment?",
                              answer_type="standard", standard_code="risk_assessment")
        f2f = TemplateQuestion(template_id=template.id, code="q_f2f", text="Visits?",
                               answer_type="standard", standard_code="visit_f2f")
        session.add_all([ra, f2f])
        session.flush()
        for rag, ids in cases.items():
            for n, case_id in enumerate(ids[:14]):
                finalised = at + dt.timedelta(days=14) if n < 2 and rag == "red" else at
                audit = Audit(case_id=case_id, auditor_id=auditor, template_id=template.id,
                              status="finalised", audit_date=dt.date(2026, 10, 6 + n),
                              recorded_rag=rag, auditor_rag=rag, finalised_at=finalised)
                session.add(audit)
                session.flush()
                session.add(AuditAnswer(audit_id=audit.id, question_id=ra.id,
                                        value="met" if n % 3 else "not_met"))
                if rag == "green":
                    session.add(AuditAnswer(audit_id=audit.id, question_id=f2f.id,
                                            value="met" if n % 4 else "partly_met"))
        session.add(Audit(case_id=cases["amber"][19], auditor_id=auditor,
                          template_id=template.id, status="finalised",
                          audit_date=dt.date(2026, 9, 29), recorded_rag="amber",
                          finalised_at=dt.datetime(2026, 10, 2, 9, tzinfo=dt.UTC)))
        themed = Sample(auditor_id=auditor, iso_week="2026-W42", kind="targeted",
                        criteria_json=json.dumps({"criteria": {"cohort": "care_leaver"},
                                                  "size": 2}))
        session.add(themed)
        session.flush()
        session.add_all([SampleItem(sample_id=themed.id, case_id=c, stratum="targeted")
                         for c in cases["red"][18:20]])
        session.add(ExerciseSummary(title="Care leavers' pathway plans",
                                    theme="Pathway plans (cohort: care leavers)",
                                    period_from=dt.date(2026, 10, 5),
                                    period_to=dt.date(2026, 10, 30), cases_seen=12,
                                    findings="Plans are current; chronologies are thin.",
                                    judgement="good"))
    noon = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    return ServiceContext(store=store, clock=lambda: noon)


def test_the_month_shows_the_census_beside_the_estimates(store: Store, tmp_path: Path) -> None:
    """Issue 24, item 4: the caseload's census and the audits' estimates of the same
    month, a Green-only figure saying it covers Green cases, a census cell of fewer than
    10 cases saying insufficient, the month's samples and exercises, and the audits
    finalised in the month counted by their finalisation."""
    ctx = _october(store)
    out = tmp_path / "october.pdf"
    data = monthly_pdf(ctx, "2026-10", out)
    pdf = read_pdf(out)
    said = " ".join(pdf.text.split())
    marked_and_numbered(pdf.pages)

    figures = {f.key: f for f in data.current.by_standard}
    visits = figures["visit_f2f"]
    assert visits.population == "Green cases only" and visits.estimate.sufficient
    assert figures["risk_assessment"].population == "all open cases"
    assert name(visits) == "Face-to-face visit (Green cases only)"
    assert f"Face-to-face visit (Green cases only) {percent(visits.estimate.rate)}" in said
    # Audits dated in October: 42; finalised in October: 40 of them (two were finalised
    # on 3 November) and the one dated 29 September.
    assert (data.current.audits, data.finalised_in_month) == (42, 41)
    assert ("October 2026: 41 audits finalised in the month; the estimates rest on 42 "
            "finalised audits dated in the month") in said

    census = data.census
    assert census is not None and census.as_of == dt.date(2026, 10, 31)
    assert census.cases == 84
    oversight = census.figure("oversight")
    assert oversight is not None and oversight.overall.rate == 0.0  # June: all late
    tiny = census.figure("visit_f2f")
    assert tiny is not None and tiny.by_area["Tiny"].note == (
        "insufficient: 4 cases (needs 10)") and tiny.by_area["Tiny"].rate is None
    assert "a census, not an estimate" in said and "no sampling error" in said
    assert "insufficient: 4 cases (needs 10)" in said
    vtt = census.figure("vtt_review")
    assert vtt is not None and vtt.population == "Green cases only"
    assert set(vtt.by_rag) == {"red", "amber", "green"} and not vtt.by_rag["red"].applicable
    # Side by side: the census of 31 October and October's estimate, each with whom
    # it covers.
    assert "Census: every open case on 31 Oct 2026" in said
    assert "Audit estimate for October 2026 (95% interval)" in said
    assert (f"{percent(visits.estimate.rate)} ({interval(visits)}); Green cases only"
            in said)
    # Trial item 8: a row whose two figures cover different cases says so, and which;
    # every census figure names its cases too.
    assert ("Not like for like: the census counts all open cases, the estimate covers "
            "Green cases only.") in said
    assert said.count("Not like for like") == sum(
        1 for key, f in figures.items()
        if (c := census.figure(key)) is not None and c.population != f.population)
    assert populations_note("Green cases only", "all open cases") == (
        "Not like for like: the census counts Green cases only, the estimate covers all "
        "open cases.")
    assert populations_note("all open cases", "all open cases") == ""
    assert "Effective sample size, in plain words" in said
    assert "Assumed design: 42 audits of 42 had no group recorded at the draw" in said
    assert "2026-W40 (0), 2026-W41 (18), 2026-W42 (21), 2026-W43 (3)" in said
    # The month's samples and exercises (seed 002: themes, cases seen, findings).
    assert [t.criteria for t in data.targeted] == ["cohort care_leaver"]
    assert "Care leavers' pathway plans" in said
    assert "Pathway plans (cohort: care leavers)" in said
    assert "Plans are current; chronologies are thin." in said
    [week] = [w for w in data.weeks if w.week == "2026-W41"]
    assert week.audits == 18 and week.finalised == 18
    assert [w.week for w in data.weeks] == ["2026-W40", "2026-W41", "2026-W42", "2026-W43",
                                            "2026-W44"]
