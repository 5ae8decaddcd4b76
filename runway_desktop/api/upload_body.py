"""The body of an upload: the file's bytes, read and hashed ahead of the sender on one thread.

MD5 (~700 MB/s on one core) is what bounds an upload, so the hashing must never wait for the
event loop: a reader thread of the upload's own reads and hashes up to
``READ_AHEAD_BATCHES`` batches of ~``READ_BATCH_BYTES`` ahead of what httpx is sending, and
the loop is handed a whole batch at a time. That is one thread hop per 2 MiB instead of
two per 1 MiB piece: under qasync every hop is a Qt signal plus timer events, and floods of
small cross-thread hops have crashed older PySide6 versions.

The thread is the upload's own, not the loop's default executor: under qasync that is ten
QThreads taking turns, and each kept its own malloc arena of freed 1 MiB pieces (~20 MiB more
RSS than under asyncio). One reader also keeps every read and hash update in file order.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import os
from collections import deque
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import BinaryIO

from runway_desktop.api.errors import (
    TransferCancelled,
    error_from_os_error,
    file_changed_error,
)
from runway_desktop.api.progress import ProgressMeter

# With 2 batches queued and one being sent, an upload holds ~6 MiB of the file.
READ_BATCH_BYTES = 2 << 20
READ_AHEAD_BATCHES = 2


class FileReader:
    """Reads ``size`` bytes of ``handle`` in ``chunk_size`` pieces, hashing each as it is read.

    Only ever called on the upload's reader thread, one batch at a time, so ``offset`` and the
    digest need no lock. It never reads past ``size``: a file that grew meanwhile is caught by
    the size/mtime check on the loop side, never sent long.
    """

    def __init__(
        self, handle: BinaryIO, size: int, digest: hashlib._Hash | None, chunk_size: int
    ) -> None:
        self.handle = handle
        self.size = size
        self.digest = digest
        self.chunk_size = chunk_size
        self.offset = 0

    def read_batch(self, pieces: int) -> list[bytes]:
        """Up to ``pieces`` pieces; fewer at the end of the file (none: it ended early)."""
        batch: list[bytes] = []
        while len(batch) < pieces and self.offset < self.size:
            data = self.handle.read(min(self.chunk_size, self.size - self.offset))
            if not data:
                break  # shorter than it was a moment ago: the loop reports it
            if self.digest is not None:
                self.digest.update(data)  # hashlib releases the GIL for large buffers
            self.offset += len(data)
            batch.append(data)
        return batch


async def read_file(
    path: Path,
    size: int,
    mtime_ns: int,
    digest: hashlib._Hash | None,
    meter: ProgressMeter,
    cancel: asyncio.Event | None,
    chunk_size: int,
) -> AsyncGenerator[bytes, None]:
    """The request body: exactly ``size`` bytes in ``chunk_size`` pieces, hashed as read.

    Before each piece is yielded, Cancel is checked and the open file's size and mtime are
    compared with what the caller checked: an editor still saving the
    file, or a sync client replacing it, must fail the upload, not send a torn copy. The check
    runs when the piece goes out, after it was read, so reading ahead does not widen the window.
    """
    reader_pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="runway-upload-reader"
    )
    queued: deque[concurrent.futures.Future[list[bytes]]] = deque()
    opening = reader_pool.submit(_open, path)
    try:
        try:
            handle = await asyncio.wrap_future(opening)
        except OSError as exc:
            raise error_from_os_error(exc, path=path, writing=False) from None
        reader = FileReader(handle, size, digest, chunk_size)
        per_batch = max(1, READ_BATCH_BYTES // chunk_size)
        planned = 0  # bytes asked of the reader so far

        def top_up() -> None:
            nonlocal planned
            while len(queued) < READ_AHEAD_BATCHES and planned < size:
                queued.append(reader_pool.submit(reader.read_batch, per_batch))
                planned += per_batch * chunk_size

        sent = 0
        top_up()
        while queued:
            try:
                batch = await asyncio.wrap_future(queued[0])
            except OSError as exc:
                raise error_from_os_error(exc, path=path, writing=False) from None
            queued.popleft()
            top_up()  # the reader goes on while this batch is sent
            if not batch:
                raise file_changed_error(path, detail=f"file ended after {sent} bytes")
            for data in batch:
                raise_if_cancelled(cancel)
                try:
                    check_unchanged(path, size, mtime_ns, os.fstat(handle.fileno()))
                except OSError as exc:
                    raise error_from_os_error(exc, path=path, writing=False) from None
                sent += len(data)
                meter.advance(len(data))
                yield data
        if sent != size:
            raise file_changed_error(path, detail=f"file ended after {sent} bytes")
    finally:
        for future in queued:
            future.cancel()  # a batch not started yet is dropped; a running one finishes
        # The close runs after any running read (one worker, in order); shielded so that a
        # cancelled upload still waits for it, and the thread ends with this generator.
        closing = reader_pool.submit(_close_opened, opening)
        reader_pool.shutdown(wait=False)
        with contextlib.suppress(OSError):
            await asyncio.shield(asyncio.wrap_future(closing))


def _open(path: Path) -> BinaryIO:
    return path.open("rb")


def _close_opened(opening: concurrent.futures.Future[BinaryIO]) -> None:
    """On the reader thread, after every read: close the file if it was opened (also when the
    upload was cancelled while it was being opened)."""
    if not opening.cancelled() and opening.exception() is None:
        opening.result().close()


def raise_if_cancelled(cancel: asyncio.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise TransferCancelled("The transfer was cancelled.", next_step="Start it again later.")


def check_unchanged(
    path: Path, size: int, mtime_ns: int, stat: os.stat_result | None = None
) -> None:
    """:class:`FileChanged` unless ``path`` (or the open file's ``stat``) still has the size
    and mtime the caller checked."""
    try:
        current = stat or path.stat()
    except OSError as exc:
        raise error_from_os_error(exc, path=path, writing=False) from None
    if current.st_size != size or current.st_mtime_ns != mtime_ns:
        raise file_changed_error(
            path,
            detail=f"expected {size} bytes / mtime {mtime_ns}, "
            f"found {current.st_size} bytes / mtime {current.st_mtime_ns}",
        )
