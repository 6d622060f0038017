"""Read an audit template file (TOML) into a checked specification.

Why TOML: a QA lead can edit it in Notepad, it has comments and multi-line strings for
the auditor's help text, and the standard library reads it (``tomllib``) with line
numbers on syntax errors. The meaning is checked here (unknown keys, an unknown
answer type, a duplicate question code, a standard that does not exist) and each
error is located by scanning the file for the offending table or key, so the user is
told "file:line: reason" for every kind of mistake.

The shape::

    code = "risk_assessment_rag"      # stable across versions
    title = "..."
    source = "000"                    # the guidance it encodes
    description = "..."

    [[section]]
    title = "Risk assessment"

    [[section.question]]
    code = "ra_up_to_date"
    text = "Is there an up-to-date risk assessment?"
    type = "standard"                 # standard, yes_no, grade, text, date
    required = true
    standard = "risk_assessment"      # optional: the practice standard it checks
    help = "What the auditor should look for."
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from desktop.errors import InputProblem
from desktop.models.enums import AnswerType
from desktop.services.standards.engine import Standard

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
_TOP_KEYS = {"code", "title", "source", "description", "section"}
_SECTION_KEYS = {"title", "question"}
_QUESTION_KEYS = {"code", "text", "type", "required", "help", "standard"}
_HEADER = re.compile(r"^\s*\[\[\s*(section(?:\s*\.\s*question)?)\s*\]\]")
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)$")


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    section: str
    text: str
    answer_type: str
    required: bool
    help: str
    standard_code: str | None


@dataclass(frozen=True)
class TemplateSpec:
    """A template as the file states it. ``checksum`` covers the meaning, not the bytes:
    a comment or a blank line changed in the file is not a new version."""

    code: str
    title: str
    source: str
    description: str
    questions: tuple[QuestionSpec, ...]
    path: Path

    @property
    def checksum(self) -> str:
        body = asdict(self)
        body.pop("path")
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Locator:
    """Finds the line of a table or a key in the source, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        #: (line number, "section" or "question", section index, question index)
        self.headers: list[tuple[int, str]] = []
        for number, line in enumerate(self.lines, 1):
            found = _HEADER.match(line)
            if found:
                kind = "question" if "question" in found.group(1) else "section"
                self.headers.append((number, kind))

    def _block(self, section: int | None, question: int | None) -> tuple[int, int]:
        """The (first, last) line numbers of a table's block; the whole top for None."""
        if section is None:
            end = self.headers[0][0] - 1 if self.headers else len(self.lines)
            return 1, end
        s = q = -1
        for index, (number, kind) in enumerate(self.headers):
            if kind == "section":
                s, q = s + 1, -1
            else:
                q += 1
            if s == section and (q == question if question is not None else kind == "section"):
                following = self.headers[index + 1][0] - 1 if index + 1 < len(self.headers) \
                    else len(self.lines)
                return number, following
        return 1, len(self.lines)

    def line(self, section: int | None = None, question: int | None = None,
             key: str | None = None) -> int:
        first, last = self._block(section, question)
        if key is not None:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
            for number in range(first, last + 1):
                if pattern.match(self.lines[number - 1]):
                    return number
        return first


def _fail(path: Path, line: int, reason: str) -> InputProblem:
    return InputProblem(f"{path}:{line}: {reason}")


def _text(path: Path, where: _Locator, table: dict[str, Any], key: str, *,
          section: int | None = None, question: int | None = None,
          required: bool = True) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise _fail(path, where.line(section, question, key), f"'{key}' must be text")
    value = value.strip()
    if required and not value:
        raise _fail(path, where.line(section, question, key), f"'{key}' is missing or empty")
    return value


def _unknown(path: Path, where: _Locator, table: dict[str, Any], allowed: set[str],
             section: int | None = None, question: int | None = None) -> None:
    for key in table:
        if key not in allowed:
            raise _fail(path, where.line(section, question, key),
                        f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


def _question(path: Path, where: _Locator, raw: Any, section_title: str, s: int,
              q: int) -> QuestionSpec:
    if not isinstance(raw, dict):
        raise _fail(path, where.line(s, q), "a question must be a [[section.question]] table")
    _unknown(path, where, raw, _QUESTION_KEYS, s, q)
    code = _text(path, where, raw, "code", section=s, question=q)
    if not _CODE.match(code):
        raise _fail(path, where.line(s, q, "code"),
                    f"question code '{code}' must be lower-case letters, digits and _")
    text = _text(path, where, raw, "text", section=s, question=q)
    kind = _text(path, where, raw, "type", section=s, question=q)
    if kind not in {t.value for t in AnswerType}:
        raise _fail(path, where.line(s, q, "type"),
                    f"unknown answer type '{kind}' (use one of: "
                    f"{', '.join(t.value for t in AnswerType)})")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise _fail(path, where.line(s, q, "required"), "'required' must be true or false")
    standard = _text(path, where, raw, "standard", section=s, question=q, required=False)
    if standard and standard not in {c.value for c in Standard}:
        raise _fail(path, where.line(s, q, "standard"),
                    f"unknown practice standard '{standard}' (use one of: "
                    f"{', '.join(c.value for c in Standard)})")
    if standard and kind not in (AnswerType.STANDARD, AnswerType.YES_NO):
        raise _fail(path, where.line(s, q, "standard"),
                    "only a 'standard' or 'yes_no' question can check a practice standard")
    help_text = _text(path, where, raw, "help", section=s, question=q, required=False)
    return QuestionSpec(code, section_title, text, kind, required, help_text, standard or None)


def parse_template(text: str, path: Path) -> TemplateSpec:
    """Check ``text`` (the content of ``path``) and return its specification.

    Raises:
        InputProblem: "path:line: reason" for the first error found.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT_LINE.search(message)
        line = int(found.group(1)) if found else 1
        raise _fail(path, line, _AT_LINE.sub("", message).strip()) from None
    where = _Locator(text)
    _unknown(path, where, data, _TOP_KEYS)
    code = _text(path, where, data, "code")
    if not _CODE.match(code):
        raise _fail(path, where.line(key="code"),
                    f"template code '{code}' must be lower-case letters, digits and _")
    title = _text(path, where, data, "title")
    if len(title) > 200:
        raise _fail(path, where.line(key="title"), "'title' is longer than 200 characters")
    source = _text(path, where, data, "source", required=False)
    description = _text(path, where, data, "description", required=False)
    sections = data.get("section")
    if not isinstance(sections, list) or not sections:
        raise _fail(path, where.line(), "a template needs at least one [[section]]")
    questions: list[QuestionSpec] = []
    seen: dict[str, int] = {}
    for s, section in enumerate(sections):
        _unknown(path, where, section, _SECTION_KEYS, s)
        section_title = _text(path, where, section, "title", section=s)
        raw_questions = section.get("question")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise _fail(path, where.line(s), f"section '{section_title}' has no "
                        "[[section.question]]")
        for q, raw in enumerate(raw_questions):
            spec = _question(path, where, raw, section_title, s, q)
            if spec.code in seen:
                raise _fail(path, where.line(s, q, "code"),
                            f"duplicate question code '{spec.code}' (first at line "
                            f"{seen[spec.code]})")
            seen[spec.code] = where.line(s, q, "code")
            questions.append(spec)
    return TemplateSpec(code, title, source, description, tuple(questions), path)


def read_template(path: Path) -> TemplateSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _fail(path, 1, "the file is not UTF-8 text") from None
    except OSError as exc:
        raise InputProblem(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_template(text, path)
