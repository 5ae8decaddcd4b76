"""Worker processes for CPU-heavy work (CSV scans, hashing), away from the window's interpreter.

A thread of the GUI's own interpreter would hold the GIL for most of a 1 GB scan, and the window
would stutter however the scan yields. A worker process has a GIL of its own.

- The pool is a ``ProcessPoolExecutor`` with the "spawn" context, so it behaves alike on
  Windows, macOS and Linux (and a fork of a process running Qt threads is unsafe anyway). It is
  created on first use, not at start-up, and its imports and its first process start happen
  in a thread: the window does not wait for them. ``shutdown()`` stops it at exit.
- Each job gets a slot in one block of shared memory, handed to every worker when it starts
  (synchronised objects cannot travel with a submitted job): the job writes its progress there
  and reads its cancel flag there. The caller polls the progress every ``POLL_SECONDS`` on its
  own event loop, so it never blocks on the worker, and a cancelled await sets the flag, which
  the job checks between reads.

Everything here is Qt-free; the heavy imports (multiprocessing, ctypes) wait for the first job.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, TypeVarTuple

if TYPE_CHECKING:
    import ctypes
    from concurrent.futures import ProcessPoolExecutor

    SharedArray = ctypes.Array[ctypes.c_int64]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
ProgressCallback = Callable[[float], None]

# Concurrent jobs that can report progress and be cancelled; more wait for a slot to free up.
SLOTS = 64
# Per slot: bytes done, bytes in all, cancel flag (int64 each: aligned stores do not tear).
_DONE, _TOTAL, _CANCEL, _FIELDS = 0, 1, 2, 3
POLL_SECONDS = 0.1
# One core stays for the window (and an upload); more processes than files to check never help.
MAX_WORKERS = 4


class JobCancelled(Exception):
    """Raised inside a job whose caller gave up (or whose pool was shut down)."""


class JobControl:
    """What a job sees of its caller: where progress goes and whether to stop.

    This base is for direct calls (a test, a thread): progress goes nowhere and the job is never
    cancelled. Jobs in a worker process get a control backed by their shared slot.
    """

    def progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` units (bytes) finished; cheap enough to call every read."""

    def cancelled(self) -> bool:
        return False

    def raise_if_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled("the check was cancelled")


IN_PROCESS = JobControl()


class _SlotControl(JobControl):
    def __init__(self, shared: SharedArray, slot: int) -> None:
        self._shared = shared
        self._base = slot * _FIELDS

    def progress(self, done: int, total: int) -> None:
        self._shared[self._base + _TOTAL] = total
        self._shared[self._base + _DONE] = done

    def cancelled(self) -> bool:
        return self._shared[self._base + _CANCEL] != 0


def worker_count() -> int:
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 2) - 1))


class _Pool:
    """The executor, the shared slots and which slots are free."""

    def __init__(self) -> None:
        import ctypes
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        self.shared: SharedArray = context.RawArray(ctypes.c_int64, SLOTS * _FIELDS)
        self.executor: ProcessPoolExecutor = ProcessPoolExecutor(
            max_workers=worker_count(),
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.shared,),
        )
        self._free = list(range(SLOTS - 1, -1, -1))
        # Slots come back from the executor's own thread, when a job's future is done.
        self._lock = threading.Lock()

    def take_slot(self) -> int | None:
        with self._lock:
            slot = self._free.pop() if self._free else None
        if slot is not None:
            base = slot * _FIELDS
            self.shared[base + _DONE] = self.shared[base + _TOTAL] = 0
            self.shared[base + _CANCEL] = 0
        return slot

    def give_back(self, slot: int) -> None:
        with self._lock:
            self._free.append(slot)

    def busy(self) -> int:
        with self._lock:
            return SLOTS - len(self._free)

    def submit(self, slot: int, fn: Callable[..., T], args: tuple[Any, ...]) -> Future[T]:
        """Start ``fn`` in a worker; the slot is given back once the job has ended."""
        try:
            future: Future[T] = self.executor.submit(_run_job, slot, fn, args)
        except BaseException:
            self.give_back(slot)
            raise
        future.add_done_callback(lambda _future: self.give_back(slot))
        return future

    def cancel(self, slot: int) -> None:
        self.shared[slot * _FIELDS + _CANCEL] = 1

    def cancel_all(self) -> None:
        for slot in range(SLOTS):
            self.cancel(slot)

    def fraction(self, slot: int) -> float | None:
        base = slot * _FIELDS
        done, total = self.shared[base + _DONE], self.shared[base + _TOTAL]
        return min(1.0, done / total) if total > 0 else None


_pool: _Pool | None = None
_pool_lock = threading.Lock()


