"""OAuth2 client-credentials tokens for Runway, cached and shared.

Two request styles exist in the wild (CONTRACT §3.4): Keycloak-like servers take a form-encoded
body with ``scope``; Auth0 takes a JSON body with ``audience``. Runway itself only checks the
token's signature, audience, expiry and ``scope`` claim, so everything the app needs to know
about its permissions can be read from the token's (unverified) claims.

The token and the client secret are credentials: they never appear in ``repr``, logs or errors.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from runway_desktop.api import policy
from runway_desktop.api.bounds import exchange, parse_json
from runway_desktop.api.errors import (
    ErrorCode,
    RunwayError,
    ServerError,
    error_from_exception,
    error_from_response,
)
from runway_desktop.api.http import api_log, loggable_url
from runway_desktop.api.retry import RetryCallback, RetryPolicy, call_with_retries

TokenStyle = Literal["form", "json"]


@dataclass(frozen=True)
class TokenSettings:
    """Where and how to get a token. ``scopes`` empty = send no ``scope`` (server default)."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    style: TokenStyle = "form"
    scopes: tuple[str, ...] = ()
    audience: str | None = None


@dataclass(frozen=True)
class TokenClaims:
    """What the token says about this client, decoded without verifying the signature.

    Good enough to show permissions and pick partners: Runway verifies the real thing.
    """

    raw: Mapping[str, Any]

    @property
    def scope(self) -> str:
        value = self.raw.get("scope")
        return value if isinstance(value, str) else ""

    @property
    def scopes(self) -> tuple[str, ...]:
        # Runway splits on single spaces (CONTRACT §3.3); empty pieces match nothing.
        return tuple(s for s in self.scope.split(" ") if s)

    @property
    def partner_codes(self) -> tuple[str, ...]:
        """``partner:<code>`` scopes → codes; the code ends at the second ``:``."""
        codes: list[str] = []
        for scope in self.scopes:
            parts = scope.split(":")
            if len(parts) >= 2 and parts[0] == "partner" and parts[1] and parts[1] not in codes:
                codes.append(parts[1])
        return tuple(codes)

    @property
    def client_id(self) -> str | None:
        value = self.raw.get("client_id") or self.raw.get("azp")
        return value if isinstance(value, str) else None

    @property
    def expires_at(self) -> float | None:
        """``exp`` as a Unix time, if the token has one."""
        value = self.raw.get("exp")
        return float(value) if isinstance(value, int | float) else None


def decode_claims(token: str) -> TokenClaims:
    """Decode a JWT's payload without verification; an opaque token gives empty claims."""
    parts = token.split(".")
    if len(parts) != 3:
        return TokenClaims({})
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return TokenClaims({})
    return TokenClaims(data if isinstance(data, dict) else {})


@dataclass(frozen=True)
class _CachedToken:
    value: str = field(repr=False)
    renew_at: float  # monotonic clock
    claims: TokenClaims = field(repr=False)


