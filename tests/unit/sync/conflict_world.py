"""Two laptops made to conflict through a real folder sync, for the conflict tests.

One synthetic council (tests/unit/security/people.py) on laptop A, synced to laptop B;
then the same record is changed on both without either seeing the other's change, the
second one a clock tick later (so which value the merge keeps is known), and the two
sync. Nothing here is mocked: real stores, a real folder, the ordinary services.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from desktop.models import Action, AuditAnswer, TemplateQuestion
from desktop.services.audits import lifecycle
from desktop.services.context import ServiceContext
from desktop.store import Store
from desktop.store.hlc import Timestamp
from tests.unit.security.people import MET, TEMPLATE, Org
from tests.unit.sync.helpers import folder_sync, until_quiet


@dataclass
class Laptops:
    a: Store
    b: Store
    share: Path
    org: Org

    def on(self, store: Store, user_id: str | None) -> ServiceContext:
        return ServiceContext(store=store, user_id=user_id, clock=self.org.clock)

    def sync(self) -> None:
        until_quiet([self.a, self.b], self.share)


def laptops(a: Store, b: Store, share: Path) -> Laptops:
    """A council on A, everything synced to B."""
    org = Org(a)
    world = Laptops(a, b, share, org)
    world.sync()
    return world


def after(store: Store, version_of: Callable[[Store], str]) -> None:
    """Wait (at most a millisecond or two) until the wall clock is past the version's
    own millisecond, so that the next change anywhere gets a later clock."""
    wall = Timestamp.parse(version_of(store)).wall_ms
    while time.time_ns() // 1_000_000 <= wall:
        pass


def clash(world: Laptops, first: Callable[[], object], second: Callable[[], object],
          version_of: Callable[[Store], str]) -> None:
    """``first`` on A, ``second`` on B a tick later, neither seeing the other; then B
    syncs and A syncs, so A meets the clash (and both end with it)."""
    first()
    after(world.a, version_of)
    second()
    folder_sync(world.b, world.share)
    folder_sync(world.a, world.share)
    world.sync()


def draft_audit(world: Laptops) -> str:
    """A draft audit by the first auditor, every answer given, synced to B."""
    ctx = world.on(world.a, world.org.auditor)
    audit_id = lifecycle.start_audit(ctx, world.org.case(), TEMPLATE)
    for code, value in MET.items():
        lifecycle.save_answer(ctx, audit_id, code, value)
    lifecycle.save_details(ctx, audit_id, overview="Synthetic overview.", grade="good",
                           auditor_rag="amber")
    world.sync()
    return audit_id


def answer_of(store: Store, audit_id: str, code: str) -> AuditAnswer:
    with store.read() as session:
        return session.scalars(select(AuditAnswer).join(
            TemplateQuestion, TemplateQuestion.id == AuditAnswer.question_id).where(
            AuditAnswer.audit_id == audit_id, TemplateQuestion.code == code)).one()


def question_text(store: Store, code: str) -> str:
    with store.read() as session:
        return session.scalars(select(TemplateQuestion.text).where(
            TemplateQuestion.code == code)).first() or ""


def answer_clash(world: Laptops, audit_id: str, code: str, on_a: str, on_b: str) -> None:
    """The auditor answers ``code`` on both laptops: B's answer is the later one."""
    auditor = world.org.auditor
    clash(world,
          lambda: lifecycle.save_answer(world.on(world.a, auditor), audit_id, code, on_a),
          lambda: lifecycle.save_answer(world.on(world.b, auditor), audit_id, code, on_b),
          lambda store: answer_of(store, audit_id, code).hlc)


def action_version(action_id: str) -> Callable[[Store], str]:
    def version(store: Store) -> str:
        with store.read() as session:
            found = session.get(Action, action_id)
            assert found is not None
            return found.hlc
    return version
