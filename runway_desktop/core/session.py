"""The core objects one running app (GUI or CLI) shares, wired together once.

One ``httpx.AsyncClient`` for everything (creating one costs 50–90 ms, STACK-NOTES §2), the
history store, the bundle registry, saved profiles and secrets, and a ``Connection`` per
profile in use. Qt-free, so the GUI, the CLI and the tests build the same thing.

Start-up cost matters here (the desktop app imports this before its window shows): httpx and
the API layer are imported, and the costly services made, only when first used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from runway_desktop.settings import (
    Profile,
    ProfileStore,
    RecentValues,
    SecretStore,
    cache_dir,
    data_dir,
    default_profile_store,
    default_recent_values,
)
from runway_desktop.settings.preferences import PreferencesStore
from runway_desktop.submit.links import UploadLinkCache

if TYPE_CHECKING:
    import httpx

    from runway_desktop.api.auth import TokenProvider, TokenSettings
    from runway_desktop.api.client import RunwayClient
    from runway_desktop.bundles.model import Registry
    from runway_desktop.bundles.registry import RegistryProvider
    from runway_desktop.history.store import HistoryStore

HISTORY_FILE_NAME = "history.sqlite3"
T = TypeVar("T")


class MissingSecret(LookupError):
    """No client secret is known for the profile (not saved, or no keyring this session)."""


@dataclass
class Connection:
    profile: Profile
    tokens: TokenProvider
    client: RunwayClient


def token_settings(profile: Profile, secret: str) -> TokenSettings:
    from runway_desktop.api.auth import TokenSettings

    # Auth0 (JSON style) needs the audience in the token request (derived from the API URL
    # when none was typed); a Keycloak-style server maps it itself and gets one only if typed.
    audience = profile.audience or (
        profile.effective_audience if profile.token_style == "json" else None
    )
    return TokenSettings(
        token_url=profile.token_url,
        client_id=profile.client_id,
        client_secret=secret,
        style=profile.token_style,
        scopes=tuple(profile.scopes.split()),
        audience=audience,
    )


def connect(http: httpx.AsyncClient, profile: Profile, secret: str) -> Connection:
    # Imported here, like httpx above: the API layer is not needed before the window shows.
    from runway_desktop.api.auth import TokenProvider
    from runway_desktop.api.client import RunwayClient

    tokens = TokenProvider(http, token_settings(profile, secret))
    return Connection(profile, tokens, RunwayClient(http, profile.api_base_url, tokens))


class MadeOnFirstUse(Generic[T]):
    """A field of ``AppServices`` that is made the first time it is read, unless one was
    given (``AppServices(history=store)``, ``dataclasses.replace(services, history=...)``)."""

    def __init__(self, make: Callable[[AppServices], T]) -> None:
        self._make = make
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_made_{name}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> None: ...

    @overload
    def __get__(self, obj: AppServices, owner: type | None = None) -> T: ...

    def __get__(self, obj: AppServices | None, owner: type | None = None) -> T | None:
        if obj is None:
            return None  # the dataclass default: "make it on first use"
        # Worker threads (the pipeline's, the downloads') may be the first to read it.
        with obj._made_lock:
            value: T | None = obj.__dict__.get(self._slot)
            if value is None:
                value = self._make(obj)
                obj.__dict__[self._slot] = value
            return value

    def __set__(self, obj: AppServices, value: T | None) -> None:
        obj.__dict__[self._slot] = value

    def made(self, obj: AppServices) -> T | None:
        """The value if it was made or given already; never makes it."""
        value: T | None = obj.__dict__.get(self._slot)
        return value


def _make_http(services: AppServices) -> httpx.AsyncClient:
    from runway_desktop.api.http import make_http_client

    return make_http_client()


def _open_history(services: AppServices) -> HistoryStore:
    from runway_desktop.history.store import HistoryStore

    return HistoryStore(services.history_path)


def _make_registry_provider(services: AppServices) -> RegistryProvider:
    from runway_desktop.bundles.registry import RegistryProvider

    return RegistryProvider(services.registry_cache_dir)


_HTTP = MadeOnFirstUse(_make_http)
_HISTORY = MadeOnFirstUse(_open_history)
_REGISTRY_PROVIDER = MadeOnFirstUse(_make_registry_provider)


@dataclass(eq=False)  # eq would compare (and so make) every lazily made service
class AppServices:
    """The shared services. The costly ones (the HTTP client: 50–90 ms for httpx and the TLS
    context; the history database; the bundle registry) are made on first use, not in
    ``create()``: the main window paints first and needs none of them until it connects."""

    profiles: ProfileStore
    secrets: SecretStore
    recent: RecentValues
    history_path: Path
    registry_cache_dir: Path
    http: MadeOnFirstUse[httpx.AsyncClient] = _HTTP
    history: MadeOnFirstUse[HistoryStore] = _HISTORY
    registry_provider: MadeOnFirstUse[RegistryProvider] = _REGISTRY_PROVIDER
    preferences: PreferencesStore = field(default_factory=PreferencesStore)
    links: UploadLinkCache = field(default_factory=UploadLinkCache)
    _made_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @classmethod
    def create(cls, *, secrets: SecretStore | None = None) -> AppServices:
        return cls(
            profiles=default_profile_store(),
            secrets=secrets or SecretStore(),
            recent=default_recent_values(),
            history_path=data_dir() / HISTORY_FILE_NAME,
            registry_cache_dir=cache_dir(),
        )

    @property
    def registry(self) -> Registry:
        return self.registry_provider.current()

    def connect(self, profile: Profile) -> Connection:
        secret = self.secrets.get(profile.name)
        if not secret:
            raise MissingSecret(profile.name)
        return connect(self.http, profile, secret)

    def assessment_name(self, bundle_path: str | None) -> str:
        """The registry's display name for a bundle path (the path itself when unknown)."""
        if bundle_path is None:
            return "Unknown assessment"
        bundle = self.registry.get(bundle_path)
        return bundle.display_name if bundle else bundle_path.rsplit("/", 1)[-1]

    def close_history(self) -> None:
        """Close the history database if it was opened (opening it only to close it is waste)."""
        history = _HISTORY.made(self)
        if history is not None:
            history.close()

    async def aclose(self) -> None:
        http = _HTTP.made(self)
        if http is not None:
            await http.aclose()
        self.close_history()
