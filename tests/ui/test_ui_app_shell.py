"""The main window around the Submit screen: title, navigation, Settings, practice mode, the
single-instance guard, and the first run, which asks for the connection and tests it."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_keyring import MemoryKeyring
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot
from sandbox_process import SandboxProcess
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    SANDBOX_PARTNERS,
    AppUnderTest,
    app_fixture,
    close_services,
    fill_basics,
    left_click,
    open_window,
    sandbox_connection,
    slot,
    type_keys,
    wait_checked,
    wait_for_partners,
)

from runway_desktop.core.practice import practice_files
from runway_desktop.core.session import Session
from runway_desktop.settings import NO_KEYRING_MESSAGE, SecretStore
from runway_desktop.ui.main_window import PAGES, MainWindow
from runway_desktop.ui.settings.connection_dialog import ConnectionDialog
from runway_desktop.ui.single_instance import SingleInstance
from runway_desktop.ui.startup import StartupController

WAIT_MS = 20_000


def click_nav(qtbot: QtBot, window: MainWindow, name: str) -> None:
    item = window.nav.item(PAGES.index(name))
    viewport = window.nav.viewport()
    assert viewport is not None
    pos = window.nav.visualItemRect(item).center()
    left_click(viewport, pos)


def test_title_navigation_and_settings(app: AppUnderTest, qtbot: QtBot) -> None:
    window = app.window
    assert window.windowTitle() == "Runway Desktop — Sandbox"
    assert window.pages.currentWidget() is window.submit_page
    assert not window.banner.isVisible()
    assert not window.connection_note.isVisible()

    # Output sets and History have their own tests; here: the navigation reaches them.
    for name, page in (("Output sets", window.outputs_page), ("History", window.history_page)):
        click_nav(qtbot, window, name)
        assert window.nav.currentRow() == PAGES.index(name)
        assert window.pages.currentWidget() is page
        assert page.isVisible()
    click_nav(qtbot, window, "Settings")
    settings = window.settings_page
    assert window.pages.currentWidget() is settings
    assert settings.profile_name.text() == "Sandbox"
    assert settings.api_url.text() == app.sandbox.profile["api_base_url"]
    assert settings.client_id.text() == app.sandbox.profile["client_id"]
    assert settings.partners.text() == ", ".join(SANDBOX_PARTNERS)
    assert settings.secret_note.text() == NO_KEYRING_MESSAGE
    assert settings.edit_button.isVisible()

    window.show_page("Submit")
    assert window.nav.currentRow() == 0
    assert window.pages.currentWidget() is window.submit_page


def test_a_replaced_connection_does_not_fill_in_its_partners_later(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, sandbox_process: SandboxProcess
) -> None:
    services = Session.create()
    try:
        window = open_window(qtbot, services)
        old = sandbox_connection(services, sandbox_process)
        window.set_connection(old)
        window.set_connection(None)  # e.g. the clerk cancelled “Edit connection…” meanwhile
        # A sign-in just like the abandoned one: once it is done, that one would be too.
        same_sign_in = qloop.create_task(old.tokens.get_claims())
        qtbot.waitUntil(same_sign_in.done, timeout=WAIT_MS)
        assert list(same_sign_in.result().partner_codes) == SANDBOX_PARTNERS
        qtbot.wait(100)

        assert window.connection is None
        assert window.partners == []
        assert window.submit_page.form.partner.count() == 0
        assert window.settings_page.partners.text() == "—"
        assert not window.connection_note.isVisible()
        assert window.submit_page.why_disabled.text() == (
            "Set up the connection to Runway first (Settings)."
        )
    finally:
        close_services(services, qloop, qtbot)


def test_practice_mode_banner_and_practice_files(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, sandbox_process: SandboxProcess
) -> None:
    services = Session.create()
    try:
        window = open_window(qtbot, services, practice=True)
        window.submit_page.form.set_practice_files(practice_files())
        window.set_connection(sandbox_connection(services, sandbox_process))
        wait_for_partners(qtbot, window)
        assert window.banner.isVisible()
        assert window.banner.text().startswith("Practice mode: you are connected to a local")
        assert window.settings_page.secret_note.text() == "Practice server: no secret is stored."
        assert not window.settings_page.edit_button.isVisibleTo(window.settings_page)

        page = window.submit_page
        fill_basics(qtbot, page)
        target = slot(page)
        button = next(
            b for b in target.findChildren(QToolButton) if b.text().startswith("Use practice file")
        )
        assert button.isVisible()
        menu = target.practice_menu()
        assert [a.text() for a in menu.actions()] == [
            "sample_anonymized_file_sat.csv",
            "sample_anonymized_file_psat_10.csv",
        ]
        left_click(button)
        qtbot.waitUntil(menu.isVisible, timeout=5000)
        action = menu.actions()[1]
        left_click(menu, menu.actionGeometry(action).center())
        wait_checked(qtbot, page)
        assert target.path() is not None
        assert target.path() == practice_files()["assessments/PSAT_SAT"]["INPUT_FILE"][1]
        assert target.report() is not None and target.report().ok  # type: ignore[union-attr]
    finally:
        close_services(services, qloop, qtbot)


def test_second_instance_asks_the_first_to_come_forward(qtbot: QtBot) -> None:
    name = f"runway-desktop-test-{uuid.uuid4().hex[:12]}"
    first, second = SingleInstance(name), SingleInstance(name)
    try:
        assert not first.ask_running_instance_to_raise(), "nobody listens yet"
        assert first.listen()
        with qtbot.waitSignal(first.raiseRequested, timeout=5000):
            assert second.ask_running_instance_to_raise()
    finally:
        first.close()
        second.close()


# --- first run ------------------------------------------------------------------------------


def all_text_under(home: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()
    )


def run_start_answering_dialog(
    qtbot: QtBot,
    controller: StartupController,
    answer: Callable[[ConnectionDialog], None],
) -> list[ConnectionDialog]:
    """controller.start() with ``answer`` driving the modal dialog from inside its exec().

    start() returns at once: the saved profiles and the keyring are read on a worker thread,
    and the dialog opens afterwards from a timer, so a poll waits for it."""
    shown: list[ConnectionDialog] = []
    errors: list[BaseException] = []
    poll = QTimer()
    poll.setInterval(10)

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            return  # not open yet
        poll.stop()
        if not isinstance(dialog, ConnectionDialog):
            errors.append(AssertionError(f"expected the connection dialog, got {dialog!r}"))
            return
        shown.append(dialog)
        try:
            answer(dialog)
        except BaseException as exc:  # re-raised below, after exec() returned
            errors.append(exc)
        finally:
            if dialog.isVisible():
                dialog.reject()  # never leave the test hanging in exec()

    poll.timeout.connect(drive)
    poll.start()
    controller.start()
    qtbot.waitUntil(lambda: bool(shown or errors), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=WAIT_MS)
    if errors:
        raise errors[0]
    return shown


@pytest.mark.parametrize("keyring_kind", ["none", "memory"])
def test_first_run_opens_the_dialog_tests_and_saves_then_connects(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    sandbox_process: SandboxProcess,
    isolated_home: Path,
    keyring_kind: str,
) -> None:
    backend = MemoryKeyring() if keyring_kind == "memory" else None
    services = Session.create(secrets=SecretStore(backend=backend))
    secret = str(sandbox_process.profile["client_secret"])
    try:
        window = open_window(qtbot, services)
        assert services.profiles.list() == []
        controller = StartupController(services, window)
        notes: list[str] = []

        def test_then_save(dialog: ConnectionDialog) -> None:
            notes.append(dialog.secret_note.text())
            dialog.api_url_edit.setText(sandbox_process.profile["api_base_url"])
            dialog.token_url_edit.setText(sandbox_process.profile["token_url"])
            type_keys(dialog.client_id_edit, sandbox_process.profile["client_id"])
            type_keys(dialog.secret_edit, secret)
            with qtbot.waitSignal(dialog.tested, timeout=WAIT_MS) as tested:
                left_click(dialog.test_button)
            assert tested.args == [True], dialog.result_text()
            assert "Connected to Runway." in dialog.result_text()
            assert "acme" in dialog.result_text()
            left_click(dialog.save_button)

        shown = run_start_answering_dialog(qtbot, controller, test_then_save)
        assert len(shown) == 1
        assert shown[0].saved_profile() is not None

        wait_for_partners(qtbot, window)
        assert window.connection is not None
        assert window.windowTitle() == "Runway Desktop — Runway"
        assert [p.name for p in services.profiles.list()] == ["Runway"]
        assert window.settings_page.partners.text() == ", ".join(SANDBOX_PARTNERS)
        # The secret is never written to disk, whichever way it is kept.
        assert secret not in all_text_under(isolated_home)
        if backend is None:
            assert notes == [NO_KEYRING_MESSAGE]
            assert "kept only until Runway Desktop closes" in notes[0]
            assert window.settings_page.secret_note.text() == NO_KEYRING_MESSAGE
            assert services.secrets.get("Runway") == secret  # this session only
        else:
            assert "saved in your system keyring" in notes[0]
            assert "saved in your system keyring" in window.settings_page.secret_note.text()
            assert backend.store == {(services.secrets.service, "Runway"): secret}
    finally:
        close_services(services, qloop, qtbot)


def test_next_launch_without_keyring_asks_for_the_secret_again(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, sandbox_process: SandboxProcess
) -> None:
    from runway_desktop.settings import Profile

    profile, secret = Profile.from_sandbox_json(sandbox_process.profile, name="District")
    assert secret is not None
    services = Session.create()  # the null keyring: last session's secret is gone
    services.profiles.add(profile)
    try:
        window = open_window(qtbot, services)
        controller = StartupController(services, window)

        def retype_secret(dialog: ConnectionDialog) -> None:
            assert dialog.name_edit.text() == "District"
            assert dialog.client_id_edit.text() == profile.client_id
            assert dialog.secret_edit.placeholderText() == (
                "Not remembered: type the client secret again"
            )
            type_keys(dialog.secret_edit, secret)
            left_click(dialog.save_button)

        shown = run_start_answering_dialog(qtbot, controller, retype_secret)
        assert len(shown) == 1
        wait_for_partners(qtbot, window)
        assert window.windowTitle() == "Runway Desktop — District"
    finally:
        close_services(services, qloop, qtbot)


class SlowKeyring(MemoryKeyring):
    """A keyring that takes its time to answer (a Secret Service waking up), noting the
    thread each lookup ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[threading.Thread] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.append(threading.current_thread())
        time.sleep(0.4)
        return super().get_password(service, username)


