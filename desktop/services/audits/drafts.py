"""The form's writes: a batch of autosaved changes, and submission with its panels.

Why a batch: the form saves about a second after the last keystroke, and by then
several fields may have changed; one worker call saves them all, so saves never queue
up behind each other. Why the submission checks here and not in the form: what is
missing (a required answer, the concern of a flagged audit, the next steps of a
recorded discussion) is a rule, and the form only shows each problem beside its field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import Escalation
from desktop.services.audits import lifecycle
from desktop.services.audits.answers import RAGS, FieldProblem
from desktop.services.auth import Permission as P
from desktop.services.auth import guard
from desktop.services.context import ServiceContext
from desktop.services.disagreements import Participant, agree, may_agree, record_discussion
from desktop.services.escalations import OPEN as OPEN_ESCALATION
from desktop.services.event_log import log_edit


@dataclass(frozen=True)
class AnswerChange:
    """A question's answer as the form holds it now (value and note together)."""

    code: str
    value: str | None
    note: str


@dataclass(frozen=True)
class Discussion:
    """The disagreement panel: who took part, the next steps and any agreed rating."""

    participants: tuple[Participant, ...] = ()
    next_steps: str = ""
    agreed_rag: str | None = None


@dataclass(frozen=True)
class Submission:
    """Attributes:
        concern: the concern of significant harm, when flagged and not yet raised.
        rag_rationale: why the auditor's RAG differs from the case's.
        discussion: what the disagreement panel holds, when the RAGs differ.
    """

    concern: str = ""
    rag_rationale: str = ""
    discussion: Discussion = Discussion()


@dataclass(frozen=True)
class DraftChanges:
    """What changed since the last save; ``None`` fields did not change."""

    answers: tuple[AnswerChange, ...] = ()
    overview: str | None = None
    positive_practice: str | None = None
    grade: str | None = None
    auditor_rag: str | None = None
    significant_harm: bool | None = None
    #: The side panels as they stand (kept whole: the later state wins).
    panels: Submission | None = None

    @property
    def empty(self) -> bool:
        return self == DraftChanges()

    def then(self, later: DraftChanges) -> DraftChanges:
        """These changes followed by ``later``: the later value of each field wins.

        Why: a save waiting while another is written is merged with newer keystrokes,
        so the worker writes each field's newest value once.
        """
        answers = {a.code: a for a in self.answers}
        answers.update({a.code: a for a in later.answers})
        merged = replace(self, answers=tuple(answers.values()))
        for name in ("overview", "positive_practice", "grade", "auditor_rag",
                     "significant_harm", "panels"):
            value = getattr(later, name)
            if value is not None:
                merged = replace(merged, **{name: value})
        return merged


@dataclass(frozen=True)
class DraftSaved:
    """Attributes:
        problems: answers refused (a date that is not a date); the rest were saved.
    """

    problems: tuple[FieldProblem, ...] = ()


def save_draft(ctx: ServiceContext, audit_id: str, changes: DraftChanges) -> DraftSaved:
    """Save every change; an answer that does not fit is reported, not raised.

    Why not all or nothing: the other fields typed in the same second are good, and a
    crash right after must not lose them because one date was half typed.
    """
    guard(ctx, P.AUDIT, audit_id=audit_id)
    problems: list[FieldProblem] = []
    for answer in changes.answers:
        try:
            lifecycle.save_answer(ctx, audit_id, answer.code, answer.value, answer.note)
        except InputProblem as exc:
            problems.append(FieldProblem(answer.code, exc.message,
                                         exc.message.split(": ", 1)[-1].capitalize()))
    if any(v is not None for v in (changes.overview, changes.positive_practice,
                                   changes.grade, changes.auditor_rag,
                                   changes.significant_harm)):
        lifecycle.save_details(ctx, audit_id, overview=changes.overview,
                               positive_practice=changes.positive_practice,
                               grade=changes.grade, auditor_rag=changes.auditor_rag,
                               significant_harm=changes.significant_harm)
    if changes.panels is not None:
        save_panels(ctx, audit_id, changes.panels)
    return DraftSaved(tuple(problems))


def panels_to_json(panels: Submission) -> str:
    """The panels as stored: text exactly as typed, people by role and id (no names)."""
    discussion = panels.discussion
    return json.dumps({
        "concern": panels.concern, "rag_rationale": panels.rag_rationale,
        "participants": [{"role": p.role, "id": p.id} for p in discussion.participants],
        "next_steps": discussion.next_steps, "agreed_rag": discussion.agreed_rag},
        sort_keys=True)


