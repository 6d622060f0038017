"""Writes say what they changed; every screen reads again when that is what it shows.

Issue 22, item 2: screens used to refresh by hand-written string keys, and one missed key
was a stale screen (the Reports screen kept the people it read first however many were
added). Now the window asks the store's change log what each task wrote and tells every
screen; a screen declares the records it shows as model classes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import String, Text, select

from desktop.models import Action, Base, CaseEvent, ExerciseSummary, Synced
from desktop.models.base import Fact
from desktop.services.change_sets import EVERYTHING, ChangeSet, ChangeWatch, Outside
from desktop.services.context import ServiceContext
from desktop.services.exercises import ExerciseInput, create_exercise
from desktop.services.people.staff import add_user
from desktop.store import Store, open_store
from desktop.views.reports_screen import ReportsScreen
from desktop.views.screen import Screen
from desktop.views.window import MainWindow, default_screens
from tests.unit.views.driving import open_as

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
WAIT = 20_000


def _text_column(model: type[Base]) -> str | None:
    """A plain text field of ``model`` that a write may change, if it has one."""
    table = model.__table__  # type: ignore[attr-defined]
    return next((c.key for c in table.columns
                 if isinstance(c.type, String | Text) and c.key != "id" and not c.unique
                 and c.key not in Synced.SYNC_COLUMNS and not c.foreign_keys
                 and c.key not in {"roles", "flags", "status", "kind", "stratum"}), None)


def _touch(ctx: ServiceContext, model: type[Base], column: str) -> None:
    """Change one text field of one record of ``model``, as any write would."""
    with ctx.store.transaction() as session:
        record = session.scalars(select(model).limit(1)).first()
        assert record is not None, f"no {model.__name__} in the county"
        setattr(record, column, (getattr(record, column) or "") + ".")


def test_the_watch_names_what_a_task_wrote_and_nothing_else(store: Store) -> None:
    ctx = ServiceContext(store=store)
    watch = ChangeWatch(store)
    mark = watch.mark()
    assert not watch.since(mark)  # nothing committed: not even a read of the log
    create_exercise(ctx, ExerciseInput(title="Neglect"))
    found = watch.since(mark)
    assert "exercise_summaries" in found.tables
    assert found.touches({ExerciseSummary}) and not found.touches({Outside.SETTINGS_FILES})
    assert not found.touches({Action})
    mark = watch.mark()
    assert not watch.since(mark)  # what was reported once is not reported again
    assert EVERYTHING.touches(set())  # a sync may have changed anything
    assert ChangeSet.of(Outside.SETTINGS_FILES).touches({Outside.SETTINGS_FILES})


def test_an_appended_case_event_is_a_change_of_case_events(county_path: Path) -> None:
    """Facts leave no change-log row; the watch follows their numbers instead."""
    from desktop.store.changes import insert_facts

    store = open_store(county_path, prompt=None)
    try:
        watch = ChangeWatch(store)
        mark = watch.mark()
        with store.read() as session:
            case_id = session.scalars(select(CaseEvent.case_id).limit(1)).first()
        with store.transaction() as session:
            insert_facts(session, CaseEvent, [{"case_id": case_id, "kind": "visit",
                                               "occurred_on": dt.date(2026, 11, 19)}])
        assert watch.since(mark).touches({CaseEvent})
    finally:
        store.close()


def Store_open(path: Path) -> Store:
    from desktop.store import open_store

    return open_store(path, prompt=None)


@pytest.mark.parametrize("screen_type", default_screens(), ids=lambda s: s.key)
def test_a_write_elsewhere_makes_the_screen_read_again(
        qtbot: QtBot, county_path: Path, screen_type: type[Screen]) -> None:
    """For every screen and every kind of record it shows: a task that writes that kind
    (made from anywhere in the window) makes the screen stale, or read again if it is
    the one showing."""
    window = open_as(qtbot, county_path, role="qa", screens=default_screens())
    screen = window.screens[screen_type.key]
    kinds = [k for k in screen.reads if not isinstance(k, Outside)]
    assert kinds, f"{screen.key} says what it shows"
    store = window.store
    assert store is not None
    touched = 0
    for kind in kinds:
        column = _text_column(kind)
        if column is None or issubclass(kind, Fact):
            continue  # facts are only ever appended (with their case): checked apart
        with store.read() as session:
            if session.scalars(select(kind).limit(1)).first() is None:
                continue  # the demo county holds none of these
        touched += 1
        for showing in (False, True):
            other = next(s for s in window.screens.values() if s is not screen)
            window.show_screen(screen.key if showing else other.key)
            qtbot.waitUntil(lambda: not window.tasks.busy, timeout=WAIT)
            screen.stale = False
            reads: list[str] = []
            original = screen.refresh

            def counted(original=original, reads=reads) -> None:  # type: ignore[no-untyped-def]
                reads.append("read")
                original()

            screen.refresh = counted  # type: ignore[method-assign]
            try:
                done: list[bool] = []
                (window.call("A write elsewhere",
                             lambda ctx, k=kind, c=column: _touch(ctx, k, c))
                 .success(lambda _none, done=done: done.append(True)).run())
                qtbot.waitUntil(lambda done=done: bool(done), timeout=WAIT)
                if showing:
                    assert reads, f"{screen.key} did not read again after {kind.__name__}"
                else:
                    assert screen.stale, f"{screen.key} not stale after {kind.__name__}"
            finally:
                screen.refresh = original  # type: ignore[method-assign]
    # The demo county holds no sync conflict or claim: the Sync screen's own tests
    # settle conflicts and see the list change.
    assert touched or screen.key == "sync", f"no record {screen.key} shows was changed"


def test_the_reports_screen_lists_a_person_and_an_exercise_added_elsewhere(
        qtbot: QtBot, county_path: Path) -> None:
    """The example from the issue: a person added, the list had the old names still."""
    window: MainWindow = open_as(qtbot, county_path, role="qa", screens=(ReportsScreen,))
    screen = window.show_screen("reports")
    assert isinstance(screen, ReportsScreen)
    qtbot.waitUntil(lambda: screen._choices_read and not window.tasks.busy, timeout=WAIT)
    before = [screen.auditor_choice.itemText(i) for i in range(screen.auditor_choice.count())]
    assert len(before) == len(set(before))
    window.call("Adding a person", lambda ctx: add_user(
        ctx, username="new.auditor", name="Newly Added", roles="auditor", areas="North",
        job_title="Area Manager")).run()
    window.call("Recording an exercise", lambda ctx: create_exercise(
        ctx, ExerciseInput(title="Themed sample of neglect",
                           period_from=dt.date(2026, 11, 2)))).run()

    def shown() -> tuple[list[str], list[str]]:
        return ([screen.auditor_choice.itemText(i)
                 for i in range(screen.auditor_choice.count())],
                [screen.exercise_choice.itemText(i)
                 for i in range(screen.exercise_choice.count())])

    qtbot.waitUntil(lambda: "Newly Added" in shown()[0]
                    and any("neglect" in t for t in shown()[1]), timeout=WAIT)
    auditors, _exercises = shown()
    assert len(auditors) == len(set(auditors)) == len(before) + 1  # listed once each


def test_no_hand_written_refresh_key_is_left() -> None:
    """Every ``changed`` call passes a change set; no screen names a kind in words."""
    views = Path(__file__).resolve().parents[3] / "desktop" / "views"
    for path in views.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert 'changed("' not in text and "reads = frozenset({\"" not in text, path.name
