"""Ids derived from a record's natural key, for records that come from outside.

Why: two laptops (or a laptop and the central store) that import the same weekly
export must hold the same child, team and worker under the same id, or sync would
either duplicate the child or fail on the unique case reference. A UUIDv5 of the
council's namespace, the source system and the reference gives every store the same id
without asking anyone (docs/sync.md, 'Identity').

Why one namespace for the council: one DipSample store (and one central database or
shared folder) serves one council; a central service holding many councils keeps each
in its own database or schema, so their ids never meet.
"""

from __future__ import annotations

import uuid

#: The council's namespace for natural-key ids.
COUNCIL_NAMESPACE = uuid.UUID("9b3f6a52-8d1e-5c47-a0f2-3e6d1c9b7a40")
#: The source system of everything a caseload export brings: the council's case system.
#: The profile (Mosaic, LCS, a hand mapping) is not part of the key: the case reference
#: is the council's, whichever export format carries it.
CASELOAD = "caseload"


def natural_id(kind: str, reference: str, source: str = CASELOAD) -> str:
    """The id of the ``kind`` record (case, team, ...) known outside as ``reference``."""
    return str(uuid.uuid5(COUNCIL_NAMESPACE, f"{source}\x1f{kind}\x1f{reference}"))


def case_id(case_ref: str) -> str:
    return natural_id("case", case_ref)


def service_area_id(name: str) -> str:
    """Areas and teams are matched by name regardless of case, so their key is folded."""
    return natural_id("service_area", name.casefold())


def team_id(name: str) -> str:
    return natural_id("team", name.casefold())


def worker_id(staff_ref: str) -> str:
    return natural_id("worker", staff_ref)


#: Records made in the app whose identity is their place, not the moment they were made.
APP = "dipsample"


def answer_id(audit_id: str, question_id: str) -> str:
    """An audit has one answer per question: the same id wherever it is first typed.

    Why: the auditor may answer on two laptops offline; two random ids would both land
    on (audit, question), which is unique. One id makes them one record whose fields
    merge.
    """
    return natural_id("audit_answer", f"{audit_id}:{question_id}", APP)


def weekly_sample_id(auditor_id: str, iso_week: str, kind: str) -> str:
    """One auditor's sample of one kind for one week is one record on every device."""
    return natural_id("sample", f"{auditor_id}:{iso_week}:{kind}", APP)


def sample_item_id(sample_id: str, case_id: str) -> str:
    """A case appears once in a sample: two draws of the same week merge item by item."""
    return natural_id("sample_item", f"{sample_id}:{case_id}", APP)


def claim_id(auditor_id: str, case_id: str, iso_week: str) -> str:
    """An auditor holds one claim on a case in a week: the same id on every device.

    Why: the same auditor drawing the same week on two laptops offline made one sample
    (natural ids) but a claim per laptop for each case, random ids that sync kept side
    by side (25 duplicate claims for one week, issue 21). Two auditors' claims of one
    case still differ, so their collision stays visible.
    """
    return natural_id("claim", f"{auditor_id}:{case_id}:{iso_week}", APP)
