"""A keyring backend for tests: a JSON file named by FLARESCOPE_TEST_KEYRING, so a test and
the processes it starts share one keyring, and the user's own is never touched.

Chosen with PYTHON_KEYRING_BACKEND=tests.keyring_file.FileKeyring (the `test_keyring`
fixture in tests/conftest.py); every other test runs with keyring's fail backend.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

ENV = "FLARESCOPE_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    priority = 1  # keyring asks; only ever chosen by name

    @property
    def _file(self) -> Path:
        return Path(os.environ[ENV])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self._file.read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        stored = self._load()
        stored[f"{service}\n{username}"] = password
        self._file.write_text(json.dumps(stored))

    def delete_password(self, service: str, username: str) -> None:
        stored = self._load()
        if stored.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self._file.write_text(json.dumps(stored))
