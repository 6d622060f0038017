"""A failure midway through a service leaves no data, change-log or event-log rows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.models import Audit, Case, Change, Escalation, Event, RagDisagreement
from desktop.services import escalations
from desktop.services.audits import lifecycle
from desktop.store import Store
from tests.unit.services.audits.test_lifecycle import filled
from tests.unit.services.audits.world import make_world


def _counts(store: Store) -> tuple[int, int, int, int]:
    with store.read() as session:
        return tuple(session.scalar(select(func.count()).select_from(m))  # type: ignore
                     for m in (Change, Event, RagDisagreement, Escalation))


def test_submit_failing_after_its_first_writes_leaves_nothing(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(store)
    ctx, audit_id, case_id = filled(world, rag="green", auditor_rag="red")
    lifecycle.save_details(ctx, audit_id, significant_harm=True)
    lifecycle.problems(ctx, audit_id)
    from desktop.services.standards.settings import current_standards_version

    current_standards_version(ctx)  # made before: submission's own transaction is tested
    before = _counts(store)

    def broken_escalation(*args: object, **kwargs: object) -> Escalation:
        raise RuntimeError("disk full while raising the escalation")

    # The audit, the case, the disagreement and their change and event rows are all
    # flushed before the escalation is opened.
    monkeypatch.setattr(lifecycle, "open_escalation", broken_escalation)
    with pytest.raises(RuntimeError):
        lifecycle.submit(ctx, audit_id, concern="Worried")
    assert _counts(store) == before
    with store.read() as session:
        audit = session.get(Audit, audit_id)
        case = session.get(Case, case_id)
        assert audit is not None and case is not None
        assert (audit.status, audit.recorded_rag, audit.submitted_at) == ("draft", None, None)
        assert case.last_audit is None
    monkeypatch.undo()
    result = lifecycle.submit(ctx, audit_id, concern="Worried")
    assert result.disagreement_id and result.escalation_id
    after = _counts(store)
    assert after[1] > before[1] and after[2:] == (before[2] + 1, before[3] + 1)


def test_sweep_failing_midway_leaves_nothing(store: Store,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(store)
    ctx = world.as_user(world.auditor)
    for _ in range(2):
        escalations.raise_concern(ctx, world.case("red"), "Worried")
    world.clock.advance(days=3)
    before = _counts(store)
    calls = []
    real = escalations._step

    def step_then_fail(*args: object, **kwargs: object) -> None:
        calls.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]
        if len(calls) == 2:
            raise RuntimeError("power cut")

    monkeypatch.setattr(escalations, "_step", step_then_fail)
    with pytest.raises(RuntimeError):
        escalations.escalate_overdue(ctx)
    assert _counts(store) == before
    assert {r.status for r in escalations.list_escalations(ctx)} == {"awaiting_team_manager"}