def panels_from_json(text: str) -> Submission:
    """What :func:`panels_to_json` stored; anything unreadable reads as empty panels.

    Why lenient: the panels are a convenience kept for the person typing; a record
    synced from an older device (``{}``) must still open.
    """
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return Submission()
    if not isinstance(data, dict):
        return Submission()
    people = tuple(Participant(str(p["role"]), str(p["id"]))
                   for p in data.get("participants") or []
                   if isinstance(p, dict) and "role" in p and "id" in p)
    agreed = data.get("agreed_rag")
    return Submission(
        concern=str(data.get("concern") or ""),
        rag_rationale=str(data.get("rag_rationale") or ""),
        discussion=Discussion(people, str(data.get("next_steps") or ""),
                              agreed if agreed in RAGS else None))


def save_panels(ctx: ServiceContext, audit_id: str, panels: Submission) -> None:
    """Keep what the side panels hold on the draft, as typed (autosave).

    Why on the audit and not on a disagreement or escalation: neither exists before
    submission (or Raise now), and the person may still change their rating.
    """
    guard(ctx, P.AUDIT, audit_id=audit_id)
    if panels.discussion.agreed_rag is not None and panels.discussion.agreed_rag not in RAGS:
        raise InputProblem("an agreed rating is red, amber or green")
    with ctx.store.transaction() as session:
        # The same rule as every other draft write: a draft or reopened audit, by its
        # own auditor (lifecycle's check, private there).
        audit = lifecycle._editable(session, ctx, audit_id)
        stored = panels_to_json(panels)
        if audit.panels_json != stored:
            audit.panels_json = stored
            log_edit(session, ctx, "audit", audit.id, fields=["panels"])


AGREED_BY_MANAGER = (
    "Submitted. The agreed rating changes the case's rating, so the case's team manager "
    "(or QA) records it from the disagreements list; the discussion is recorded.")


@dataclass(frozen=True)
class SubmitOutcome:
    """Either the problems that stopped submission (nothing written) or the result."""

    problems: tuple[FieldProblem, ...]
    result: lifecycle.SubmitResult | None
    #: Said to the auditor after a submission that could not do everything they asked
    #: (an agreed rating that changes the case's is the team manager's or QA's to record).
    note: str = ""


def submission_problems(ctx: ServiceContext, audit_id: str,
                        submission: Submission) -> list[FieldProblem]:
    """The audit's own problems, then the panels' (in the order of the form)."""
    guard(ctx, P.VIEW_AUDITS, audit_id=audit_id)
    found = lifecycle.field_problems(ctx, audit_id, submission.rag_rationale)
    with ctx.read() as session:
        audit = lifecycle.load_audit(session, audit_id)
        flagged = audit.significant_harm
        raised = session.scalar(select(Escalation.id).where(
            Escalation.audit_id == audit_id, Escalation.deleted.is_(False),
            Escalation.status.in_(OPEN_ESCALATION))) is not None
    if flagged and not raised and not submission.concern.strip():
        found.append(FieldProblem(
            "concern", "a concern of significant harm needs a description",
            "Describe what you are worried about and why, or raise the concern now."))
    discussion = submission.discussion
    if discussion.participants and not discussion.next_steps.strip():
        found.append(FieldProblem("next_steps", "the discussion's next steps are missing",
                                  "Write the next steps agreed in the discussion."))
    if discussion.agreed_rag and not discussion.participants:
        found.append(FieldProblem("participants", "an agreed rating needs the discussion",
                                  "Pick who took part before recording an agreed rating."))
    return found


def submit_form(ctx: ServiceContext, audit_id: str, submission: Submission) -> SubmitOutcome:
    """Submit the audit, then record the panel's discussion on the disagreement it opened.

    Nothing is written when anything is missing: the problems come back instead.
    """
    guard(ctx, P.AUDIT, audit_id=audit_id)
    found = submission_problems(ctx, audit_id, submission)
    if found:
        return SubmitOutcome(tuple(found), None)
    result = lifecycle.submit(ctx, audit_id, concern=submission.concern,
                              rag_rationale=submission.rag_rationale)
    discussion = submission.discussion
    if result.disagreement_id is not None and discussion.participants:
        # The panel does not ask when it was discussed: the submission's own moment
        # stands for "recorded then" (disagreements.discussion_dated).
        record_discussion(ctx, result.disagreement_id, discussed_at=result.submitted_at,
                          participants=discussion.participants,
                          next_steps=discussion.next_steps)
        if discussion.agreed_rag:
            if not may_agree(ctx, result.disagreement_id, discussion.agreed_rag):
                return SubmitOutcome((), result, AGREED_BY_MANAGER)
            agree(ctx, result.disagreement_id, discussion.agreed_rag)
    return SubmitOutcome((), result)
