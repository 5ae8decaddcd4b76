"""Shared fixtures: an isolated home for settings, and the sandbox over real HTTP, two ways.

- ``sandbox``: the in-process ``Sandbox`` (a server thread in this process), for tests that
  run no Qt (tests/api, core, cli, sandbox…): they may read and change its state directly.
- ``sandbox_process``: a ``SandboxProcess`` child, for tests that run Qt (tests/ui, the
  screenshots): driven and read over ``/_sandbox/…`` only.

Why two, and why they never mix: Python's cyclic collector runs on whichever thread happens to
allocate when a threshold is crossed. On a server thread beside Qt it can destroy Qt objects
there, which crashes Qt. So no test that uses Qt may run while a sandbox thread lives in its
process: ``sandbox`` refuses such a test, and before each Qt test the in-process sandbox of an
earlier test (a pytest-xdist worker runs both kinds) is stopped; it starts again when needed.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_process import SERVER_THREAD_NAME, SandboxProcess

from runway_desktop.api import policy
from runway_desktop.sandbox.config import default_config
from runway_desktop.sandbox.server import Sandbox

# Tests never touch the developer's real config, data or keyring.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

TEST_EXECUTOR_DELAY = 0.2
TEST_VISIBILITY_LAG = 0.05
# A test that asks for any of these runs Qt (qtbot and qloop need qapp).
QT_FIXTURES = frozenset({"qapp", "qtbot", "qloop"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_backoff: keep the real waits between retries (tests of the backoff itself)",
    )
    # The cyclic collector runs only where we call it: on the main (Qt) thread, after each
    # test. Not for a sandbox thread any more (a Qt test never has one, see above) but for the
    # app's own: its asyncio.to_thread work (History's reading, Output sets' preparing, file
    # identification, downloads) runs on qasync's QThreadExecutor threads beside Qt, and every
    # GUI test leaves its windows as cyclic garbage. Measured with gc enabled over tests/ui: the
    # collector ran on those threads and freed QLabel, QPushButton, even MainWindow objects
    # there, which Qt does not allow (a widget must die on its own thread) and can crash on.
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


# --- the in-process sandbox (tests without Qt) ------------------------------------------------


class _InProcessSandbox:
    """The session's in-process sandbox, started on first use and stopped before a Qt test."""

    def __init__(self) -> None:
        self.running: Sandbox | None = None

    def get(self) -> Sandbox:
        if self.running is None:
            config = default_config(
                executor_delay_seconds=TEST_EXECUTOR_DELAY,
                executor_visibility_lag_seconds=TEST_VISIBILITY_LAG,
            )
            running = Sandbox(config)
            running.start()
            self.running = running
        return self.running

    def stop(self) -> None:
        if self.running is not None:
            running, self.running = self.running, None
            running.stop()


_IN_PROCESS = _InProcessSandbox()


def _qt_application_exists() -> bool:
    if "PySide6.QtWidgets" not in sys.modules:
        return False
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() is not None


def _server_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == SERVER_THREAD_NAME and t.is_alive()]


@pytest.fixture(scope="session")
def _in_process_sandbox() -> Iterator[_InProcessSandbox]:
    yield _IN_PROCESS
    _IN_PROCESS.stop()


@pytest.fixture
def sandbox(
    request: pytest.FixtureRequest, _in_process_sandbox: _InProcessSandbox
) -> Iterator[Sandbox]:
    """The shared in-process sandbox, emptied: no jobs, no sets, no faults, default executor."""
    qt = sorted(QT_FIXTURES.intersection(request.fixturenames))
    if qt:
        pytest.fail(
            f"{request.node.nodeid} runs Qt ({', '.join(qt)}) and asks for the in-process "
            "`sandbox`, whose server thread must not run beside Qt: use `sandbox_process` "
            "(tests/sandbox_process.py), the sandbox in a child process.",
            pytrace=False,
        )
    had_qt = _qt_application_exists()
    running = _in_process_sandbox.get()
    running.reset()
    yield running
    if not had_qt and _qt_application_exists():  # a QApplication made in the test's body
        pytest.fail(
            f"{request.node.nodeid} started Qt beside the in-process `sandbox`: "
            "use `sandbox_process`",
            pytrace=False,
        )


# --- the sandbox in a child process (tests with Qt) -------------------------------------------


@pytest.fixture(scope="session")
def _sandbox_child() -> Iterator[SandboxProcess]:
    # One per pytest-xdist worker (each is its own process): about half a second to start.
    child = SandboxProcess(executor_delay=TEST_EXECUTOR_DELAY, visibility_lag=TEST_VISIBILITY_LAG)
    with child:
        yield child


@pytest.fixture
def sandbox_process(_sandbox_child: SandboxProcess) -> SandboxProcess:
    """The shared sandbox child, emptied: no jobs, no sets, no faults, default executor."""
    _sandbox_child.reset()
    return _sandbox_child


@pytest.fixture(autouse=True)
def no_server_thread_beside_qt(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt test runs with no sandbox server thread in its process, from setup to teardown."""
    if QT_FIXTURES.isdisjoint(request.fixturenames):
        yield
        return
    _IN_PROCESS.stop()  # an earlier test's, on this worker
    found = _server_threads()
    if found:  # e.g. a module-scoped Sandbox(...) in a Qt test module
        pytest.fail(
            f"a sandbox server thread runs beside Qt in {request.node.nodeid}: "
            "Qt tests use `sandbox_process`",
            pytrace=False,
        )
    yield
    if _server_threads():
        pytest.fail(
            f"{request.node.nodeid} started a sandbox server thread beside Qt: "
            "use `sandbox_process`",
            pytrace=False,
        )


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
    asyncio.events._set_running_loop(None)  # else a later asyncio.run() sees a running loop
    asyncio.set_event_loop(None)
