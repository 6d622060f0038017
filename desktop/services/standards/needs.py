"""Which case fields each practice standard is computed from, and what an export lacks.

Why: an export without a "visit by" column cannot tell whether a complex Green child was
seen by a social worker. Computed anyway, every such child looked years late (counted
from the case's opening) and the standard read 0-5% for every team. A standard whose
fields the export does not carry is "not known from this export" instead: shown as such,
and left out of every figure. A field that is mapped but blank for one child is that
child's "no record", as before: the export could have said, and did not.

The caseload import records the fields its file carried in a synced record
(:class:`~desktop.models.CaseloadImport`, written by :func:`record_carried`), and
:func:`export_gaps` reads the newest export's. Synced, so a laptop that gets its cases
by sync says "not known" for the same standards as the computer that imported (it read
the importing computer's event log before, which never leaves it, and showed every
complex-Green child "late for years"). A store whose cases came another way only (the
demo county) has no such record: every standard is computed, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import CaseloadImport

#: The ``caseload_import`` event's entity (desktop/services/store_status.py reads it too).
IMPORT_ENTITY = "caseload_import"
#: The event detail's key listing the case fields the imported file carried (kept in the
#: event log too, as the record of what this computer did).
FIELDS_KEY = "fields"

#: Standard (engine.Standard's codes; the engine imports this module) -> the case fields
#: it is computed from (the RAG, always mapped, aside).
NEEDS: dict[str, tuple[str, ...]] = {
    "visit_f2f": ("last_f2f_visit",),
    "visit_complex_green": ("last_f2f_visit", "last_f2f_visit_by"),
    "vtt_review": ("last_vtt_review",),
    "oversight": ("last_oversight",),
    "risk_assessment": ("last_risk_assessment",),
}
#: Each standard as an import's message names it.
STANDARD_WORDS: dict[str, str] = {
    "visit_f2f": "the face-to-face visit",
    "visit_complex_green": "the complex-Green visit by a social worker",
    "vtt_review": "the VTT review",
    "oversight": "management oversight",
    "risk_assessment": "the risk assessment",
}
#: Each field a standard needs, as the column a person would look for.
FIELD_WORDS: dict[str, str] = {
    "last_f2f_visit": "'last visit'",
    "last_f2f_visit_by": "'visit by'",
    "last_vtt_review": "'last VTT review'",
    "last_oversight": "'last management oversight'",
    "last_risk_assessment": "'last risk assessment'",
}


@dataclass(frozen=True)
class Gap:
    """A standard the export cannot compute.

    Attributes:
        standard: the standard's code.
        missing: the fields it needs that the export lacks.
    """

    standard: str
    missing: tuple[str, ...]

    @property
    def words(self) -> str:
        """"the complex-Green visit by a social worker (no 'visit by' column)"."""
        columns = " or ".join(FIELD_WORDS.get(f, f) for f in self.missing)
        return f"{STANDARD_WORDS.get(self.standard, self.standard)} (no {columns} column)"


#: Every field some standard is computed from.
NEEDED = frozenset(f for needs in NEEDS.values() for f in needs)


def gaps_of(fields: Iterable[str]) -> list[Gap]:
    """The standards an export carrying ``fields`` cannot compute, in the standards' order."""
    return gaps_missing(NEEDED - frozenset(fields))


def gaps_missing(missing: frozenset[str]) -> list[Gap]:
    """The standards the fields ``missing`` leave not known, in the standards' order."""
    return [Gap(code, lacking) for code, needs in NEEDS.items()
            if (lacking := tuple(f for f in needs if f in missing))]


def gaps_sentence(gaps: list[Gap]) -> str:
    """One line naming what cannot be computed, for a dry run and a draft ("" for none)."""
    if not gaps:
        return ""
    return ("not known from this export (shown as such, left out of figures): "
            + "; ".join(g.words for g in gaps))


def record_carried(session: Session, carried: Iterable[str], *, imported_at: dt.datetime,
                   exported_on: dt.date | None, profile: str = "", rows: int = 0,
                   full: bool = False) -> CaseloadImport:
    """Record, in the caller's transaction, the case fields an import's file carried.

    A new record per import (never an edit of the last), so two laptops importing
    offline never clash; :func:`export_gaps` reads the newest export's.
    """
    record = CaseloadImport(exported_on=exported_on, imported_at=imported_at,
                            profile=profile[:80], fields=",".join(sorted(set(carried))),
                            rows=rows, full=full)
    session.add(record)
    return record


def last_import(session: Session) -> CaseloadImport | None:
    """The newest export's import record: the latest export date (one with no known
    date, recorded by the upgrade from the event log, comes last), then the one written
    last (the later version, the same order on every store).

    Why not by ``imported_at``: a record that arrived by sync holds the same time in
    another text form (no fraction of a second), and SQL compares the text.
    """
    return session.scalars(
        select(CaseloadImport).where(CaseloadImport.deleted.is_(False))
        .order_by(CaseloadImport.exported_on.is_(None), CaseloadImport.exported_on.desc(),
                  CaseloadImport.hlc.desc())
        .limit(1)).first()


def export_gaps(session: Session) -> frozenset[str]:
    """The fields the newest export's file did not carry (empty when no import is known).

    One read of the import records' index, wherever the import ran (they sync).
    """
    record = last_import(session)
    if record is None:
        return frozenset()
    return NEEDED - record.field_set


def not_known(gaps: frozenset[str]) -> frozenset[str]:
    """The standards not known when the fields ``gaps`` are missing."""
    return frozenset(code for code, needs in NEEDS.items() if not gaps.isdisjoint(needs))


def not_known_reason(standard: str, gaps: frozenset[str]) -> str:
    """The result's basis for a standard not known: which column the export lacks."""
    missing = [FIELD_WORDS.get(f, f) for f in NEEDS.get(standard, ()) if f in gaps]
    return f"not known from this export: it has no {' or '.join(missing)} column"
