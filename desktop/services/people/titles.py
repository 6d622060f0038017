"""Council words for roles and job titles: one table, the same in any column.

Why one table (issue 25, item 2): "Head of Service" in a staff list's Roles column gave
only ``head_of_service`` while the same words as a job title gave ``auditor,
head_of_service``; "Area Manager" was refused in Roles and accepted as a title; and a
Head of Service imported through Roles was silently left out of the area's sample. Two
hand-kept lists had drifted apart. Now a Roles cell and a job title are read by the
same table, so the same words give the same roles wherever they are written.

Why a file and not code: every council has its own titles ("Service Manager", "Practice
Lead", "Business Support"), and what each may do in DipSample is the council's decision.
The built-in table is ``resources/roles/job_titles.csv``; a council's own copy,
``job_titles.csv`` in the settings folder, replaces it whole (the same rule as the
council's own templates).

How words match: both sides are cut into words (letters and digits, any case), and a
title holds a row when the row's words appear in it one after another, so "Area Manager
(North)" holds "Area Manager". Where two rows overlap the longer wins ("Senior Manager
(Safeguarding and QA)" is that row, not "Senior Manager" and "QA"); rows that do not
overlap add up. The role codes (``auditor``, ``head_of_service`` ...) are rows too, each
giving just its own role, unless the table says otherwise.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from desktop import paths
from desktop.errors import EnvironmentProblem
from desktop.models.enums import Role

FILE_NAME = "job_titles.csv"
#: A word of a title: letters and digits; an underscore keeps a role code one word.
WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*")
#: What separates several roles in one Roles cell (a job title is never split).
SEPARATORS = re.compile(r"\s*[;|/,]\s*")


def words_of(text: str) -> tuple[str, ...]:
    """``"Area Manager (North)"`` -> ``("area", "manager", "north")``."""
    return tuple(WORD.findall(text.casefold()))


@dataclass(frozen=True)
class Title:
    """One row: the words as the table writes them, and the role codes they give."""

    words: str
    roles: frozenset[str]


class TitleTable:
    """The table in force and the file it was read from.

    Attributes:
        source: the file read.
        titles: its rows, in its order.
    """

    def __init__(self, source: Path, titles: tuple[Title, ...]) -> None:
        self.source = source
        self.titles = titles
        self._by_words: dict[tuple[str, ...], frozenset[str]] = {
            (role.value,): frozenset({role.value}) for role in Role}
        for title in titles:
            self._by_words[words_of(title.words)] = title.roles
        self._longest = max(len(k) for k in self._by_words)

    def roles_of(self, text: str) -> tuple[str, ...] | None:
        """The role codes ``text`` holds (sorted), or None when it holds no row's words."""
        words = words_of(text)
        found: set[str] = set()
        matched = False
        start = 0
        while start < len(words):
            for size in range(min(self._longest, len(words) - start), 0, -1):
                roles = self._by_words.get(words[start:start + size])
                if roles is not None:
                    found |= roles
                    matched = True
                    start += size
                    break
            else:
                start += 1
        return tuple(sorted(found)) if matched else None

    def roles_of_cell(self, text: str) -> tuple[str, ...] | None:
        """A Roles cell's codes: each of its parts (split at ; , / |) read as a title;
        None when a part is not a known title or role, () when the cell is empty."""
        found: set[str] = set()
        for part in (p for p in SEPARATORS.split(text) if p.strip()):
            roles = self.roles_of(part)
            if roles is None:
                return None
            found.update(roles)
        return tuple(sorted(found))

    def known(self) -> list[str]:
        """The table's titles in its order, as a refusal names them (short forms such as
        "HoS" or "TM" left out: they would crowd out the titles)."""
        return list(dict.fromkeys(t.words for t in self.titles if len(t.words) > 3))


def council_file() -> Path:
    """Where a council's own table goes (it replaces the built-in one when there)."""
    return paths.config_dir() / FILE_NAME


def builtin_file() -> Path:
    return paths.resource("roles", FILE_NAME)


def load_titles(path: Path | None = None) -> TitleTable:
    """The table in force: ``path``, else the council's own file, else the built-in.

    Raises:
        EnvironmentProblem: the file cannot be read, lacks the ``words,roles`` header,
            or a row names no role or one that does not exist (line and value said).
    """
    if path is None:
        own = council_file()
        path = own if own.is_file() else builtin_file()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentProblem(f"{path}: the table of job titles cannot be read: "
                                 f"{exc}") from None
    return TitleTable(path, tuple(_rows(path, text)))


def _rows(path: Path, text: str) -> list[Title]:
    codes = {role.value for role in Role}
    titles: list[Title] = []
    header_seen = False
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        where = f"{path.name}, line {number}"
        if not header_seen:
            if [c.casefold() for c in cells[:2]] != ["words", "roles"]:
                raise EnvironmentProblem(f"{where}: the table's first row must be "
                                         "'words,roles'")
            header_seen = True
            continue
        if len(cells) < 2 or not words_of(cells[0]):
            raise EnvironmentProblem(f"{where}: a row is the words, a comma, then the roles")
        roles = frozenset(r.strip() for r in cells[1].split(";") if r.strip())
        unknown = sorted(roles - codes)
        if unknown or not roles:
            raise EnvironmentProblem(
                f"{where}: '{unknown[0] if unknown else ''}' is not a role; the roles are "
                + ", ".join(role.value for role in Role))
        titles.append(Title(cells[0], roles))
    if not titles:
        raise EnvironmentProblem(f"{path.name}: the table of job titles has no rows")
    return titles
