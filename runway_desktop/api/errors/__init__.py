"""Every failure as a typed :class:`RunwayError` with a stable ``code``, plain words and a next
step — the one public import point (``from runway_desktop.api.errors import X``).

* :mod:`.codes` — :class:`ErrorCode`, the stable codes.
* :mod:`.types` — the error classes.
* :mod:`.http_mapping` — non-success answers of Runway, the sign-in service and S3
  (:mod:`.messages` holds Runway's texts, :mod:`.s3` S3's XML, :mod:`.answers` the shared bits).
* :mod:`.transport` — httpx/socket/TLS exceptions, deadlines and stalls.
* :mod:`.local` — the local disk.
"""

from __future__ import annotations

from runway_desktop.api.errors.answers import (
    non_runway_answer_error,
    parse_retry_after,
    redirect_error,
    request_id_of,
)
from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.api.errors.http_mapping import (
    error_from_api_response,
    error_from_response,
    error_from_token_response,
    runway_message,
)
from runway_desktop.api.errors.local import error_from_os_error, file_changed_error
from runway_desktop.api.errors.s3 import error_from_s3_response, parse_s3_error
from runway_desktop.api.errors.transport import deadline_error, error_from_exception, stall_error
from runway_desktop.api.errors.types import (
    ApiDisabled,
    AuthError,
    BlockedByProxy,
    DiskFull,
    ErrorDetails,
    FileChanged,
    FolderNotWritable,
    IntegrityMismatch,
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

__all__ = [
    "ApiDisabled",
    "AuthError",
    "BlockedByProxy",
    "DiskFull",
    "ErrorCode",
    "ErrorDetails",
    "FileChanged",
    "FolderNotWritable",
    "IntegrityMismatch",
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
    "deadline_error",
    "error_from_api_response",
    "error_from_exception",
    "error_from_os_error",
    "error_from_response",
    "error_from_s3_response",
    "error_from_token_response",
    "file_changed_error",
    "non_runway_answer_error",
    "parse_retry_after",
    "parse_s3_error",
    "redirect_error",
    "request_id_of",
    "runway_message",
    "stall_error",
]
