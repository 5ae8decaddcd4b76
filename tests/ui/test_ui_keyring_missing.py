"""No password store on this computer, and unencrypted addresses: what the connection dialog
says and offers, with keyring's real fail backend switched in and real typed input."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from helpers_keyring import MemoryKeyring
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from ui_app_helpers import close_services

from runway_desktop.core.session import Session
from runway_desktop.settings import NO_KEYRING_MESSAGE, SESSION_ONLY_MESSAGE
from runway_desktop.settings.preferences import PreferencesStore
from runway_desktop.ui.settings.address_warning import (
    SAVE_ANYWAY_TEXT,
    UNENCRYPTED_MESSAGE,
    is_unencrypted,
)
from runway_desktop.ui.settings.connection_dialog import ConnectionDialog

SECRET = "s3cret-typed-by-the-clerk"


@pytest.fixture
def fail_keyring() -> Iterator[None]:
    """keyring's own "no backend" keyring, as on a Linux box without Secret Service."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def services(qloop: asyncio.AbstractEventLoop, qtbot: QtBot) -> Iterator[Session]:
    created = Session.create()  # its SecretStore asks keyring which backend is in use
    yield created
    close_services(created, qloop, qtbot)


def make_dialog(qtbot: QtBot, services: Session) -> ConnectionDialog:
    dialog = ConnectionDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_details(dialog: ConnectionDialog, api_url: str, token_url: str) -> None:
    QTest.keyClicks(dialog.api_url_edit, api_url)
    QTest.keyClicks(dialog.token_url_edit, token_url)
    QTest.keyClicks(dialog.client_id_edit, "district-client")
    QTest.keyClicks(dialog.secret_edit, SECRET)


def all_text_under(home: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*") if p.is_file()
    )


def test_no_password_store_says_what_is_missing_and_remembers_session_only(
    fail_keyring: None, qtbot: QtBot, services: Session, isolated_home: Path
) -> None:
    dialog = make_dialog(qtbot, services)
    assert services.secrets.keyring_missing and not services.secrets.persistent
    note = dialog.secret_note.text()
    assert note == NO_KEYRING_MESSAGE
    assert "No password store was found" in note and "GNOME Keyring or KWallet" in note
    offer = dialog.session_offer
    assert offer.isVisibleTo(dialog)

    click(offer.button)

    assert not offer.isVisibleTo(dialog)
    assert dialog.secret_note.text() == SESSION_ONLY_MESSAGE
    assert PreferencesStore().load().secret_session_only
    type_details(dialog, "https://runway.example.org/api/v1", "https://login.example.org/t")
    click(dialog.save_button)
    assert dialog.saved_profile() is not None
    assert services.secrets.get("Runway") == SECRET  # for this session
    assert SECRET not in all_text_under(isolated_home)  # and never in a file

    # The next start (a new session, a new store): told in one line, not asked again.
    again = make_dialog(qtbot, Session.create())
    assert again.secret_note.text() == SESSION_ONLY_MESSAGE
    assert not again.session_offer.isVisibleTo(again)


def test_a_working_keyring_offers_nothing(
    memory_keyring: MemoryKeyring, qtbot: QtBot, services: Session
) -> None:
    dialog = make_dialog(qtbot, services)
    assert not services.secrets.keyring_missing
    assert not dialog.session_offer.isVisibleTo(dialog)
    assert "saved in your system keyring" in dialog.secret_note.text()


@pytest.mark.parametrize(
    ("url", "unencrypted"),
    [
        ("http://runway.example.org/api/v1", True),
        ("HTTP://10.0.0.5:8080/api/v1", True),
        ("http://127.0.0.1:8765/api/v1", False),
        ("http://[::1]:8765/api/v1", False),
        ("http://localhost:8765/idp/token", False),
        ("https://runway.example.org/api/v1", False),
        ("", False),
    ],
)
def test_which_addresses_are_unencrypted(url: str, unencrypted: bool) -> None:
    assert is_unencrypted(url) is unencrypted


def test_unencrypted_address_is_warned_about_before_saving(qtbot: QtBot, services: Session) -> None:
    dialog = make_dialog(qtbot, services)
    QTest.keyClicks(dialog.api_url_edit, "http://runway.example.org/api/v1")
    assert dialog.api_url_warning.isVisibleTo(dialog)
    assert dialog.api_url_warning.text() == UNENCRYPTED_MESSAGE
    assert not dialog.token_url_warning.isVisibleTo(dialog)
    type_details(dialog, "", "https://login.example.org/token")

    click(dialog.save_button)
    assert dialog.saved_profile() is None, "an unencrypted address is never saved unasked"
    assert UNENCRYPTED_MESSAGE in dialog.result_text()
    assert dialog.save_button.text() == SAVE_ANYWAY_TEXT

    # Changing an address takes the "Save anyway" back: it was for the old addresses.
    dialog.token_url_edit.selectAll()
    QTest.keyClicks(dialog.token_url_edit, "http://login.example.org/token")
    assert dialog.token_url_warning.isVisibleTo(dialog)
    assert dialog.save_button.text() != SAVE_ANYWAY_TEXT
    click(dialog.save_button)
    assert dialog.saved_profile() is None
    click(dialog.save_button)  # now "Save anyway", for these addresses
    saved = dialog.saved_profile()
    assert saved is not None and saved.token_url == "http://login.example.org/token"


def test_loopback_http_saves_without_a_warning(qtbot: QtBot, services: Session) -> None:
    dialog = make_dialog(qtbot, services)
    type_details(dialog, "http://127.0.0.1:8765/api/v1", "http://localhost:8765/idp/token")
    assert not dialog.api_url_warning.isVisibleTo(dialog)
    assert not dialog.token_url_warning.isVisibleTo(dialog)
    click(dialog.save_button)
    assert dialog.saved_profile() is not None
