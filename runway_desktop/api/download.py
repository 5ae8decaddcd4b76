"""Downloads from presigned S3 GET URLs into the user's folder, atomically and resumably.

The bytes go to ``.<name>.part`` next to the final file; only a complete, fsync'ed file is
renamed (``os.replace``) to its real name, so a crash, a kill or a full disk never leaves a
half file that looks finished. A ``.part`` left by an earlier attempt is resumed with
``Range: bytes=<n>-`` when the server answers 206, and started over when it answers 200.

``response.aiter_raw()`` is used without ``chunk_size``: re-chunking halves throughput
(STACK-NOTES §5). Pieces are gathered into ~4 MiB batches that one writer thread per
download writes while the loop receives the next batch (_write_body, _PartWriter).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpcore
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
# The writer thread gets ~4 MiB at a time (fewer thread hops); with one batch being written
# and one being gathered, a download holds ~8 MiB.
WRITE_BATCH_BYTES = 4 << 20
# httpcore's body read size for downloads (its default is 64 KiB): see _widen_reads.
READ_BYTES = 1 << 20
_IOV_MAX = 1024
# Start writeback of every ~8 MiB written (see _PartWriter._start_writeback); not on Windows.
WRITEBACK_BYTES = 8 << 20
_FADVISE: int = getattr(os, "POSIX_FADV_DONTNEED", 0) if hasattr(os, "posix_fadvise") else 0

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
    """Stream the body into ``part``: the loop reads while a writer thread writes.

    Pieces are gathered into batches of ~``WRITE_BATCH_BYTES`` and handed to the
    :class:`_PartWriter`'s thread *without waiting* for the write, so the next batch is
    received while the previous one goes to disk. At most one batch is being written while
    the next is gathered (~2 batches in memory). The last batch is written with an fsync.
    """
    try:
        writer = await asyncio.to_thread(_PartWriter.open, part, append=append)
    except OSError as exc:
        raise error_from_os_error(exc, path=part, writing=True) from None
    widened = _widen_reads(response)
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
        # A dropped connection or a cancel: keep what arrived, so the next attempt resumes.
        # (After a failed write nothing more is written: the .part stays a prefix.)
        writer.submit(pieces)
        with contextlib.suppress(OSError):
            await writer.wait()
        raise
    finally:
        widened()
        await writer.close()


class _PartWriter:
    """Owns the ``.part`` file's descriptor; all its I/O runs, in order, on one thread.

    A single-worker executor keeps the writes in order and makes ``close`` run after them,
    whatever the event loop does (a task cancelled while a write runs cannot close the fd
    under it). Futures are awaited through ``asyncio.shield``, so cancelling the download
    never cancels a queued write (that would leave a gap in the file). Once a write fails,
    later writes are skipped, so the file stays a clean prefix of the object for resuming.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="runway-download-writer"
        )
        self._last: concurrent.futures.Future[None] | None = None
        self._failed = False
        self._kicked = 0  # the file up to here has been handed to writeback

    @classmethod
    def open(cls, part: Path, *, append: bool) -> _PartWriter:
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
        flags |= os.O_APPEND if append else os.O_TRUNC
        return cls(os.open(part, flags, 0o666))

    def submit(self, pieces: list[bytes], *, sync: bool = False) -> None:
        """Queue ``pieces`` (and an fsync) for the writer thread; returns at once."""
        if pieces or sync:
            self._last = self._pool.submit(self._write, pieces, sync)

    async def wait(self) -> None:
        """Until everything submitted is written; raises the write's ``OSError``."""
        last, self._last = self._last, None
        if last is not None:
            await asyncio.shield(asyncio.wrap_future(last))

    async def close(self) -> None:
        closing = self._pool.submit(os.close, self._fd)  # runs after any queued write
        self._pool.shutdown(wait=False)
        with contextlib.suppress(OSError):
            await asyncio.shield(asyncio.wrap_future(closing))

    def _write(self, pieces: list[bytes], sync: bool) -> None:
        if self._failed:
            return
        try:
            _write(self._fd, pieces, sync=sync)
            if not sync:
                self._start_writeback()
        except BaseException:
            self._failed = True
            raise

    def _start_writeback(self) -> None:
        """Have the kernel start writing what we wrote, instead of all of it at the fsync.

        Linux otherwise keeps up to ~10% of RAM dirty, so the final fsync wrote the whole
        file (~0.5 s per GiB here) after the last byte arrived. ``POSIX_FADV_DONTNEED`` starts
        writeback of the range now, overlapping the download, and lets clean pages of it go
        (a finished download need not push other files out of the page cache).
        """
        if not _FADVISE:
            return
        position = os.lseek(self._fd, 0, os.SEEK_CUR)
        if position - self._kicked >= WRITEBACK_BYTES:
            os.posix_fadvise(self._fd, self._kicked, position - self._kicked, _FADVISE)
            self._kicked = position


