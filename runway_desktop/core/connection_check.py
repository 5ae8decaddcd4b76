"""The connection test, one rule set for the connection dialog and ``profile test``.

Field checks and the "Test connection" run: sign in, ask Runway to verify the token, and say
what the client may do (the scope table lives in ``settings.permissions``). Both front ends
show the same ``ConnectionCheck``; only their way of printing it differs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

import httpx

from runway_desktop.api.auth import TokenClaims
from runway_desktop.api.errors import ErrorCode, PermissionDenied, RunwayError
from runway_desktop.api.errors.messages import ADMIN
from runway_desktop.core.session import connect
from runway_desktop.settings.permissions import (
    CREATE_JOBS,
    PermissionSummary,
    summarize_permissions,
)
from runway_desktop.settings.profiles import Profile

FieldName = Literal["name", "api_url", "token_url", "client_id", "secret"]
CheckState = Literal["ok", "warning", "error"]

# Which of the two steps failed tells an IT person where to look (token URL vs. API URL).
SIGN_IN_FAILED = "Signing in at the token address failed."
API_FAILED = "Signing in worked, but the Runway API address did not accept the connection."
NO_PARTNER = "Signed in, but this client may not act for any partner, so it can do nothing."
NO_PARTNER_NEXT_STEP = (
    f"{ADMIN} to add a partner:<code> scope to this client for each partner you work with."
)


@dataclass(frozen=True)
class FormValues:
    """What the person typed, trimmed. ``secret`` is "" when the stored one is kept."""

    name: str
    api_url: str
    token_url: str
    client_id: str
    secret: str = field(repr=False)
    has_stored_secret: bool = False


def field_problems(values: FormValues) -> dict[FieldName, str]:
    """One plain-language message per field that must be fixed before testing or saving."""
    problems: dict[FieldName, str] = {}
    if not values.name:
        problems["name"] = "Give the connection a name, for example “Runway”."
    if not _is_web_address(values.api_url):
        problems["api_url"] = (
            "Enter the Runway API address, starting with https:// "
            "(for example https://runway.example.org/api/v1)."
        )
    if not _is_web_address(values.token_url):
        problems["token_url"] = "Enter the sign-in service's token address, starting with https://."
    if not values.client_id:
        problems["client_id"] = "Enter the client ID your Runway administrator gave you."
    if not values.secret and not values.has_stored_secret:
        problems["secret"] = "Enter the client secret that belongs to this client ID."
    return problems


def _is_web_address(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of one test. ``ok`` = Runway accepted this client's sign-in."""

    state: CheckState
    headline: str
    summary: PermissionSummary | None = None
    error: RunwayError | None = None
    scopes: tuple[str, ...] = ()
    # Runway itself listed the partners (POST /token/verify); else they come from the token.
    verified_by_runway: bool = False
    next_step: str = ""  # what to do when the check did not pass without an ``error``

    @property
    def ok(self) -> bool:
        return self.state != "error"

    @property
    def usable(self) -> bool:
        """Signed in AND able to act for at least one partner: a client with no partner scope
        can do nothing at all, so a test of it has not passed (its state is "error")."""
        return self.ok and self.summary is not None and bool(self.summary.partners)


def _judged(check: ConnectionCheck) -> ConnectionCheck:
    """The one rule both front ends follow: signed in with no partner is a failed test."""
    if check.error is None and check.summary is not None and not check.summary.partners:
        return replace(check, state="error", headline=NO_PARTNER, next_step=NO_PARTNER_NEXT_STEP)
    return check


def send_scope_problem(claims: TokenClaims | None, client_id: str) -> PermissionDenied | None:
    """Whether this client's token lacks the scope to create a job, told before anything is
    sent. Runway's own answer would be a bare 403 "Insufficient scopes" that names no scope.

    Only a readable ``scope`` claim decides: an opaque token, or one without the claim, is left
    for Runway to judge (CONTRACT §3.2 step 4).
    """
    if claims is None or not isinstance(claims.raw.get("scope"), str):
        return None
    if CREATE_JOBS in claims.scopes:
        return None
    return PermissionDenied(
        f"This client ({client_id}) may not send files to Runway: its sign-in does not "
        f"include the {CREATE_JOBS} scope. Nothing was sent.",
        code=ErrorCode.INSUFFICIENT_SCOPES,
        next_step=f"{ADMIN} to add the {CREATE_JOBS} scope to the client {client_id}.",
    )


async def check_connection(
    http: httpx.AsyncClient, profile: Profile, secret: str
) -> ConnectionCheck:
    """Get a token, ask Runway to verify it, and say what the client may do.

    Never raises :class:`RunwayError`: a failure comes back as a check with ``error`` set.
    """
    return _judged(await _check(http, profile, secret))


async def _check(http: httpx.AsyncClient, profile: Profile, secret: str) -> ConnectionCheck:
    connection = connect(http, profile, secret)
    try:
        claims = await connection.tokens.get_claims()
    except RunwayError as error:
        return ConnectionCheck("error", SIGN_IN_FAILED, error=error)
    try:
        partners = await connection.client.verify_token()
    except PermissionDenied as error:
        if error.code is not ErrorCode.INSUFFICIENT_SCOPES:
            return ConnectionCheck("error", API_FAILED, error=error)
        # Runway's answer when the token is valid but lacks the endpoint's scope (CONTRACT §3.2
        # step 5): it checked signature and audience before the scopes, so the sign-in works;
        # only /token/verify's create:jobs is missing. The token's partner scopes stand in.
        summary = summarize_permissions(claims.scopes, claims.partner_codes)
        return ConnectionCheck(
            "warning",
            "Connected, but this client cannot send files.",
            summary=summary,
            scopes=tuple(claims.scopes),
        )
    except RunwayError as error:
        return ConnectionCheck("error", API_FAILED, error=error)
    summary = summarize_permissions(claims.scopes, partners)
    scopes = tuple(claims.scopes)
    if summary.complete:
        return ConnectionCheck(
            "ok", "Connected to Runway.", summary=summary, scopes=scopes, verified_by_runway=True
        )
    return ConnectionCheck(
        "warning",
        "Connected, with some limits.",
        summary=summary,
        scopes=scopes,
        verified_by_runway=True,
    )


_MARKS = {"ok": "✓", "missing": "⚠"}


def check_html(check: ConnectionCheck) -> str:
    """The result as the small rich text the dialog shows: headline, then one line each."""
    parts = [f"<b>{html.escape(check.headline)}</b>"]
    if check.summary is not None:
        parts += [f"{_MARKS[line.kind]} {html.escape(line.text)}" for line in check.summary.lines]
    error = check.error
    if error is not None:
        parts.append(html.escape(error.message))
        if error.next_step:
            parts.append(html.escape(error.next_step))

        if error.server_message:
            # The raw answer (or exception) helps whoever reads the proxy or sign-in logs.
            detail = html.escape(error.server_message[:300])
            parts.append(f"<small>Technical details: {detail}</small>")
    return "<br>".join(parts)
