"""The demo county: reproducible, seed 000's structure, a realistic caseload and history."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.cli.main import main
from desktop.errors import EnvironmentProblem, InputProblem
from desktop.models import (
    Action,
    Audit,
    AuditAnswer,
    Case,
    CaseEvent,
    RagDisagreement,
    ServiceArea,
    Synced,
    Team,
    User,
    UserServiceArea,
    Worker,
)
from desktop.models.enums import CaseFlag, CaseStatus, Cohort, Role, WorkerRole
from desktop.services.context import Cancelled, CancelToken, ServiceContext
from desktop.services.demo_county import DemoSummary, build_demo_county
from desktop.services.demo_county.caseload import case_chunks
from desktop.services.demo_county.organisation import build_organisation
from desktop.services.demo_county.rows import fact_row, model_row
from desktop.services.escalations import head_of_service_for
from desktop.services.standards.settings import StandardsSettings
from desktop.store import Store, open_store

AS_OF = dt.date(2026, 11, 20)
CASES = 2_000
#: Verbatim from seed 000 (its spelling and typography).
SEED_000_TITLES = (
    "Locality Director (North)", "Area Manager (North)", "Locality Director (Mid & East)",
    "Area Manager (Mid & east)", "Locality Director (Exeter)", "Area Manager (Exeter)",
    "Locality Director (South)", "Area Manager (South)",
    "Senior Manager (Disabled Children’s Service)", "Area Manager (Disabled Children’s Service)",
    "Senior Manager (Corporate Parenting)", "Area Manager (Corporate Parenting)",
    "Area Manager (Fostering)", "Area Manager (SGO)", "Senior Manager (Workforce Development)",
    "Improvement Lead", "Improvement Director", "Head of Service",
)
SEED_000_AREAS = {"North", "Mid & East", "Exeter", "South", "Disabled Children's Service",
                  "Corporate Parenting", "Fostering", "SGO"}
MODELS: tuple[type[Synced], ...] = (ServiceArea, Team, Worker, User, UserServiceArea, Case,
                                    CaseEvent, Audit, AuditAnswer, Action, RagDisagreement)


def normal(title: str) -> str:
    return title.replace("’", "'").casefold()


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the demo's tables without the sync stamps (time, clock, device)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with store.read() as session:
        for model in MODELS:
            columns = [c for c in model.__table__.columns  # type: ignore[attr-defined]
                       if c.key not in Synced.SYNC_COLUMNS]
            rows = session.execute(select(*columns).order_by(columns[0])).all()
            tables[model.__tablename__] = [tuple(r) for r in rows]  # type: ignore[attr-defined]
    return tables


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, DemoSummary]]:
    """One county shared by the read-only tests (a passphrase store: no keyring needed)."""
    path = tmp_path_factory.mktemp("county") / "demo.db"
    store = open_store(path, passphrase="a demo passphrase", prompt=None, create=True)
    summary = build_demo_county(ServiceContext(store=store), cases=CASES, seed=7, as_of=AS_OF)
    yield store, summary
    store.close()


def build(path: Path, seed: int, cases: int = 300) -> Store:
    store = open_store(path, prompt=None, create=True)
    build_demo_county(ServiceContext(store=store), cases=cases, seed=seed, as_of=AS_OF)
    return store


def test_same_seed_same_county_ids_included(tmp_path: Path) -> None:
    first, second, other = (build(tmp_path / "a.db", 5), build(tmp_path / "b.db", 5),
                            build(tmp_path / "c.db", 6))
    try:
        a, b, c = snapshot(first), snapshot(second), snapshot(other)
        assert a == b
        assert all(a[name] for name in ("cases", "case_events", "audits", "actions"))
        assert a["cases"] != c["cases"]
        assert {r[0] for r in a["cases"]}.isdisjoint({r[0] for r in c["cases"]})
    finally:
        for store in (first, second, other):
            store.close()


def test_generated_rows_fill_exactly_their_tables_columns() -> None:
    """The case maker writes row literals for speed; a misspelt key would go unnoticed."""
    rng = random.Random(3)
    chunk = next(case_chunks(rng, build_organisation(rng), 300, AS_OF, 300))
    case_columns = model_row(Case, "").keys()
    event_columns = fact_row(CaseEvent, case_id="", kind="", occurred_on=AS_OF).keys()
    assert all(row.keys() == case_columns for row in chunk.cases)
    assert all(row.keys() == event_columns for row in chunk.events)
    refs = [row["case_ref"] for row in chunk.cases]
    ids = [row["id"] for row in chunk.cases]
    assert refs == sorted(refs) and ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 36 and i[14] == "4" for i in ids)


def test_seed_000_areas_teams_and_staff(county: tuple[Store, DemoSummary]) -> None:
    store, summary = county
    with store.read() as session:
        areas = {a.name: a.id for a in session.scalars(select(ServiceArea))}
        teams = list(session.scalars(select(Team)))
        workers = list(session.scalars(select(Worker)))
    assert set(areas) == SEED_000_AREAS
    assert 36 <= len(teams) <= 44 and summary.teams == len(teams)
    assert set(areas.values()) == {t.service_area_id for t in teams}
    assert 360 <= len(workers) <= 440
    managers = Counter(w.team_id for w in workers if w.role == WorkerRole.TEAM_MANAGER)
    assert managers == Counter({t.id: 1 for t in teams})
    roles = Counter(w.role for w in workers)
    assert roles[WorkerRole.SOCIAL_WORKER] > 250 and roles[WorkerRole.PERSONAL_ADVISER] > 5
    assert len({w.staff_ref for w in workers}) == len(workers)


def test_eighteen_auditors_with_the_seed_000_titles(county: tuple[Store, DemoSummary]) -> None:
    store, _ = county
    with store.read() as session:
        areas = {a.id: a.name for a in session.scalars(select(ServiceArea))}
        users = list(session.scalars(select(User)))
        links: dict[str, set[str]] = {}
        for link in session.scalars(select(UserServiceArea)):
            links.setdefault(link.user_id, set()).add(areas[link.service_area_id])
        heads = {name: head_of_service_for(session, area_id) for area_id, name in areas.items()}
    auditors = [u for u in users if u.has_role(Role.AUDITOR)]
    assert len(auditors) == 18
    assert sorted(normal(u.job_title) for u in auditors) == sorted(map(normal, SEED_000_TITLES))
    for user in auditors:
        covered = links[user.id]
        named = [a for a in SEED_000_AREAS if f"({normal(a)})" in normal(user.job_title)]
        if named:
            assert covered == set(named), user.job_title
        else:  # cross-cutting: workforce development, improvement, head of service
            assert len(covered) >= 4, user.job_title
        assert user.roles == "auditor"
    qa = [u for u in users if u.has_role(Role.QA)]
    assert {u.job_title for u in qa} == {"Senior Manager (Safeguarding and QA)",
                                         "Senior Lead (QARSS)"}
    assert all(u.has_role(Role.MODERATOR) and links[u.id] == SEED_000_AREAS for u in qa)
    assert all(heads.values())
    managers = [u for u in users if u.has_role(Role.TEAM_MANAGER)]
    assert len(managers) == 40 or len(managers) == len({u.worker_id for u in managers})
    assert all(u.worker_id for u in managers)
    assert len({u.username for u in users}) == len(users)


def test_rag_and_cohort_mix(county: tuple[Store, DemoSummary]) -> None:
    store, summary = county
    with store.read() as session:
        areas = {a.id: a.name for a in session.scalars(select(ServiceArea))}
        cases = list(session.scalars(select(Case)))
    assert len(cases) == CASES == summary.cases
    open_cases = [c for c in cases if c.status == CaseStatus.OPEN]
    rag = Counter(c.rag for c in open_cases)
    share = {k: v / len(open_cases) for k, v in rag.items()}
    assert share["red"] == pytest.approx(0.12, abs=0.03)
    assert share["amber"] == pytest.approx(0.33, abs=0.04)
    assert share["green"] == pytest.approx(0.55, abs=0.05)
    assert summary.rag == {k: rag[k] for k in ("red", "amber", "green")}
    closed = [c for c in cases if c.status == CaseStatus.CLOSED]
    assert 0 < len(closed) < 0.1 * len(cases)
    assert all(c.closed_on and c.closed_on <= AS_OF for c in closed)
    by_area: dict[str, Counter[str]] = {}
    for c in cases:
        by_area.setdefault(areas[c.service_area_id or ""], Counter())[c.cohort] += 1
    assert set(by_area["Fostering"]) == {Cohort.FOSTERING}
    assert set(by_area["SGO"]) == {Cohort.SGO}
    dcs = by_area["Disabled Children's Service"]
    assert dcs[Cohort.DISABLED] > 0.75 * sum(dcs.values())
    assert set(by_area["Corporate Parenting"]) == {Cohort.CHILD_IN_CARE, Cohort.CARE_LEAVER}
    locality = by_area["North"]
    assert locality[Cohort.CHILD_PROTECTION] > 0 and locality[Cohort.CHILD_IN_NEED] > 0
    every = Counter(c.cohort for c in cases)
    assert set(every) == {c.value for c in Cohort}


def test_unborn_children_have_future_expected_dates(county: tuple[Store, DemoSummary]) -> None:
    store, _ = county
    with store.read() as session:
        unborn = list(session.scalars(select(Case).where(Case.cohort == Cohort.UNBORN)))
        born = list(session.scalars(select(Case).where(Case.cohort != Cohort.UNBORN)))
    assert 0.003 * CASES <= len(unborn) <= 0.03 * CASES
    assert all(c.date_of_birth is not None and c.date_of_birth > AS_OF for c in unborn)
    assert all(c.date_of_birth is not None and c.date_of_birth < AS_OF for c in born)


def test_flags_are_seed_003_codes(county: tuple[Store, DemoSummary]) -> None:
    store, _ = county
    with store.read() as session:
        flags = [c.flags for c in session.scalars(select(Case)) if c.flags]
    assert len(flags) > 0.05 * CASES
    codes = {f.value for f in CaseFlag}
    for text in flags:
        parts = text.split(",")
        assert parts == sorted(set(parts)) and set(parts) <= codes


def test_most_visits_meet_the_standard_and_some_are_overdue(
        county: tuple[Store, DemoSummary]) -> None:
    store, _ = county
    settings = StandardsSettings()
    with store.read() as session:
        cases = list(session.scalars(select(Case).where(Case.status == CaseStatus.OPEN)))
        events = Counter(e.kind for e in session.scalars(select(CaseEvent)))
    visited = [c for c in cases if c.last_f2f_visit]
    overdue = [c for c in visited
               if (AS_OF - c.last_f2f_visit).days > settings.visit_days[c.rag]]  # type: ignore[operator]
    assert 0.03 < len(overdue) / len(visited) < 0.25
    oversight_late = [c for c in cases if c.last_oversight
                      and (AS_OF - c.last_oversight).days > settings.oversight_days]
    assert 0.03 < len(oversight_late) / len(cases) < 0.25
    assert all(c.last_f2f_visit is None or c.last_f2f_visit <= AS_OF for c in cases)
    assert events["visit_f2f"] >= len(visited) and events["rag_change"] > 0
    assert events["oversight"] == CASES and events["visit_virtual"] > 0


def test_weeks_of_audits_follow_the_sampling_rules(county: tuple[Store, DemoSummary]) -> None:
    store, summary = county
    with store.read() as session:
        audits = list(session.scalars(select(Audit)))
        cases = {c.id: c for c in session.scalars(select(Case))}
        links: dict[str, set[str]] = {}
        for link in session.scalars(select(UserServiceArea)):
            links.setdefault(link.user_id, set()).add(link.service_area_id)
        actions = list(session.scalars(select(Action)))
        answers = Counter(a.audit_id for a in session.scalars(select(AuditAnswer)))
        disagreements = list(session.scalars(select(RagDisagreement)))
    assert len(audits) == summary.audits > 300
    assert summary.template == "Risk assessment and RAG rating, version 1"  # not its code
    by_case: dict[str, list[dt.date]] = {}
    for audit in audits:
        case = cases[audit.case_id]
        assert case.service_area_id in links[audit.auditor_id]
        assert audit.audit_date is not None and audit.audit_date < AS_OF
        assert audit.audit_date.weekday() < 5
        assert answers[audit.id] >= 5
        by_case.setdefault(case.id, []).append(audit.audit_date)
    for case_id, days in by_case.items():
        days.sort()
        assert all((b - a).days >= 28 for a, b in itertools.pairwise(days))
        assert cases[case_id].last_audit == days[-1]
    assert all(c.last_audit is None for i, c in cases.items() if i not in by_case)
    statuses = Counter(a.status for a in audits)
    assert statuses["finalised"] > 0.8 * len(audits)
    noon = dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.UTC)
    for audit in audits:  # seed 001: finalised by itself 72 hours after submission
        assert audit.comment_until is not None
        assert (audit.status == "finalised") == (audit.comment_until <= noon)
    assert len(actions) == summary.actions > 0
    assert {a.audit_id for a in actions} <= {a.id for a in audits}
    action_status = Counter(a.status for a in actions)
    assert action_status["open"] > 0 and action_status["done"] > 0
    overdue = [a for a in actions if a.status == "open" and a.due_on and a.due_on < AS_OF]
    assert overdue
    assert disagreements and all(d.recorded_rag != d.auditor_rag for d in disagreements)


def test_check_is_ok_on_the_county(county: tuple[Store, DemoSummary],
                                   capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = county
    monkeypatch.setenv("DIPSAMPLE_PASSPHRASE", "a demo passphrase")
    assert main(["check", "--db", str(store.path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["counts"]["cases"] == CASES


def test_refuses_a_store_with_cases_and_a_bad_count(ctx: ServiceContext) -> None:
    with pytest.raises(InputProblem):
        build_demo_county(ctx, cases=0, as_of=AS_OF)
    with pytest.raises(InputProblem):
        build_demo_county(ctx, cases=200_001, as_of=AS_OF)
    build_demo_county(ctx, cases=50, as_of=AS_OF)
    with pytest.raises(EnvironmentProblem, match="already holds 50 cases"):
        build_demo_county(ctx, cases=50, as_of=AS_OF)


def test_cancel_leaves_nothing_behind(store: Store) -> None:
    token = CancelToken()
    stages: list[str] = []

    def progress(done: int, total: int, stage: str) -> None:
        stages.append(stage)
        if stage == "cases":
            token.cancel()

    ctx = ServiceContext(store=store, progress=progress, cancel=token)
    with pytest.raises(Cancelled):
        build_demo_county(ctx, cases=12_000, as_of=AS_OF)
    assert "cases" in stages
    with store.read() as session:
        assert session.scalars(select(Case)).first() is None
        assert session.scalars(select(Worker)).first() is None
