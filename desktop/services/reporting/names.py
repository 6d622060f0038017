"""Names of people and teams by id, for reports (one query per table)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Team, User, Worker
from desktop.services.case_filters import STANDARD_LABELS


def _lookup(session: Session, model: type[Team] | type[User] | type[Worker],
            ids: Iterable[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(wanted))).all())


def team_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    return _lookup(session, Team, ids)


def user_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    return _lookup(session, User, ids)


def worker_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    return _lookup(session, Worker, ids)


def initials(name: str) -> str:
    """A child's initials, as the case tool shows them instead of the full name."""
    return "".join(f"{word[0].upper()}." for word in name.replace("-", " ").split() if word)


def code_words(code: str | None) -> str:
    """A stored code as words: ``open_for_comment`` -> "Open for comment" ("" for none).

    Why: exports and reports are read by people; a status or grade is shown as words,
    as the PDFs show it (issue 24, item 6), its code beside it only where a script
    needs it."""
    if not code:
        return ""
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def standard_name(code: str) -> str:
    """A practice standard's name as the case list shows it ("VTT review"), else the
    code in words."""
    return STANDARD_LABELS.get(code) or code_words(code)
