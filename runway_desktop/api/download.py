"""Downloads from presigned S3 GET URLs into the user's folder: resumable, bounded, verified.

The protocol lives here; the ``.part`` file (writing, hashing, the atomic rename) in
:mod:`.part_file`, the socket tuning in :mod:`.socket_tuning`.

* A ``.part`` left by an earlier attempt is resumed with ``Range: bytes=<n>-`` and, once the
  object's ETag is known, ``If-Match`` (a re-run overwrites its outputs, CONTRACT §5.4: a
  newer object must not be spliced onto an older prefix). A 200 instead of a 206 starts over.
* A 403 fetches a fresh link (they expire after an hour, or earlier when Runway's credentials
  rotate); network failures, stalls and 5xx are retried with backoff, resuming.
* Every file is checked before it gets its name: the byte count against ``Content-Length`` /
  ``Content-Range`` (a body cut short, chunked or not, is an error), and the MD5 of what was
  written against the ETag wherever the ETag is a plain MD5. A mismatch discards the file and
  fetches it once more, then fails with ``INTEGRITY_MISMATCH``.

``response.aiter_raw()`` is used without ``chunk_size``: re-chunking halves throughput
(STACK-NOTES §5). Pieces are gathered into ~4 MiB batches that the part file's own thread
writes (and hashes) while the loop receives the next batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from runway_desktop.api import policy
from runway_desktop.api.bounds import read_capped, stall_watch
from runway_desktop.api.errors import (
    ErrorCode,
    IntegrityMismatch,
    S3Error,
    TransferCancelled,
    error_from_exception,
    error_from_os_error,
    error_from_response,
)
from runway_desktop.api.filenames import partial_name, path_inside, safe_filename
from runway_desktop.api.http import api_log, loggable_url
from runway_desktop.api.part_file import (
    PartDigest,
    PartWriter,
    digest_of_prefix,
    discard,
    publish,
    size_or_zero,
)
from runway_desktop.api.progress import ProgressCallback, ProgressMeter
from runway_desktop.api.retry import (
    RetryCallback,
    RetryPolicy,
    SleepFunction,
    call_with_retries,
    cancellable_sleep,
)
from runway_desktop.api.socket_tuning import widen_reads

UrlProvider = Callable[[], Awaitable[str]]
Verification = Literal["md5", "size"]

# The writer thread gets ~4 MiB at a time (fewer thread hops); with one batch being written
# and one being gathered, a download holds ~8 MiB.
WRITE_BATCH_BYTES = 4 << 20

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
# A quoted 32-hex-digit ETag: the MD5 of a single-part object. "-N" (multipart) never matches.
_MD5_ETAG = re.compile(r'"([0-9a-fA-F]{32})"')


@dataclass(frozen=True)
class DownloadResult:
    """A finished, verified download.

    ``verified`` says how: ``"md5"`` — the MD5 of the bytes written equals the object's ETag;
    ``"size"`` — only the byte count was checked (the ETag is not an MD5: multipart, SSE-KMS,
    SSE-C, or none was sent).
    """

    path: Path
    size: int
    resumed_from: int  # bytes that were already in the .part file when the call began
    attempts: int
    url_refreshes: int
    seconds: float
    verified: Verification
    md5_hex: str  # of the file as saved
    etag: str | None = None


@dataclass
class _DownloadState:
    url: str
    attempts: int = 0
    url_refreshes: int = 0
    integrity_refetches: int = 0
    # The object's ETag from the first answer: later resumes send If-Match with it.
    etag: str | None = None
    md5_etag: str | None = None  # the ETag's MD5 (lower case) when it is one
    digest: PartDigest = field(default_factory=PartDigest)


async def download_file(
    http: httpx.AsyncClient,
    url_provider: UrlProvider,
    dest_dir: Path,
    name: str,
    *,
    expected_size: int | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: asyncio.Event | None = None,
    retry_policy: RetryPolicy | None = None,
    on_retry: RetryCallback | None = None,
    sleep: SleepFunction = asyncio.sleep,
) -> DownloadResult:
    """Download to ``dest_dir/safe_filename(name)``, replacing an existing file of that name.

    ``url_provider`` returns a presigned GET URL; it is called once at the start and again
    whenever S3 refuses the link. On failure or cancel the ``.part`` file stays (unless its
    content was found damaged), so the next call resumes it.
    """
    final = path_inside(dest_dir, safe_filename(name))
    part = path_inside(dest_dir, partial_name(final.name))
    resumed_from = size_or_zero(part)
    meter = ProgressMeter(expected_size, on_progress, start_at=resumed_from)
    started = time.monotonic()
    state = _DownloadState(url=await url_provider())
    describe = f"GET {loggable_url(state.url)}"

    async def attempt() -> DownloadResult:
        state.attempts += 1
        if state.attempts > 1:
            meter.restart(start_at=size_or_zero(part), attempt=state.attempts)
        verified: Verification | None = None
        while verified is None:
            try:
                await _fetch_into(http, state, part, expected_size, meter, cancel)
            except S3Error as error:
                if not error.needs_new_url or state.url_refreshes >= policy.MAX_URL_REFRESHES:
                    raise
                state.url_refreshes += 1
                api_log.info(
                    "Fetching a fresh link and retrying %s (refresh %d of %d): %s",
                    describe, state.url_refreshes, policy.MAX_URL_REFRESHES, error.code.value,
                )  # fmt: skip
                state.url = await url_provider()
                continue
            verified = _verify(state, part, final.name, describe)
            if verified is None:
                meter.restart(start_at=0, attempt=state.attempts)
        size = await asyncio.to_thread(publish, part, final)
        meter.finish()
        return DownloadResult(
            path=final,
            size=size,
            resumed_from=resumed_from,
            attempts=state.attempts,
            url_refreshes=state.url_refreshes,
            seconds=time.monotonic() - started,
            verified=verified,
            md5_hex=state.digest.hexdigest(),
            etag=state.etag.strip('"') if state.etag else None,
        )

    return await call_with_retries(
        attempt,
        retry_policy or policy.DOWNLOAD_RETRY,
        on_retry=on_retry,
        sleep=cancellable_sleep(sleep, cancel),
        describe=describe,
    )


def _verify(state: _DownloadState, part: Path, name: str, describe: str) -> Verification | None:
    """``"md5"``/``"size"`` for a good file; ``None`` after discarding a damaged one that may
    be fetched again; :class:`IntegrityMismatch` when it was damaged once too often."""
    if state.md5_etag is None:
        return "size"
    written = state.digest.hexdigest()
    if written == state.md5_etag:
        return "md5"
    detail = f"MD5 {written} of {state.digest.covered} bytes != ETag {state.md5_etag}"
    discard(part)  # never resumed, never renamed: nothing of it can be trusted
    state.digest, state.etag, state.md5_etag = PartDigest(), None, None
    if state.integrity_refetches >= policy.INTEGRITY_REFETCHES:
        raise IntegrityMismatch(
            f"The downloaded file {name} was damaged on the way: its checksum does not match "
            "the one Runway's storage gave for it, so it was not saved.",
            next_step="Download it again later. If it keeps failing, something on this "
            "network (a proxy or an antivirus program) may be altering downloads: ask your "
            "IT team.",
            server_message=detail,
        )
    state.integrity_refetches += 1
    api_log.info(
        "Retrying %s from the start (refetch %d of %d): %s",
        describe, state.integrity_refetches, policy.INTEGRITY_REFETCHES,
        ErrorCode.INTEGRITY_MISMATCH.value,
    )  # fmt: skip
    return None


async def _fetch_into(
    http: httpx.AsyncClient,
    state: _DownloadState,
    part: Path,
    expected_size: int | None,
    meter: ProgressMeter,
    cancel: asyncio.Event | None,
) -> None:
    """One GET into ``part``: resumes if it can, leaves ``part`` complete or raises."""
    _raise_if_cancelled(cancel)
    offset = size_or_zero(part)
    if expected_size is not None and offset > expected_size:
        offset = discard(part)
    if state.digest.covered != offset:
        # Bytes this call did not write (an earlier run's .part, a write that failed).
        state.digest = await asyncio.to_thread(digest_of_prefix, part, offset)
    headers: dict[str, str] = {}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if state.etag:
            headers["If-Match"] = state.etag
    host = httpx.URL(state.url).host or "the storage service"
    total: int | None = None
    try:
        async with (
            stall_watch(host) as moved,
            http.stream("GET", state.url, headers=headers, timeout=policy.transfer_timeout()) as r,
        ):
            if r.status_code == 416 and offset and offset == _range_total(r):
                return  # the .part is already the whole object
            total = _check_answer(r, state, part, offset)
            if r.status_code == 200 and offset:
                state.digest = PartDigest()  # the server starts over: so do we
                meter.restart(start_at=0, attempt=meter.attempt)
            if r.status_code not in (200, 206):
                error_body = await read_capped(
                    r, host=host, limit=policy.ERROR_BODY_MAX_BYTES, truncate=True
                )
                raise error_from_response(r, source="download", body=bytes(error_body))
            await _write_body(
                r, part, state.digest, append=r.status_code == 206, meter=meter,
                moved=moved, cancel=cancel,
            )  # fmt: skip
    except httpx.HTTPError as exc:
        raise error_from_exception(exc, host=host) from None
    size = size_or_zero(part)
    expected_size = expected_size if expected_size is not None else total
    if expected_size is not None and size != expected_size:
        raise S3Error(
            f"The download ended with {size} of {expected_size} bytes.",
            code=ErrorCode.DOWNLOAD_INCOMPLETE,
            next_step="It is resumed automatically.",
            retryable=True,
        )


def _check_answer(r: httpx.Response, state: _DownloadState, part: Path, offset: int) -> int | None:
    """Refuse an answer that cannot be appended; note the ETag; the object's total size."""
    if r.status_code in (412, 416):
        # The object changed under us, or our .part is longer than it: start over.
        discard(part)
        state.digest, state.etag, state.md5_etag = PartDigest(), None, None
        raise S3Error(
            "The file changed on the server during the download.",
            code=ErrorCode.REMOTE_FILE_CHANGED,
            next_step="It is downloaded again from the start.",
            retryable=True,
            status=r.status_code,
        )
    if r.status_code == 206 and _range_start(r) != offset:
        discard(part)  # not the piece we asked for: trust nothing, start over
        state.digest = PartDigest()
        raise S3Error(
            "The storage service sent an unexpected part of the file.",
            code=ErrorCode.ANSWER_UNREADABLE,
            next_step="It is downloaded again from the start.",
            retryable=True,
            status=206,
        )
    if r.status_code in (200, 206):
        state.etag = state.etag or r.headers.get("etag")
        state.md5_etag = _md5_of_etag(r)
    return _object_size(r)


