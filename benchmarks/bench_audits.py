"""Importing six months of historical dip-sample results, against writing the same rows raw.

Ours is the whole service: read the CSV, check every row (cases, users, dates, codes,
answers), then insert audits, answers, the cases' last-audit dates, their change-log
rows and one event-log row per audit and case. The baseline reads the same CSV with the
csv module and bulk-inserts the same audits and answers (with their change-log rows)
into a store holding the same caseload, with no checks and no event log. Every run of
either side writes into its own fresh copy of one store built with that caseload.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from benchmarks.bench_standards import build_caseload
from benchmarks.core import Benchmark, Side, Sides
from benchmarks.stores import StoreCopies
from desktop.models import Audit, AuditAnswer, Case, TemplateQuestion, User, new_id
from desktop.services.audits.historical import HistoricalImport, import_historical
from desktop.services.context import ServiceContext
from desktop.services.templates.versions import current_template
from desktop.store import Store

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
HEADER = ["Case reference", "Auditor username", "Date of dip sample", "RAG on VTT",
          "Auditor RAG", "Overall grade", "Overview of findings", "Positive practice",
          "Risk assessment in place", "Date of risk assessment", "Quality of risk assessment",
          "Response proportionate", "VTT completed", "Agree with RAG"]
ANSWER_COLUMNS = {"Risk assessment in place": "ra_in_place", "Quality of risk assessment":
                  "ra_quality", "Response proportionate": "ra_response_proportionate",
                  "VTT completed": "vtt_completed", "Agree with RAG": "rag_agrees"}


def write_export(path: Path, rows: int, seed: int = 3) -> None:
    """One audit per case (26 weeks of 450 a week is 11,700 rows)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            day = dt.date(2026, 5, 1) + dt.timedelta(days=rng.randint(0, 180))
            writer.writerow([
                f"SYN-{i:07d}", f"auditor{rng.randint(0, 17):02d}", day.strftime("%d/%m/%Y"),
                rng.choice("RAG"), rng.choice("RAG"),
                rng.choice(["Good", "Requires improvement", "Inadequate", "Outstanding"]),
                "Synthetic overview", "", rng.choice(["Yes", "Partly", "No", "N/A"]),
                (day - dt.timedelta(days=9)).strftime("%d/%m/%Y"), rng.choice(["Yes", "No"]),
                "Yes", rng.choice(["Yes", "No"]), rng.choice("YN")])


def raw_write(store: Store, path: Path) -> int:
    ctx = ServiceContext(store=store, clock=lambda: NOW)
    template = current_template(ctx, "risk_assessment_rag")
    with store.read() as session:
        cases = dict(session.execute(select(Case.case_ref, Case.id)).all())
        users = dict(session.execute(select(User.username, User.id)).all())
        questions = dict(session.execute(select(TemplateQuestion.code, TemplateQuestion.id)
                                         .where(TemplateQuestion.template_id ==
                                                template.template_id)).all())
    with path.open(newline="", encoding="utf-8") as source:
        records = list(csv.DictReader(source))
    audits, answers = [], []
    for r in records:
        audit_id = new_id()
        day = dt.datetime.strptime(r["Date of dip sample"], "%d/%m/%Y").date()
        stamp = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        audits.append({"id": audit_id, "case_id": cases[r["Case reference"]],
                       "auditor_id": users[r["Auditor username"]],
                       "template_id": template.template_id, "standards_version_id": None,
                       "sample_item_id": None, "exercise_id": None, "status": "finalised",
                       "origin": "import", "audit_date": day, "recorded_rag": "red",
                       "auditor_rag": "red", "grade": "good",
                       "overview": r["Overview of findings"], "positive_practice": "",
                       "significant_harm": False, "submitted_at": stamp, "comment_until": None,
                       "finalised_at": stamp, "reopened_at": None, "reopen_reason": ""})
        answers += [{"id": new_id(), "audit_id": audit_id, "question_id": questions[code],
                     "value": r[column], "note": ""} for column, code in ANSWER_COLUMNS.items()]
    with store.transaction() as session:
        store.recorder.bulk_insert(session, Audit, audits)
        store.recorder.bulk_insert(session, AuditAnswer, answers)
    return len(audits)


@contextmanager
def setup(workdir: Path, quick: bool) -> Iterator[Sides]:
    rows = 1_500 if quick else 12_000
    export = workdir / "historical.csv"
    write_export(export, rows)
    pristine = workdir / "caseload.db"
    store = build_caseload(pristine, rows)
    try:
        current_template(ServiceContext(store=store, clock=lambda: NOW), "risk_assessment_rag")
    finally:
        store.close()

    def check_ours(result: HistoricalImport) -> None:
        assert result.imported == rows, result.imported

    def check_baseline(written: int) -> None:
        assert written == rows, written

    with StoreCopies(pristine, "ours") as ours, StoreCopies(pristine, "baseline") as base:
        yield Sides(
            ours=Side(prepare=ours.fresh, check=check_ours,
                      run=lambda: import_historical(
                          ServiceContext(store=ours.store, clock=lambda: NOW), export)),
            baseline=Side(prepare=base.fresh, check=check_baseline,
                          run=lambda: raw_write(base.store, export)))


BENCHMARKS = [Benchmark(
    name="import_historical_audits_12k", target=6.0, setup=setup,
    description="import 12,000 historical audits (26 weeks of 450) vs raw bulk insert")]
