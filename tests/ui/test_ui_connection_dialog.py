"""The “Connect to Runway” dialog against the sandbox over real HTTP (pytest-qt, offscreen)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_keyring import MemoryKeyring
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sandbox_process import SandboxProcess

from runway_desktop.core.session import Session
from runway_desktop.settings import NO_KEYRING_MESSAGE, Profile, SecretStore
from runway_desktop.ui.settings.connection_dialog import (
    TEST_BUTTON_TEXT,
    TESTING_TEXT,
    ConnectionDialog,
)

TEST_TIMEOUT_MS = 20_000


def close_services(services: Session, qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> None:
    # The qloop is "already running" (qasync): run_until_complete refuses, so wait on a task.
    task = qloop.create_task(services.aclose())
    qtbot.waitUntil(task.done, timeout=5000)
    task.result()


@pytest.fixture
def services(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Session]:
    created = Session.create()
    yield created
    close_services(created, qloop, qtbot)


@pytest.fixture
def keyring_services(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Session]:
    created = Session.create(secrets=SecretStore(backend=MemoryKeyring()))
    yield created
    close_services(created, qloop, qtbot)


def make_dialog(
    qtbot: QtBot, services: Session, profile: Profile | None = None
) -> ConnectionDialog:
    dialog = ConnectionDialog(services, profile)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(dialog: ConnectionDialog, sandbox: SandboxProcess, **overrides: str) -> None:
    values = {
        "api_url": sandbox.profile["api_base_url"],
        "token_url": sandbox.profile["token_url"],
        "client_id": sandbox.profile["client_id"],
        "secret": sandbox.profile["client_secret"],
        **overrides,
    }
    edits: dict[str, QLineEdit] = {
        "api_url": dialog.api_url_edit,
        "token_url": dialog.token_url_edit,
        "client_id": dialog.client_id_edit,
        "secret": dialog.secret_edit,
    }
    for key, edit in edits.items():
        edit.setText(values[key])


def run_test(qtbot: QtBot, dialog: ConnectionDialog) -> bool:
    with qtbot.waitSignal(dialog.tested, timeout=TEST_TIMEOUT_MS) as blocker:
        QTest.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        assert not dialog.test_button.isEnabled()
        assert dialog.test_button.text() == TESTING_TEXT
    assert dialog.test_button.isEnabled()
    assert dialog.test_button.text() == TEST_BUTTON_TEXT
    assert blocker.args is not None
    return bool(blocker.args[0])


def test_empty_dialog_has_defaults_and_hides_advanced(qtbot: QtBot, services: Session) -> None:
    dialog = make_dialog(qtbot, services)

    assert dialog.objectName() == "ConnectionDialog"
    assert dialog.windowTitle() == "Connect to Runway"
    assert dialog.name_edit.text() == "Runway"
    assert dialog.api_url_edit.placeholderText() == "https://runway.example.org/api/v1"
    assert dialog.secret_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.advanced_box.isHidden()
    assert dialog.scopes_edit.placeholderText() == "Let the identity provider decide"
    assert dialog.result_text() == ""

    dialog.advanced_button.click()
    assert not dialog.advanced_box.isHidden()
    dialog.api_url_edit.setText("https://runway.district.org/api/v1")
    assert dialog.audience_edit.placeholderText() == "Default: https://runway.district.org"


def test_show_hide_toggle_reveals_the_secret(qtbot: QtBot, services: Session) -> None:
    dialog = make_dialog(qtbot, services)
    dialog.show_secret_button.click()
    assert dialog.secret_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.show_secret_button.text() == "H&ide"
    dialog.show_secret_button.click()
    assert dialog.secret_edit.echoMode() == QLineEdit.EchoMode.Password


def test_successful_test_lists_partners(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process)

    assert run_test(qtbot, dialog) is True

    text = dialog.result_text()
    assert "Connected to Runway." in text
    assert "Can send files for: acme, ea" in text
    assert dialog.test_result.property("state") == "ok"
    assert dialog.test_result.objectName() == "TestResult"


def test_wrong_secret_is_a_plain_error(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process, secret="not-the-secret")

    assert run_test(qtbot, dialog) is False

    text = dialog.result_text()
    assert "Signing in at the token address failed." in text
    assert "did not accept the client id or secret" in text
    assert "Check the client id and secret" in text
    assert "not-the-secret" not in text
    assert dialog.test_result.property("state") == "error"


def test_token_service_down_is_a_plain_error(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    sandbox_process.faults.set("token_down", {"status": 503})
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process)

    assert run_test(qtbot, dialog) is False

    text = dialog.result_text()
    assert "is not answering properly right now" in text
    assert "Try again in a few minutes." in text


def test_unreachable_api_host_says_which_step_failed(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process, api_url="http://127.0.0.1:9/api/v1")

    assert run_test(qtbot, dialog) is False

    assert "the Runway API address did not accept the connection" in dialog.result_text()


def test_client_without_create_scope_cannot_send_files(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process, client_id="read-only", secret="read-only-secret")

    # The sign-in works and Runway accepted the token; only sending is impossible.
    assert run_test(qtbot, dialog) is True

    text = dialog.result_text()
    assert "This client cannot send files" in text
    assert "create:jobs" in text
    assert "Can download results for: acme" in text
    assert dialog.test_result.property("state") == "warning"


def test_field_validation_shows_messages_next_to_fields(qtbot: QtBot, services: Session) -> None:
    dialog = make_dialog(qtbot, services)
    dialog.name_edit.clear()
    dialog.api_url_edit.setText("runway.district.org")
    dialog.token_url_edit.setText("ftp://login.district.org/token")

    with qtbot.assertNotEmitted(dialog.tested):
        dialog.test_button.click()

    assert "name" in dialog.field_error("name")
    assert "https://" in dialog.field_error("api_url")
    assert "https://" in dialog.field_error("token_url")
    assert "client ID" in dialog.field_error("client_id")
    assert "client secret" in dialog.field_error("secret")
    assert dialog.test_button.isEnabled()
    assert dialog.result_text() == ""

    # Typing in a field clears its message; Save checks the same rules.
    QTest.keyClicks(dialog.client_id_edit, "x")
    assert dialog.field_error("client_id") == ""
    dialog.save_button.click()
    assert dialog.saved_profile() is None
    assert "https://" in dialog.field_error("api_url")


def all_text_under(home: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()
    )


def test_save_writes_the_profile_but_never_the_secret(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess, isolated_home: Path
) -> None:
    dialog = make_dialog(qtbot, services)
    assert dialog.secret_note.text() == NO_KEYRING_MESSAGE
    assert "kept only until Runway Desktop closes" in dialog.secret_note.text()
    fill(dialog, sandbox_process)

    dialog.save_button.click()

    saved = dialog.saved_profile()
    assert saved is not None
    assert dialog.result() == ConnectionDialog.DialogCode.Accepted
    assert saved.api_base_url == sandbox_process.profile["api_base_url"]
    assert services.profiles.get("Runway") == saved
    stored = json.loads(services.profiles.path.read_text(encoding="utf-8"))
    assert stored["profiles"][0]["client_id"] == sandbox_process.profile["client_id"]
    assert sandbox_process.profile["client_secret"] not in all_text_under(isolated_home)
    # No keyring: the secret lives for this session only.
    assert services.secrets.get("Runway") == sandbox_process.profile["client_secret"]
    assert SecretStore().get("Runway") is None


def test_save_with_advanced_settings(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process)
    dialog.advanced_button.click()
    dialog.token_style_combo.setCurrentIndex(dialog.token_style_combo.findData("json"))
    dialog.audience_edit.setText("runway-local")
    dialog.scopes_edit.setText("  create:jobs   partner:acme ")

    dialog.save_button.click()

    saved = services.profiles.get("Runway")
    assert saved is not None
    assert (saved.token_style, saved.audience, saved.scopes) == (
        "json",
        "runway-local",
        "create:jobs partner:acme",
    )


def test_cancel_saves_nothing(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess, isolated_home: Path
) -> None:
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process)
    dialog.buttons.rejected.emit()

    assert dialog.saved_profile() is None
    assert services.profiles.list() == []
    assert services.secrets.get("Runway") is None


def test_secret_round_trips_through_a_keyring(
    qtbot: QtBot, keyring_services: Session, sandbox_process: SandboxProcess, isolated_home: Path
) -> None:
    dialog = make_dialog(qtbot, keyring_services)
    assert "saved in your system keyring" in dialog.secret_note.text()
    fill(dialog, sandbox_process)
    dialog.save_button.click()

    backend = keyring_services.secrets._backend
    assert isinstance(backend, MemoryKeyring)
    assert SecretStore(backend=backend).get("Runway") == sandbox_process.profile["client_secret"]
    assert sandbox_process.profile["client_secret"] not in all_text_under(isolated_home)


def test_editing_prefills_and_keeps_the_stored_secret(
    qtbot: QtBot, keyring_services: Session, sandbox_process: SandboxProcess
) -> None:
    profile, secret = Profile.from_sandbox_json(sandbox_process.profile, name="District")
    assert secret is not None
    profile = dataclasses.replace(profile, default_partner="acme", scopes="")
    keyring_services.profiles.add(profile)
    keyring_services.secrets.set("District", secret)

    dialog = make_dialog(qtbot, keyring_services, profile)

    assert dialog.name_edit.text() == "District"
    assert dialog.api_url_edit.text() == profile.api_base_url
    assert dialog.client_id_edit.text() == profile.client_id
    assert dialog.secret_edit.text() == ""
    assert dialog.secret_edit.placeholderText().startswith("Unchanged")
    # The stored secret is used for testing without being shown.
    assert run_test(qtbot, dialog) is True

    dialog.name_edit.setText("District office")
    dialog.save_button.click()

    assert [p.name for p in keyring_services.profiles.list()] == ["District office"]
    saved = keyring_services.profiles.get("District office")
    assert saved is not None and saved.default_partner == "acme"
    assert keyring_services.secrets.get("District office") == secret
    assert keyring_services.secrets.get("District") is None


def test_new_profile_with_a_taken_name_is_refused_next_to_the_name(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    existing, _ = Profile.from_sandbox_json(sandbox_process.profile, name="Runway")
    services.profiles.add(existing)

    dialog = make_dialog(qtbot, services)
    assert dialog.name_edit.text() == "Runway 2"  # a free default name
    fill(dialog, sandbox_process)
    dialog.name_edit.setText("runway")
    dialog.save_button.click()

    assert dialog.saved_profile() is None
    assert "already exists" in dialog.field_error("name")


def test_cancel_while_testing_stops_the_test(
    qtbot: QtBot, services: Session, sandbox_process: SandboxProcess
) -> None:
    sandbox_process.faults.set("api_delay", {"seconds": 5})
    dialog = make_dialog(qtbot, services)
    fill(dialog, sandbox_process)
    dialog.test_button.click()
    assert dialog.test_button.text() == TESTING_TEXT
    assert "Testing" in dialog.result_text()

    with qtbot.assertNotEmitted(dialog.tested, wait=300):
        dialog.reject()
    assert dialog.test_button.isEnabled()
    assert dialog.saved_profile() is None