async def _write_body(
    response: httpx.Response,
    part: Path,
    digest: PartDigest,
    *,
    append: bool,
    meter: ProgressMeter,
    moved: Callable[[int], None],
    cancel: asyncio.Event | None,
) -> None:
    """Stream the body into ``part``: the loop reads while the writer thread writes.

    Pieces are gathered into batches of ~``WRITE_BATCH_BYTES`` and handed to the
    :class:`PartWriter`'s thread *without waiting* for the write, so the next batch is
    received while the previous one goes to disk. At most one batch is being written while
    the next is gathered (~2 batches in memory). The last batch is written with an fsync.
    """
    try:
        writer = await asyncio.to_thread(PartWriter.open, part, append=append, digest=digest)
    except OSError as exc:
        raise error_from_os_error(exc, path=part, writing=True) from None
    widened = widen_reads(response)
    # Pieces are handed over as they are (``os.writev``): joining them into one buffer copied
    # every byte once more and was most of the download's CPU time.
    pieces: list[bytes] = []
    pending = 0
    try:
        async for piece in response.aiter_raw():
            _raise_if_cancelled(cancel)
            pieces.append(piece)
            pending += len(piece)
            meter.advance(len(piece))
            moved(len(piece))
            if pending >= WRITE_BATCH_BYTES:
                await writer.wait()  # back-pressure: one batch in flight at most
                writer.submit(pieces)
                pieces, pending = [], 0
        await writer.wait()
        writer.submit(pieces, sync=True)
        await writer.wait()
    except OSError as exc:
        raise error_from_os_error(exc, path=part, writing=True) from None
    except BaseException:
        # A dropped connection, a stall or a cancel: keep what arrived, so the next attempt
        # resumes. (After a failed write nothing more is written: the .part stays a prefix.)
        writer.submit(pieces)
        with contextlib.suppress(OSError):
            await writer.wait()
        raise
    finally:
        widened()
        await writer.close()


