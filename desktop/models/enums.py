"""Vocabularies of the domain, stored as short text codes.

Why text codes and not database enums: a council can be on an older app version
during a sync, and text survives an unknown value where a database enum would not.
"""

from __future__ import annotations

from enum import StrEnum


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def rank(self) -> int:
        """Higher is riskier; used to fill a short stratum from the next riskier one."""
        return {"red": 3, "amber": 2, "green": 1}[self.value]


class Cohort(StrEnum):
    """Legal status / cohort of a case (docs/domain.md, 'The case record')."""

    CHILD_IN_NEED = "cin"
    CHILD_PROTECTION = "cp"
    CHILD_IN_CARE = "cic"
    CARE_LEAVER = "care_leaver"
    UNBORN = "unborn"
    DISABLED = "disabled"
    FOSTERING = "fostering"
    SGO = "sgo"


#: Cohorts sampled first within each stratum (seed 001).
PRIORITY_COHORTS = frozenset({Cohort.UNBORN, Cohort.CHILD_PROTECTION, Cohort.CARE_LEAVER})


class CaseFlag(StrEnum):
    """Extra circumstances from seed 003 that make a Green case complex."""

    NOT_IN_SCHOOL = "not_in_school"
    MISSING = "missing"
    EXPLOITATION = "exploitation"
    EDGE_OF_CARE = "edge_of_care"
    EDGE_OF_SAFEGUARDING = "edge_of_safeguarding"
    PLACEMENT_AT_RISK = "placement_at_risk"
    PLACEMENT_WITH_PARENTS = "placement_with_parents"
    REG_24 = "reg_24"
    UNSUITABLE_ACCOMMODATION = "unsuitable_accommodation"
    RISK_TAKING = "risk_taking"
    STEPPED_DOWN = "stepped_down"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseEventKind(StrEnum):
    VISIT_FACE_TO_FACE = "visit_f2f"
    VISIT_VIRTUAL = "visit_virtual"
    MANAGEMENT_OVERSIGHT = "oversight"
    VTT_REVIEW = "vtt_review"
    RISK_ASSESSMENT = "risk_assessment"
    RAG_CHANGE = "rag_change"
    OPENED = "opened"
    CLOSED = "closed"


class VisitBy(StrEnum):
    """Who saw the child (seed 003 allows others than the social worker for some Greens)."""

    SOCIAL_WORKER = "social_worker"
    PERSONAL_ADVISER = "personal_adviser"
    SOCIAL_CARE_PROFESSIONAL = "social_care_professional"
    PARTNER_AGENCY = "partner_agency"


class Role(StrEnum):
    """What a user may do (docs/architecture.md, 'The roadmap': roles enforced in services)."""

    AUDITOR = "auditor"
    COORDINATOR = "coordinator"
    TEAM_MANAGER = "team_manager"
    SOCIAL_WORKER = "social_worker"
    QA = "qa"
    MODERATOR = "moderator"
    HEAD_OF_SERVICE = "head_of_service"
    ADMINISTRATOR = "administrator"


class WorkerRole(StrEnum):
    SOCIAL_WORKER = "social_worker"
    TEAM_MANAGER = "team_manager"
    PERSONAL_ADVISER = "personal_adviser"
    FAMILY_PRACTITIONER = "family_practitioner"
    STUDENT = "student"


class SampleKind(StrEnum):
    WEEKLY = "weekly"
    TARGETED = "targeted"


class SampleItemStatus(StrEnum):
    ACTIVE = "active"
    DROPPED = "dropped"
    AUDITED = "audited"


class DropReason(StrEnum):
    CLOSED_SINCE_DRAW = "closed_since_draw"
    SIBLING_AUDITED = "sibling_audited"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    OTHER = "other"


class AuditStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    OPEN_FOR_COMMENT = "open_for_comment"
    QUERIED = "queried"
    FINALISED = "finalised"
    REOPENED = "reopened"


class Grade(StrEnum):
    """The Ofsted scale."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"


class AnswerType(StrEnum):
    STANDARD = "standard"  # met / partly met / not met / not applicable
    YES_NO = "yes_no"
    GRADE = "grade"
    TEXT = "text"
    DATE = "date"


class StandardAnswer(StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


class DisagreementStatus(StrEnum):
    OPEN = "open"
    AGREED = "agreed"
    ESCALATED = "escalated"
    CLOSED = "closed"


class EscalationStatus(StrEnum):
    AWAITING_TEAM_MANAGER = "awaiting_team_manager"
    ESCALATED_TO_HEAD_OF_SERVICE = "escalated_to_hos"
    RESPONDED = "responded"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


class ActionSource(StrEnum):
    AUDIT = "audit"
    EXERCISE = "exercise"
    PLAN = "plan"


class FindingCategory(StrEnum):
    PRIORITY_ACTION = "priority_action"
    AREA_FOR_DEVELOPMENT = "area_for_development"


class ModerationStatus(StrEnum):
    SELECTED = "selected"
    DONE = "done"


class EventAction(StrEnum):
    CREATE = "create"
    CHANGE = "change"
    VIEW = "view"
    EXPORT = "export"
    PRINT = "print"
