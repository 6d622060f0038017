"""Seals: the hash of what an audit says, kept in the event log when it becomes final.

Why: the event log's keyed chain proves the log was not rewritten, but not that the
audit it speaks of still says what it said. When an audit is submitted, finalised or
reopened, a ``seal`` entry records the SHA-256 of its content (its answers with their
question ids, values and notes; its grade, RAGs, overview, positive practice, the
significant-harm flag, the side panels, and whose audit of which case it is). A
submitted or finalised audit whose content no longer matches its latest seal was
changed outside DipSample, and ``dipsample check`` names it
(docs/security.md, 'Seals').

Why a plain hash in a keyed entry: the entry itself is covered by the chain's HMAC, so
nobody can change the recorded hash without breaking the chain; a plain hash stays
checkable after ``key rotate``. The entry holds the audit's id and the hash only,
never any of the content.

Every legitimate way content changes after a seal seals again: reopening (a "reopen"
seal: the audit is editable until it is submitted, and sealed then), retention's
purge, settling a sync conflict, and changes received by sync (:func:`resealing`). An
audit that already did not match its seal is never sealed again by those, so a change
made in the file is not laundered by the next legitimate one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Audit, AuditAnswer, Event
from desktop.models.enums import AuditStatus
from desktop.services.context import ServiceContext
from desktop.store.events import NewEvent, record_events

#: The event log's action code of a seal.
SEAL = "seal"
#: Statuses whose content must match their latest seal.
SEALED = frozenset({AuditStatus.SUBMITTED.value, AuditStatus.OPEN_FOR_COMMENT.value,
                    AuditStatus.QUERIED.value, AuditStatus.FINALISED.value})
#: What an audit's seal covers: every field an auditor writes, and whose audit of which
#: case against which template it is. Not its status and times: the comment window
#: and queries move those without changing what the audit says.
AUDIT_FIELDS = ("case_id", "auditor_id", "template_id", "audit_date", "recorded_rag",
                "auditor_rag", "grade", "overview", "positive_practice",
                "significant_harm", "panels_json", "reopen_reason", "deleted")
ANSWER_FIELDS = ("question_id", "value", "note", "deleted")
#: A seal made at a reopening: the audit may change until it is submitted again.
REOPEN = "reopen"
CHUNK = 500


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def content_hashes(session: Session, audit_ids: Iterable[str]) -> dict[str, str]:
    """The SHA-256 of each audit's content (audits not in the store are left out)."""
    ids = sorted(set(audit_ids))
    out: dict[str, str] = {}
    audit_columns = [getattr(Audit, name) for name in AUDIT_FIELDS]
    answer_columns = [getattr(AuditAnswer, name) for name in ANSWER_FIELDS]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        answers: dict[str, list[list[Any]]] = {}
        for row in session.execute(select(AuditAnswer.audit_id, *answer_columns)
                                   .where(AuditAnswer.audit_id.in_(chunk))
                                   .order_by(AuditAnswer.audit_id, AuditAnswer.question_id,
                                             AuditAnswer.id)):
            answers.setdefault(row[0], []).append([_plain(v) for v in row[1:]])
        for row in session.execute(select(Audit.id, *audit_columns)
                                   .where(Audit.id.in_(chunk))):
            content = {"audit": dict(zip(AUDIT_FIELDS, map(_plain, row[1:]), strict=True)),
                       "answers": answers.get(row[0], [])}
            text = json.dumps(content, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False)
            out[row[0]] = hashlib.sha256(text.encode()).hexdigest()
    return out


@dataclass(frozen=True)
class Seal:
    """An audit's latest seal: the entry's number, the hash, and what made it."""

    seq: int
    hash: str
    on: str


def latest_seals(session: Session, audit_ids: Iterable[str] | None = None
                 ) -> dict[str, Seal]:
    """Each audit's latest seal (every audit's when ``audit_ids`` is None)."""
    query = select(Event.entity_id, Event.seq, Event.detail_json).where(
        Event.action == SEAL, Event.entity == "audit")
    chunks: list[list[str] | None] = [None]
    if audit_ids is not None:
        ids = sorted(set(audit_ids))
        chunks = [ids[n:n + CHUNK] for n in range(0, len(ids), CHUNK)]
    out: dict[str, Seal] = {}
    for chunk in chunks:
        scoped = query if chunk is None else query.where(Event.entity_id.in_(chunk))
        for audit_id, seq, detail in session.execute(scoped.order_by(Event.seq)):
            try:
                data = json.loads(detail)
                out[audit_id] = Seal(seq, str(data["hash"]), str(data.get("on", "")))
            except (ValueError, KeyError, TypeError):
                out[audit_id] = Seal(seq, "", "")
    return out


