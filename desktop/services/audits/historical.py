"""Import a council's earlier dip-sample results (an online form's export) as audits.

Why a mapping file: every council's form has its own column names and answer words
("Yes", "Partly", "N/A"); ``resources/mappings/historical_audits.json`` maps them to a
template's question codes and the application's codes, and a council copies and edits
it. The import follows the caseload import's rules: bad rows are reported with their
row number, column and the kind of problem (never the cell's value; the first fifty,
and a count of the rest), and one bad row means nothing is written. A mapping file that
cannot be used is a :class:`MappingProblem` (exit 2), as for the caseload import.

Imported audits are ``finalised`` with ``origin = "import"``: their comment window
passed long ago. They open no RAG disagreements or escalations (those were handled, or
not, at the time) and are never re-checked for required answers, which the old form may
not have asked. A row already imported (same case, auditor, date and template) is
skipped, so importing an export again, or a longer one, is safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import paths
from desktop.models import (
    Audit,
    AuditAnswer,
    AuditTemplate,
    Case,
    Synced,
    TemplateQuestion,
    User,
    identity,
    new_id,
)
from desktop.models.enums import AnswerType, AuditStatus, EventAction
from desktop.services.audits.answers import GRADES, RAGS, STANDARD_VALUES, YES_NO, normalise
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.caseload.report import Problems, RowProblem, date_reason, one_of
from desktop.services.context import ServiceContext
from desktop.services.dates import try_parse_date
from desktop.services.event_log import log_changes
from desktop.services.mapping_files import MappingProblem, mapping_texts, read_mapping_object
from desktop.services.tabular import CONTROL_REASON, Row, Table, has_control, read_table
from desktop.services.templates.versions import load_templates

FIELDS = ("case_ref", "auditor", "audit_date", "recorded_rag", "auditor_rag", "grade",
          "overview", "positive_practice")
REQUIRED = ("case_ref", "auditor", "audit_date")
#: Imported audits are stamped at noon on their date (the form kept no time).
NOON = dt.time(12, 0)
#: Fields of free text, which may span lines.
FREE_TEXT = ("overview", "positive_practice")
#: The codes each kind of coded answer accepts, and what a problem calls it.
CODED = {"rag": (RAGS, "RAG rating"), "grade": (GRADES, "grade"),
         AnswerType.STANDARD.value: (STANDARD_VALUES, "answer"),
         AnswerType.YES_NO.value: (YES_NO, "yes or no answer"),
         AnswerType.GRADE.value: (GRADES, "grade")}


@dataclass(frozen=True)
class AuditMapping:
    """A validated mapping; ``values`` are casefolded, ``labels`` as the mapping spells
    them (for messages)."""

    name: str
    template: str
    columns: Mapping[str, str]
    questions: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]]
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class HistoricalImport:
    file: str
    mapping: str
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    audit_ids: list[str] = field(default_factory=list)


def default_mapping_path() -> Path:
    return paths.resource("mappings", "historical_audits.json")


def load_mapping(path: Path | None = None) -> AuditMapping:
    """The mapping at ``path`` (default: the shipped online-form mapping).

    Raises:
        MappingProblem: the file is missing, not JSON, or not shaped like a mapping.
    """
    path = path or default_mapping_path()
    data, where = read_mapping_object(path)
    columns = mapping_texts(data, "columns", where)
    if set(columns) - set(FIELDS):
        raise MappingProblem(f"{where}: 'columns' maps {', '.join(FIELDS)} to column names")
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise MappingProblem(f"{where}: 'columns' must name the column for "
                             f"{', '.join(missing)}")
    questions = mapping_texts(data, "questions", where)
    values = data.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise MappingProblem(f"{where}: 'values' must be an object of objects")
    values = {k: mapping_texts(values, k, where) for k in values}
    if not isinstance(data.get("template"), str):
        raise MappingProblem(f"{where}: 'template' must name a template code")
    return AuditMapping(str(data.get("name", path.stem)), data["template"], columns, questions,
                        {k: {a.casefold(): b for a, b in v.items()} for k, v in values.items()},
                        {k: tuple(v) for k, v in values.items()})


class _Reader:
    """Checks rows against the mapping, the store's cases and users, and the template."""

    def __init__(self, table: Table, mapping: AuditMapping, cases: dict[str, str],
                 users: dict[str, str], questions: dict[str, TemplateQuestion],
                 today: dt.date) -> None:
        self.table, self.mapping, self.today = table, mapping, today
        self.cases, self.users, self.questions = cases, users, questions
        self.problems = Problems()
        #: Cells of the row being read that already have a problem: one each is enough.
        self._failed: set[tuple[int, str]] = set()

    def cell(self, row: Row, column: str, *, line_breaks: bool = False) -> Any:
        """The cell, or None when absent or holding a control character (a problem)."""
        pos = self.table.position(column)
        if pos is None:
            return None
        value = row.cells[pos]
        if pos in row.controls and has_control(value, line_breaks=line_breaks):
            self.fail(row, column, CONTROL_REASON)
            return None
        return value

    def text(self, row: Row, field_name: str) -> str:
        column = self.mapping.columns.get(field_name)
        value = self.cell(row, column, line_breaks=field_name in FREE_TEXT) if column else None
        return "" if value is None else str(value).strip()

    def fail(self, row: Row, column: str, reason: str) -> None:
        """Record a problem; a cell refused already (a control character) stays at one."""
        header = self.table.header_name(column)
        if column and (row.number, header) in self._failed:
            return
        self._failed.add((row.number, header))
        self.problems.append(RowProblem(row.number, header, reason))

    def unknown(self, kind: str) -> str:
        """What a problem says of a value ``kind`` does not know: never the value."""
        allowed, label = CODED[kind]
        words = [*self.mapping.labels.get(kind, ()), *allowed]
        return f"not a known {label}; expected {one_of(words)}"

    def code(self, row: Row, field_name: str, kind: str) -> str | None:
        raw = self.text(row, field_name)
        if not raw:
            return None
        value = self.mapping.values.get(kind, {}).get(raw.casefold(), raw)
        value = value.strip().lower().replace(" ", "_")
        if value not in CODED[kind][0]:
            self.fail(row, self.mapping.columns[field_name], self.unknown(kind))
            return None
        return value

    def read(self, row: Row) -> dict[str, Any] | None:
        before = len(self.problems)
        self._failed.clear()
        cols = self.mapping.columns
        if row.overflow:
            self.fail(row, "", "values beyond the last column (an unquoted comma?)")
        ref = self.text(row, "case_ref")
        case_id = self.cases.get(ref.casefold()) if ref else None
        if not ref:
            self.fail(row, cols["case_ref"], "empty")
        elif case_id is None:
            self.fail(row, cols["case_ref"], "no case with this reference")
        who = self.text(row, "auditor")
        auditor = self.users.get(who.casefold()) if who else None
        if not who:
            self.fail(row, cols["auditor"], "empty")
        elif auditor is None:
            self.fail(row, cols["auditor"], "no DipSample user with this username")
        raw_date = self.cell(row, cols["audit_date"])
        on, why = try_parse_date(raw_date)
        if why:
            self.fail(row, cols["audit_date"], date_reason(raw_date, why))
        elif on is None:
            self.fail(row, cols["audit_date"], "empty")
        elif on > self.today:
            self.fail(row, cols["audit_date"], "the date is in the future")
        answers: dict[str, Any] = {}
        record: dict[str, Any] = {
            "case_id": case_id, "auditor_id": auditor, "audit_date": on,
            "recorded_rag": self.code(row, "recorded_rag", "rag"),
            "auditor_rag": self.code(row, "auditor_rag", "rag"),
            "grade": self.code(row, "grade", "grade"),
            "overview": self.text(row, "overview"),
            "positive_practice": self.text(row, "positive_practice"), "answers": answers}
        for column, code in self.mapping.questions.items():
            if not self.table.has(column):
                continue
            question = self.questions[code]
            kind = question.answer_type
            raw = self.cell(row, column, line_breaks=kind == AnswerType.TEXT)
            if kind == AnswerType.DATE:
                day, why = try_parse_date(raw)
                if why:
                    self.fail(row, column, date_reason(raw, why))
                    continue
                raw = day
            elif isinstance(raw, str):
                raw = self.mapping.values.get(kind, {}).get(raw.casefold(), raw)
            try:
                value = normalise(kind, raw)
            except ValueError:
                self.fail(row, column, self.unknown(kind) if kind in CODED
                          else "not an answer this question accepts")
                continue
            if value is not None:
                answers[question.id] = value
        return record if len(self.problems) == before else None


