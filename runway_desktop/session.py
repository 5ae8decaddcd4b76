"""The core objects one running app (GUI or CLI) shares, wired together once.

One ``httpx.AsyncClient`` for everything (creating one costs 50–90 ms, STACK-NOTES §2), the
history store, the bundle registry, saved profiles and secrets, and a ``Connection`` per
profile in use. Qt-free, so the GUI, the CLI and the tests build the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.http import make_http_client
from runway_desktop.bundles.model import Registry
from runway_desktop.bundles.registry import RegistryProvider
from runway_desktop.history.store import HistoryStore
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

HISTORY_FILE_NAME = "history.sqlite3"


class MissingSecret(LookupError):
    """No client secret is known for the profile (not saved, or no keyring this session)."""


@dataclass
class Connection:
    profile: Profile
    tokens: TokenProvider
    client: RunwayClient


def token_settings(profile: Profile, secret: str) -> TokenSettings:
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
    tokens = TokenProvider(http, token_settings(profile, secret))
    return Connection(profile, tokens, RunwayClient(http, profile.api_base_url, tokens))


@dataclass
class AppServices:
    http: httpx.AsyncClient
    history: HistoryStore
    registry_provider: RegistryProvider
    profiles: ProfileStore
    secrets: SecretStore
    recent: RecentValues
    preferences: PreferencesStore = field(default_factory=PreferencesStore)
    links: UploadLinkCache = field(default_factory=UploadLinkCache)

    @classmethod
    def create(cls, *, secrets: SecretStore | None = None) -> AppServices:
        return cls(
            http=make_http_client(),
            history=HistoryStore(data_dir() / HISTORY_FILE_NAME),
            registry_provider=RegistryProvider(cache_dir()),
            profiles=default_profile_store(),
            secrets=secrets or SecretStore(),
            recent=default_recent_values(),
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

    async def aclose(self) -> None:
        await self.http.aclose()
        self.history.close()
