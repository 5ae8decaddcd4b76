"""Reusable fixtures for settings tests. Import them by name into a test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from helpers_keyring import MemoryKeyring

from runway_desktop.base.paths import HOME_ENV_VAR


@pytest.fixture
def runway_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points RUNWAY_DESKTOP_HOME at a fresh folder, so no test touches real user settings."""
    home = tmp_path / "runway-home"
    monkeypatch.setenv(HOME_ENV_VAR, str(home))
    return home


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Installs an in-memory keyring as the process-wide backend, restoring the old one after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
