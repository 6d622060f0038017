"""Exports read back with openpyxl and the csv module: every answer and action is there,
and no cell can run as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.reports.exports import csv_cell, export
from desktop.services.event_log import events_for
from desktop.services.reporting.exports import KINDS
from desktop.store import Store
from tests.unit.reports import hostile
from tests.unit.reports.hostile import HostileAudit


@pytest.fixture
def audit(store: Store) -> HostileAudit:
    return hostile.build(store)


@pytest.mark.parametrize("typed", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x",
                                   hostile.FORMULA])
def test_a_formula_in_csv_is_text(typed: str) -> None:
    assert csv_cell(typed) == "'" + typed


def test_ordinary_text_and_values_are_left_alone() -> None:
    assert csv_cell("Worker said = fine") == "Worker said = fine"
    assert csv_cell(-3) == "-3" and csv_cell(None) == "" and csv_cell(True) == "yes"


def test_xlsx_holds_every_answer_and_action_and_no_formula(audit: HostileAudit,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    export(audit.ctx, "xlsx", out, kinds=KINDS)
    book = load_workbook(out)
    assert book.sheetnames == ["Audits", "Answers", "Actions"]
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    answers = {row[3]: row[5] for row in book["Answers"].iter_rows(min_row=2, values_only=True)}
    assert answers["reason_for_tool"] == hostile.FORMULA  # exactly as typed, as text
    assert answers["theme"] == hostile.MARKUP and answers["best_practice"] == hostile.LONG
    assert len(answers) == 10
    [action] = list(book["Actions"].iter_rows(min_row=2, values_only=True))
    assert action[3] == hostile.ACTION and action[4] == hostile.ARABIC_WORKER
    [row] = list(book["Audits"].iter_rows(min_row=2, values_only=True))
    assert row[2:5] == (hostile.POLISH_TEAM, hostile.ARABIC_WORKER, hostile.EMOJI_AUDITOR)
    formula_cell = next(c for c in cells if c.value == hostile.FORMULA)
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix


def test_csv_answers_neutralised_and_logged(audit: HostileAudit) -> None:
    buffer = io.BytesIO()
    export(audit.ctx, "csv", buffer, kinds=("answers",))
    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Audit id", "Case reference", "Section"]
    by_code = {r[3]: r[5] for r in rows[1:]}
    assert by_code["reason_for_tool"] == "'" + hostile.FORMULA
    assert by_code["best_practice"] == hostile.LONG
    exports = [e for e in events_for(audit.ctx, "audit", audit.audit_id)
               if e.action == "export"]
    assert len(exports) == 1 and '"csv"' in exports[0].detail_json
