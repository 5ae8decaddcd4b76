"""SecretStore with a working keyring, with none, and with one that breaks mid-session."""

from __future__ import annotations

from pathlib import Path

from fixtures_settings import memory_keyring, runway_home  # noqa: F401  (pytest fixtures)
from helpers_keyring import LockedKeyring, MemoryKeyring, no_keyring, null_keyring

from runway_desktop.settings import (
    NO_KEYRING_MESSAGE,
    Profile,
    RecentValues,
    SecretStore,
    cache_dir,
    config_dir,
    data_dir,
    default_profile_store,
)

SECRET = "client-secret-7f3a9c"


def _files_containing(home: Path, text: str) -> list[Path]:
    return [
        path for path in home.rglob("*") if path.is_file() and text.encode() in path.read_bytes()
    ]


def _use_every_settings_file(store: SecretStore) -> None:
    """Do what the app does around a secret, so any leak into a file would show up."""
    profiles = default_profile_store()
    profiles.add(Profile("District", "https://r.example.org/api/v1", "https://id/t", "c"))
    store.set("District", SECRET)
    RecentValues(config_dir() / "recent.json").remember_tenant("ea", "t1")
    data_dir(), cache_dir()


def test_secret_round_trips_through_the_keyring(
    memory_keyring: MemoryKeyring,  # noqa: F811
    runway_home: Path,  # noqa: F811
) -> None:
    store = SecretStore()
    assert store.persistent
    assert "saved in your system keyring" in store.status_message
    _use_every_settings_file(store)
    assert memory_keyring.store == {("runway-desktop", "District"): SECRET}
    # A new store (the next app start) reads it back from the keyring, not from memory.
    assert SecretStore().get("District") == SECRET
    assert _files_containing(runway_home, SECRET) == []
    store.delete("District")
    assert memory_keyring.store == {}
    assert SecretStore().get("District") is None
    store.delete("District")  # deleting twice is fine


def test_rename_moves_the_secret(memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    store = SecretStore(service="test-service")
    store.set("Old", SECRET)
    store.rename("Old", "New")
    assert memory_keyring.store == {("test-service", "New"): SECRET}
    assert store.get("Old") is None and store.get("New") == SECRET
    store.rename("Nothing", "Else")
    assert store.get("Else") is None


def test_empty_secret_removes_the_stored_one(memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    store = SecretStore()
    store.set("District", SECRET)
    store.set("District", "")
    assert memory_keyring.store == {} and store.get("District") is None


def test_no_keyring_keeps_the_secret_in_memory_only(runway_home: Path) -> None:  # noqa: F811
    store = SecretStore(backend=no_keyring())
    assert not store.persistent
    assert store.status_message == NO_KEYRING_MESSAGE
    _use_every_settings_file(store)
    assert store.get("District") == SECRET
    assert SecretStore(backend=no_keyring()).get("District") is None
    assert _files_containing(runway_home, SECRET) == []
    store.delete("District")
    assert store.get("District") is None


def test_a_backend_keyring_would_not_recommend_is_not_used() -> None:
    # The null keyring accepts secrets and forgets them; priority -1 marks it as unusable.
    store = SecretStore(backend=null_keyring())
    assert not store.persistent and store.status_message == NO_KEYRING_MESSAGE
    store.set("District", SECRET)
    assert store.get("District") == SECRET


def test_a_keyring_that_fails_falls_back_and_says_why(runway_home: Path) -> None:  # noqa: F811
    backend = LockedKeyring()
    store = SecretStore(backend=backend)
    persistent_before_use = store.persistent
    _use_every_settings_file(store)
    assert persistent_before_use  # it looked fine until it was used
    assert not store.persistent
    assert "could not be used (The keyring is locked)" in store.status_message
    assert "only until Runway Desktop closes" in store.status_message
    assert store.get("District") == SECRET
    assert _files_containing(runway_home, SECRET) == []


def test_a_read_failure_returns_none_and_degrades() -> None:
    store = SecretStore(backend=LockedKeyring())
    assert store.get("District") is None
    assert not store.persistent
    assert "SecretService" in store.status_message


def test_the_process_default_keyring_is_used(memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    SecretStore().set("District", SECRET)
    assert memory_keyring.get_password("runway-desktop", "District") == SECRET
