"""``dipsample stats`` says what a figure covers (issue 24, item 5): a standard asked of
Green cases only is labelled so, and a team figure whose RAG x priority group had no
audit is flagged in the text and the JSON instead of borrowing silently."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.cli.main import main
from desktop.models import Audit, AuditAnswer, AuditTemplate, TemplateQuestion
from desktop.store import Store
from tests.unit.services.sampling.caseload import Caseload


def _audited(store: Store) -> None:
    """North: 6 Red child-protection cases (a priority cohort) never audited, and Red,
    Amber and Green other cases audited 12 times each in November; Green audits are
    asked about visits too."""
    load = Caseload(store)
    load.cases_of(6, "red", cohort="cp")
    cases = {rag: load.cases_of(n, rag) for rag, n in (("red", 20), ("amber", 20),
                                                       ("green", 30))}
    auditor = load.auditor("am-north", "North")
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
            for n, case_id in enumerate(ids[:12]):
                audit = Audit(case_id=case_id, auditor_id=auditor, template_id=template.id,
                              status="finalised", audit_date=dt.date(2026, 11, 2 + n),
                              recorded_rag=rag, auditor_rag=rag)
                session.add(audit)
                session.flush()
                session.add(AuditAnswer(audit_id=audit.id, question_id=ra.id,
                                        value="met" if n % 3 else "not_met"))
                if rag == "green":
                    session.add(AuditAnswer(audit_id=audit.id, question_id=f2f.id,
                                            value="met" if n % 4 else "not_met"))


def test_green_only_and_unaudited_groups_are_said(store: Store, db_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _audited(store)
    args = ["stats", "--db", str(db_path), "--from", "2026-11-02", "--to", "2026-11-15",
            "--all"]
    assert main([*args, "--json"]) == 0
    [window] = json.loads(capsys.readouterr().out)["windows"]
    overall = {f["key"]: f for f in window["by_standard"]}
    assert overall["visit_f2f"]["population"] == "Green cases only"
    assert overall["visit_f2f"]["strata"] == ["green"]
    assert overall["risk_assessment"]["population"] == "all open cases"
    [team] = window["by_team"]
    figures = {f["key"]: f for f in team["figures"]}
    risk = figures["risk_assessment"]
    assert risk["sufficient"] and risk["rate"] is not None
    assert [g["group"] for g in risk["unaudited_groups"]] == ["red/priority"]
    assert risk["unaudited_groups"][0]["share"] == pytest.approx(6 / 76)
    assert risk["flag"].startswith("flagged: no audit of Red priority-cohort cases (8%")
    # Green cases only: the Red priority group is no part of it, so nothing to flag.
    assert figures["visit_f2f"]["flag"] == "" and figures["visit_f2f"]["unaudited_groups"] == []
    assert window["audits_by_week"] == [{"week": "2026-W45", "audits": 21},
                                        {"week": "2026-W46", "audits": 15}]
    assert window["weeks_without_audits"] == []

    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    at = lines.index("  team North team (36 audits)")
    team_lines = lines[at + 1:]
    [risk_line] = [n for n, line in enumerate(team_lines)
                   if line.startswith("    risk_assessment ")]
    assert "%" in team_lines[risk_line]
    assert team_lines[risk_line + 1].strip() == risk["flag"]
    assert any(line.startswith("    visit_f2f (Green cases only) ") for line in team_lines)
    assert any(line.startswith("  visit_f2f (Green cases only) ") for line in lines[:at])
    assert "  assumed design: 36 of 36 audits had no design stratum recorded" in "\n".join(
        lines)
    assert "  audits by week: 2026-W45 21, 2026-W46 15" in lines
