"""Hostile input for every parser a file reaches (issue 13, item 7), with hypothesis.

Each file is a real file, built two ways: a valid one (a council's caseload export, the
shipped templates, mappings and settings) with a random stretch replaced by random
text or bytes, and wholly random bytes. Whatever arrives, the parser either takes it
or refuses it with a one-line :class:`~desktop.errors.UserError`: never another
exception, and a refused import writes nothing (the change log and the event log are
as they were). Bounded for CI (``max_examples``, no deadline); the failing examples
hypothesis finds are kept in ``tests/hypothesis-examples/`` (tests/conftest.py), committed
with their fix, and tried first on every later run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desktop.errors import UserError
from desktop.models import Change, Event
from desktop.services.audits.historical import default_mapping_path, import_historical
from desktop.services.caseload.importer import import_caseload
from desktop.services.caseload.profiles import load_profile
from desktop.services.context import ServiceContext
from desktop.services.mapping_files import read_mapping_json
from desktop.services.plans import import_plan
from desktop.services.sampling.settings import load_sampling_settings
from desktop.services.standards.settings import load_settings
from desktop.services.templates.spec import read_template
from desktop.services.templates.versions import load_templates
from desktop.services.workflow_settings import load_workflow_settings
from desktop.store import Store

ROOT = Path(__file__).parents[3]
DATA = ROOT / "tests" / "data"
RESOURCES = ROOT / "resources"
FUZZ = settings(max_examples=30, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

#: Text a hostile file is made of: every plane, control characters, separators, quotes.
NASTY = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from(
    ["\x00", "\r", "\n\n", ",,,,", '"', '""', "=cmd|' /C calc'!A0", "\ufeff", "\u202e",
     "9" * 400, "-1e309", "NaN", "[[[[", "{", "]]", "\\", "$(", "%n%s", "1900-02-30",
     "31/02/2026", "\t"])


def _splice(original: bytes) -> st.SearchStrategy[bytes]:
    """``original`` with one random stretch replaced by random text or bytes."""
    return st.tuples(st.integers(0, len(original)), st.integers(0, 80),
                     NASTY.map(lambda t: t.encode("utf-8", "surrogatepass"))
                     | st.binary(max_size=60)).map(
        lambda cut: original[:cut[0]] + cut[2] + original[cut[0] + cut[1]:])


def _file_bytes(original: bytes) -> st.SearchStrategy[bytes]:
    return _splice(original) | st.binary(max_size=400)


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _counts(store: Store) -> tuple[int, int]:
    with store.read() as session:
        return (session.scalar(select(func.count()).select_from(Change)) or 0,
                session.scalar(select(func.count()).select_from(Event)) or 0)


def _takes_or_refuses(call: Callable[[], Any], store: Store | None = None) -> None:
    """``call`` succeeds, or refuses in one line and (with ``store``) writes nothing."""
    before = _counts(store) if store is not None else None
    try:
        call()
    except UserError as refused:
        message = refused.message
        assert message and "Traceback" not in message
        if store is not None:
            assert _counts(store) == before, "a refused file left a partial write"


CASELOAD = (DATA / "council_caseload.csv").read_bytes()


@FUZZ
@given(data=_file_bytes(CASELOAD))
def test_caseload_import(ctx: ServiceContext, tmp_path: Path, data: bytes) -> None:
    path = _written(tmp_path / "caseload.csv", data)
    profile = load_profile(DATA / "council_profile.json")
    _takes_or_refuses(lambda: import_caseload(ctx, path, profile), ctx.store)


HISTORICAL = (DATA / "audits_online_form.csv").read_bytes()


@FUZZ
@given(data=_file_bytes(HISTORICAL))
def test_historical_audits_import(ctx: ServiceContext, tmp_path: Path, data: bytes) -> None:
    load_templates(ctx)  # the shipped templates are written on first use, refused or not
    path = _written(tmp_path / "audits.csv", data)
    _takes_or_refuses(lambda: import_historical(ctx, path), ctx.store)


PLAN = (b"Finding,Area,Action,Lead,By when,Status\n"
        b"Plans are not always updated,Areas for priority action,Review every plan,"
        b"Synthetic Lead,March 2027,open\n")


@FUZZ
@given(data=_file_bytes(PLAN))
def test_improvement_plan_import(ctx: ServiceContext, tmp_path: Path, data: bytes) -> None:
    path = _written(tmp_path / "plan.csv", data)
    _takes_or_refuses(lambda: import_plan(ctx, path, title="Synthetic plan"), ctx.store)


MAPPINGS = sorted((RESOURCES / "mappings").glob("*.json"))


@FUZZ
@given(which=st.sampled_from(MAPPINGS), data=st.data())
def test_mapping_files(tmp_path: Path, which: Path, data: st.DataObject) -> None:
    path = _written(tmp_path / which.name, data.draw(_file_bytes(which.read_bytes())))
    _takes_or_refuses(lambda: read_mapping_json(path))
    _takes_or_refuses(lambda: load_profile(path))


@FUZZ
@given(data=_file_bytes(default_mapping_path().read_bytes()))
def test_historical_mapping_file(ctx: ServiceContext, tmp_path: Path, data: bytes) -> None:
    load_templates(ctx)
    mapping = _written(tmp_path / "mapping.json", data)
    source = _written(tmp_path / "audits.csv", HISTORICAL)
    _takes_or_refuses(lambda: import_historical(ctx, source, mapping), ctx.store)


TEMPLATES = sorted((RESOURCES / "templates").glob("*.toml"))


@FUZZ
@given(which=st.sampled_from(TEMPLATES), data=st.data())
def test_templates(tmp_path: Path, which: Path, data: st.DataObject) -> None:
    path = _written(tmp_path / which.name, data.draw(_file_bytes(which.read_bytes())))
    _takes_or_refuses(lambda: read_template(path))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | NASTY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NASTY, inner, max_size=4),
    max_leaves=12)


@pytest.mark.parametrize("load", [load_workflow_settings, load_sampling_settings,
                                  load_settings], ids=["workflow", "sampling", "standards"])
@FUZZ
@given(value=JSON_VALUES, raw=st.binary(max_size=200), use_raw=st.booleans())
def test_settings_files(tmp_path: Path, load: Callable[[Path], Any], value: Any, raw: bytes,
                        use_raw: bool) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(raw if use_raw else json.dumps(value, allow_nan=True).encode())
    _takes_or_refuses(lambda: load(path))
