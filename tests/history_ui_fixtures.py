"""A HistoryPage connected to the sandbox over real HTTP, and a Maker to send real submissions
with the same services (shared history store, HTTP client and upload-link cache)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from history_helpers import Maker
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot
from sandbox_process import SandboxProcess
from ui_app_helpers import close_services, sandbox_connection

from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submission_state import SubmissionState
from runway_desktop.ui.history.page import HistoryPage
from runway_desktop.ui.notifier import Notifier

T = TypeVar("T")
WAIT_MS = 20_000


@dataclass
class HistoryUnderTest:
    page: HistoryPage
    services: Session
    connection: Connection
    notifier: Notifier
    make: Maker
    qtbot: QtBot
    loop: asyncio.AbstractEventLoop

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the Qt loop (already running: wait on a task)."""
        task = self.loop.create_task(work)
        self.qtbot.waitUntil(task.done, timeout=WAIT_MS)
        return task.result()

    def listed(self, change: Callable[[], object]) -> None:
        """Do ``change`` and wait until the page shows the rows read after it (the reading,
        deriving and filtering run in a worker thread)."""
        with self.qtbot.waitSignal(self.page.listed, timeout=WAIT_MS):
            change()

    def refresh(self) -> None:
        self.listed(self.page.refresh)

    def connect(self) -> None:
        self.listed(lambda: self.page.set_connection(self.connection))

    def status(self, submission_id: int) -> SubmissionState:
        row = self.page.row(submission_id)
        assert row is not None, f"submission #{submission_id} is not listed"
        return row.state

    def wait_status(self, submission_id: int, status: SubmissionState) -> None:
        def reached() -> bool:
            if self.status(submission_id) is not status:
                self.page.on_check_now()  # what "Check for results now" does
                return False
            return True

        self.qtbot.waitUntil(reached, timeout=WAIT_MS)


@pytest.fixture
def history(
    qt_garbage: None,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    sandbox_process: SandboxProcess,
    samples_dir: Path,
) -> Iterator[HistoryUnderTest]:
    services = Session.create()
    try:
        connection = sandbox_connection(services, sandbox_process)
        notifier = Notifier(QIcon())
        page = HistoryPage(services, notifier)
        qtbot.addWidget(page)
        page.resize(830, 720)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(lambda: page.reader.loaded is not None)  # the first reading, off Qt
        make = Maker(
            sandbox_process, services.http, connection.client, services.history, services.registry,
            samples_dir, connection.profile.name, services.links,
        )  # fmt: skip
        yield HistoryUnderTest(page, services, connection, notifier, make, qtbot, qloop)
        page.shutdown()
        qtbot.wait(20)  # let a poll that already finished report (and be dropped)
    finally:
        close_services(services, qloop, qtbot)
