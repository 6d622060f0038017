"""The domain model, all of it (docs/domain.md). Importing this package registers every table."""

from desktop.models.action import Action, ActionStatusChange
from desktop.models.audit import Audit, AuditAnswer, AuditComment, Moderation
from desktop.models.base import Base, Fact, Synced, new_id, utcnow
from desktop.models.case import Case, CaseEvent, CaseloadImport, join_flags
from desktop.models.exercise import ExerciseSummary, ImprovementPlan, PlanFinding
from desktop.models.log import Change, Event, Meta
from desktop.models.org import ServiceArea, Team, User, UserServiceArea, Worker
from desktop.models.review import Escalation, EscalationStep, RagDisagreement
from desktop.models.sample import Claim, Sample, SampleItem
from desktop.models.standards import StandardsVersion
from desktop.models.sync import (
    SyncApplied,
    SyncConflict,
    SyncFactOrigin,
    SyncFieldVersion,
    SyncLogEntry,
    SyncOutbox,
    SyncRejected,
    SyncTarget,
)
from desktop.models.template import AuditTemplate, TemplateQuestion

__all__ = [
    "Action",
    "ActionStatusChange",
    "Audit",
    "AuditAnswer",
    "AuditComment",
    "AuditTemplate",
    "Base",
    "Case",
    "CaseEvent",
    "CaseloadImport",
    "Change",
    "Claim",
    "Escalation",
    "EscalationStep",
    "Event",
    "ExerciseSummary",
    "Fact",
    "ImprovementPlan",
    "Meta",
    "Moderation",
    "PlanFinding",
    "RagDisagreement",
    "Sample",
    "SampleItem",
    "ServiceArea",
    "StandardsVersion",
    "SyncApplied",
    "SyncConflict",
    "SyncFactOrigin",
    "SyncFieldVersion",
    "SyncLogEntry",
    "SyncOutbox",
    "SyncRejected",
    "SyncTarget",
    "Synced",
    "Team",
    "TemplateQuestion",
    "User",
    "UserServiceArea",
    "Worker",
    "join_flags",
    "new_id",
    "utcnow",
]
