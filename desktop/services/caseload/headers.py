"""Which of an export's columns is which case field, from the headers alone.

Why one matcher: ``dipsample profiles draft`` and the import screen's hand mapping both
start from the file's headers. A header is compared without letter case, spaces or
punctuation ("D.O.B." is "DOB") against, in this order: the column names of the built-in
profiles, the common variants councils use (:data:`COMMON_HEADERS`: "Case Ref", "DOB",
"Legal Status", "Last Seen"...), and each field's own name and label. Nothing is
guessed from the rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from desktop.services.caseload.profiles import FIELDS

#: What each field means, as a person reads it beside its column choice.
FIELD_LABELS: dict[str, str] = {
    "case_ref": "Case reference", "child_name": "Child's full name",
    "forename": "Child's first name", "surname": "Child's surname",
    "initials": "Child's initials", "date_of_birth": "Date of birth",
    "expected_delivery_date": "Expected date of delivery (unborn)",
    "service_area": "Service area", "team": "Team", "worker_name": "Worker's name",
    "worker_ref": "Worker's staff reference", "team_manager_name": "Team manager's name",
    "team_manager_ref": "Team manager's staff reference", "cohort": "Legal status (cohort)",
    "rag": "RAG rating", "rag_set_on": "Date the RAG was set", "status": "Case status",
    "opened_on": "Date the case opened", "closed_on": "Date the case closed",
    "last_f2f_visit": "Last face-to-face visit", "last_f2f_visit_by": "Who made that visit",
    "last_virtual_visit": "Last virtual visit", "last_oversight": "Last management oversight",
    "last_vtt_review": "Last VTT review", "last_risk_assessment": "Last risk assessment",
    "last_audit": "Last audit",
}

#: Headers councils' reports commonly use, per field (besides the built-in profiles').
COMMON_HEADERS: dict[str, tuple[str, ...]] = {
    "case_ref": ("Case Ref", "Case Reference", "Case ID", "Case Number", "Case No", "Child ID",
                 "Child Ref", "Child Reference", "Person ID", "Person Ref", "Client ID",
                 "Client Ref", "Mosaic ID", "LCS ID", "Child Number", "Person Reference",
                 "Client Number", "CRN"),
    "child_name": ("Name", "Child Name", "Child's Name", "Full Name", "Client Name",
                   "Person Name"),
    "forename": ("First Name", "Forename", "Given Name", "Child First Name"),
    "surname": ("Surname", "Last Name", "Family Name", "Child Surname"),
    "initials": ("Initials", "Child Initials"),
    "date_of_birth": ("DOB", "Date of Birth", "Birth Date", "Birthdate"),
    "expected_delivery_date": ("EDD", "Expected Date", "Expected Date of Delivery",
                               "Expected Delivery Date"),
    "service_area": ("Service Area", "Area", "Locality", "Directorate", "Service"),
    "team": ("Team", "Team Name", "Allocated Team"),
    "worker_name": ("Worker", "Worker Name", "Social Worker", "Allocated Worker",
                    "Allocated Social Worker", "Key Worker", "Allocated SW", "SW", "SW Name",
                    "Social Worker Name", "Allocated Worker Name", "Case Worker",
                    "Caseworker", "Lead Worker"),
    "worker_ref": ("Worker ID", "Worker Ref", "Worker Code", "Worker No", "Staff ID",
                   "Staff Number", "SW ID", "SW Ref", "SW Code", "SW No",
                   "Social Worker ID", "Social Worker Ref", "Allocated Worker ID",
                   "Allocated SW ID", "Worker Number", "Staff Ref", "Worker Staff ID"),
    "team_manager_name": ("Team Manager", "TM", "Manager", "Team Manager Name", "TM Name",
                          "Manager Name"),
    "team_manager_ref": ("Team Manager ID", "Team Manager Ref", "TM Code", "Manager Ref",
                         "TM ID", "TM Ref", "Team Manager Code", "Manager ID"),
    "cohort": ("Legal Status", "Category", "Cohort", "Child Category", "Case Category",
               "Current Legal Status", "Legal Status Description", "Primary Category",
               "Plan Type"),
    "rag": ("RAG", "RAG Rating", "RAG Status", "VTT RAG", "Current RAG", "Risk Rating",
            "Risk Level", "VTT Rating", "VTT RAG Rating", "Vulnerability Rating",
            "Vulnerability RAG", "RAG Colour", "RAG Color"),
    "rag_set_on": ("RAG Date", "RAG Set", "RAG Set On", "Date RAG Set", "RAG Changed",
                   "RAG Date Set", "Date of RAG", "RAG Last Changed", "Date RAG Changed",
                   "RAG Updated"),
    "status": ("Case Status", "Status", "Episode Status"),
    "opened_on": ("Start Date", "Open Date", "Date Opened", "Opened", "Case Start",
                  "Case Start Date", "Case Open Date", "Date Case Opened", "Episode Start",
                  "Episode Start Date"),
    "closed_on": ("End Date", "Close Date", "Date Closed", "Closed", "Case End",
                  "Case End Date", "Case Close Date", "Date Case Closed", "Episode End",
                  "Episode End Date", "Closure Date"),
    "last_f2f_visit": ("Last Visit", "Last Seen", "Date Last Seen", "Last F2F",
                       "Last Face to Face Visit", "Last Home Visit", "Last Statutory Visit",
                       "Last F2F Visit", "Last Face to Face", "Last Visited", "Date Visited"),
    "last_f2f_visit_by": ("Visit By", "Visited By", "Seen By", "Last Visit By",
                          "Visit Completed By", "Visiting Worker", "Visited By Role",
                          "Seen By Role"),
    "last_virtual_visit": ("Last Virtual Visit", "Last Virtual", "Last Video Contact",
                           "Last Virtual Contact", "Last Video Visit"),
    "last_oversight": ("Last Oversight", "Last Management Oversight", "Last Mgmt Oversight",
                       "Management Oversight", "Last Supervision", "Last Case Supervision"),
    "last_vtt_review": ("Last VTT Review", "VTT Review", "Last VTT"),
    "last_risk_assessment": ("Last Risk Assessment", "Risk Assessment",
                             "Risk Assessment Date", "Last RA"),
    "last_audit": ("Last Audit", "Last QA Audit", "Last Dip Sample", "Last Audited"),
}
#: Date fields whose "Last ..." headers also come as "Date Last ...", "Last ... Date" and
#: "Date of Last ...": the three ways reports name the same date ("Date Last Visit",
#: "Last Visit Date"); added to :data:`COMMON_HEADERS` below, not written out by hand.
DATED_FIELDS = ("last_f2f_visit", "last_virtual_visit", "last_oversight", "last_vtt_review",
                "last_risk_assessment", "last_audit")


def _dated(variants: tuple[str, ...]) -> tuple[str, ...]:
    """``("Last Visit",)`` -> ``("Last Visit", "Date Last Visit", "Last Visit Date",
    "Date of Last Visit")``."""
    more = [form.format(v) for v in variants if v.startswith("Last ")
            for form in ("Date {}", "{} Date", "Date of {}")]
    return tuple(dict.fromkeys([*variants, *more]))


for _field in DATED_FIELDS:
    COMMON_HEADERS[_field] = _dated(COMMON_HEADERS[_field])

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """A header as it is compared: letters and digits only, in any case."""
    return _NOT_ALNUM.sub("", text.casefold())


def match_headers(headers: Sequence[str], profiles: Iterable[Mapping[str, Any]] = ()
                  ) -> tuple[dict[str, str], Counter[str]]:
    """Field to the file's header for every field a header names, and how many fields
    each profile (by name) matched.

    ``profiles`` are raw mappings (the built-ins); their column names come first, then
    :data:`COMMON_HEADERS`, then the fields' names and labels. One header is one field,
    and the first header naming a field takes it.
    """
    known: dict[str, list[tuple[str, str]]] = {}  # header key -> [(field, profile)]
    for raw in profiles:
        for field, column in (raw.get("columns") or {}).items():
            if field in FIELDS and isinstance(column, str):
                known.setdefault(header_key(column), []).append((field, str(raw["name"])))
    for field, variants in COMMON_HEADERS.items():
        for words in variants:
            known.setdefault(header_key(words), []).append((field, ""))
    for field in FIELDS:
        for words in (field, FIELD_LABELS.get(field, "")):
            known.setdefault(header_key(words), []).append((field, ""))
    columns: dict[str, str] = {}
    used: Counter[str] = Counter()
    taken: set[str] = set()
    for header in headers:
        key = header_key(header)
        if not key or key in taken:
            continue
        for field, profile in known.get(key, []):
            if field not in columns:
                columns[field] = header
                taken.add(key)
                if profile:
                    used[profile] += 1
                break
    one_name_field(columns)
    return columns, used


def one_name_field(columns: dict[str, str]) -> None:
    """Keep one way of naming the child, as a profile must (full name, or both parts)."""
    if "forename" in columns and "surname" in columns:
        columns.pop("child_name", None)
        columns.pop("initials", None)
    else:
        columns.pop("forename", None)
        columns.pop("surname", None)
        if "child_name" in columns:
            columns.pop("initials", None)
