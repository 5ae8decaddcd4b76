"""The client secret of each connection profile, kept in the operating system's keyring.

When there is no usable keyring (a headless Linux box without Secret Service: STACK-NOTES §3)
or the keyring fails, the secret is kept in this process's memory only and the app says so.
There is deliberately no file fallback: a secret in a plaintext file is worse than re-typing it.

The keyring is looked up on first use, not when the store is created: importing ``keyring`` and
probing for a backend (``keyring.get_keyring()``) costs ~50–150 ms, which would otherwise delay
the main window's first paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runway_desktop import APP_ID

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# Said to a clerk, not to IT: what is missing, what fixes it, and what happens meanwhile.
NO_KEYRING_MESSAGE = (
    "No password store was found on this computer, so the secret cannot be saved. "
    "Install GNOME Keyring or KWallet, or ask IT. Until then the secret is kept only until "
    "Runway Desktop closes."
)
# Once the clerk chose "Keep for this session only" (Preferences.secret_session_only): the
# same facts, short, without asking again.
SESSION_ONLY_MESSAGE = (
    "Kept for this session only, as you chose: no password store was found on this computer."
)


class SecretStore:
    """get/set/delete a profile's client secret; never raises for keyring trouble.

    ``persistent`` says whether secrets survive a restart; ``status_message`` explains it in
    plain words for the settings dialog.
    """

    def __init__(self, service: str = APP_ID, backend: KeyringBackend | None = None) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self._failure: str | None = None
        self._given_backend = backend
        self._resolved = False
        self._usable_backend: KeyringBackend | None = None

    @property
    def _backend(self) -> KeyringBackend | None:
        """The keyring in use (None: none usable), found on first use (see the module doc)."""
        if not self._resolved:
            self._resolved = True
            self._usable_backend = self._resolve_backend()
        return self._usable_backend

    def _resolve_backend(self) -> KeyringBackend | None:
        backend = self._given_backend
        if backend is None:
            import keyring

            try:
                backend = keyring.get_keyring()
            except _backend_failures() as exc:
                self._failure = _reason(exc)
                return None
        return backend if _is_usable(backend) else None

    @property
    def keyring_missing(self) -> bool:
        """True when there is no password store at all (keyring's fail backend, a chainer
        with nothing to chain), as opposed to one that is there but failed."""
        return self._backend is None and self._failure is None

    @property
    def persistent(self) -> bool:
        return self._backend is not None and self._failure is None

    @property
    def status_message(self) -> str:
        backend = self._backend  # first: finding the keyring may record why it failed
        if self._failure is not None:
            return (
                f"Your system keyring could not be used ({self._failure}), so the client secret "
                "is kept only until Runway Desktop closes."
            )
        if backend is None:
            return NO_KEYRING_MESSAGE
        return f"The client secret is saved in your system keyring ({backend.name})."

    def get(self, profile_name: str) -> str | None:
        if profile_name in self._memory:
            return self._memory[profile_name]
        if not self.persistent:
            return None
        assert self._backend is not None
        try:
            secret = self._backend.get_password(self.service, profile_name)
        except _backend_failures() as exc:
            self._failure = _reason(exc)
            return None
        if secret:
            # Later reads come from memory: macOS may ask the user's permission on every read.
            self._memory[profile_name] = secret
        return secret or None

    def set(self, profile_name: str, secret: str) -> None:
        """Remember ``secret``; an empty secret removes the stored one."""
        if not secret:
            self.delete(profile_name)
            return
        self._memory[profile_name] = secret
        if not self.persistent:
            return
        assert self._backend is not None
        try:
            self._backend.set_password(self.service, profile_name, secret)
        except _backend_failures() as exc:
            self._failure = _reason(exc)

    def delete(self, profile_name: str) -> None:
        self._memory.pop(profile_name, None)
        backend = self._backend
        if backend is None:
            return
        from keyring.errors import PasswordDeleteError

        try:
            backend.delete_password(self.service, profile_name)
        except PasswordDeleteError:
            pass  # nothing was stored: already the wanted state
        except _backend_failures() as exc:
            self._failure = _reason(exc)

    def rename(self, old_name: str, new_name: str) -> None:
        """Move a secret along with a renamed profile (ProfileStore.rename)."""
        secret = self.get(old_name)
        if secret is None:
            return
        self.set(new_name, secret)
        self.delete(old_name)


def _is_usable(backend: KeyringBackend) -> bool:
    import keyring.backends.fail

    if isinstance(backend, keyring.backends.fail.Keyring):
        return False
    try:
        # Priority below 1 means keyring itself would not recommend it (fail, null, plaintext).
        return float(backend.priority) >= 1
    except _backend_failures():
        return False


def _backend_failures() -> tuple[type[Exception], ...]:
    """What a keyring raises when it cannot be used: KeyringError; broken backends also raise
    plain RuntimeError (SecretService without D-Bus) or OSError (a keychain file that cannot be
    opened). A function so that ``keyring`` is imported only once a keyring is in use (an
    ``except`` clause's expression is evaluated only when an exception is being matched)."""
    from keyring.errors import KeyringError

    return (KeyringError, RuntimeError, OSError)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text[:120] or type(exc).__name__