def _questions(ctx: ServiceContext, mapping: AuditMapping, source: str
               ) -> tuple[AuditTemplate, dict[str, TemplateQuestion]]:
    versions = {v.code: v for v in load_templates(ctx)}
    version = versions.get(mapping.template)
    if version is None:  # the mapping cannot be used: exit 2, like its other faults
        raise MappingProblem(f"{source}: the mapping names template '{mapping.template}', "
                             f"which is not one of {', '.join(sorted(versions))}")
    with ctx.read() as session:
        template = session.get(AuditTemplate, version.template_id)
        assert template is not None
        questions = {q.code: q for q in session.scalars(select(TemplateQuestion).where(
            TemplateQuestion.template_id == template.id))}
    unknown = sorted(set(mapping.questions.values()) - set(questions))
    if unknown:
        raise MappingProblem(f"{source}: the mapping names question '{unknown[0]}', which "
                             f"template '{mapping.template}' does not have")
    return template, questions


def import_historical(ctx: ServiceContext, path: Path, mapping_path: Path | None = None,
                      *, sheet: str | None = None) -> HistoricalImport:
    """Import every row of ``path`` as a finalised audit, or nothing.

    Raises:
        ImportRefused: bad rows (the first fifty listed, all counted); nothing was
            written.
        InputProblem: the file cannot be used at all.
        MappingProblem: the mapping cannot be used (exit 2).
    """
    guard(ctx, P.IMPORT_HISTORY)
    mapping = load_mapping(mapping_path)
    table = read_table(path, sheet=sheet,
                       required=[mapping.columns[f] for f in REQUIRED])
    template, questions = _questions(ctx, mapping, table.source)
    result = HistoricalImport(table.source, mapping.name, rows=len(table.rows))
    with ctx.read() as session:
        cases = {ref.casefold(): cid for ref, cid in session.execute(
            select(Case.case_ref, Case.id).where(Case.deleted.is_(False)))}
        users = {name.casefold(): uid for name, uid in session.execute(
            select(User.username, User.id).where(User.deleted.is_(False)))}
        done = set(session.execute(
            select(Audit.case_id, Audit.auditor_id, Audit.audit_date)
            .join(AuditTemplate, AuditTemplate.id == Audit.template_id)
            .where(Audit.deleted.is_(False), Audit.origin == "import",
                   AuditTemplate.code == template.code)).all())
    reader = _Reader(table, mapping, cases, users, questions, ctx.today())
    records: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(table.rows):
        if index % 500 == 0:
            ctx.report(index, len(table.rows), "checking rows")
        record = reader.read(row)
        if record is None:
            continue
        key = (record["case_id"], record["auditor_id"], record["audit_date"])
        if key in seen:
            reader.fail(row, "", f"the same audit as row {seen[key]}")
            continue
        seen[key] = row.number
        if key in done:
            result.skipped += 1
            continue
        records.append(record)
    if reader.problems:
        raise reader.problems.refusal(table.source)
    with ctx.store.transaction() as session:
        result.audit_ids = _write(session, ctx, template.id, records)
    result.imported = len(records)
    return result


