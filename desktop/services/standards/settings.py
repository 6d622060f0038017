"""A council's practice standards: defaults from docs/domain.md, the settings file, versions.

Why versioned by checksum: an audit records which standards applied, so a figure
reported in March can be explained in June after the settings changed. The same
content always maps to the same :class:`StandardsVersion` row (its id derives from the
checksum); any change to the file makes a new row, numbered after the last. The number
is a label: two laptops offline may both make "version 4" of different settings. The
version in force on a laptop is the one its settings file holds; the history lists
versions in the order they came into force (``effective_from``, then version).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from desktop.models import StandardsVersion
from desktop.models.enums import CaseFlag, Cohort, Rag, VisitBy
from desktop.models.identity import APP, natural_id
from desktop.services.context import ServiceContext
from desktop.services.standards.settings_file import problem, read_settings, settings_path

FILE_NAME = "standards.json"


@dataclass(frozen=True)
class StandardsSettings:
    """Every number of the practice standards; each one a council may change.

    Attributes:
        visit_days: face-to-face visit interval by RAG (seed 003: weekly, fortnightly,
            six-weekly).
        complex_green_visit_days: "at least monthly" for a Green but complex case
            (seed 003). Read as four weeks so that it is never later than a calendar
            month and falls in step with the four-weekly oversight.
        complex_green_visit_by: who must make that visit (seed 003: a social worker).
        complex_cohorts: cohorts that make a Green case complex (all CP plans).
        complex_flags: case flags that make a Green case complex (seed 003's list).
        stepped_down_recent_days: a step-down to Green from Red or Amber within this
            many days makes the case complex even without the flag: one six-weekly VTT
            cycle, after which the team manager decides and sets the flag if needed.
        vtt_review_days: VTT review interval for Green (seed 003); a RAG change is a
            VTT review too ("whenever circumstances change").
        oversight_days: management oversight interval (seed 001: every 4 weeks).
        oversight_after_step_up_days: "more often if risks are escalating" (seed 001):
            after a step-up, oversight is due within this many days of the change
            unless it was already due sooner; ``None`` turns the rule off.
        risk_assessment_days: how old a risk assessment may be and still count as up
            to date; six-weekly, the cadence at which the VTT (which holds the risk
            assessment since seed 003) is reviewed.
        reminder_working_days: "due soon" this many working days before the due date
            (seed 003's tracker: 7).
        bank_holiday_region: the ``holidays`` subdivision whose bank holidays count.
    """

    visit_days: Mapping[str, int] = field(
        default_factory=lambda: {Rag.RED.value: 7, Rag.AMBER.value: 14, Rag.GREEN.value: 42})
    complex_green_visit_days: int = 28
    complex_green_visit_by: tuple[str, ...] = (VisitBy.SOCIAL_WORKER.value,)
    complex_cohorts: tuple[str, ...] = (Cohort.CHILD_PROTECTION.value,)
    complex_flags: tuple[str, ...] = tuple(sorted(f.value for f in CaseFlag))
    stepped_down_recent_days: int = 42
    vtt_review_days: int = 42
    oversight_days: int = 28
    oversight_after_step_up_days: int | None = 7
    risk_assessment_days: int = 42
    reminder_working_days: int = 7
    bank_holiday_region: str = "ENG"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["visit_days"] = dict(sorted(self.visit_days.items()))
        for key in ("complex_green_visit_by", "complex_cohorts", "complex_flags"):
            data[key] = sorted(data[key])
        return data

    def canonical_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def checksum(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


def _positive_int(name: str, key: str, value: Any, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise problem(name, key, "must be a whole number above 0")
    return value


def _codes(name: str, key: str, value: Any, allowed: set[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise problem(name, key, "must be a list of codes")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise problem(name, key, f"has an unknown code '{unknown[0]}'")
    return tuple(sorted(set(value)))


def settings_from_dict(data: Mapping[str, Any], name: str = FILE_NAME) -> StandardsSettings:
    """Validated settings; every problem names the file and the setting."""
    visits = data["visit_days"]
    if not isinstance(visits, dict) or set(visits) != {r.value for r in Rag}:
        raise problem(name, "visit_days", "must give days for red, amber and green")
    visit_days = {rag: _positive_int(name, f"visit_days.{rag}", days)
                  for rag, days in visits.items()}
    region = data["bank_holiday_region"]
    if region not in {"ENG", "WLS", "SCT", "NIR"}:
        raise problem(name, "bank_holiday_region", "must be ENG, WLS, SCT or NIR")
    ints = {key: _positive_int(name, key, data[key]) for key in (
        "complex_green_visit_days", "stepped_down_recent_days", "vtt_review_days",
        "oversight_days", "risk_assessment_days", "reminder_working_days")}
    return StandardsSettings(
        visit_days=visit_days,  # type: ignore[arg-type]
        complex_green_visit_by=_codes(name, "complex_green_visit_by",
                                      data["complex_green_visit_by"], {v.value for v in VisitBy}),
        complex_cohorts=_codes(name, "complex_cohorts", data["complex_cohorts"],
                               {c.value for c in Cohort}),
        complex_flags=_codes(name, "complex_flags", data["complex_flags"],
                             {f.value for f in CaseFlag}),
        oversight_after_step_up_days=_positive_int(
            name, "oversight_after_step_up_days", data["oversight_after_step_up_days"],
            allow_none=True),
        bank_holiday_region=region,
        **ints,  # type: ignore[arg-type]
    )


def load_settings(path: Path | None = None) -> StandardsSettings:
    """The settings in ``standards.json`` (created with the defaults when missing), with
    what the machine-wide policy's ``[standards]`` sets over them: a changed policy makes
    a new standards version like a changed file."""
    path = path or settings_path(FILE_NAME)
    return settings_from_dict(read_settings(path, StandardsSettings().to_dict()), path.name)


def settings_of(version: StandardsVersion) -> StandardsSettings:
    return settings_from_dict(json.loads(version.settings_json), f"standards version "
                              f"{version.number}")


def standards_version_id(checksum: str) -> str:
    """The same settings make the same version row on every device (docs/sync.md).

    Why: two laptops saving the same settings offline must not make two versions; two
    laptops saving different settings make two rows that may both be labelled with the
    same number, which is only a label.
    """
    return natural_id("standards_version", checksum, APP)


def current_standards_version(ctx: ServiceContext, path: Path | None = None
                              ) -> StandardsVersion:
    """The version row for the settings file as it is now, created when it changed.

    The audit workflow stores this row's id on each audit it submits.
    """
    settings = load_settings(path)
    checksum = settings.checksum()
    with ctx.store.read() as session:
        found = session.scalar(select(StandardsVersion).where(
            StandardsVersion.checksum == checksum, StandardsVersion.deleted.is_(False)))
    if found is not None:
        return found
    with ctx.store.transaction() as session:
        found = session.scalar(select(StandardsVersion).where(
            StandardsVersion.checksum == checksum))
        if found is not None:
            return found
        last = session.scalar(select(func.max(StandardsVersion.number))) or 0
        version = StandardsVersion(id=standards_version_id(checksum), number=last + 1,
                                   settings_json=settings.canonical_json(),
                                   checksum=checksum, effective_from=ctx.now())
        session.add(version)
    return version
