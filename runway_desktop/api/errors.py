"""The one place that turns answers and failures into typed, plain-language errors.

* :func:`error_from_api_response` — a non-success answer of Runway's ``/api/v1`` (the message
  catalogue is in :mod:`runway_desktop.api.runway_messages`).
* :func:`error_from_token_response` — the sign-in service (OAuth2 token endpoint).
* :func:`error_from_s3_response` — a presigned upload or download URL.
* :func:`error_from_exception` — an httpx/socket/TLS exception (no usable answer).
* :func:`error_from_os_error` — the local disk.

A body that is not the expected service's (HTML from a proxy, a WAF's page, an empty body)
never makes a mapper fail: it becomes :class:`BlockedByProxy` or a retryable
:class:`ServerError`. Every error class is re-exported here, so callers import from one module.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx

from runway_desktop.api.error_types import (
    ApiDisabled,
    AuthError,
    BlockedByProxy,
    DiskFull,
    ErrorDetails,
    FileChanged,
    FolderNotWritable,
    JobAlreadyStarted,
    LocalFileError,
    NetworkError,
    NotFound,
    PermissionDenied,
    RunwayError,
    S3Error,
    ServerError,
    TransferCancelled,
    ValidationFailed,
)
from runway_desktop.api.local_errors import error_from_os_error, file_changed_error
from runway_desktop.api.runway_messages import error_from_runway_message
from runway_desktop.api.transport_errors import (
    error_from_exception,
    error_from_s3_response,
    error_from_token_response,
    non_runway_answer_error,
    parse_retry_after,
    parse_s3_error,
)

__all__ = [
    "ApiDisabled",
    "AuthError",
    "BlockedByProxy",
    "DiskFull",
    "ErrorDetails",
    "FileChanged",
    "FolderNotWritable",
    "JobAlreadyStarted",
    "LocalFileError",
    "NetworkError",
    "NotFound",
    "PermissionDenied",
    "RunwayError",
    "S3Error",
    "ServerError",
    "TransferCancelled",
    "ValidationFailed",
    "error_from_api_response",
    "error_from_exception",
    "error_from_os_error",
    "error_from_response",
    "error_from_s3_response",
    "error_from_token_response",
    "file_changed_error",
    "parse_retry_after",
    "parse_s3_error",
    "runway_message",
]


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
) -> RunwayError:
    """Map a non-success answer of ``/api/v1/...`` (status + raw body) to a typed error."""
    message = runway_message(body)
    if message is None:
        return non_runway_answer_error(status, body, host=host, retry_after=retry_after)
    details: ErrorDetails = {
        "status": status,
        "server_message": message if isinstance(message, str) else "; ".join(message),
        "retry_after": parse_retry_after(retry_after),
    }
    return error_from_runway_message(status, message, details)


ResponseSource = Literal["api", "token", "upload", "download"]


def error_from_response(response: httpx.Response, *, source: ResponseSource) -> RunwayError:
    """Map a *read* ``httpx.Response``; ``upload``/``download`` mean a presigned S3 URL."""
    host = response.request.url.host or "the server"
    retry_after = response.headers.get("retry-after")
    status, body = response.status_code, response.content
    if source == "api":
        return error_from_api_response(status, body, host=host, retry_after=retry_after)
    if source == "token":
        return error_from_token_response(status, body, host=host, retry_after=retry_after)
    return error_from_s3_response(
        status, body, host=host, direction=source, retry_after=retry_after
    )
