"""Uploads to presigned S3 PUT URLs, and the public face of all transfers.

An upload is one plain ``PUT`` of the raw file bytes (CONTRACT §4.3), streamed from disk in
1 MiB pieces. The body is an async generator *with an explicit Content-Length*: without it
httpx switches to chunked transfer encoding, which S3 refuses with 501 (STACK-NOTES §2).
No ``x-amz-checksum-*`` headers: the URL already carries a checksum parameter, and adding our
own makes S3 compare two different checksums.

The bytes are hashed (MD5) as they are read to be sent — the upload's own reader thread reads
and hashes a few MiB ahead while httpx sends (:mod:`.upload_body`) — and S3's ETag is compared
with that MD5, so the check covers exactly the bytes that left this computer. An upload has no
overall deadline but must keep moving (the stall check of :mod:`runway_desktop.api.bounds`).

Downloads live in :mod:`runway_desktop.api.download`; both are importable from here.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from runway_desktop.api import policy
from runway_desktop.api.bounds import read_capped, stall_watch
from runway_desktop.api.download import DownloadResult, UrlProvider, download_file
from runway_desktop.api.errors import (
    IntegrityMismatch,
    error_from_exception,
    error_from_response,
    file_changed_error,
)
from runway_desktop.api.filenames import path_inside, safe_filename
from runway_desktop.api.http import loggable_url
from runway_desktop.api.progress import ProgressCallback, ProgressMeter, TransferProgress
from runway_desktop.api.retry import (
    RetryCallback,
    RetryPolicy,
    SleepFunction,
    call_with_retries,
    cancellable_sleep,
)
from runway_desktop.api.upload_body import check_unchanged as _check_unchanged
from runway_desktop.api.upload_body import raise_if_cancelled as _raise_if_cancelled
from runway_desktop.api.upload_body import read_file

__all__ = [
    "CHUNK_SIZE",
    "TRANSFER_RETRY_POLICY",
    "DownloadResult",
    "TransferProgress",
    "UploadResult",
    "UrlProvider",
    "download_file",
    "path_inside",
    "safe_filename",
    "upload_file",
]

CHUNK_SIZE = policy.UPLOAD_CHUNK_BYTES
TRANSFER_RETRY_POLICY = policy.UPLOAD_RETRY
T = TypeVar("T")

_MD5_ETAG = re.compile(r"[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class UploadResult:
    """A finished upload. ``md5_hex`` is the MD5 of the bytes sent. ``etag_checked`` is False
    when S3's ETag cannot be an MD5 of the bytes (SSE-KMS, SSE-C, multipart-style or missing
    ETag); ``etag_note`` says why."""

    path: Path
    bytes_sent: int
    md5_hex: str
    etag: str | None
    etag_checked: bool
    etag_note: str
    attempts: int
    seconds: float


async def upload_file(
    http: httpx.AsyncClient,
    url: str,
    path: Path,
    *,
    expected_size: int,
    expected_mtime_ns: int,
    expected_md5: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: asyncio.Event | None = None,
    retry_policy: RetryPolicy | None = None,
    on_retry: RetryCallback | None = None,
    sleep: SleepFunction = asyncio.sleep,
    chunk_size: int = CHUNK_SIZE,
) -> UploadResult:
    """PUT ``path`` to the presigned ``url``; retried from byte 0 on 5xx/dropped connections.

    ``expected_size``/``expected_mtime_ns`` (and ``expected_md5``, if the caller hashed it)
    are what the caller checked before: if the file differs before, during or after sending,
    :class:`FileChanged` is raised. A 403 (expired or altered link) is never retried: the
    :class:`S3Error` has ``needs_new_url=True`` and the job must be created again.
    """
    host = httpx.URL(url).host or "the storage service"
    meter = ProgressMeter(expected_size, on_progress)
    started = time.monotonic()
    attempts = 0

    async def attempt() -> UploadResult:
        nonlocal attempts
        attempts += 1
        _raise_if_cancelled(cancel)
        if attempts > 1:
            meter.restart(attempt=attempts)
        _check_unchanged(path, expected_size, expected_mtime_ns)
        digest = hashlib.md5(usedforsecurity=False)
        headers = {"Content-Length": str(expected_size), "Content-Type": "application/octet-stream"}
        async with stall_watch(host) as moved:
            meter.on_bytes = moved
            body = read_file(
                path, expected_size, expected_mtime_ns, digest, meter, cancel, chunk_size
            )
            request = http.build_request(
                "PUT", url, content=body, headers=headers, timeout=policy.transfer_timeout()
            )

            async def exchange() -> tuple[httpx.Response, bytes]:
                response = await http.send(request, stream=True)
                try:
                    # Only an error answer has a body worth reading, and only its start.
                    answer = await read_capped(
                        response, host=host, limit=policy.ERROR_BODY_MAX_BYTES, truncate=True
                    )
                finally:
                    await response.aclose()
                return response, bytes(answer)

            try:
                # Once the body is sent, the wait for the answer reads no more of the file,
                # so Cancel must end that wait itself (a slow store or a scanning proxy).
                response, answer = await _unless_cancelled(exchange(), cancel)
            except httpx.HTTPError as exc:
                raise error_from_exception(exc, host=host) from None
            finally:
                meter.on_bytes = None
                await body.aclose()
        if not response.is_success:
            raise error_from_response(response, source="upload", body=answer)
        _check_unchanged(path, expected_size, expected_mtime_ns)
        md5_hex = digest.hexdigest()
        if expected_md5 and md5_hex != expected_md5.lower():
            # Same size and time, other bytes: edited in place since it was checked.
            raise file_changed_error(path, detail="content differs from the checked file")
        etag, checked, note = _compare_etag(response, md5_hex)
        meter.finish()
        return UploadResult(
            path=path,
            bytes_sent=expected_size,
            md5_hex=md5_hex,
            etag=etag,
            etag_checked=checked,
            etag_note=note,
            attempts=attempts,
            seconds=time.monotonic() - started,
        )

    return await call_with_retries(
        attempt,
        retry_policy or policy.UPLOAD_RETRY,
        on_retry=on_retry,
        sleep=cancellable_sleep(sleep, cancel),
        describe=f"PUT {loggable_url(url)}",
    )


async def _unless_cancelled(work: Awaitable[T], cancel: asyncio.Event | None) -> T:
    """``work``'s result, or :class:`TransferCancelled` as soon as ``cancel`` is set."""
    if cancel is None:
        return await work
    task = asyncio.ensure_future(work)
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        waiter.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        _raise_if_cancelled(cancel)
    return task.result()