def _md5_of_etag(response: httpx.Response) -> str | None:
    """The ETag as an MD5, when S3 says it is one: a plain single-part object (no ``-N``),
    not encrypted with SSE-KMS or SSE-C (those ETags are not an MD5 of the content)."""
    match = _MD5_ETAG.fullmatch(response.headers.get("etag", "").strip())
    encryption = response.headers.get("x-amz-server-side-encryption", "").strip().lower()
    if match is None or encryption.startswith("aws:kms"):
        return None
    if response.headers.get("x-amz-server-side-encryption-customer-algorithm"):
        return None
    return match.group(1).lower()


def _object_size(response: httpx.Response) -> int | None:
    """The whole object's size: ``Content-Range``'s total (206) or ``Content-Length`` (200)."""
    if response.status_code == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
        return int(match.group(3)) if match and match.group(3) != "*" else None
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else None


def _range_start(response: httpx.Response) -> int | None:
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    return int(match.group(1)) if match else None


def _range_total(response: httpx.Response) -> int | None:
    """Total size from a 416's ``Content-Range: bytes */<total>``."""
    value = response.headers.get("content-range", "").strip()
    match = re.fullmatch(r"bytes \*/(\d+)", value)
    return int(match.group(1)) if match else None


def _raise_if_cancelled(cancel: asyncio.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise TransferCancelled(
            "The download was cancelled.", next_step="Start it again to continue where it stopped."
        )
