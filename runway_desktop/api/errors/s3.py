"""S3's XML error answers, mapped to :class:`S3Error` (presigned upload and download URLs)."""

from __future__ import annotations

import html
import re
from typing import Literal

from runway_desktop.api.errors.answers import (
    answer_text,
    details_of,
    non_runway_answer_error,
    redirect_error,
)
from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.api.errors.messages import ADMIN
from runway_desktop.api.errors.types import RunwayError, S3Error

_S3_CODE = re.compile(r"<Code>([^<]*)</Code>")
_S3_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")
_S3_REQUEST_ID = re.compile(r"<RequestId>([^<]*)</RequestId>")
_EXPIRED_CODES = {"RequestExpired", "ExpiredToken", "TokenRefreshRequired"}
_BAD_LINK_CODES = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken"}
_BUSY_CODES = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"}
_DIGEST_CODES = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"}


def parse_s3_error(body: bytes | str) -> tuple[str, str] | None:
    """``(Code, Message)`` of S3's ``<Error>`` XML, or ``None`` if the body is not one.

    A regular expression rather than an XML parser: the body may come from anything on the
    way (a proxy's HTML page), and two flat elements need no entity or namespace handling.
    """
    text = answer_text(body)
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
    request_id: str | None = None,
    location: str | None = None,
) -> RunwayError:
    """Map an S3 error answer to an :class:`S3Error` (or a proxy block, or a redirect)."""
    if 300 <= status < 400:
        return redirect_error(
            status, host=host, location=location, source=direction, request_id=request_id
        )
    parsed = parse_s3_error(body)
    if parsed is None:
        return non_runway_answer_error(
            status, body, host=host, retry_after=retry_after, request_id=request_id
        )
    s3_code, text = parsed
    if request_id is None:
        found = _S3_REQUEST_ID.search(answer_text(body))
        request_id = found.group(1) if found else None
    details = details_of(status, f"{s3_code}: {text}", retry_after, request_id)
    if direction == "upload":
        renew = "Send the submission again: the app will ask Runway for new upload links."
    else:
        renew = "Try again: the app will ask Runway for a fresh download link."
    if s3_code in _EXPIRED_CODES or "expired" in text.lower():
        expired = (
            ErrorCode.UPLOAD_LINK_EXPIRED
            if direction == "upload"
            else ErrorCode.DOWNLOAD_LINK_EXPIRED
        )
        return S3Error(
            f"The {direction} link has expired (links last about an hour).",
            code=expired,
            s3_code=s3_code,
            needs_new_url=True,
            next_step=renew,
            **details,
        )
    if s3_code in _BAD_LINK_CODES:
        return S3Error(
            f"The storage service refused the {direction} link.",
            code=ErrorCode.LINK_REFUSED,
            s3_code=s3_code,
            needs_new_url=True,
            next_step=f"Check that this computer's clock is right. {renew}",
            **details,
        )
    if s3_code in ("NoSuchKey", "NoSuchBucket"):
        return S3Error(
            "The file is no longer in Runway's storage.",
            code=ErrorCode.STORED_FILE_MISSING,
            s3_code=s3_code,
            next_step=f"{ADMIN} whether it was removed.",
            **details,
        )
    if s3_code in _BUSY_CODES or status >= 500:
        return S3Error(
            "The storage service is busy or had an internal error.",
            code=ErrorCode.STORAGE_UNAVAILABLE,
            s3_code=s3_code,
            next_step="Try again in a few minutes.",
            retryable=True,
            **details,
        )
    code = ErrorCode.STORAGE_REFUSED
    message = f"The storage service refused the {direction} ({s3_code})."
    if s3_code == "EntityTooLarge":
        code = ErrorCode.FILE_TOO_LARGE
        message = "The file is larger than the storage service accepts (5 GB)."
    elif s3_code in _DIGEST_CODES:
        code = ErrorCode.CHECKSUM_REFUSED
        message = "The storage service refused the upload's checksum."
    return S3Error(
        message,
        code=code,
        s3_code=s3_code,
        next_step="If this keeps happening, send the details to support.",
        **details,
    )
