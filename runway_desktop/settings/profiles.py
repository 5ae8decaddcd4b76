"""Connection profiles: where Runway and its identity provider are, and which client to use.

Stored as plain JSON (``profiles.json`` in config_dir) so an IT person can read, copy and
deploy it. The client secret is never part of a profile: it lives in the OS keyring (secrets.py).
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from runway_desktop.base.atomic_files import atomic_write_json

SCHEMA_VERSION = 1
PROFILES_FILE_NAME = "profiles.json"
TokenStyle = Literal["form", "json"]
TOKEN_STYLES: tuple[TokenStyle, ...] = ("form", "json")


class ProfileError(ValueError):
    """A profile operation that cannot be done; the message is meant for the user."""


class ProfilesFileError(ProfileError):
    """profiles.json cannot be used. ``moved_to`` is where a damaged file was put aside."""

    def __init__(self, message: str, moved_to: Path | None = None) -> None:
        super().__init__(message)
        self.moved_to = moved_to


@dataclass(frozen=True)
class Profile:
    """One Runway connection. Change it with ``dataclasses.replace``."""

    name: str
    api_base_url: str
    token_url: str
    client_id: str
    # "form": Keycloak-style form-encoded token request; "json": Auth0-style JSON with audience.
    token_style: TokenStyle = "form"
    # None = derive from the API URL (see effective_audience); set only when the user typed one.
    audience: str | None = None
    # Space-separated scopes to request; "" lets the identity provider grant its defaults.
    scopes: str = ""
    default_partner: str | None = None

    @property
    def effective_audience(self) -> str:
        """The audience to request: the explicit one, else the API URL's origin."""
        return self.audience or derive_audience(self.api_base_url)

    def problems(self) -> list[str]:
        """What is missing or wrong, in plain words; empty when the profile can be used."""
        found: list[str] = []
        if not self.name.strip():
            found.append("Give the connection a name.")
        for label, url in (
            ("Runway API address", self.api_base_url),
            ("token address", self.token_url),
        ):
            parts = urlsplit(url.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                found.append(
                    f"The {label} must start with https:// (for example https://runway.example.org/api/v1)."
                )
        if not self.client_id.strip():
            found.append("Enter the client ID your Runway admin gave you.")
        if self.token_style not in TOKEN_STYLES:
            found.append("Choose how the token is requested (form or JSON).")
        return found

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "api_base_url": self.api_base_url,
            "token_url": self.token_url,
            "token_style": self.token_style,
            "client_id": self.client_id,
            "scopes": self.scopes,
            "default_partner": self.default_partner,
        }
        if self.audience:
            data["audience"] = self.audience
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Profile:
        """Read one stored profile; raises ProfileError if a needed field is missing."""
        style = data.get("token_style", "form")
        if style not in TOKEN_STYLES:
            raise ProfileError(f"Unknown token style {style!r} in profile {data.get('name')!r}.")
        return cls(
            name=_text(data, "name"),
            api_base_url=_text(data, "api_base_url"),
            token_url=_text(data, "token_url"),
            client_id=_text(data, "client_id"),
            token_style=cast(TokenStyle, style),
            audience=_optional_text(data, "audience"),
            scopes=_scopes_text(data.get("scopes")),
            default_partner=_optional_text(data, "default_partner"),
        )

    @classmethod
    def from_sandbox_json(
        cls, obj: Mapping[str, Any], name: str = "Sandbox"
    ) -> tuple[Profile, str | None]:
        """(profile, client secret) from the profile object the sandbox prints.

        Unknown keys (issuer, s3_endpoint, seed, …) are ignored; the secret is handed back
        separately so the caller can put it in the keyring, never in profiles.json.
        """
        style = obj.get("token_style", "form")
        profile = cls(
            name=str(obj.get("name") or name),
            api_base_url=_text(obj, "api_base_url"),
            token_url=_text(obj, "token_url"),
            client_id=_text(obj, "client_id"),
            token_style=cast(TokenStyle, style) if style in TOKEN_STYLES else "form",
            audience=_optional_text(obj, "audience"),
            scopes=_scopes_text(obj.get("scopes")),
            default_partner=_optional_text(obj, "default_partner"),
        )
        secret = obj.get("client_secret")
        return profile, secret if isinstance(secret, str) and secret else None


def derive_audience(api_base_url: str) -> str:
    """ "https://runway.example.org/api/v1" -> "https://runway.example.org" (Runway's MY_URL)."""
    parts = urlsplit(api_base_url.strip())
    if not parts.scheme or not parts.netloc:
        return api_base_url.strip()
    return f"{parts.scheme}://{parts.netloc}"