def _write(fd: int, pieces: list[bytes], *, sync: bool = False) -> None:
    """``os.writev`` the pieces in as few calls as possible (finishing short writes)."""
    views = [memoryview(piece) for piece in pieces if piece]
    if not hasattr(os, "writev"):  # Windows
        for view in views:
            while view:
                view = view[os.write(fd, view) :]
        views = []
    while views:
        written = os.writev(fd, views[:_IOV_MAX])
        while written and views:
            if written >= len(views[0]):
                written -= len(views.pop(0))
            else:
                views[0] = views[0][written:]
                written = 0
    if sync:
        os.fsync(fd)


def _widen_reads(response: httpx.Response) -> Callable[[], None]:
    """Let the body arrive in ~``READ_BYTES`` pieces instead of 64 KiB; returns an undo.

    Two defaults cost most of a fast download's CPU time (STACK-NOTES §5): httpcore asks for
    64 KiB per read, and asyncio's socket transport receives at most 256 KiB per ``recv``,
    which anyio then splits into 64 KiB pieces, copying the remainder every time. Here both are
    raised on this response's own connection and transport (instance attributes shadowing
    ``AsyncHTTP11Connection.READ_NUM_BYTES`` and ``_SelectorSocketTransport.max_size``) for the
    length of the body, which cut the CPU per GiB by about a third on loopback. Both walks go
    through private attributes, so anything unexpected leaves that default alone.
    """
    undo: list[Callable[[], None]] = []
    connection: object = response.stream
    for attribute in ("_stream", "_httpcore_stream", "_stream", "_connection"):
        connection = getattr(connection, attribute, None)
    if isinstance(connection, httpcore.AsyncHTTP11Connection):
        undo.append(_shadow(connection, "READ_NUM_BYTES", READ_BYTES))
        # The socket transport under httpcore's (and, for HTTPS, anyio's TLS) stream.
        stream: object = getattr(response.extensions.get("network_stream"), "_stream", None)
        for _ in range(4):  # TLSStream -> ... -> SocketStream
            stream = getattr(stream, "transport_stream", stream)
        transport = getattr(stream, "_transport", None)
        if isinstance(transport, asyncio.Transport):
            undo.append(_shadow(transport, "max_size", READ_BYTES))

    def undo_all() -> None:
        for step in undo:
            step()

    return undo_all


def _shadow(owner: object, name: str, value: int) -> Callable[[], None]:
    """Set ``owner.name = value`` if it is an int now; the undo puts the old value back."""
    old = getattr(owner, name, None)
    if not isinstance(old, int):
        return _nothing
    had_own = name in getattr(owner, "__dict__", {})
    try:
        setattr(owner, name, value)
    except AttributeError:
        return _nothing

    def undo() -> None:
        with contextlib.suppress(AttributeError):
            if had_own:
                setattr(owner, name, old)
            else:
                delattr(owner, name)

    return undo


def _nothing() -> None:
    pass


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
