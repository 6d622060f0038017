"""The log file never carries row values, whatever raised; it is private to the user."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from desktop import logs
from desktop.models import Case

MARKER = "Zqlogmarker Childname"


@pytest.fixture
def log_file(home: Path):  # type: ignore[no-untyped-def]
    previous = logs._installed
    logs._installed = None
    root = logging.getLogger()
    level = root.level
    path = logs.setup_logging()
    assert path is not None
    yield path
    root.removeHandler(logs._installed)
    logs._installed.close()
    logs._installed = previous
    root.setLevel(level)


def test_a_database_error_is_logged_without_its_parameters(store, log_file: Path) -> None:
    with store.transaction() as session:
        session.add(Case(case_ref="SYN-LOG-1", child_name=MARKER))
    with pytest.raises(IntegrityError) as caught, store.transaction() as session:
        session.add(Case(case_ref="SYN-LOG-1", child_name=MARKER + " again"))
    assert MARKER not in str(caught.value)  # hide_parameters at the engine
    try:
        raise RuntimeError("wrapping") from caught.value
    except RuntimeError:
        logging.getLogger("dipsample").exception("import failed")
    text = log_file.read_text(encoding="utf-8")
    assert "import failed" in text and "IntegrityError" in text
    assert "UNIQUE constraint failed" in text  # SQLite's own words stay: they help support
    assert MARKER not in text and "SYN-LOG-1" not in text
    assert "[parameters" not in text and "INSERT INTO" not in text
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("error", [
    KeyError("SYN-KEY-REF"), ValueError(f"bad value {MARKER}"), LookupError(MARKER),
])
def test_messages_that_may_hold_data_are_withheld(error: Exception, log_file: Path) -> None:
    try:
        raise error
    except Exception:
        logging.getLogger("dipsample").exception("a bug")
    text = log_file.read_text(encoding="utf-8")
    assert type(error).__name__ in text and logs.WITHHELD in text
    assert MARKER not in text and "SYN-KEY-REF" not in text


def test_code_messages_and_frames_are_kept(log_file: Path) -> None:
    try:
        None.setLabelText  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError:
        logging.getLogger("dipsample").exception("a bug")
    text = log_file.read_text(encoding="utf-8")
    assert "'NoneType' object has no attribute 'setLabelText'" in text
    assert "test_logs.py" in text and "test_code_messages_and_frames_are_kept" in text