def _row(model: type[Synced], **values: Any) -> dict[str, Any]:
    """Every column of ``model`` for the bulk insert: the column defaults, then ``values``."""
    row: dict[str, Any] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        if column.key in Synced.SYNC_COLUMNS:
            continue
        default = column.default
        row[column.key] = default.arg if default is not None and default.is_scalar else None
    row["id"] = new_id()
    row.update(values)
    return row


def _write(session: Session, ctx: ServiceContext, template_id: str,
           records: list[dict[str, Any]]) -> list[str]:
    """Insert the audits, their answers and the cases' last-audit dates in bulk.

    Why bulk: an export of six months is over ten thousand audits; one ORM flush per
    audit took minutes. The change log and event log still get one row per record.
    """
    audits: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    latest: dict[str, dt.date] = {}
    for record in records:
        on: dt.date = record["audit_date"]
        stamp = dt.datetime.combine(on, NOON, tzinfo=dt.UTC)
        audit_id = new_id()
        audits.append(_row(
            Audit, id=audit_id, case_id=record["case_id"], auditor_id=record["auditor_id"],
            template_id=template_id, status=AuditStatus.FINALISED.value, origin="import",
            audit_date=on, recorded_rag=record["recorded_rag"],
            auditor_rag=record["auditor_rag"], grade=record["grade"],
            overview=record["overview"], positive_practice=record["positive_practice"],
            submitted_at=stamp, finalised_at=stamp))
        answers += [_row(AuditAnswer, id=identity.answer_id(audit_id, q), audit_id=audit_id,
                         question_id=q, value=v)
                    for q, v in record["answers"].items()]
        if record["case_id"] not in latest or latest[record["case_id"]] < on:
            latest[record["case_id"]] = on
    ctx.report(0, 3, "importing audits")
    recorder = ctx.store.recorder
    recorder.bulk_insert(session, Audit, audits)
    recorder.bulk_insert(session, AuditAnswer, answers)
    ctx.report(1, 3, "updating cases")
    updates = []
    ids = sorted(latest)
    for chunk in range(0, len(ids), 500):
        for case_id, hlc, last in session.execute(select(Case.id, Case.hlc, Case.last_audit)
                                                  .where(Case.id.in_(ids[chunk:chunk + 500]))):
            if last is None or last < latest[case_id]:
                updates.append((case_id, hlc, {"last_audit": latest[case_id]}))
    recorder.bulk_update(session, Case, updates)
    ctx.report(2, 3, "logging")
    log_changes(session, ctx, [
        *((EventAction.CREATE, "audit", audit["id"],
           {"origin": "import", "case": audit["case_id"]}) for audit in audits),
        *((EventAction.CHANGE, "case", case_id, {"fields": ["last_audit"], "origin": "import"})
          for case_id, _, _ in updates)])
    return [a["id"] for a in audits]
