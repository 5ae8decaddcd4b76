"""Turning an HTTP answer that is not a success into a typed error.

* :func:`error_from_response` — any read ``httpx.Response`` (or its status, headers and the
  part of the body that was read), by source: ``api``, ``token``, ``upload``, ``download``.
* :func:`error_from_api_response` — Runway's ``/api/v1`` (its texts are in :mod:`.messages`).
* :func:`error_from_token_response` — the sign-in service (OAuth2 token endpoint).
* :func:`~.s3.error_from_s3_response` — a presigned upload or download URL.

A body that is not the expected service's (HTML from a proxy, a WAF's page, an empty body)
never makes a mapper fail: it becomes :class:`BlockedByProxy` or a retryable
:class:`ServerError`. A redirect is never followed (it could carry the bearer token elsewhere,
and a proxy's login page answers that way): every 3xx becomes ``ErrorCode.REDIRECTED``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from runway_desktop.api.errors.answers import (
    MAX_SERVER_TEXT,
    Source,
    details_of,
    non_runway_answer_error,
    redirect_error,
    request_id_of,
)
from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.api.errors.messages import error_from_runway_message
from runway_desktop.api.errors.s3 import error_from_s3_response
from runway_desktop.api.errors.types import AuthError, PermissionDenied, RunwayError, ServerError

# --- Runway's /api/v1 -------------------------------------------------------------------


def runway_message(body: bytes | str) -> str | list[str] | None:
    """``message`` of a Runway (NestJS) error body, or ``None`` if the body is not one.

    A Runway body is a JSON object with an integer ``statusCode`` and a string or list
    ``message``. The load balancer's own ``{"message": "Forbidden"}`` has no ``statusCode`` and
    so is *not* Runway's: that distinction is what tells a host-name/WAF block from a scope error.
    """
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("statusCode"), int):
        return None
    message = data.get("message")
    if isinstance(message, str):
        return message
    if isinstance(message, list):
        return [str(m) for m in message]
    return None


def error_from_api_response(
    status: int,
    body: bytes | str,
    *,
    host: str = "Runway",
    retry_after: str | None = None,
    request_id: str | None = None,
    location: str | None = None,
) -> RunwayError:
    """Map a non-success answer of ``/api/v1/...`` (status + raw body) to a typed error."""
    if 300 <= status < 400:
        return redirect_error(
            status, host=host, location=location, source="api", request_id=request_id
        )
    message = runway_message(body)
    if message is None:
        return non_runway_answer_error(
            status, body, host=host, retry_after=retry_after, request_id=request_id
        )
    server_text = message if isinstance(message, str) else "; ".join(message)
    details = details_of(status, server_text[:MAX_SERVER_TEXT], retry_after, request_id)
    return error_from_runway_message(message, details)


# --- the sign-in (token) service ------------------------------------------------------

_BAD_CLIENT = {"invalid_client", "unauthorized_client", "invalid_grant", "access_denied"}


def error_from_token_response(
    status: int,
    body: bytes | str,
    *,
    host: str,
    retry_after: str | None = None,
    request_id: str | None = None,
    location: str | None = None,
) -> RunwayError:
    """Map an OAuth2 token endpoint error (RFC 6749 §5.2, Keycloak and Auth0 flavours)."""
    if 300 <= status < 400:
        return redirect_error(
            status, host=host, location=location, source="token", request_id=request_id
        )
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("error"), str):
        return non_runway_answer_error(
            status, body, host=host, retry_after=retry_after, request_id=request_id
        )
    oauth_code: str = data["error"]
    description = str(data.get("error_description") or "")
    server_text = f"{oauth_code}: {description}".rstrip(": ")[:MAX_SERVER_TEXT]
    details = details_of(status, server_text, retry_after, request_id)
    if status >= 500 or status == 429 or oauth_code in ("temporarily_unavailable", "server_error"):
        return ServerError(
            f"The sign-in service at {host} is not answering properly right now.",
            code=ErrorCode.SIGN_IN_UNAVAILABLE,
            next_step="Try again in a few minutes.",
            retryable=True,
            **details,
        )
    if oauth_code == "invalid_scope" or (oauth_code == "access_denied" and status == 403):
        return PermissionDenied(
            "The sign-in service will not give this client the permissions it asked for.",
            code=ErrorCode.SIGN_IN_SCOPE_REFUSED,
            next_step="Check the scopes and audience in Settings, or ask your Runway "
            "administrator to grant them to this client.",
            **details,
        )
    if oauth_code in _BAD_CLIENT or status in (400, 401):
        return AuthError(
            "The sign-in service did not accept the client id or secret.",
            next_step="Check the client id and secret in Settings.",
            **details,
        )
    return AuthError(
        "Signing in to Runway failed.",
        next_step="Check the token URL, client id and secret in Settings.",
        **details,
    )


# --- any read answer ---------------------------------------------------------------------


def error_from_response(
    response: httpx.Response, *, source: Source, body: bytes | None = None
) -> RunwayError:
    """Map a non-success answer. ``body`` is what was read of a streamed answer; without it
    the response must have been read (``response.content``)."""
    url = response.request.url
    host = url.host or "the server"
    headers = response.headers
    location = headers.get("location")
    if location is not None:
        location = str(url.join(location))
    retry_after = headers.get("retry-after")
    request_id = request_id_of(headers)
    status = response.status_code
    content = response.content if body is None else body
    if source == "api":
        return error_from_api_response(
            status, content, host=host, retry_after=retry_after, request_id=request_id,
            location=location,
        )  # fmt: skip
    if source == "token":
        return error_from_token_response(
            status, content, host=host, retry_after=retry_after, request_id=request_id,
            location=location,
        )  # fmt: skip
    return error_from_s3_response(
        status, content, host=host, direction=source, retry_after=retry_after,
        request_id=request_id, location=location,
    )  # fmt: skip
