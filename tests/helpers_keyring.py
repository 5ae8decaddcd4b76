"""Keyring backends for tests: a working in-memory one and ones that fail like real ones do."""

from __future__ import annotations

import keyring.backends.fail
import keyring.backends.null
import keyring.errors
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """Round-trips secrets in a dict (STACK-NOTES §3): a stand-in for a real OS keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class LockedKeyring(MemoryKeyring):
    """Looks usable but refuses every call, like a locked keychain or a dead D-Bus session."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("The keyring is locked")

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("Unable to initialize SecretService")


def no_keyring() -> KeyringBackend:
    """What keyring picks on a headless Linux box without Secret Service (STACK-NOTES §3)."""
    return keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]


def null_keyring() -> KeyringBackend:
    """Accepts secrets and forgets them; keyring ranks it below usable (priority -1)."""
    return keyring.backends.null.Keyring()  # type: ignore[no-untyped-call]
