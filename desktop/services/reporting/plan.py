"""What the improvement plan report prints (seed 004): each plan's findings with their
actions, leads, "by when" and status, taken from the plans service.

Why a plan of its own or every plan: a QA lead following one inspection prints that
plan; a senior manager's pack holds all of them, oldest first, as the tracker lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.errors import InputProblem
from desktop.models import ImprovementPlan
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.plans import FindingView, PlanSummary, list_plans, plan_findings
from desktop.services.reporting.ids import resolve


@dataclass(frozen=True)
class PlanReport:
    plan: PlanSummary
    findings: list[FindingView]


def resolve_plan(ctx: ServiceContext, text: str) -> str:
    """The plan id a person typed, whole or its first few characters.

    Raises:
        InputProblem: it names no plan, or fits more than one.
    """
    return resolve(ctx, ImprovementPlan, text, "improvement plan")


def plan_reports(ctx: ServiceContext, plan_id: str | None = None) -> list[PlanReport]:
    """One plan (``plan_id``) or every plan, each with its findings in order.

    Raises:
        InputProblem: ``plan_id`` names no plan.
    """
    guard(ctx, P.REPORTS)
    plans = list_plans(ctx)
    if plan_id is not None:
        plans = [p for p in plans if p.id == plan_id]
        if not plans:
            raise InputProblem(f"no improvement plan with the id '{plan_id}'")
    return [PlanReport(p, plan_findings(ctx, p.id)) for p in plans]
