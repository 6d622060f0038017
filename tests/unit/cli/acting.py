"""A person who signs in with a password, for command-line tests that act as them."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.auth.signin import PASSWORD_ENV, set_password
from desktop.services.context import ServiceContext
from desktop.services.users import resolve_user
from desktop.store import open_store

PASSWORD = "three synthetic words"


def with_password(db_path: Path, username: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Give ``username`` a password and put it where ``--user`` reads it; their id."""
    store = open_store(db_path, prompt=None)
    try:
        with store.read() as session:
            user_id = resolve_user(session, username).id
        set_password(ServiceContext(store=store), user_id, PASSWORD)
    finally:
        store.close()
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return user_id