def test_a_slow_keyring_never_freezes_the_window_at_start(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, sandbox_process: SandboxProcess
) -> None:
    from runway_desktop.settings import Profile

    profile, secret = Profile.from_sandbox_json(sandbox_process.profile, name="District")
    assert secret is not None
    backend = SlowKeyring()
    backend.set_password(SecretStore().service, "District", secret)
    services = Session.create(secrets=SecretStore(backend=backend))
    services.profiles.add(profile)
    try:
        window = open_window(qtbot, services)
        ticks: list[float] = []
        ticker = QTimer()
        ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
        ticker.start(20)
        started = time.monotonic()
        StartupController(services, window).start()
        assert time.monotonic() - started < 0.2  # start() returned without the keyring
        wait_for_partners(qtbot, window)
        ticker.stop()
        assert backend.threads and threading.main_thread() not in backend.threads
        # The Qt thread went on ticking while the keyring took 0.4 s to answer.
        during = [b - a for a, b in itertools.pairwise(ticks)]
        assert len(ticks) >= 10 and max(during) < 0.2, during
    finally:
        close_services(services, qloop, qtbot)


# -- practice mode: the connection comes from the practice server's handshake ---------------
# No server here (no sandbox inside a Qt process): the handshake is a future set by the test.


def test_practice_mode_connects_once_the_handshake_arrives(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    services = Session.create()
    try:
        window = open_window(qtbot, services, practice=True)
        handshake: asyncio.Future[dict[str, object]] = qloop.create_future()
        controller = StartupController(services, window, practice_handshake=handshake)
        controller.start()  # as on the first paint: the server has not answered yet
        qtbot.waitUntil(window.connection_note.isVisible, timeout=WAIT_MS)
        assert window.connection_note.text() == "Starting the practice server…"
        assert window.windowTitle() == "Runway Desktop"  # no connection yet

        handshake.set_result(
            {
                "api_base_url": "http://127.0.0.1:9/api/v1",  # nothing listens: sign-in fails
                "token_url": "http://127.0.0.1:9/idp/token",
                "client_id": "runway-desktop-sandbox",
                "client_secret": "practice",
                "seed": {"acme": {"tenants": ["district-a"], "school_years": {"2026": "ods"}}},
            }
        )
        qtbot.waitUntil(lambda: window.connection is not None, timeout=WAIT_MS)
        assert window.connection is not None
        assert window.connection.profile.api_base_url == "http://127.0.0.1:9/api/v1"
        assert window.windowTitle() == "Runway Desktop — Sandbox"
    finally:
        close_services(services, qloop, qtbot)


def test_a_practice_server_that_cannot_start_says_why(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    from runway_desktop.core.practice_server import PracticeServerError

    services = Session.create()
    try:
        window = open_window(qtbot, services, practice=True)
        handshake: asyncio.Future[dict[str, object]] = qloop.create_future()
        handshake.set_exception(
            PracticeServerError(
                "The practice server did not start: it stopped with exit code 1. What it "
                "said:\nThe sandbox could not start: <address in use>"
            )
        )
        StartupController(services, window, practice_handshake=handshake).start()
        note = window.connection_note
        qtbot.waitUntil(lambda: "not available" in note.text(), timeout=WAIT_MS)
        assert note.isVisible()
        assert note.text().startswith(
            "Practice mode is not available. The practice server did not start: it stopped "
            "with exit code 1."
        )
        # Its words shown as they are, never as markup.
        assert note.textFormat() is Qt.TextFormat.PlainText
        assert "<address in use>" in note.text()
        assert window.connection is None
    finally:
        close_services(services, qloop, qtbot)
