"""What an answer may be, and what an audit must hold before it is submitted.

Why shared: the form (as the auditor types), submission, and the historical import
all check answers the same way, so an imported audit can never hold a value the
form could not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktop.models import Audit, AuditAnswer, TemplateQuestion
from desktop.models.enums import AnswerType, Grade, Rag, StandardAnswer
from desktop.services.dates import DateProblem, parse_date

STANDARD_VALUES = tuple(s.value for s in StandardAnswer)
GRADES = tuple(g.value for g in Grade)
RAGS = tuple(r.value for r in Rag)
YES_NO = ("yes", "no")
#: The template questions (resources/templates/risk_assessment_rag.toml) that say whether
#: the auditor agrees with the RAG rating on the record, and why not.
AGREES_QUESTION = "rag_agrees"
RATIONALE_QUESTION = "rag_rationale"


def normalise(answer_type: str, value: object) -> str | None:
    """The stored form of ``value`` for a question of ``answer_type`` (None: no answer).

    Raises:
        ValueError: the value does not fit the question; the message says what would.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if answer_type == AnswerType.DATE:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        # As every date in the app: dd/mm/yyyy, and ISO as scripts write it.
        try:
            day = parse_date(str(value).strip())
        except DateProblem:
            day = None
        if day is None:
            raise ValueError(f"'{value}' is not a date (dd/mm/yyyy)") from None
        return day.isoformat()
    text = str(value).strip()
    if answer_type == AnswerType.TEXT:
        return text
    allowed = {AnswerType.STANDARD.value: STANDARD_VALUES, AnswerType.YES_NO.value: YES_NO,
               AnswerType.GRADE.value: GRADES}.get(answer_type)
    if allowed is None:
        raise ValueError(f"unknown answer type '{answer_type}'")
    code = text.lower().replace(" ", "_").replace("-", "_")
    if code not in allowed:
        raise ValueError(f"'{text}' is not one of: {', '.join(allowed)}")
    return code


@dataclass(frozen=True)
class FieldProblem:
    """One thing that stops submission, tied to the field of the form that holds it.

    Why beside the sentence: the form shows ``short`` under the field itself and puts
    the cursor there, while the command line and the error message list ``text``.

    Attributes:
        field: a question's code, or ``overview``, ``grade``, ``auditor_rag``.
        text: the whole sentence ("question 'x' is required").
        short: what to show under the field ("An answer is required.").
    """

    field: str
    text: str
    short: str


def submission_field_problems(audit: Audit, questions: Iterable[TemplateQuestion],
                              answers: Mapping[str, AuditAnswer],
                              questions_with_actions: set[str], *,
                              case_rag: str | None = None,
                              rationale: str = "") -> list[FieldProblem]:
    """Everything that stops ``audit`` being submitted, in the order of the form.

    ``answers`` maps question id to answer; a "not met" needs an action on that question
    or a written reason (the answer's note). ``case_rag`` is the rating on the record now
    and ``rationale`` any reason given outside the questions (the disagreement panel):
    an audit that agrees with the record's rating but gives another, or disagrees with
    no reason, is contradictory and would open a disagreement nobody can discuss.
    """
    questions = list(questions)
    problems: list[FieldProblem] = []
    for q in questions:
        answer = answers.get(q.id)
        value = answer.value if answer is not None else None
        if q.required and value is None:
            problems.append(FieldProblem(q.code, f"question '{q.code}' is required",
                                         "An answer is required."))
        if value == StandardAnswer.NOT_MET and q.id not in questions_with_actions and not (
                answer is not None and answer.note.strip()):
            problems.append(FieldProblem(
                q.code, f"question '{q.code}' is not met: add an action or a written reason",
                "Not met: add an action for it, or write the reason in its note."))
    if not audit.overview.strip():
        problems.append(FieldProblem("overview", "the overview of findings is empty",
                                     "Write the overview of your findings."))
    if audit.grade not in GRADES:
        problems.append(FieldProblem("grade", "the overall grade is missing",
                                     "Choose the overall grade."))
    if audit.auditor_rag not in RAGS:
        problems.append(FieldProblem("auditor_rag", "your RAG rating is missing",
                                     "Choose your RAG rating."))
    problems.extend(_rag_problems(audit, questions, answers, case_rag, rationale))
    return problems


def _rag_problems(audit: Audit, questions: list[TemplateQuestion],
                  answers: Mapping[str, AuditAnswer], case_rag: str | None,
                  rationale: str) -> list[FieldProblem]:
    """The RAG answers contradicting each other, or a disagreement with no reason."""
    by_code = {q.code: q for q in questions}

    def value(code: str) -> str | None:
        question = by_code.get(code)
        answer = answers.get(question.id) if question is not None else None
        return answer.value if answer is not None else None

    agrees = value(AGREES_QUESTION)
    mine = audit.auditor_rag if audit.auditor_rag in RAGS else None
    differs = case_rag in RAGS and mine is not None and mine != case_rag
    found: list[FieldProblem] = []
    if agrees == "yes" and differs:
        assert case_rag is not None and mine is not None
        found.append(FieldProblem(
            AGREES_QUESTION,
            f"you agree with the RAG rating on the record ({case_rag.title()}) but your own "
            f"rating is {mine.title()}",
            f"You agree with the record's {case_rag.title()} but rated {mine.title()}: "
            f"answer No, or choose {case_rag.title()}."))
    given = (rationale or "").strip() or (value(RATIONALE_QUESTION) or "").strip()
    if (agrees == "no" or differs) and not given:
        field = RATIONALE_QUESTION if RATIONALE_QUESTION in by_code else "auditor_rag"
        found.append(FieldProblem(
            field, "you disagree with the RAG rating on the record but give no rationale",
            "You disagree with the rating on the record: write your rationale."))
    return found


def submission_problems(audit: Audit, questions: Iterable[TemplateQuestion],
                        answers: Mapping[str, AuditAnswer],
                        questions_with_actions: set[str]) -> list[str]:
    """The sentences of :func:`submission_field_problems`, for messages and the CLI."""
    return [p.text for p in submission_field_problems(audit, questions, answers,
                                                      questions_with_actions)]
