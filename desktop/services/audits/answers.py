"""What an answer may be, and what an audit must hold before it is submitted.

Why shared: the form (as the auditor types), submission, and the historical import
all check answers the same way, so an imported audit can never hold a value the
form could not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from desktop.models import Audit, AuditAnswer, TemplateQuestion
from desktop.models.enums import AnswerType, Grade, Rag, StandardAnswer

STANDARD_VALUES = tuple(s.value for s in StandardAnswer)
GRADES = tuple(g.value for g in Grade)
RAGS = tuple(r.value for r in Rag)
YES_NO = ("yes", "no")


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
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(f"'{value}' is not a date (yyyy-mm-dd)") from None
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


def submission_problems(audit: Audit, questions: Iterable[TemplateQuestion],
                        answers: Mapping[str, AuditAnswer],
                        questions_with_actions: set[str]) -> list[str]:
    """Everything that stops ``audit`` being submitted, in the order of the form.

    ``answers`` maps question id to answer; a "not met" needs an action on that question
    or a written reason (the answer's note).
    """
    problems: list[str] = []
    for q in questions:
        answer = answers.get(q.id)
        value = answer.value if answer is not None else None
        if q.required and value is None:
            problems.append(f"question '{q.code}' is required")
        if value == StandardAnswer.NOT_MET and q.id not in questions_with_actions and not (
                answer is not None and answer.note.strip()):
            problems.append(f"question '{q.code}' is not met: add an action or a written reason")
    if not audit.overview.strip():
        problems.append("the overview of findings is empty")
    if audit.grade not in GRADES:
        problems.append("the overall grade is missing")
    if audit.auditor_rag not in RAGS:
        problems.append("your RAG rating is missing")
    return problems
