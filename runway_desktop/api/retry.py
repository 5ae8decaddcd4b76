"""Retries with exponential backoff and full jitter, for idempotent calls only.

Used for listing output sets, fetching download links, re-sending the same bytes to an upload
URL and downloading. Never for creating or starting a job: a repeat there makes a second job or
re-runs a finished one (CONTRACT §4.2, §4.4).

Only errors marked ``retryable`` (5xx, 429, timeouts, dropped or refused connections — see
:mod:`runway_desktop.api.errors`) are retried. Full jitter (AWS Architecture Blog, "Exponential
Backoff And Jitter") spreads out the many clients of a district that hit the same outage.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from runway_desktop.api.error_types import RunwayError

T = TypeVar("T")

SleepFunction = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    ``max_attempts`` counts the first try: 5 means one try and up to four retries. The n-th
    retry waits a random time in ``[0, min(max_delay, base_delay * 2**(n-1))]``.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("delays must not be negative")

    def delay_ceiling(self, retry_number: int) -> float:
        """Upper bound of the wait before retry ``retry_number`` (1 = the first retry)."""
        # min() before the power would overflow for huge retry numbers; cap the exponent.
        exponent = min(retry_number - 1, 62)
        return float(min(self.max_delay, self.base_delay * (2**exponent)))

    def delay(self, retry_number: int, *, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform between 0 and the ceiling."""
        return rand() * self.delay_ceiling(retry_number)


NO_RETRY = RetryPolicy(max_attempts=1)


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


async def call_with_retries(
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: RetryCallback | None = None,
    sleep: SleepFunction = asyncio.sleep,
    rand: Callable[[], float] = random.random,
) -> T:
    """Run ``operation`` until it succeeds, fails for good, or attempts run out.

    ``operation`` must raise :class:`RunwayError` (map exceptions first). A non-retryable
    error, or one that says the request may have taken effect, is raised at once. When the
    server sent ``Retry-After``, that wait is honoured (up to ``max_delay``) instead of jitter.
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
            attempt += 1
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