def seal_audits(session: Session, user_id: str | None, audit_ids: Iterable[str], on: str
                ) -> None:
    """Record a seal of each audit's content now, in the caller's transaction."""
    hashes = content_hashes(session, audit_ids)
    record_events(session, user_id, [NewEvent(SEAL, "audit", audit_id,
                                              {"hash": digest, "on": on})
                                     for audit_id, digest in sorted(hashes.items())])


def seal_audit(session: Session, ctx: ServiceContext, audit_id: str, on: str) -> None:
    """Seal one audit as ``ctx``'s person, at a submission, finalisation or reopening."""
    seal_audits(session, ctx.user_id, [audit_id], on)


def audits_of_cases(session: Session, case_ids: Iterable[str]) -> list[str]:
    """The ids of the audits of these cases (for :func:`resealing` around a purge)."""
    ids = sorted(set(case_ids))
    out: list[str] = []
    for start in range(0, len(ids), CHUNK):
        out += session.scalars(select(Audit.id).where(
            Audit.case_id.in_(ids[start:start + CHUNK]))).all()
    return out


def _statuses(session: Session, audit_ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(audit_ids), CHUNK):
        out.update(session.execute(select(Audit.id, Audit.status).where(
            Audit.id.in_(audit_ids[start:start + CHUNK]))).all())
    return out


def _broken(status: str | None, seal: Seal | None, digest: str | None) -> bool:
    """The rule ``dipsample check`` applies: a sealed status whose content differs from
    its latest seal, or that was reached without a seal since a reopening."""
    if status not in SEALED or seal is None:
        return False
    return seal.on == REOPEN or seal.hash != digest


@contextmanager
def resealing(session: Session, user_id: str | None, audit_ids: Iterable[str], on: str
              ) -> Iterator[None]:
    """Around a legitimate change of audits (sync, a purge, a settled conflict): seal
    again afterwards each one in a sealed status whose content the change moved away
    from its seal, or that has none yet (an audit received finished from elsewhere).

    An audit that already broke its seal before the change is left unsealed, so
    ``check`` still names it: the change is not allowed to hide an earlier edit.
    """
    ids = sorted(set(audit_ids))
    if not ids:
        yield
        return
    session.flush()
    seals = latest_seals(session, ids)
    statuses = _statuses(session, ids)
    before = content_hashes(session, [i for i in ids if i in seals])
    spoilt = {i for i in ids if _broken(statuses.get(i), seals.get(i), before.get(i))}
    yield
    session.flush()
    statuses = _statuses(session, ids)
    candidates = [i for i in ids if i not in spoilt and statuses.get(i) in SEALED]
    after = content_hashes(session, candidates)
    due = [i for i in candidates if i in after and (
        seals.get(i) is None or seals[i].on == REOPEN or seals[i].hash != after[i])]
    record_events(session, user_id, [NewEvent(SEAL, "audit", i, {"hash": after[i], "on": on})
                                     for i in due])


@dataclass(frozen=True)
class SealProblem:
    """A submitted or finalised audit that no longer matches its latest seal."""

    audit_id: str
    status: str
    seal_seq: int
    why: str

    def text(self) -> str:
        return f"audit {self.audit_id} ({self.status}): {self.why} (seal: entry {self.seal_seq})"


def broken_seals(session: Session) -> list[SealProblem]:
    """Every audit whose content or status no longer fits its latest seal."""
    seals = latest_seals(session)
    ids = sorted(seals)
    statuses = _statuses(session, ids)
    problems: list[SealProblem] = []
    for start in range(0, len(ids), CHUNK):
        chunk = [i for i in ids[start:start + CHUNK] if statuses.get(i) in SEALED]
        hashes = content_hashes(session, chunk)
        for audit_id in chunk:
            seal = seals[audit_id]
            status = statuses[audit_id]
            if seal.on == REOPEN:
                problems.append(SealProblem(audit_id, status, seal.seq,
                                            "it was reopened and is final again without "
                                            "being submitted"))
            elif seal.hash != hashes.get(audit_id):
                problems.append(SealProblem(audit_id, status, seal.seq,
                                            "its content no longer matches its seal (it was "
                                            "changed outside DipSample)"))
    for audit_id in ids:
        if audit_id not in statuses:
            problems.append(SealProblem(audit_id, "missing", seals[audit_id].seq,
                                        "it was sealed but is no longer in the store"))
    return problems
