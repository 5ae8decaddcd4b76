"""Downloads from presigned S3 GET URLs into the user's folder, atomically and resumably.

The bytes go to ``.<name>.part`` next to the final file; only a complete, fsync'ed file is
renamed (``os.replace``) to its real name, so a crash, a kill or a full disk never leaves a
half file that looks finished. A ``.part`` left by an earlier attempt is resumed with
``Range: bytes=<n>-`` when the server answers 206, and started over when it answers 200.

``response.aiter_raw()`` is used without ``chunk_size``: re-chunking halves throughput
(STACK-NOTES §5). Pieces are gathered to ~1 MiB and written from a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx

from runway_desktop.api.error_types import S3Error, TransferCancelled
from runway_desktop.api.errors import error_from_exception, error_from_os_error, error_from_response
from runway_desktop.api.filenames import partial_name, path_inside, safe_filename
from runway_desktop.api.http import TRANSFER_TIMEOUT
from runway_desktop.api.progress import ProgressCallback, ProgressMeter
from runway_desktop.api.retry import (
    RetryCallback,
    RetryPolicy,
    SleepFunction,
    call_with_retries,
    cancellable_sleep,
)

UrlProvider = Callable[[], Awaitable[str]]

DOWNLOAD_RETRY_POLICY = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=30.0)
# A link that is refused right after being fetched is not an expiry problem: stop asking.
MAX_URL_REFRESHES = 3
WRITE_BUFFER_BYTES = 1 << 20

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    size: int
    resumed_from: int  # bytes that were already in the .part file when the call began
    attempts: int
    url_refreshes: int
    seconds: float


async def download_file(
    http: httpx.AsyncClient,
    url_provider: UrlProvider,
    dest_dir: Path,
    name: str,
    *,
    expected_size: int | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: asyncio.Event | None = None,
    retry_policy: RetryPolicy = DOWNLOAD_RETRY_POLICY,
    on_retry: RetryCallback | None = None,
    sleep: SleepFunction = asyncio.sleep,
) -> DownloadResult:
    """Download to ``dest_dir/safe_filename(name)``, replacing an existing file of that name.

    ``url_provider`` returns a presigned GET URL; it is called once at the start and again
    whenever S3 answers 403 (links expire after an hour, or earlier when Runway's credentials
    rotate). Network failures and 5xx are retried with backoff, resuming where they stopped.
    On failure or cancel the ``.part`` file stays, so the next call resumes it.
    """
    final = path_inside(dest_dir, safe_filename(name))
    part = path_inside(dest_dir, partial_name(final.name))
    resumed_from = _size_or_zero(part)
    meter = ProgressMeter(expected_size, on_progress, start_at=resumed_from)
    started = time.monotonic()
    state = _DownloadState(url=await url_provider())

    async def attempt() -> DownloadResult:
        state.attempts += 1
        if state.attempts > 1:
            meter.restart(start_at=_size_or_zero(part), attempt=state.attempts)
        while True:
            try:
                await _fetch_into(http, state, part, expected_size, meter, cancel)
                break
            except S3Error as error:
                if not error.needs_new_url or state.url_refreshes >= MAX_URL_REFRESHES:
                    raise
                state.url_refreshes += 1
                state.url = await url_provider()
        size = await asyncio.to_thread(_publish, part, final)
        meter.finish()
        return DownloadResult(
            path=final,
            size=size,
            resumed_from=resumed_from,
            attempts=state.attempts,
            url_refreshes=state.url_refreshes,
            seconds=time.monotonic() - started,
        )

    return await call_with_retries(
        attempt, retry_policy, on_retry=on_retry, sleep=cancellable_sleep(sleep, cancel)
    )


@dataclass
class _DownloadState:
    url: str
    attempts: int = 0
    url_refreshes: int = 0
    # The object's ETag from the first answer: later resumes send If-Match so a file replaced
    # on the server (a re-run overwrites its outputs, CONTRACT §5.4) is not spliced onto ours.
    etag: str | None = None


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise error_from_os_error(exc, path=path, writing=True) from None


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
    offset = _size_or_zero(part)
    if expected_size is not None and offset > expected_size:
        offset = _truncate(part)
    headers: dict[str, str] = {}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if state.etag:
            headers["If-Match"] = f'"{state.etag}"'
    host = httpx.URL(state.url).host or "the storage service"
    try:
        async with http.stream("GET", state.url, headers=headers, timeout=TRANSFER_TIMEOUT) as r:
            if r.status_code == 416 and offset and offset == _range_total(r):
                return  # the .part is already the whole object
            if r.status_code in (412, 416):
                # The object changed under us, or our .part is longer than it: start over.
                _truncate(part)
                state.etag = None
                raise S3Error(
                    "The file changed on the server during the download.",
                    code=str(r.status_code),
                    next_step="It is downloaded again from the start.",
                    retryable=True,
                    status=r.status_code,
                )
            if r.status_code not in (200, 206):
                await r.aread()
                raise error_from_response(r, source="download")
            append = r.status_code == 206
            if append and _range_start(r) != offset:
                _truncate(part)  # not the piece we asked for: trust nothing, start over
                raise S3Error(
                    "The storage service sent an unexpected part of the file.",
                    code="BadContentRange",
                    next_step="It is downloaded again from the start.",
                    retryable=True,
                    status=206,
                )
            if not append and offset:
                meter.restart(start_at=0, attempt=meter.attempt)  # 200: the server starts over
            state.etag = state.etag or _etag(r)
            total = _object_size(r)
            await _write_body(r, part, append=append, meter=meter, cancel=cancel)
    except httpx.HTTPError as exc:
        raise error_from_exception(exc, host=host) from None
    size = _size_or_zero(part)
    expected_size = expected_size if expected_size is not None else total
    if expected_size is not None and size != expected_size:
        raise S3Error(
            f"The download ended with {size} of {expected_size} bytes.",
            code="IncompleteBody",
            next_step="It is resumed automatically.",
            retryable=True,
        )


async def _write_body(
    response: httpx.Response,
    part: Path,
    *,
    append: bool,
    meter: ProgressMeter,
    cancel: asyncio.Event | None,
) -> None:
    try:
        handle = await asyncio.to_thread(part.open, "ab" if append else "wb")
    except OSError as exc:
        raise error_from_os_error(exc, path=part, writing=True) from None
    # Pieces are handed to the writer thread as they are: joining them into one buffer
    # copied every byte twice and was most of the download's CPU time.
    pieces: list[bytes] = []
    pending = 0
    try:
        async for piece in response.aiter_raw():
            _raise_if_cancelled(cancel)
            pieces.append(piece)
            pending += len(piece)
            meter.advance(len(piece))
            if pending >= WRITE_BUFFER_BYTES:
                batch, pieces, pending = pieces, [], 0
                await asyncio.to_thread(_write, handle, batch)
        await asyncio.to_thread(_write, handle, pieces, sync=True)
    except OSError as exc:
        raise error_from_os_error(exc, path=part, writing=True) from None
    except BaseException:
        # A dropped connection or a cancel: keep what arrived, so the next attempt resumes.
        with contextlib.suppress(OSError):
            await asyncio.to_thread(_write, handle, pieces)
        raise
    finally:
        await asyncio.to_thread(handle.close)


def _write(handle: BinaryIO, pieces: list[bytes], *, sync: bool = False) -> None:
    handle.writelines(pieces)
    if sync:
        handle.flush()
        os.fsync(handle.fileno())


def _publish(part: Path, final: Path) -> int:
    """Rename the complete ``.part`` to its final name, durably; returns its size."""
    try:
        part.replace(final)  # os.replace: atomic, and overwrites on Windows too
        size = final.stat().st_size
    except OSError as exc:
        raise error_from_os_error(exc, path=final, writing=True) from None
    if os.name == "posix":
        # Persist the rename itself; best effort (some file systems refuse directory fsync).
        with contextlib.suppress(OSError):
            fd = os.open(final.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    return size


def _truncate(part: Path) -> int:
    with contextlib.suppress(FileNotFoundError):
        part.unlink()
    return 0


def _etag(response: httpx.Response) -> str | None:
    raw = response.headers.get("etag")
    return raw.strip().removeprefix("W/").strip('"') or None if raw else None


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
