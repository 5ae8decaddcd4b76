"""The whole Submit screen against the sandbox: a MainWindow connected over real HTTP.

Import the fixtures by name into a test module (tests/ is not a package):

    from ui_app_helpers import app_fixture  # noqa: F401  (the pytest fixture "app")

and drive the form through its real widgets with the helpers below.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sandbox_process import JobView, SandboxProcess
from ui_dnd import drop_files

from runway_desktop.core.session import Connection, Session, connect
from runway_desktop.settings import Profile
from runway_desktop.ui.main_window import MainWindow
from runway_desktop.ui.submit.page import SubmitPage
from runway_desktop.ui.submit.upload_slot import UploadSlot

WAIT_MS = 20_000
SANDBOX_PARTNERS = ["acme", "ea"]
# Every step ran and got its tick (progress_panel.MARKS).
DONE_MARK = "✓"


@dataclass
class AppUnderTest:
    window: MainWindow
    services: Session
    connection: Connection
    sandbox: SandboxProcess
    qtbot: QtBot

    @property
    def page(self) -> SubmitPage:
        return self.window.submit_page

    def jobs(self) -> list[JobView]:
        """The sandbox's jobs as it reports them now (``GET /_sandbox/jobs``)."""
        return self.sandbox.jobs()

    def job(self, uid: str) -> JobView:
        found = self.sandbox.job(uid)
        assert found is not None, f"the sandbox has no job {uid}"
        return found

    def uploaded_keys(self) -> list[str]:
        return list(self.sandbox.objects())

    def object_size(self, key: str) -> int | None:
        """The stored object's size in bytes; None when the bucket has no such object."""
        return self.sandbox.objects(key).get(key)


@pytest.fixture
def qt_garbage() -> Iterator[None]:
    """Collect garbage on the main thread after the test (kept for modules that request it;
    conftest now does this for every test)."""
    yield
    gc.collect()


def close_services(services: Session, qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    # Windows still open must stop polling first: nothing may touch the closed history store.
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.shutdown()
    # The qloop is "already running" (qasync): run_until_complete refuses, so wait on a task.
    task = qloop.create_task(services.aclose())
    qtbot.waitUntil(task.done, timeout=5000)
    task.result()


def sandbox_connection(services: Session, sandbox: SandboxProcess) -> Connection:
    profile, secret = Profile.from_sandbox_json(sandbox.profile, name="Sandbox")
    assert secret is not None
    return connect(services.http, profile, secret)


def open_window(qtbot: QtBot, services: Session, *, practice: bool = False) -> MainWindow:
    window = MainWindow(services, practice=practice)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def wait_for_partners(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.submit_page.form.partner.count() == len(SANDBOX_PARTNERS), timeout=WAIT_MS
    )
    assert window.partners == SANDBOX_PARTNERS


@pytest.fixture(name="app")
def app_fixture(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, sandbox_process: SandboxProcess
) -> Iterator[AppUnderTest]:
    """A shown MainWindow connected to the sandbox child, its partners loaded from the token."""
    services = Session.create()
    try:
        window = open_window(qtbot, services)
        connection = sandbox_connection(services, sandbox_process)
        window.set_connection(connection)
        wait_for_partners(qtbot, window)
        yield AppUnderTest(window, services, connection, sandbox_process, qtbot)
    finally:
        close_services(services, qloop, qtbot)


# --- driving the form ---------------------------------------------------------------------------


def left_click(widget: QWidget, pos: QPoint | None = None) -> None:
    """A real mouse press and release (at the centre unless ``pos`` is given)."""
    no_modifier = Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(
        widget, Qt.MouseButton.LeftButton, no_modifier, pos if pos is not None else QPoint()
    )


def type_keys(widget: QWidget, text: str) -> None:
    QTest.keyClicks(widget, text)


def press(widget: QWidget, key: Qt.Key) -> None:
    QTest.keyClick(widget, key)


def type_into(qtbot: QtBot, edit: QLineEdit | None, text: str) -> None:
    assert edit is not None
    edit.selectAll()
    press(edit, Qt.Key.Key_Delete)
    if text:
        type_keys(edit, text)


def choose_item(combo: QComboBox, text: str) -> None:
    """Pick the item shown as ``text`` (what choosing it in the drop-down list does)."""
    index = combo.findText(text)
    assert index >= 0, f"{combo.objectName()} offers no {text!r}"
    combo.setCurrentIndex(index)


def choose_school_year(page: SubmitPage, end_year: str) -> None:
    combo = page.form.school_year
    index = combo.findData(end_year)
    assert index >= 0, f"school year {end_year} is not offered"
    combo.setCurrentIndex(index)


def param_combo(page: SubmitPage, env_var: str) -> QComboBox:
    editor = page.form.params.editor(env_var)
    assert isinstance(editor, QComboBox)
    return editor


def slot(page: SubmitPage, env_var: str = "INPUT_FILE") -> UploadSlot:
    found = page.form.slots.slot(env_var)
    assert found is not None, f"no slot {env_var}"
    return found


def fill_basics(
    qtbot: QtBot,
    page: SubmitPage,
    *,
    tenant: str = "district-a",
    school_year: str = "2026",
    assessment: str | None = "PSAT/SAT",
    partner: str = "acme",
) -> None:
    """The partner (acme), the tenant typed, the year and the assessment picked from their lists."""
    choose_item(page.form.partner, partner)
    type_into(qtbot, page.form.tenant.lineEdit(), tenant)
    choose_school_year(page, school_year)
    if assessment is not None:
        choose_item(page.form.assessment, assessment)


def drop_on_slot(qtbot: QtBot, page: SubmitPage, path: Path, env_var: str = "INPUT_FILE") -> None:
    """Drop ``path`` with real drag events on the slot and wait for its check."""
    target = slot(page, env_var)
    result = drop_files(target, [path])
    assert result.accepted, target.refusal_text()
    wait_checked(qtbot, page)


def wait_checked(qtbot: QtBot, page: SubmitPage) -> None:
    qtbot.waitUntil(lambda: not page.form.slots.is_checking(), timeout=WAIT_MS)


def click(qtbot: QtBot, widget: Any) -> None:
    assert widget.isVisible() and widget.isEnabled(), f"{widget.text()!r} cannot be clicked"
    left_click(widget)


def submit(qtbot: QtBot, page: SubmitPage) -> None:
    assert page.submit_button.isEnabled(), page.why_disabled.text()
    click(qtbot, page.submit_button)


def wait_finished(qtbot: QtBot, page: SubmitPage) -> str:
    """Wait until the panel shows an outcome; return its text."""
    panel = page.panel
    qtbot.waitUntil(
        lambda: not panel.outcome.isHidden() and not page.runner.is_running(), timeout=WAIT_MS
    )
    return panel.outcome.text()


def wait_state_title(qtbot: QtBot, page: SubmitPage) -> str:
    """After a failure: wait until the panel shows the submission's derived state (from the
    run's own reading or History's, whichever comes first); return the title it then has."""
    panel = page.panel
    qtbot.waitUntil(lambda: not panel.state.isHidden(), timeout=WAIT_MS)
    return panel.title.text()


def wait_success(qtbot: QtBot, page: SubmitPage) -> str:
    text = wait_finished(qtbot, page)
    assert page.panel.outcome.property("kind") == "success", text
    return text


def step_marks(page: SubmitPage) -> dict[str, str]:
    """Step name → its mark (✓, ✗, – …) as the panel shows them."""
    return {name.text(): mark.text() for mark, name, _ in page.panel._steps.values()}
