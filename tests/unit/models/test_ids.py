"""Record ids: random version-4 UUIDs, never repeated, also across threads and forks."""

from __future__ import annotations

import os
import threading
import uuid
import warnings

import pytest

from desktop.models.base import new_id


def test_ids_are_version_4_uuids_and_distinct() -> None:
    ids = [new_id() for _ in range(5_000)]  # several refills of the pool
    assert len(set(ids)) == len(ids)
    for text in ids[:: 97]:
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text


def test_threads_never_share_ids() -> None:
    found: list[list[str]] = [[] for _ in range(4)]

    def make(into: list[str]) -> None:
        into.extend(new_id() for _ in range(3_000))

    threads = [threading.Thread(target=make, args=(out,)) for out in found]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for out in found for i in out]
    assert len(set(every)) == len(every) == 12_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_does_not_repeat_its_parents_next_ids() -> None:
    new_id()  # the pool now holds bytes the parent has not used yet
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork beside threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        os.write(write, "\n".join(new_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split("\n"))
    os.waitpid(pid, 0)
    parent = {new_id() for _ in range(50)}
    assert len(child) == 50
    assert not child & parent
