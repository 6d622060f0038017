"""A keyring backend that keeps secrets in a plain JSON file, as ``keyrings.alt``'s
``PlaintextKeyring`` does (same class name, same low priority): DipSample must refuse
it for every key. Tests only: ``PYTHON_KEYRING_BACKEND=
tests.unit.sync.plaintext_keyring.PlaintextKeyring`` with ``DIPSAMPLE_TEST_KEYRING``
naming the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class PlaintextKeyring(KeyringBackend):
    """Secrets in the clear in one file (``keyrings.alt.file.PlaintextKeyring``'s kind)."""

    priority = 0.5  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["DIPSAMPLE_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._path().read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x1f{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x1f{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}\x1f{username}", None)
        self._path().write_text(json.dumps(data))
