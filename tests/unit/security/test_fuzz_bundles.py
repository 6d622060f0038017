"""Hostile sync bundles: whatever bytes arrive in the shared folder, opening one either
gives a bundle or refuses it with BundleRejected (reported by name, the sync goes on);
never another exception. Two kinds: bytes from outside (random, or a real bundle with
a stretch replaced), and plaintext sealed with the right key by someone who holds it."""

from __future__ import annotations

import json
import os
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.sync.bundle import Bundle, BundleRejected, RecordChange, open_sealed, seal

KEY = os.urandom(32)
NAME = "device-1.000001.bundle"
REAL = seal(KEY, NAME, Bundle("device-1", "2026-11-23T12:00:00+00:00",
                              [RecordChange("cases", "c1", "v1", "device-1", {"rag": ""},
                                            {"rag": "red"}, {})]))
FUZZ = settings(max_examples=60, deadline=None)


def _opens_or_is_rejected(data: bytes) -> None:
    try:
        bundle = open_sealed(KEY, NAME, data)
    except BundleRejected:
        return
    assert isinstance(bundle, Bundle)


@FUZZ
@given(cut=st.tuples(st.integers(0, len(REAL)), st.integers(0, 40), st.binary(max_size=40))
       | st.binary(max_size=300).map(lambda b: (0, len(REAL), b)))
def test_bytes_from_outside(cut: tuple[int, int, bytes]) -> None:
    start, length, replacement = cut
    _opens_or_is_rejected(REAL[:start] + replacement + REAL[start + length:])


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["device", "made_at", "changes",
                                                       "facts", "covers", "x"]), inner,
                                      max_size=5), max_leaves=15)


@FUZZ
@given(value=JSON, raw=st.binary(max_size=200), compress=st.booleans())
def test_plaintext_sealed_with_the_right_key(value: object, raw: bytes,
                                            compress: bool) -> None:
    plain = zlib.compress(json.dumps(value).encode()) if compress else raw
    _opens_or_is_rejected(seal(KEY, NAME, plain))
