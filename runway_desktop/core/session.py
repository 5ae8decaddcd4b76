"""The session: the ONE composition root of a running app, GUI or CLI, wired together once.

One ``httpx.AsyncClient`` for everything (creating one costs 50–90 ms), the history store, the
bundle registry, saved profiles and secrets, and a ``Connection`` per profile in use. Qt-free,
so the GUI, the CLI and the tests build the same thing; neither front end builds its own.

Start-up cost matters here (the desktop app imports this before its window shows): httpx and
the API layer are imported, and the costly services made, only when first used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from runway_desktop.core.submit.links import UploadLinkCache
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

if TYPE_CHECKING:
    import httpx

    from runway_desktop.api.auth import TokenProvider, TokenSettings
    from runway_desktop.api.client import RunwayClient
    from runway_desktop.bundles.model import Registry
    from runway_desktop.bundles.registry import RegistryProvider
    from runway_desktop.history.store import HistoryStore

HISTORY_FILE_NAME = "history.sqlite3"
PRACTICE_DIR_NAME = "practice"  # under the data dir: practice mode's own History
T = TypeVar("T")


class MissingSecret(LookupError):
    """No client secret is known for the profile (not saved, or no keyring this session)."""


class PartnerChoiceNeeded(LookupError):
    """The client may use several partners and none was chosen: the front end asks which."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


@dataclass
class Connection:
    """One profile's live sign-in and API client (the HTTP client is the session's)."""

    profile: Profile
    tokens: TokenProvider
    client: RunwayClient

    async def sign_in(self) -> None:
        """Get a token before the first API call: a sign-in failure is then reported after the
        token's own few retries, instead of once more for each retry of the API call."""
        await self.tokens.get_token()

    async def partner(self, explicit: str | None = None) -> str:
        """The partner to act for: the one asked for, else the profile's default, else the
        token's only partner. No partner scope at all is a ``PermissionDenied``; several
        without a choice is ``PartnerChoiceNeeded``."""
        if explicit:
            return explicit
        if self.profile.default_partner:
            return self.profile.default_partner
        claims = await self.tokens.get_claims()
        codes = tuple(claims.partner_codes)
        if len(codes) == 1:
            return codes[0]
        if not codes:
            from runway_desktop.api.errors import PermissionDenied

            raise PermissionDenied(
                "This client may not use any partner: its token has no partner:… scope.",
                next_step=(
                    f"Ask your Runway admin to add a partner:<code> scope to client "
                    f"{self.profile.client_id}."
                ),
            )
        raise PartnerChoiceNeeded(codes)


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
    """A field of ``Session`` that is made the first time it is read, unless one was
    given (``Session(history=store)``, ``dataclasses.replace(services, history=...)``)."""

    def __init__(self, make: Callable[[Session], T]) -> None:
        self._make = make
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_made_{name}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> None: ...

    @overload
    def __get__(self, obj: Session, owner: type | None = None) -> T: ...

    def __get__(self, obj: Session | None, owner: type | None = None) -> T | None:
        if obj is None:
            return None  # the dataclass default: "make it on first use"
        # Worker threads (the pipeline's, the downloads') may be the first to read it.
        with obj._made_lock:
            value: T | None = obj.__dict__.get(self._slot)
            if value is None:
                value = self._make(obj)
                obj.__dict__[self._slot] = value
            return value

    def __set__(self, obj: Session, value: T | None) -> None:
        obj.__dict__[self._slot] = value

    def made(self, obj: Session) -> T | None:
        """The value if it was made or given already; never makes it."""
        value: T | None = obj.__dict__.get(self._slot)
        return value


def _make_http(services: Session) -> httpx.AsyncClient:
    from runway_desktop.api.http import make_http_client

    return make_http_client()


def _open_history(services: Session) -> HistoryStore:
    from runway_desktop.history.store import HistoryStore

    return HistoryStore(services.history_path)


def _make_registry_provider(services: Session) -> RegistryProvider:
    from runway_desktop.bundles.registry import RegistryProvider

    return RegistryProvider(services.registry_cache_dir)


_HTTP = MadeOnFirstUse(_make_http)
_HISTORY = MadeOnFirstUse(_open_history)
_REGISTRY_PROVIDER = MadeOnFirstUse(_make_registry_provider)


@dataclass(eq=False)  # eq would compare (and so make) every lazily made service
class Session:
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
    def create(cls, *, secrets: SecretStore | None = None, practice: bool = False) -> Session:
        """``practice``: the practice server's session. Its submissions go to a History of
        their own, so practice never shows among the district's real submissions."""
        history_dir = data_dir() / PRACTICE_DIR_NAME if practice else data_dir()
        return cls(
            profiles=default_profile_store(),
            secrets=secrets or SecretStore(),
            recent=default_recent_values(),
            history_path=history_dir / HISTORY_FILE_NAME,
            registry_cache_dir=cache_dir(),
        )

    @property
    def registry(self) -> Registry:
        return self.registry_provider.current()

    def connect(self, profile: Profile, secret: str | None = None) -> Connection:
        """A connection for the profile, with the given secret or else the stored one."""
        secret = secret or self.secrets.get(profile.name)
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