class TokenProvider:
    """Hands out a valid access token, fetching a new one only when needed.

    * Cached until shortly before ``expires_in`` runs out.
    * One request in flight: concurrent callers wait on a lock and then share the result —
      including a failure, so a wrong secret is reported once, not once per waiting call.
    * :meth:`invalidate` drops the token after Runway answered 401 ``Invalid token``.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: TokenSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        retry_policy: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
    ) -> None:
        self._http = http
        self._settings = settings
        self._clock = clock
        self._retry_policy = retry_policy or policy.TOKEN_RETRY
        self._on_retry = on_retry
        self._cached: _CachedToken | None = None
        # Why the next fetch happens, for its log line (see _fetch).
        self._fetch_reason = "first sign-in"
        self._lock = asyncio.Lock()
        # Bumped after every fetch; lets a waiter see that a fetch it waited for just failed.
        self._fetch_generation = 0
        self._last_failure: RunwayError | None = None
        self.fetch_count = 0  # tokens actually requested; for diagnostics and tests

    def __repr__(self) -> str:
        state = "cached token" if self._cached else "no token"
        s = self._settings
        return f"TokenProvider({s.token_url!r}, client_id={s.client_id!r}, {s.style}, {state})"

    @property
    def settings(self) -> TokenSettings:
        return self._settings

    @property
    def claims(self) -> TokenClaims | None:
        """Claims of the cached token (``None`` before the first fetch)."""
        return self._cached.claims if self._cached else None

    async def get_claims(self) -> TokenClaims:
        """Claims of a valid token, fetching one if needed."""
        await self.get_token()
        assert self._cached is not None  # get_token() succeeded, so a token is cached
        return self._cached.claims

    async def get_token(self) -> str:
        """A token valid for at least the safety margin. Raises :class:`RunwayError`."""
        cached = self._usable()
        if cached is not None:
            return cached
        generation = self._fetch_generation
        async with self._lock:
            cached = self._usable()
            if cached is not None:
                return cached
            if self._fetch_generation != generation and self._last_failure is not None:
                raise self._last_failure  # the fetch we waited for failed; don't hammer it
            # Cleared first: a fetch that is cancelled must not leave an older failure behind
            # for the callers waiting on it.
            self._last_failure = None
            try:
                token = await self._fetch()
            except RunwayError as error:
                # Already retried here: a caller that retries its own call must not multiply
                # the attempts (5 list attempts x 3 token attempts = 15 sign-ins).
                error.retryable = False
                self._last_failure = error
                raise
            finally:
                self._fetch_generation += 1
            self._cached = token
            return token.value

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still ``token``, when one is given).

        Passing the token that got the 401 keeps several failed calls from throwing away the
        fresh token another call has just fetched.
        """
        if self._cached is None:
            return
        if token is None or token == self._cached.value:
            self._cached = None
            self._fetch_reason = "Runway refused the previous token"

    def _usable(self) -> str | None:
        if self._cached is not None and self._clock() < self._cached.renew_at:
            return self._cached.value
        if self._cached is not None:
            self._fetch_reason = "the token is about to expire"
        return None

    async def _fetch(self) -> _CachedToken:
        target = f"POST {loggable_url(self._settings.token_url)}"
        api_log.info("Fetching an access token: %s (%s)", target, self._fetch_reason)
        token = await call_with_retries(
            self._fetch_once, self._retry_policy, on_retry=self._on_retry, describe=target
        )
        self._fetch_reason = "the token is about to expire"
        return token

    async def _fetch_once(self) -> _CachedToken:
        s = self._settings
        started = self._clock()
        body: dict[str, str] = {
            "grant_type": "client_credentials",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
        }
        if s.scopes:
            body["scope"] = " ".join(s.scopes)
        if s.audience:
            body["audience"] = s.audience
        self.fetch_count += 1
        host = httpx.URL(s.token_url).host or "the sign-in service"
        try:
            # The timeouts are read from the policy now, not from when the client was made.
            payload: dict[str, Any] = {"json": body} if s.style == "json" else {"data": body}
            request = self._http.build_request(
                "POST", s.token_url, timeout=policy.api_timeout(), **payload
            )
            response = await exchange(
                self._http,
                request,
                host=host,
                deadline_seconds=policy.TOKEN_DEADLINE_SECONDS,
                success=(200,),
            )
        except httpx.HTTPError as exc:
            raise error_from_exception(exc, host=host) from None
        if response.status_code != 200:
            raise error_from_response(response, source="token")
        return self._parse(response, started)

    def _parse(self, response: httpx.Response, started: float) -> _CachedToken:
        try:
            data: Any = parse_json(response)
        except ValueError:
            data = None
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ServerError(
                "The sign-in service answered without a token.",
                code=ErrorCode.ANSWER_UNREADABLE,
                next_step="Check the token URL in Settings.",
                status=response.status_code,
                server_message=response.content[:500].decode("utf-8", "replace")
                if data is None
                else None,
            )
        claims = decode_claims(token)
        lifetime = _lifetime(data.get("expires_in"), claims)
        margin = min(
            policy.TOKEN_EXPIRY_MARGIN_SECONDS, lifetime * policy.TOKEN_EXPIRY_MARGIN_FRACTION
        )
        # Count from when the request started: the server's clock started before our answer.
        return _CachedToken(value=token, renew_at=started + lifetime - margin, claims=claims)


def _lifetime(expires_in: Any, claims: TokenClaims) -> float:
    if isinstance(expires_in, int | float) and expires_in > 0:
        return float(expires_in)
    if isinstance(expires_in, str) and expires_in.isdigit():
        return float(expires_in)
    if claims.expires_at is not None:
        return max(0.0, claims.expires_at - time.time())
    return policy.TOKEN_DEFAULT_LIFETIME_SECONDS