class ProfileStore:
    """Profiles in one JSON file. Every call reads the file, so two windows never disagree."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def list(self) -> builtins.list[Profile]:
        """All profiles in the order they were added."""
        return self.load()

    def get(self, name: str) -> Profile | None:
        return next((p for p in self.load() if p.name == name), None)

    def add(self, profile: Profile) -> None:
        profiles = self.load()
        if _find(profiles, profile.name) is not None:
            raise ProfileError(f"A connection called “{profile.name}” already exists.")
        self.save([*profiles, profile])

    def update(self, profile: Profile) -> None:
        """Replace the stored profile with the same name."""
        profiles = self.load()
        index = _index(profiles, profile.name)
        profiles[index] = profile
        self.save(profiles)

    def remove(self, name: str) -> None:
        profiles = self.load()
        del profiles[_index(profiles, name)]
        self.save(profiles)

    def rename(self, old_name: str, new_name: str) -> Profile:
        """Rename a profile (the caller moves its keyring secret: SecretStore.rename)."""
        if not new_name.strip():
            raise ProfileError("Give the connection a name.")
        profiles = self.load()
        index = _index(profiles, old_name)
        clash = _find(profiles, new_name)
        if clash is not None and clash != index:
            raise ProfileError(f"A connection called “{new_name}” already exists.")
        profiles[index] = dataclasses.replace(profiles[index], name=new_name)
        self.save(profiles)
        return profiles[index]

    def load(self) -> builtins.list[Profile]:
        """Read the file; a missing file is no profiles. Raises ProfilesFileError if damaged."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ProfilesFileError(
                f"Your saved connections could not be read ({exc.strerror or exc})."
            ) from exc
        try:
            data = json.loads(text)
            version = data.get("schema_version") if isinstance(data, dict) else None
            if isinstance(version, int) and version > SCHEMA_VERSION:
                # Written by a newer app: not damaged, just not ours to rewrite.
                raise ProfilesFileError(
                    "Your saved connections were written by a newer version of Runway Desktop. "
                    "Update Runway Desktop to use them."
                )
            if version != SCHEMA_VERSION or not isinstance(data.get("profiles"), list):
                raise ValueError("unexpected layout")
            return [Profile.from_json(item) for item in data["profiles"]]
        except ProfilesFileError:
            raise
        except (ValueError, TypeError, AttributeError) as exc:
            raise self._set_aside() from exc

    def save(self, profiles: builtins.list[Profile]) -> None:
        names = [p.name.casefold() for p in profiles]
        if len(set(names)) != len(names):
            raise ProfileError("Two connections have the same name.")
        self._refuse_newer_file()
        atomic_write_json(
            self.path,
            {"schema_version": SCHEMA_VERSION, "profiles": [p.to_json() for p in profiles]},
        )

    def _refuse_newer_file(self) -> None:
        try:
            self.load()
        except ProfilesFileError as exc:
            if exc.moved_to is None:
                raise

    def _set_aside(self) -> ProfilesFileError:
        """Move a damaged file out of the way, keeping it for the user or support to inspect."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.broken-{stamp}")
        counter = 1
        while target.exists():
            counter += 1
            target = self.path.with_name(f"{self.path.name}.broken-{stamp}-{counter}")
        try:
            self.path.replace(target)
        except OSError as exc:
            return ProfilesFileError(
                f"Your saved connections file is damaged and could not be moved aside "
                f"({exc.strerror or exc}). It is at {self.path}.",
            )
        return ProfilesFileError(
            "Your saved connections file was damaged, so Runway Desktop set it aside as "
            f"{target} and started with no connections. Add your connection again, or ask "
            "your IT contact to restore it.",
            moved_to=target,
        )


def _find(profiles: list[Profile], name: str) -> int | None:
    # Names differing only in case would confuse people (and some keyrings), so treat them as one.
    wanted = name.casefold()
    return next((i for i, p in enumerate(profiles) if p.name.casefold() == wanted), None)


def _index(profiles: list[Profile], name: str) -> int:
    index = next((i for i, p in enumerate(profiles) if p.name == name), None)
    if index is None:
        raise ProfileError(f"There is no connection called “{name}”.")
    return index


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"The connection settings have no {key.replace('_', ' ')}.")
    return value.strip()


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _scopes_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v).strip() for v in value if str(v).strip())
    return " ".join(value.split()) if isinstance(value, str) else ""
