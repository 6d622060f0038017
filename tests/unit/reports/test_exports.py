"""Exports read back with openpyxl and the csv module: every answer and action is there,
and no cell can run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desktop.reports.exports import (
    CELL_LIMIT,
    CONTINUED,
    csv_cell,
    export,
    write_csv,
    write_xlsx,
)
from desktop.services.event_log import events_for
from desktop.services.reporting.exports import KINDS, ExportTable, timed
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


def test_words_not_codes_and_the_codes_beside_them(audit: HostileAudit, tmp_path: Path) -> None:
    """Issue 24, item 6: a status, grade or scored answer reads as the PDFs write it,
    its code in the next column for scripts; typed text stays as typed."""
    out = tmp_path / "export.xlsx"
    export(audit.ctx, "xlsx", out, kinds=KINDS)
    book = load_workbook(out)

    def rows(sheet: str) -> list[dict[str, object]]:
        values = list(book[sheet].iter_rows(values_only=True))
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]

    [row] = rows("Audits")
    assert (row["Status"], row["Status code"]) == ("Queried", "queried")  # a query posted
    assert (row["Grade"], row["Grade code"]) == ("Requires improvement",
                                                 "requires_improvement")
    assert (row["RAG on record"], row["Auditor RAG"]) == ("Amber", "Red")
    assert row["Template"] != row["Template code"] == "quality_case_tool"
    answers = {r["Question code"]: r for r in rows("Answers")}
    assert (answers["plan_progressing"]["Answer"],
            answers["plan_progressing"]["Answer code"]) == ("Not met", "not_met")
    assert (answers["record_up_to_date"]["Answer"],
            answers["record_up_to_date"]["Answer code"]) == ("Partly met", "partly_met")
    assert answers["theme"]["Answer"] == hostile.MARKUP
    assert answers["theme"]["Answer code"] is None  # typed text has no code
    [action] = rows("Actions")
    assert (action["Status"], action["Status code"], action["Priority"]) == (
        "Open", "open", "Medium")


def test_one_time_zone_named_in_every_header() -> None:
    """Issue 24, item 6: the CSV wrote 13:05 UTC with no zone where the XLSX wrote
    14:05; both now write London's clock and say so."""
    summer = dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)
    assert csv_cell(summer) == "2026-07-01 14:05:00"
    table = ExportTable("Times", ("Id", timed("Submitted")), [("a", summer)], "audit", ["a"])
    buffer = io.BytesIO()
    write_csv(table, buffer)
    header, row = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert header[1] == "Submitted (Europe/London local time)"
    assert row == ["a", "2026-07-01 14:05:00"]
    book_bytes = io.BytesIO()
    write_xlsx([table], book_bytes)
    sheet = load_workbook(book_bytes)["Times"]
    assert sheet["B1"].value == "Submitted (Europe/London local time)"
    assert sheet["B2"].value == dt.datetime(2026, 7, 1, 14, 5)


def test_a_text_longer_than_a_cell_continues_on_its_own_sheet(tmp_path: Path) -> None:
    """Issue 24, item 6: XLSX cut text at 32,767 characters silently. The cell holds the
    first part and says where the rest is; the sheet "Continued" holds the rest in
    order, a formula-like part still text; the CSV keeps it whole."""
    long = "=" + "".join(f"w{n:06d} " for n in range(10_000))  # 80,001 characters
    table = ExportTable("Answers", ("Audit id", "Answer"), [("a1", long), ("a2", "short")],
                        "audit", ["a1", "a2"])
    out = tmp_path / "long.xlsx"
    write_xlsx([table], out)
    book = load_workbook(out)
    assert book.sheetnames == ["Answers", CONTINUED]
    first = book["Answers"]["B2"]
    assert first.value == long[:CELL_LIMIT] and first.data_type == "s" and first.quotePrefix
    assert first.comment is not None and "continues on the sheet 'Continued'" in (
        first.comment.text)
    assert book["Answers"]["B3"].value == "short" and book["Answers"]["B3"].comment is None
    rest = list(book[CONTINUED].iter_rows(values_only=True))
    assert rest[0] == ("Sheet", "Cell", "Column", "Part", "Of parts", "Text (continued)")
    assert [r[:5] for r in rest[1:]] == [("Answers", "B2", "Answer", 2, 3),
                                         ("Answers", "B2", "Answer", 3, 3)]
    assert first.value + "".join(str(r[5]) for r in rest[1:]) == long
    assert all(len(str(r[5])) <= CELL_LIMIT for r in rest[1:])
    buffer = io.BytesIO()
    write_csv(table, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert rows[1][1] == "'" + long
