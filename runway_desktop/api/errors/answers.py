"""Pieces shared by the mappers of HTTP answers (:mod:`.http_mapping`, :mod:`.s3`): the
request id, ``Retry-After``, redirects, and answers that did not come from the expected service.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.api.errors.types import (
    BlockedByProxy,
    ErrorDetails,
    NotFound,
    RunwayError,
    ServerError,
)

IT_TEAM = "ask your IT team"
MAX_SERVER_TEXT = 2000  # an HTML error page can be long; support needs only the start
# Where servers and gateways put the id of a request (Runway's load balancer, S3, proxies).
REQUEST_ID_HEADERS = (
    "x-request-id",
    "x-amz-request-id",
    "x-amzn-requestid",
    "x-correlation-id",
    "request-id",
)

Source = Literal["api", "token", "upload", "download"]
# What the person can check when a redirect came back, by where the request went.
_REDIRECT_ADVICE: dict[Source, str] = {
    "api": "Check the API URL in Settings",
    "token": "Check the token URL in Settings",
    "upload": "Check the network connection",
    "download": "Check the network connection",
}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def request_id_of(headers: Mapping[str, str] | httpx.Headers) -> str | None:
    """The request id the server or a gateway sent with its answer, if any."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in REQUEST_ID_HEADERS:
        if lowered.get(name):
            return lowered[name].strip()
    return None


def answer_text(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return text.strip()[:MAX_SERVER_TEXT]


def details_of(
    status: int, server_message: str | None, retry_after: str | None, request_id: str | None
) -> ErrorDetails:
    return {
        "status": status,
        "server_message": server_message,
        "retry_after": parse_retry_after(retry_after),
        "request_id": request_id,
    }


def redirect_error(
    status: int, *, host: str, location: str | None, source: Source, request_id: str | None = None
) -> BlockedByProxy:
    """A 3xx: say where it pointed (without its query string, which may carry a ticket)."""
    target = location.split("?", 1)[0].split("#", 1)[0] if location else "another address"
    return BlockedByProxy(
        f"The server at {host} redirected to {target}.",
        code=ErrorCode.REDIRECTED,
        next_step=f"{_REDIRECT_ADVICE[source]}; a proxy login page may be in the way.",
        status=status,
        server_message=f"HTTP {status} Location: {target}",
        request_id=request_id,
    )


def non_runway_answer_error(
    status: int,
    body: bytes | str,
    *,
    host: str,
    retry_after: str | None = None,
    request_id: str | None = None,
) -> RunwayError:
    """An error answer whose body is not the expected service's: a proxy, WAF or gateway.

    A 5xx/429 from a gateway is treated as the service being unwell (retryable); a 403 or any
    other refusal with a foreign body means something on the way blocked the request.
    """
    details = details_of(status, answer_text(body) or None, retry_after, request_id)
    if status == 429 or status >= 500:
        return ServerError(
            f"{host} is not answering properly right now (error {status}).",
            code=ErrorCode.RATE_LIMITED if status == 429 else ErrorCode.SERVER_ERROR,
            next_step="Try again in a few minutes.",
            retryable=True,
            **details,
        )
    if status == 407:
        return BlockedByProxy(
            "The network's proxy asks for a sign-in that this app cannot give.",
            code=ErrorCode.PROXY_AUTH_REQUIRED,
            next_step=f"Please {IT_TEAM} to let this app reach {host} without proxy sign-in.",
            **details,
        )
    if status == 404:
        return NotFound(
            f"The address in Settings does not lead to Runway on {host}.",
            code=ErrorCode.WRONG_API_URL,
            next_step="Check the API URL in Settings.",
            **details,
        )
    return BlockedByProxy(
        f"Something between this computer and {host} (a proxy, firewall or web filter) "
        f"blocked the request (error {status}).",
        next_step=f"Please {IT_TEAM} to allow {host} for Runway Desktop "
        "(its User-Agent starts with RunwayDesktop/).",
        **details,
    )
