"""The overall summary of a dip-sample exercise (seed 002, form 1), read back by pypdf:
the manager's words as typed, the exercise service's figures, empty sections said."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop.errors import InputProblem
from desktop.reports.fonts import BODY
from desktop.reports.summary import summary_pdf
from desktop.services import actions, exercises
from desktop.services.event_log import events_for
from desktop.services.reporting.summary import resolve_exercise
from desktop.store import Store
from tests.unit.reports import hostile
from tests.unit.reports.hostile import in_order, read_pdf, squash
from tests.unit.reports.pages import marked_and_numbered


def test_an_exercise_with_its_audits(store: Store, tmp_path: Path) -> None:
    h = hostile.build(store)
    plain = hostile.plain_audit(h)
    qa = h.world.as_user(h.world.qa)
    exercise = exercises.create_exercise(qa, exercises.ExerciseInput(
        title=f"Theme {hostile.MARKUP}", theme=hostile.POLISH_CHILD,
        period_from=dt.date(2026, 11, 2), period_to=dt.date(2026, 11, 6),
        findings=hostile.LONG, judgement="requires_improvement",
        judgement_text=hostile.COMMENT))
    exercises.attach_audits(qa, exercise, [h.audit_id, plain])
    actions.add_action(qa, actions.NewAction(
        description=hostile.ACTION, due_on=dt.date(2026, 12, 1), exercise_id=exercise,
        lead=hostile.EMOJI_AUDITOR))

    out = tmp_path / "summary.pdf"
    data = summary_pdf(qa, resolve_exercise(qa, exercise[:8]), out)
    figures = exercises.exercise_figures(qa, exercise)
    assert data.figures == figures
    assert figures.audits == 2 and figures.cases_seen == 2
    pdf = read_pdf(out)
    flat = pdf.squashed
    marked_and_numbered(pdf.pages)
    assert len(pdf.pages) >= 2  # the 5,000-character findings flow over the page
    for typed in (hostile.MARKUP, hostile.POLISH_CHILD, hostile.ACTION,
                  hostile.EMOJI_AUDITOR, hostile.POLISH_TEAM, h.case_ref):
        assert squash(typed) in flat, typed
    assert in_order(hostile.LONG.split(), pdf.text) == []
    assert hostile.ARABIC_WORKER in unicodedata.normalize("NFKC", pdf.text)
    assert "Judgement: Requires improvement" in pdf.text
    assert squash("2 Nov 2026 to 6 Nov 2026") in flat
    # the figures as the exercise service counts them
    assert squash(f"Counted from the {figures.audits} submitted audits") in flat
    for code, tally in figures.standards.items():
        assert code in data.questions
        assert squash(data.questions[code]) in flat
        assert squash(f"{tally.met}{tally.partly_met}{tally.not_met}"
                      f"{tally.not_applicable}") in flat
    assert squash(f"{figures.actions_open} open, {figures.actions_done} done") in flat
    logged = [e for e in events_for(qa, "exercise", exercise) if e.action == "export"]
    assert len(logged) == 1 and '"summary"' in logged[0].detail_json
    # Issue 24, item 7: the audit's date ends before the team's column starts.
    texts = drawn(out)
    dates = [t for t in texts if t.text == "2 Nov 2026"]
    assert len(dates) == 2
    for date in dates:
        [case] = [t for t in texts if t.page == date.page and t.text == "Case"]
        [team] = [t for t in texts if t.page == date.page and t.text == "Team"
                  and abs(t.y - case.y) < 1]
        assert date.x + stringWidth(date.text, BODY, date.size) <= team.x - 4


@dataclass(frozen=True)
class Drawn:
    page: int
    x: float
    y: float
    size: float
    text: str


def drawn(path: Path) -> list[Drawn]:
    """Every piece of text drawn in the PDF, with where it starts (points)."""
    found: list[Drawn] = []
    for number, page in enumerate(PdfReader(path).pages):
        def visit(text: str, cm: list[float], tm: list[float], _font: object,
                  size: float, number: int = number) -> None:
            if text.strip():
                found.append(Drawn(number, tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5],
                                   size * tm[0], text.strip()))
        page.extract_text(visitor_text=visit)
    return found


def test_an_empty_exercise_says_so(store: Store, tmp_path: Path) -> None:
    h = hostile.build(store)
    exercise = exercises.create_exercise(h.ctx, exercises.ExerciseInput(title="Empty"))
    out = tmp_path / "empty.pdf"
    summary_pdf(h.ctx, exercise, out)
    pdf = read_pdf(out)
    marked_and_numbered(pdf.pages)
    for said in ("No findings were recorded.", "No overall judgement was recorded.",
                 "No submitted audits belong to this exercise yet.",
                 "No audits have been added to this exercise."):
        assert said in pdf.text
    assert "No actions were recorded for the exercise itself" in pdf.text
    with pytest.raises(InputProblem, match="no exercise summary with the id 'ffffffff'"):
        resolve_exercise(h.ctx, "ffffffff")
