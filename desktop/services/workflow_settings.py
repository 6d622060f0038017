"""Settings of the audit workflow: comment window, escalation deadline, reviews, moderation.

Why a file of its own (``workflow.json`` in the config folder): these are the council's
own numbers (docs/domain.md: "every number on this page is a default a council must be
able to change"), they change independently of the practice standards and the
sampling quotas, and changing them must not create a new standards version.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from desktop.services.standards.settings_file import problem, read_settings, settings_path

FILE_NAME = "workflow.json"
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class WorkflowSettings:
    """Attributes:
        comment_window_hours: how long the worker and team manager may comment before
            an audit finalises by itself (seed 001: 72 hours).
        escalation_working_days: the team manager's response deadline for a concern of
            significant harm, in working days after it is raised (seed 001 asks for "a
            specified and realistic timeframe"; default: the end of the next working day).
        working_day_ends_at: when a working day ends (local time, "HH:MM"): the
            deadline is this time on the deadline day.
        action_review_days: actions are reviewed this many days after the audit
            (seed 001: 2 weeks).
        action_max_days_ahead: a due date further ahead than this is refused as not
            realistic (seed 001: "realistic timescales for all actions").
        moderation_share: the share of finalised audits drawn for moderation.
        bank_holiday_region: the ``holidays`` subdivision whose bank holidays count.
    """

    comment_window_hours: int = 72
    escalation_working_days: int = 1
    working_day_ends_at: str = "17:00"
    action_review_days: int = 14
    action_max_days_ahead: int = 365
    moderation_share: float = 0.10
    bank_holiday_region: str = "ENG"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def day_end(self) -> dt.time:
        hours, minutes = self.working_day_ends_at.split(":")
        return dt.time(int(hours), int(minutes))


def _whole(name: str, key: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise problem(name, key, f"must be a whole number, at least {minimum}")
    return value


def settings_from_dict(data: Mapping[str, Any], name: str = FILE_NAME) -> WorkflowSettings:
    share = data["moderation_share"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise problem(name, "moderation_share", "must be a fraction above 0 and at most 1 "
                      "(0.1 is 10%)")
    ends = data["working_day_ends_at"]
    if not isinstance(ends, str) or not _CLOCK.match(ends):
        raise problem(name, "working_day_ends_at", "must be a time of day such as \"17:00\"")
    region = data["bank_holiday_region"]
    if region not in ("ENG", "WLS", "SCT", "NIR"):
        raise problem(name, "bank_holiday_region", "must be ENG, WLS, SCT or NIR")
    return WorkflowSettings(
        comment_window_hours=_whole(name, "comment_window_hours",
                                    data["comment_window_hours"], 0),
        escalation_working_days=_whole(name, "escalation_working_days",
                                       data["escalation_working_days"], 0),
        working_day_ends_at=ends,
        action_review_days=_whole(name, "action_review_days", data["action_review_days"], 1),
        action_max_days_ahead=_whole(name, "action_max_days_ahead",
                                     data["action_max_days_ahead"], 1),
        moderation_share=float(share),
        bank_holiday_region=region,
    )


def load_workflow_settings(path: Path | None = None) -> WorkflowSettings:
    """The settings in ``workflow.json`` (created with the defaults when missing), with
    what the machine-wide policy's ``[workflow]`` sets over them."""
    path = path or settings_path(FILE_NAME)
    return settings_from_dict(read_settings(path, WorkflowSettings().to_dict()), path.name)
