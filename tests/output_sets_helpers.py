"""The Output sets screen against the sandbox: a shown page, connected over real HTTP.

Import the fixtures by name into a test module (tests/ is not a package):

    from output_sets_helpers import outsets, qt_garbage  # noqa: F401  (pytest fixtures)
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot
from sandbox_process import SandboxProcess

from runway_desktop.core.session import Connection, Session, connect
from runway_desktop.settings import Profile
from runway_desktop.ui.notifier import Notifier
from runway_desktop.ui.output_sets.model import COL_STATE, UidRole
from runway_desktop.ui.output_sets.page import OutputSetsPage
from runway_desktop.ui.settings import download_root

WAIT_MS = 20_000
PARTNERS = ["acme", "ea"]
FILES = {"assessments.jsonl": b'{"a":1}\n', "studentAssessments.jsonl": b'{"s":1}\n{"s":2}\n'}


@dataclass
class Screen:
    page: OutputSetsPage
    services: Session
    notifier: Notifier
    connection: Connection
    sandbox: SandboxProcess
    qtbot: QtBot
    root: Path
    opened: list[Path] = field(default_factory=list)

    @property
    def profile(self) -> str:
        return self.connection.profile.name

    def inject(self, count: int = 1, **kwargs: Any) -> list[str]:
        args: dict[str, Any] = {
            "partner": "acme", "tenant": "district-a", "school_year": "2026",
            "bundle": "assessments/MAP_Growth", "count": count, "sent_to_ods": True,
            "files": FILES, "created_on": datetime.now(UTC),
        }  # fmt: skip
        args.update(kwargs)
        uids: list[str] = self.sandbox.inject_output_sets(**args)
        return uids

    def refresh(self) -> None:
        with self.qtbot.waitSignal(self.page.loaded, timeout=WAIT_MS):
            self.page.refresh()

    def shown_uids(self) -> list[str]:
        proxy = self.page.proxy
        return [str(proxy.index(r, 0).data(UidRole)) for r in range(proxy.rowCount())]

    def cell(self, uid: str, column: int) -> QModelIndex:
        proxy = self.page.proxy
        for r in range(proxy.rowCount()):
            index = proxy.index(r, column)
            if index.data(UidRole) == uid:
                return index
        raise AssertionError(f"set {uid} is not shown")

    def text(self, uid: str, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> str:
        return str(self.cell(uid, column).data(role))

    def click_state(self, uid: str) -> None:
        """Click the set's "On this computer" cell, as a user does."""
        table = self.page.table
        index = self.cell(uid, COL_STATE)
        table.scrollTo(index)
        rect = table.visualRect(index)
        viewport = table.viewport()
        self.qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())  # type: ignore[no-untyped-call]

    def wait_state(self, uid: str, expected: str) -> None:
        def reached() -> bool:
            return self.page.model.state_of(uid).state == expected

        self.qtbot.waitUntil(reached, timeout=WAIT_MS)

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.page.controller.is_busy(), timeout=WAIT_MS)


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def qt_garbage() -> Iterator[None]:
    """Free widgets and the closed loop on the main thread (see ui_app_helpers.qt_garbage)."""
    yield
    gc.collect()


def open_screen(
    qtbot: QtBot, sandbox: SandboxProcess, services: Session, root: Path, opened: list[Path]
) -> Screen:
    profile, secret = Profile.from_sandbox_json(sandbox.profile, name="Sandbox")
    assert secret is not None
    connection = connect(services.http, profile, secret)
    notifier = Notifier(QIcon())
    page = OutputSetsPage(services, notifier)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    screen = Screen(page, services, notifier, connection, sandbox, qtbot, root, opened)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.show()
        page.set_connection(connection, list(PARTNERS))
    return screen


def close_screen(screen: Screen, qloop: asyncio.AbstractEventLoop) -> None:
    screen.page.controller.shutdown()
    screen.page.hide()
    # The qloop is "already running" (qasync): run_until_complete refuses, so wait on a task.
    task = qloop.create_task(screen.services.aclose())
    screen.qtbot.waitUntil(task.done, timeout=5000)
    task.result()


def make_services(root: Path) -> Session:
    services = Session.create()
    prefs = services.preferences
    prefs.save(prefs.load().with_changes(download_root=str(root)))
    return services


@pytest.fixture
def outsets(
    qt_garbage: None,
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    sandbox_process: SandboxProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Screen]:
    """A shown Output sets page for the sandbox; "Open folder" recorded, not launched."""
    opened: list[Path] = []

    def fake_open(folder: Path) -> bool:
        opened.append(folder)
        return True

    monkeypatch.setattr(download_root, "open_folder", fake_open)
    root = tmp_path / "Runway downloads"
    services = make_services(root)
    screen = open_screen(qtbot, sandbox_process, services, root, opened)
    try:
        yield screen
    finally:
        close_screen(screen, qloop)
