"""Bulk passes pause the cycle collector and free their big lists a slice at a time."""

from __future__ import annotations

import gc
import weakref

import pytest

from desktop.services.gc_pause import FREE_STEP, free_gradually, paused_gc


def test_paused_gc_nests_and_restores() -> None:
    assert gc.isenabled()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()


class _Row:
    """A weakly referenceable stand-in for one imported row."""


def test_free_gradually_empties_every_list_and_frees_its_items() -> None:
    rows = [_Row() for _ in range(FREE_STEP * 3 + 7)]
    watched = [weakref.ref(rows[0]), weakref.ref(rows[-1]), weakref.ref(rows[FREE_STEP])]
    events = [{"n": i} for i in range(5)]
    empty: list[object] = []
    free_gradually(rows, events, empty)
    assert rows == [] and events == [] and empty == []
    assert all(ref() is None for ref in watched)
