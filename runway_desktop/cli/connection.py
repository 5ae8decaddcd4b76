"""Which Runway connection a CLI command uses, and the live objects built from it.

A command names its connection with ``--profile NAME`` (a saved profile, secret from the
keyring) or ``--profile-file FILE`` (the sandbox's printed JSON, so a script needs no setup);
with neither, the only saved profile is used. ``RUNWAY_CLIENT_SECRET`` always wins over a stored
secret, so CI jobs can inject it without a keyring.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from runway_desktop.api.auth import TokenProvider
from runway_desktop.api.client import RunwayClient
from runway_desktop.bundles.model import Registry
from runway_desktop.cli.output import CommandFailure, usage_error
from runway_desktop.core.session import PartnerChoiceNeeded, Session
from runway_desktop.history.store import HistoryStore
from runway_desktop.settings import ProfileError, SecretStore, default_profile_store
from runway_desktop.settings.profiles import Profile

SECRET_ENV_VAR = "RUNWAY_CLIENT_SECRET"


@dataclass(frozen=True)
class ChosenProfile:
    profile: Profile
    secret: str = field(repr=False)


def env_secret() -> str | None:
    value = os.environ.get(SECRET_ENV_VAR, "").strip()
    return value or None


def choose_profile(name: str | None, profile_file: str | None) -> ChosenProfile:
    """The profile and secret a command runs with; a usage error says how to fix a gap."""
    if profile_file is not None:
        return _profile_from_file(Path(profile_file))
    store = default_profile_store()
    profiles = store.list()
    if name is None:
        if not profiles:
            raise usage_error(
                "No Runway connection is set up yet.",
                "Add one with `runway-desktop-cli profile add NAME --api-url URL --token-url URL "
                "--client-id ID`, or pass --profile-file FILE.",
            )
        if len(profiles) > 1:
            names = ", ".join(p.name for p in profiles)
            raise usage_error(
                f"Several connections are saved ({names}).",
                "Choose one with --profile NAME.",
            )
        profile = profiles[0]
    else:
        found = store.get(name)
        if found is None:
            saved = ", ".join(p.name for p in profiles) or "none"
            raise usage_error(
                f"There is no saved connection called “{name}” (saved: {saved}).",
                "Check the name with `runway-desktop-cli profile list`.",
            )
        profile = found
    secret = env_secret() or SecretStore().get(profile.name)
    if secret is None:
        raise usage_error(
            f"No client secret is available for the connection “{profile.name}”: "
            "this computer's keyring does not have it.",
            f"Set the {SECRET_ENV_VAR} environment variable to the client secret, "
            "or add the connection again where a system keyring is available.",
        )
    return ChosenProfile(profile, secret)


def _profile_from_file(path: Path) -> ChosenProfile:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise usage_error(
            f"The connection file {path} does not exist.", "Check the --profile-file path."
        ) from None
    except (OSError, ValueError) as exc:
        raise usage_error(
            f"The connection file {path} could not be read as JSON ({exc}).",
            "Pass the JSON the sandbox prints (api_base_url, token_url, client_id, …).",
        ) from None
    if not isinstance(data, dict):
        raise usage_error(f"The connection file {path} does not hold a JSON object.")
    # A stable name per client and server: downloads are remembered per profile name.
    host = httpx.URL(str(data.get("api_base_url", ""))).netloc.decode()
    fallback = f"{data.get('client_id', 'client')}@{host}"
    try:
        profile, file_secret = Profile.from_sandbox_json(data, name=fallback)
    except ProfileError as exc:
        raise usage_error(f"{path}: {exc}", "Fix the connection file.") from None
    problems = profile.problems()
    if problems:
        raise usage_error(f"{path}: {' '.join(problems)}")
    secret = env_secret() or file_secret
    if secret is None:
        raise usage_error(
            f"The connection file {path} has no client_secret.",
            f"Add client_secret to the file or set {SECRET_ENV_VAR}.",
        )
    return ChosenProfile(profile, secret)


class CommandSession:
    """What one CLI command runs with: the core's one ``Session`` and the chosen profile's
    ``Connection``. A thin adapter: the rules live in the core; this only turns the core's
    "choose a partner" into the CLI's usage error."""

    def __init__(self, chosen: ChosenProfile) -> None:
        self.session = Session.create()
        self.profile = chosen.profile
        self.connection = self.session.connect(chosen.profile, chosen.secret)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.session.http

    @property
    def history(self) -> HistoryStore:
        return self.session.history

    @property
    def tokens(self) -> TokenProvider:
        return self.connection.tokens

    @property
    def client(self) -> RunwayClient:
        return self.connection.client

    def assessment_name(self, bundle_path: str | None) -> str:
        return self.session.assessment_name(bundle_path)

    async def __aenter__(self) -> CommandSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.session.aclose()

    async def sign_in(self) -> None:
        await self.connection.sign_in()

    async def partner(self, explicit: str | None) -> str:
        """``--partner``, else the profile's default, else the token's only partner."""
        try:
            return await self.connection.partner(explicit)
        except PartnerChoiceNeeded as choice:
            raise CommandFailure(
                f"This client may use several partners: {', '.join(choice.codes)}.",
                "Choose one with --partner CODE.",
            ) from None


def registry() -> Registry:
    """The assessment list a command works with: the same one the desktop app uses (the
    refreshed copy when one was downloaded, else the shipped snapshot)."""
    return Session.create().registry
