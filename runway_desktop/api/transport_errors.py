"""Mapping of everything that is not a Runway API body: S3 XML errors, the sign-in service's
OAuth2 errors, answers from proxies and firewalls, httpx exceptions and local disk errors.

Import these through :mod:`runway_desktop.api.errors`.
"""

from __future__ import annotations

import errno
import html
import json
import re
import socket
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx

from runway_desktop.api.error_types import (
    AuthError,
    BlockedByProxy,
    ErrorDetails,
    NetworkError,
    NotFound,
    PermissionDenied,
    RunwayError,
    S3Error,
    ServerError,
)

IT_TEAM = "ask your IT team"
_MAX_SERVER_TEXT = 2000  # an HTML error page can be long; support needs only the start


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


def _text(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return text.strip()[:_MAX_SERVER_TEXT]


def non_runway_answer_error(
    status: int, body: bytes | str, *, host: str, retry_after: str | None = None
) -> RunwayError:
    """An error answer whose body is not the expected service's: a proxy, WAF or gateway.

    A 5xx/429 from a gateway is treated as the service being unwell (retryable); a 403 or any
    other refusal with a foreign body means something on the way blocked the request.
    """
    details: ErrorDetails = {
        "status": status,
        "server_message": _text(body) or None,
        "retry_after": parse_retry_after(retry_after),
    }
    if status == 429 or status >= 500:
        return ServerError(
            f"{host} is not answering properly right now (error {status}).",
            next_step="Try again in a few minutes.",
            retryable=True,
            **details,
        )
    if status == 407:
        return BlockedByProxy(
            "The network's proxy asks for a sign-in that this app cannot give.",
            next_step=f"Please {IT_TEAM} to let this app reach {host} without proxy sign-in.",
            **details,
        )
    if status == 404:
        return NotFound(
            f"The address in Settings does not lead to Runway on {host}.",
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


# --- S3 ---------------------------------------------------------------------------------

_S3_CODE = re.compile(r"<Code>([^<]*)</Code>")
_S3_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")
_EXPIRED_CODES = {"RequestExpired", "ExpiredToken", "TokenRefreshRequired"}
_BAD_LINK_CODES = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken"}
_BUSY_CODES = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"}


def parse_s3_error(body: bytes | str) -> tuple[str, str] | None:
    """``(Code, Message)`` of S3's ``<Error>`` XML, or ``None`` if the body is not one.

    A regular expression rather than an XML parser: the body may come from anything on the
    way (a proxy's HTML page), and two flat elements need no entity or namespace handling.
    """
    text = _text(body)
    code = _S3_CODE.search(text)
    if "<Error>" not in text or code is None:
        return None
    message = _S3_MESSAGE.search(text)
    return html.unescape(code.group(1)), html.unescape(message.group(1)) if message else ""


def error_from_s3_response(
    status: int,
    body: bytes | str,
    *,
    host: str,
    direction: Literal["upload", "download"],
    retry_after: str | None = None,
) -> RunwayError:
    """Map an S3 error answer to an :class:`S3Error` (or a proxy block)."""
    parsed = parse_s3_error(body)
    if parsed is None:
        return non_runway_answer_error(status, body, host=host, retry_after=retry_after)
    code, text = parsed
    details: ErrorDetails = {
        "status": status,
        "server_message": f"{code}: {text}",
        "retry_after": parse_retry_after(retry_after),
    }
    if direction == "upload":
        renew = "Send the submission again: the app will ask Runway for new upload links."
    else:
        renew = "Try again: the app will ask Runway for a fresh download link."
    if code in _EXPIRED_CODES or "expired" in text.lower():
        return S3Error(
            f"The {direction} link has expired (links last about an hour).",
            code=code,
            needs_new_url=True,
            next_step=renew,
            **details,
        )
    if code in _BAD_LINK_CODES:
        return S3Error(
            f"The storage service refused the {direction} link.",
            code=code,
            needs_new_url=True,
            next_step=f"Check that this computer's clock is right. {renew}",
            **details,
        )
    if code in ("NoSuchKey", "NoSuchBucket"):
        return S3Error(
            "The file is no longer in Runway's storage.",
            code=code,
            next_step="Ask your Runway administrator whether it was removed.",
            **details,
        )
    if code in _BUSY_CODES or status >= 500:
        return S3Error(
            "The storage service is busy or had an internal error.",
            code=code,
            next_step="Try again in a few minutes.",
            retryable=True,
            **details,
        )
    if code == "EntityTooLarge":
        message = "The file is larger than the storage service accepts (5 GB)."
    elif code in ("BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"):
        message = "The storage service refused the upload's checksum."
    else:
        message = f"The storage service refused the {direction} ({code})."
    return S3Error(
        message,
        code=code,
        next_step="If this keeps happening, send the details to support.",
        **details,
    )


# --- the sign-in (token) service ------------------------------------------------------

_BAD_CLIENT = {"invalid_client", "unauthorized_client", "invalid_grant", "access_denied"}


def error_from_token_response(
    status: int, body: bytes | str, *, host: str, retry_after: str | None = None
) -> RunwayError:
    """Map an OAuth2 token endpoint error (RFC 6749 §5.2, Keycloak and Auth0 flavours)."""
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("error"), str):
        return non_runway_answer_error(status, body, host=host, retry_after=retry_after)
    code: str = data["error"]
    description = str(data.get("error_description") or "")
    details: ErrorDetails = {
        "status": status,
        "server_message": f"{code}: {description}".rstrip(": "),
        "retry_after": parse_retry_after(retry_after),
    }
    if status >= 500 or status == 429 or code in ("temporarily_unavailable", "server_error"):
        return ServerError(
            f"The sign-in service at {host} is not answering properly right now.",
            next_step="Try again in a few minutes.",
            retryable=True,
            **details,
        )
    if code == "invalid_scope" or (code == "access_denied" and status == 403):
        return PermissionDenied(
            "The sign-in service will not give this client the permissions it asked for.",
            next_step="Check the scopes and audience in Settings, or ask your Runway "
            "administrator to grant them to this client.",
            **details,
        )
    if code in _BAD_CLIENT or status in (400, 401):
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


# --- the network -----------------------------------------------------------------------

_DNS_TEXTS = ("name or service not known", "nodename nor servname", "getaddrinfo failed")
_DNS_TEXTS_2 = ("temporary failure in name resolution", "no address associated")
_REFUSED_ERRNOS = {errno.ECONNREFUSED, 10061}  # 10061: WSAECONNREFUSED on Windows


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _host_of(exc: BaseException, fallback: str) -> str:
    if isinstance(exc, httpx.RequestError):
        try:
            return exc.request.url.host or fallback
        except RuntimeError:  # an exception raised without a request attached
            return fallback
    return fallback


def error_from_exception(exc: BaseException, *, host: str = "the server") -> RunwayError:
    """Map an httpx (or socket/SSL) exception to a :class:`NetworkError`.

    ``retryable`` is set for failures another attempt may cure (timeouts, drops, refusals,
    DNS hiccups); a TLS trust failure or a bad address will not change by retrying.
    """
    if isinstance(exc, RunwayError):
        return exc
    host = _host_of(exc, host)
    chain = _causes(exc)
    detail = f"{type(exc).__name__}: {exc}"[:_MAX_SERVER_TEXT]
    d: ErrorDetails = {"server_message": detail}
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return NetworkError(
            "The address in Settings is not a valid web address.",
            kind="bad_address",
            next_step="Check the URL in Settings: it must start with https://.",
            **d,
        )
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(
            f"The network's proxy would not connect this app to {host}.",
            kind="proxy",
            next_step=f"Please {IT_TEAM} to allow {host} through the proxy.",
            **d,
        )
    if isinstance(exc, httpx.TimeoutException):
        where = "connect to" if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout) else ""
        message = (
            f"Could not {where} {host} in time." if where else f"{host} took too long to answer."
        )
        return NetworkError(
            message,
            kind="timeout",
            next_step="Check the internet connection and try again.",
            retryable=True,
            **d,
        )
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or (
        "certificate_verify_failed" in text or "certificate verify failed" in text
    ):
        return NetworkError(
            f"The connection to {host} is not trusted: its security certificate could not "
            "be verified.",
            kind="tls",
            next_step="If your district inspects HTTPS traffic, ask IT to install its "
            "certificate in the system (not only in the browser). Otherwise check the address "
            "in Settings.",
            **d,
        )
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return NetworkError(
            f"A secure connection to {host} could not be set up.",
            kind="tls",
            next_step=f"Please {IT_TEAM}: a firewall may be interfering with HTTPS.",
            **d,
        )
    if any(isinstance(e, socket.gaierror) for e in chain) or any(t in text for t in _DNS_TEXTS):
        return NetworkError(
            f"Could not find the server {host}.",
            kind="dns",
            next_step="Check the internet connection and the address in Settings.",
            retryable=True,
            **d,
        )
    if any(t in text for t in _DNS_TEXTS_2):
        return NetworkError(
            f"Could not look up the server {host} right now.",
            kind="dns",
            next_step="Check the internet connection and try again.",
            retryable=True,
            **d,
        )
    refused = any(
        isinstance(e, ConnectionRefusedError)
        or (isinstance(e, OSError) and e.errno in _REFUSED_ERRNOS)
        for e in chain
    )
    if refused or "connection refused" in text:
        return NetworkError(
            f"{host} refused the connection.",
            kind="refused",
            next_step="The server may be down or the address wrong: check Settings, then "
            "try again later.",
            retryable=True,
            **d,
        )
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(
            f"Could not connect to {host}.",
            kind="connect",
            next_step="Check the internet connection and try again.",
            retryable=True,
            **d,
        )
    return NetworkError(
        f"The connection to {host} was interrupted.",
        kind="dropped",
        next_step="Check the internet connection and try again.",
        retryable=True,
        **d,
    )
