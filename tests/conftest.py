"""Shared fixtures: an isolated home for settings, and the in-process sandbox over real HTTP."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runway_desktop.api import policy
from runway_desktop.sandbox.config import default_config
from runway_desktop.sandbox.server import Sandbox

# Tests never touch the developer's real config, data or keyring.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

TEST_EXECUTOR_DELAY = 0.2
TEST_VISIBILITY_LAG = 0.05


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_backoff: keep the real waits between retries (tests of the backoff itself)",
    )
    # The cyclic collector runs only where we call it (the main thread, after each test):
    # started by chance on the sandbox's server thread it can destroy Qt objects there, which
    # crashes Qt. (The app has no such thread: its practice server is a child process.)
    gc.disable()


@pytest.fixture(autouse=True)
def collect_garbage_on_main_thread() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def zero_retry_delays(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sleeps through real backoff: every wait between retries becomes 0 s, through the
    policy's one switch, so the retries themselves, their count and their log lines all still
    happen. A test of the backoff itself opts out with ``@pytest.mark.real_backoff``."""
    if request.node.get_closest_marker("real_backoff") is None:
        monkeypatch.setattr(policy, "RETRY_DELAY_SCALE", 0.0)


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
    from runway_desktop.base.resources import samples_dir

    return samples_dir()


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """asyncio on the Qt loop for widget tests (STACK-NOTES §2).

    Tasks advance while qtbot.wait/waitUntil/waitSignal process events. Teardown never calls
    loop.stop(): that leaves Qt's quit flag set and breaks every later test.
    """
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    for task in asyncio.all_tasks(loop):
        task.cancel()
    loop._QEventLoop__is_running = False  # close() refuses while "running"
    loop.close()  # shuts down the QThreadExecutor threads
    # Collect now, on this (the Qt) thread: left to chance, the collector may run on the
    # sandbox's server thread and destroy Qt objects there, which crashes Qt.
    gc.collect()
    asyncio.events._set_running_loop(None)  # else a later asyncio.run() sees a running loop
    asyncio.set_event_loop(None)