def _current_pool(broken: _Pool | None = None) -> _Pool:
    """The pool, created on first use; ``broken``: replace that one (a worker died)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool is broken:
            if _pool is not None:
                _pool.executor.shutdown(wait=False, cancel_futures=True)
            _pool = _Pool()
        return _pool


def _submit(
    pool: _Pool, slot: int, fn: Callable[..., T], args: tuple[Any, ...]
) -> tuple[_Pool, int, Future[T]]:
    """Submit on ``pool``, replacing it once if it is broken (a worker died): then the job gets
    a slot of the new pool. Runs in a thread: the first call imports multiprocessing and
    starts a process, which the window must not wait for."""
    try:
        return pool, slot, pool.submit(slot, fn, args)
    except BrokenExecutor:
        pool = _current_pool(broken=pool)
        fresh = pool.take_slot()
        if fresh is None:
            raise
        return pool, fresh, pool.submit(fresh, fn, args)


async def run_in_worker(
    fn: Callable[[JobControl, *Ts], T],
    *args: *Ts,
    progress: ProgressCallback | None = None,
) -> T:
    """``fn(control, *args)`` in a worker process; ``fn`` and the arguments must pickle.

    ``progress`` gets the fraction the job last reported, about every ``POLL_SECONDS``, on
    this event loop. Cancelling the await sets the job's cancel flag; the job then stops at
    its next ``raise_if_cancelled()`` (or never starts).
    """
    pool = _pool if _pool is not None else await asyncio.to_thread(_current_pool)
    free = pool.take_slot()
    while free is None:
        await asyncio.sleep(POLL_SECONDS)
        pool = _current_pool()
        free = pool.take_slot()
    slot: int = free
    try:
        pool, slot, future = await asyncio.to_thread(_submit, pool, slot, fn, args)
    except asyncio.CancelledError:
        # The submit may still go through in its thread: the flag stops the job at its start.
        pool.cancel(slot)
        raise
    waiter = asyncio.wrap_future(future)
    finished = False
    last: float | None = None
    try:
        timeout = POLL_SECONDS if progress is not None else None
        while True:
            done, _pending = await asyncio.wait((waiter,), timeout=timeout)
            if done:
                finished = True
                return waiter.result()
            fraction = pool.fraction(slot)
            # Once the future is done its slot may already serve another job: skip that read.
            fresh = fraction != last and not future.done()
            if progress is not None and fraction is not None and fresh:
                last = fraction
                progress(fraction)
    finally:
        # A done job's slot may serve another job already; nothing is left to stop.
        if not finished and not future.done():
            pool.cancel(slot)
            waiter.cancel()  # also withdraws the job if no worker has taken it yet


def jobs_running() -> int:
    """Jobs submitted and not yet ended, cancelled ones included until they stop."""
    pool = _pool
    return 0 if pool is None else pool.busy()


def shutdown() -> None:
    """Stop the worker processes; call at exit. A job still running is told to stop, so exit
    does not wait for a 1 GB scan. The next job starts a fresh pool."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.cancel_all()
        pool.executor.shutdown(wait=True, cancel_futures=True)


def self_check(timeout: float = 60.0) -> str:
    """For ``--self-test``: run one job in a worker process; one line, or raises if it fails.

    Proves that this build can start a worker (the frozen app re-runs its own executable) and
    that the shared progress slots work. It blocks, so it is for the self-test only.
    """
    started = time.monotonic()
    pool = _current_pool()
    slot = pool.take_slot()
    if slot is None:
        raise RuntimeError("no free job slot")
    future = pool.submit(slot, _describe_worker, ())
    pid, executable = future.result(timeout=timeout)
    if pid == os.getpid():
        raise RuntimeError("the job ran in this process, not in a worker")
    if pool.shared[slot * _FIELDS + _DONE] != 1:
        raise RuntimeError("the worker's progress did not reach this process")
    seconds = time.monotonic() - started
    return f"pid {pid} ({executable}), answered in {seconds:.2f} s; {worker_count()} at most"


def _describe_worker(job: JobControl) -> tuple[int, str]:
    job.progress(1, 2)
    return os.getpid(), Path(sys.executable).name


# --- inside a worker process ------------------------------------------------------------------

_worker_shared: SharedArray | None = None


def _start_worker(shared: SharedArray) -> None:
    global _worker_shared
    _worker_shared = shared
    # Ctrl-C in a terminal reaches the whole process group; the parent cancels what it wants.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_job(slot: int, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    if _worker_shared is None:
        raise RuntimeError("this worker was not started by runway_desktop.base.workers")
    return fn(_SlotControl(_worker_shared, slot), *args)
