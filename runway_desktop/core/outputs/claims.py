"""One download of a set at a time on this computer, across processes.

The desktop app, a scheduled ``outputs download --new`` and a second CLI run in another
terminal all write into the same folders and the same history. Each takes the set's claim
(an OS file lock beside the history database) before it downloads; whoever comes second waits
for the first to finish and then finds the set complete, instead of fetching it again. The OS
drops the lock when its process dies, so a killed download never blocks the next one.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from filelock import FileLock, Timeout

# How often a waiting process looks again; a set of JSONL files takes seconds, not minutes.
CLAIM_POLL_SECONDS = 0.25


def claim_path(claims_dir: Path, profile: str, set_uid: str) -> Path:
    # Profile names are free text: hash them into a file name every file system accepts.
    digest = hashlib.sha256(f"{profile}\0{set_uid}".encode()).hexdigest()[:32]
    return claims_dir / f"set-{digest}.lock"


@asynccontextmanager
async def claimed(
    claims_dir: Path,
    profile: str,
    set_uid: str,
    *,
    on_wait: Callable[[], None] | None = None,
    cancel: asyncio.Event | None = None,
) -> AsyncIterator[None]:
    """Hold the set's claim for the body; wait (without blocking the loop) while another
    process holds it. ``on_wait`` is called once, when the wait begins."""
    await asyncio.to_thread(claims_dir.mkdir, parents=True, exist_ok=True)
    lock = FileLock(claim_path(claims_dir, profile, set_uid), timeout=0, is_singleton=False)
    told = False
    while True:
        try:
            await asyncio.to_thread(lock.acquire, timeout=0)
            break
        except Timeout:
            if not told and on_wait is not None:
                on_wait()
            told = True
            if cancel is not None and cancel.is_set():
                raise asyncio.CancelledError from None
            await asyncio.sleep(CLAIM_POLL_SECONDS)
    try:
        yield
    finally:
        await asyncio.to_thread(lock.release)
