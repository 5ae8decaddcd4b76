"""Shared fixtures: an isolated home for settings, and the in-process sandbox over real HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from runway_desktop.sandbox.config import default_config
from runway_desktop.sandbox.server import Sandbox

# Tests never touch the developer's real config, data or keyring.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

TEST_EXECUTOR_DELAY = 0.2
TEST_VISIBILITY_LAG = 0.05


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "runway-home"
    monkeypatch.setenv("RUNWAY_DESKTOP_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[Sandbox]:
    config = default_config(
        executor_delay_seconds=TEST_EXECUTOR_DELAY,
        executor_visibility_lag_seconds=TEST_VISIBILITY_LAG,
    )
    with Sandbox(config) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_session: Sandbox) -> Sandbox:
    """The shared sandbox, emptied: no jobs, no sets, no faults, default executor."""
    sandbox_session.reset()
    return sandbox_session


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    from runway_desktop.resources import samples_dir

    return samples_dir()
