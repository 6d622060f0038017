"""Sampling settings: quotas per RAG, the fill order for short strata, the re-audit gap.

Why a file of its own (``sampling.json``): quotas change far more often than the
practice standards, and changing them must not create a new standards version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.models.enums import Rag
from desktop.services.standards.settings_file import problem, read_settings, settings_path

FILE_NAME = "sampling.json"
RAGS = (Rag.RED.value, Rag.AMBER.value, Rag.GREEN.value)


@dataclass(frozen=True)
class SamplingSettings:
    """Attributes:
        quotas: cases per RAG stratum for one auditor's week (seed 000: 10/10/5).
        fill_from: for each stratum, where to take cases from when it is short, in
            order. Default: the next higher-risk stratum first, then the other one,
            so an auditor still gets 25 cases when a caseload allows it.
        reaudit_gap_days: no case is audited again within this many days (seed 001).
        priority_cohorts: sampled first within each stratum (seed 001).
        priority_weight: how many times as likely a priority case is to be drawn as
            another case of its RAG and area. Why not "all priority cases first":
            then the other cases of a RAG whose quota the priority cases fill are
            never drawn, and no estimate can speak for them (issue 10; see
            docs/statistics.md). At 10 the priority cohorts still fill most of a
            quota wherever they are more than a tenth of the other cases.
    """

    quotas: Mapping[str, int] = field(
        default_factory=lambda: {"red": 10, "amber": 10, "green": 5})
    fill_from: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: {
        "green": ("amber", "red"), "amber": ("red", "green"), "red": ("amber", "green")})
    reaudit_gap_days: int = 28
    priority_cohorts: tuple[str, ...] = ("care_leaver", "cp", "unborn")
    priority_weight: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        return {"quotas": dict(self.quotas),
                "fill_from": {k: list(v) for k, v in self.fill_from.items()},
                "reaudit_gap_days": self.reaudit_gap_days,
                "priority_cohorts": list(self.priority_cohorts),
                "priority_weight": self.priority_weight}


def settings_from_dict(data: Mapping[str, Any], name: str = FILE_NAME) -> SamplingSettings:
    quotas = data["quotas"]
    if not isinstance(quotas, dict) or set(quotas) != set(RAGS) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in quotas.values()):
        raise problem(name, "quotas", "must give a whole number (0 or more) for red, amber "
                      "and green")
    fill = data["fill_from"]
    if not isinstance(fill, dict) or not set(fill) <= set(RAGS):
        raise problem(name, "fill_from", "must map red/amber/green to lists of strata")
    orders: dict[str, tuple[str, ...]] = {}
    for rag in RAGS:
        order = fill.get(rag, [])
        if not isinstance(order, list) or not set(order) <= set(RAGS) - {rag}:
            raise problem(name, f"fill_from.{rag}", "must list other strata only")
        orders[rag] = tuple(order)
    gap = data["reaudit_gap_days"]
    if isinstance(gap, bool) or not isinstance(gap, int) or gap < 0:
        raise problem(name, "reaudit_gap_days", "must be a whole number, 0 or more")
    cohorts = data["priority_cohorts"]
    if not isinstance(cohorts, list) or not all(isinstance(c, str) for c in cohorts):
        raise problem(name, "priority_cohorts", "must be a list of cohort codes")
    weight = data.get("priority_weight", SamplingSettings.priority_weight)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 1 <= weight <= 1000:
        raise problem(name, "priority_weight", "must be a number from 1 to 1000")
    return SamplingSettings(quotas=dict(quotas), fill_from=orders, reaudit_gap_days=gap,
                            priority_cohorts=tuple(sorted(set(cohorts))),
                            priority_weight=float(weight))


def load_sampling_settings(path: Path | None = None) -> SamplingSettings:
    path = path or settings_path(FILE_NAME)
    return settings_from_dict(read_settings(path, SamplingSettings().to_dict()), path.name)
