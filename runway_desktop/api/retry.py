"""Retries with exponential backoff and full jitter, for idempotent calls only — each logged.

Used for listing output sets, fetching download links, re-sending the same bytes to an upload
URL, downloading and fetching a token. Never for creating or starting a job: a repeat there
makes a second job or re-runs a finished one (CONTRACT §4.2, §4.4).

Only errors marked ``retryable`` (5xx, 429, timeouts, stalls, dropped or refused connections —
see :mod:`runway_desktop.api.errors`) are retried. Every retry is logged at INFO on the
``runway_desktop.api`` logger with the method, host and path (never a query string, which
carries a presigned URL's credentials), the attempt, the error's code and the delay. The
defaults are in :mod:`runway_desktop.api.policy`, including ``RETRY_DELAY_SCALE``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from runway_desktop.api import policy as defaults
from runway_desktop.api.errors import RunwayError
from runway_desktop.api.http import api_log
from runway_desktop.api.policy import NO_RETRY, RetryPolicy

__all__ = [
    "NO_RETRY",
    "RetryCallback",
    "RetryNotice",
    "RetryPolicy",
    "SleepFunction",
    "call_with_retries",
    "cancellable_sleep",
    "retry_reason",
]

T = TypeVar("T")

SleepFunction = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryNotice:
    """Told to the ``on_retry`` callback just before waiting for the next attempt.

    ``attempt`` is the number of the attempt about to be made (2 for the first retry), so a UI
    can say ``f"Retrying ({notice.attempt} of {notice.max_attempts})…"``.
    """

    attempt: int
    max_attempts: int
    delay: float
    error: RunwayError

    @property
    def text(self) -> str:
        return f"Retrying ({self.attempt} of {self.max_attempts})…"


RetryCallback = Callable[[RetryNotice], None]


def retry_reason(error: RunwayError) -> str:
    """Why a retry happens, for the log: the stable code (and status), never server text."""
    return f"{error.code.value} (HTTP {error.status})" if error.status else error.code.value


async def call_with_retries(
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: RetryCallback | None = None,
    sleep: SleepFunction = asyncio.sleep,
    rand: Callable[[], float] = random.random,
    describe: str = "a call",
) -> T:
    """Run ``operation`` until it succeeds, fails for good, or attempts run out.

    ``operation`` must raise :class:`RunwayError` (map exceptions first). A non-retryable
    error, or one that says the request may have taken effect, is raised at once. When the
    server sent ``Retry-After``, that wait is honoured (up to ``max_delay``) instead of jitter.
    ``describe`` names the call in the log: ``"GET host/path"``, already redacted.
    """
    attempt = 1
    while True:
        try:
            return await operation()
        except RunwayError as error:
            may_have_acted = error.possibly_created or error.possibly_started
            if not error.retryable or may_have_acted or attempt >= policy.max_attempts:
                raise
            delay = policy.delay(attempt, rand=rand)
            if error.retry_after is not None:
                delay = min(policy.max_delay, max(delay, error.retry_after))
            delay *= defaults.RETRY_DELAY_SCALE
            attempt += 1
            api_log.info(
                "Retrying %s (attempt %d of %d) in %.2f s: %s",
                describe,
                attempt,
                policy.max_attempts,
                delay,
                retry_reason(error),
            )
            if on_retry is not None:
                on_retry(RetryNotice(attempt, policy.max_attempts, delay, error))
            await sleep(delay)


def cancellable_sleep(sleep: SleepFunction, cancel: asyncio.Event | None) -> SleepFunction:
    """``sleep`` that returns early when ``cancel`` is set, so a Cancel button does not wait
    out a 20-second backoff. The caller checks ``cancel`` right after."""
    if cancel is None:
        return sleep

    async def wait(delay: float) -> None:
        sleeper = asyncio.ensure_future(sleep(delay))
        watcher = asyncio.ensure_future(cancel.wait())
        try:
            await asyncio.wait({sleeper, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, watcher):
                task.cancel()

    return wait
