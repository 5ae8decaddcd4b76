"""Token validation exactly as Runway's guard does it (CONTRACT §3).

Keys come from the issuer's JWKS found through OIDC discovery over HTTP, cached like jose's
remote key set: up to 10 minutes, refetched on an unknown ``kid`` at most once per 30 s.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

ASYMMETRIC_ALGORITHMS = {
    "RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
    "PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
    "ES256": "EC", "ES384": "EC", "ES512": "EC",
    "EdDSA": "OKP",
}  # fmt: skip
KEY_CACHE_SECONDS = 600
UNKNOWN_KID_COOLDOWN_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 5


class DiscoveryError(RuntimeError):
    pass


class InvalidToken(Exception):
    pass


class RemoteKeySet:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.jwks_uri: str | None = None
        self._keys: list[dict[str, Any]] = []
        self._fetched_at = 0.0
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def discover(self) -> None:
        """Boot-time discovery; an unreachable issuer stops the server, as it does Runway."""
        url = (
            self.issuer
            if "/.well-known/" in self.issuer
            else f"{self.issuer}/.well-known/openid-configuration"
        )
        try:
            async with self._client().get(url) as response:
                document = json.loads(await response.text())
        except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as exc:
            raise DiscoveryError(f"OIDC discovery at {url} failed: {exc}") from exc
        uri = document.get("jwks_uri") if isinstance(document, dict) else None
        self.jwks_uri = uri if isinstance(uri, str) and uri else None

    async def _fetch(self) -> None:
        assert self.jwks_uri is not None
        async with self._client().get(self.jwks_uri) as response:
            document = json.loads(await response.text())
        keys = document.get("keys") if isinstance(document, dict) else None
        self._keys = [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []
        self._fetched_at = time.monotonic()

    def _matching(self, kid: str | None, kty: str) -> list[dict[str, Any]]:
        return [
            k
            for k in self._keys
            if k.get("kty") == kty
            and (kid is None or k.get("kid") == kid)
            and k.get("use", "sig") == "sig"
        ]

    async def find(self, kid: str | None, kty: str) -> dict[str, Any]:
        age = time.monotonic() - self._fetched_at
        if not self._keys or age > KEY_CACHE_SECONDS:
            await self._fetch()
        found = self._matching(kid, kty)
        if not found and age > UNKNOWN_KID_COOLDOWN_SECONDS:
            await self._fetch()
            found = self._matching(kid, kty)
        # Without a kid, jose accepts the token only when exactly one key fits.
        if len(found) != 1:
            raise InvalidToken("no single matching key")
        return found[0]


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]

    @property
    def scopes(self) -> list[str] | None:
        scope = self.claims.get("scope")
        return scope.split(" ") if isinstance(scope, str) else None

    @property
    def partners(self) -> list[str]:
        """``partner:<code>`` scopes; the code is the text between the first and second colon."""
        codes = []
        for scope in self.scopes or []:
            parts = scope.split(":")
            if len(parts) >= 2 and parts[0] == "partner":
                codes.append(parts[1])
        return codes

    @property
    def client_id(self) -> str | None:
        value = self.claims.get("client_id") or self.claims.get("azp")
        return str(value) if value else None


async def verify_token(token: str, keys: RemoteKeySet, audience: str) -> VerifiedToken:
    try:
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise InvalidToken(f"algorithm {algorithm!r} not accepted")
        jwk = await keys.find(header.get("kid"), ASYMMETRIC_ALGORITHMS[algorithm])
        key = jwt.PyJWK(jwk, algorithm=algorithm).key
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            leeway=0,
            # Runway (jose) neither limits iat nor checks the issuer; exp/nbf only when present.
            options={"verify_iat": False, "verify_iss": False, "require": []},
        )
    except InvalidToken:
        raise
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, aiohttp.ClientError) as exc:
        raise InvalidToken(str(exc)) from exc
    return VerifiedToken(claims=claims)
