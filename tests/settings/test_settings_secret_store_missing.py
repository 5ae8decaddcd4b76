"""The secret store's words when there is no password store, and the remembered
"Keep for this session only" choice, with keyring's real backends switched in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import pytest
from helpers_keyring import LockedKeyring

from runway_desktop.settings import NO_KEYRING_MESSAGE, SecretStore
from runway_desktop.settings.preferences import PreferencesStore


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def test_fail_backend_is_a_missing_password_store(restore_keyring: None) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    store = SecretStore()
    assert store.keyring_missing and not store.persistent
    assert store.status_message == NO_KEYRING_MESSAGE
    assert "No password store was found on this computer" in NO_KEYRING_MESSAGE
    assert "Install GNOME Keyring or KWallet, or ask IT." in NO_KEYRING_MESSAGE
    store.set("Runway", "in-memory")
    assert store.get("Runway") == "in-memory"
    assert SecretStore().get("Runway") is None  # nothing outlived the store


def test_a_chainer_with_nothing_to_chain_is_missing_too(
    restore_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    chainer = keyring.backends.chainer.ChainerBackend
    monkeypatch.setattr(chainer, "backends", [], raising=False)
    keyring.set_keyring(chainer())  # type: ignore[no-untyped-call]
    assert SecretStore().keyring_missing


def test_a_failing_keyring_is_not_called_missing() -> None:
    store = SecretStore(backend=LockedKeyring())
    store.set("Runway", "x")  # the locked keyring refuses: a failure, not an absence
    assert not store.persistent and not store.keyring_missing
    assert "could not be used" in store.status_message


def test_session_only_choice_round_trips(isolated_home: Path) -> None:
    store = PreferencesStore()
    assert store.load().secret_session_only is False
    store.save(store.load().with_changes(secret_session_only=True))
    assert PreferencesStore().load().secret_session_only is True