def _compare_etag(response: httpx.Response, md5_hex: str) -> tuple[str | None, bool, str]:
    """S3's ETag is the MD5 of the object only for single-part, non-KMS, non-SSE-C objects."""
    raw = response.headers.get("etag")
    etag = raw.strip().removeprefix("W/").strip('"') if raw else None
    encryption = response.headers.get("x-amz-server-side-encryption", "").lower()
    if etag is None:
        return None, False, "the storage service sent no ETag"
    if encryption.startswith("aws:kms"):
        return etag, False, "SSE-KMS encryption: the ETag is not an MD5 of the content"
    if response.headers.get("x-amz-server-side-encryption-customer-algorithm"):
        return etag, False, "SSE-C encryption: the ETag is not an MD5 of the content"
    if not _MD5_ETAG.fullmatch(etag):
        return etag, False, "the ETag is not a plain MD5 (multipart or another store)"
    if etag.lower() != md5_hex:
        raise IntegrityMismatch(
            "The storage service received different bytes than were sent.",
            next_step="The upload is retried automatically; if it keeps failing, something "
            "on this network (a proxy or an antivirus program) may be altering uploads: ask "
            "your IT team.",
            retryable=True,
            server_message=f"ETag {etag} != MD5 {md5_hex}",
        )
    return etag, True, "ETag matches the MD5 of the bytes sent"
