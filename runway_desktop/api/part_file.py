"""The ``.part`` file a download is written into, hashed as it is written, renamed when done.

Only a complete, fsync'ed and verified file is renamed (``os.replace``) to its real name, so a
crash, a kill, a full disk or damaged bytes never leave a half file that looks finished.
:class:`PartWriter` owns the file's descriptor and does all its I/O on one thread, in order;
:class:`PartDigest` is the MD5 of what that thread wrote, kept across the attempts of one
download so a resumed file is not read back to be hashed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.api.errors import error_from_os_error

_IOV_MAX = 1024
# Start writeback of every ~8 MiB written (see PartWriter._start_writeback); not on Windows.
WRITEBACK_BYTES = 8 << 20
_FADVISE: int = getattr(os, "POSIX_FADV_DONTNEED", 0) if hasattr(os, "posix_fadvise") else 0
_HASH_READ_BYTES = 1 << 20


def _new_md5() -> hashlib._Hash:
    return hashlib.md5(usedforsecurity=False)


@dataclass
class PartDigest:
    """MD5 of the first ``covered`` bytes of the ``.part`` file.

    Updated only after a batch was written in full, so ``covered`` equal to the file's size
    means the digest is exactly the file's; anything else (a write that failed half-way, a
    ``.part`` left by an earlier run) is detected by comparing the two.
    """

    md5: hashlib._Hash = field(default_factory=_new_md5)
    covered: int = 0

    def hexdigest(self) -> str:
        return self.md5.hexdigest()


def digest_of_prefix(part: Path, size: int) -> PartDigest:
    """Hash the first ``size`` bytes of ``part``: only for a ``.part`` this call did not write
    (an earlier run's), the one case where the bytes must be read back once."""
    digest = PartDigest()
    try:
        with part.open("rb") as handle:
            while digest.covered < size:
                data = handle.read(min(_HASH_READ_BYTES, size - digest.covered))
                if not data:
                    break
                digest.md5.update(data)
                digest.covered += len(data)
    except OSError as exc:
        raise error_from_os_error(exc, path=part, writing=True) from None
    return digest


class PartWriter:
    """Owns the ``.part`` file's descriptor; all its I/O runs, in order, on one thread.

    A single-worker executor keeps the writes in order and makes ``close`` run after them,
    whatever the event loop does (a task cancelled while a write runs cannot close the fd
    under it). Futures are awaited through ``asyncio.shield``, so cancelling the download
    never cancels a queued write (that would leave a gap in the file). Once a write fails,
    later writes are skipped, so the file stays a clean prefix of the object for resuming.
    Each written batch is added to the :class:`PartDigest` on the same thread, after the
    write: hashing overlaps the download instead of reading the file again at the end.
    """

    def __init__(self, fd: int, digest: PartDigest) -> None:
        self._fd = fd
        self._digest = digest
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="runway-download-writer"
        )
        self._last: concurrent.futures.Future[None] | None = None
        self._failed = False
        self._kicked = 0  # the file up to here has been handed to writeback

    @classmethod
    def open(cls, part: Path, *, append: bool, digest: PartDigest) -> PartWriter:
        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
        flags |= os.O_APPEND if append else os.O_TRUNC
        return cls(os.open(part, flags, 0o666), digest)

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
            for piece in pieces:
                self._digest.md5.update(piece)  # hashlib releases the GIL for large buffers
                self._digest.covered += len(piece)
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


def size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise error_from_os_error(exc, path=path, writing=True) from None


def discard(part: Path) -> int:
    """Delete the ``.part`` file (a fresh start); returns the new size, 0."""
    with contextlib.suppress(FileNotFoundError):
        part.unlink()
    return 0


def publish(part: Path, final: Path) -> int:
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
