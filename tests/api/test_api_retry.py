"""Backoff schedule and the retry loop (no network: a fake sleep records the waits).

The tests of the waits themselves opt out of the conftest fixture that zeroes them.
"""

from __future__ import annotations

import pytest

from runway_desktop.api import policy as defaults
from runway_desktop.api.errors import NetworkError, RunwayError, ServerError, ValidationFailed
from runway_desktop.api.retry import RetryNotice, RetryPolicy, call_with_retries


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class Flaky:
    """Fails with the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: RunwayError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def busy() -> ServerError:
    return ServerError("busy", status=503, retryable=True)


def test_ceiling_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=5.0)
    assert [policy.delay_ceiling(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.delay_ceiling(10_000) == 5.0  # no overflow


def test_full_jitter_spans_zero_to_the_ceiling() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    assert policy.delay(3, rand=lambda: 0.0) == 0.0
    assert policy.delay(3, rand=lambda: 0.5) == 2.0
    assert policy.delay(3, rand=lambda: 0.999) == pytest.approx(3.996)


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)


@pytest.mark.anyio
@pytest.mark.real_backoff
async def test_succeeds_on_the_third_try_and_reports_each_retry() -> None:
    sleep, notices = FakeSleep(), list[RetryNotice]()
    operation = Flaky(busy(), NetworkError("dropped", kind="dropped", retryable=True))
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=10.0)
    result = await call_with_retries(
        operation, policy, on_retry=notices.append, sleep=sleep, rand=lambda: 1.0
    )
    assert result == "ok"
    assert operation.calls == 3
    assert sleep.waits == [1.0, 2.0]
    assert [(n.attempt, n.max_attempts) for n in notices] == [(2, 5), (3, 5)]
    assert notices[0].text == "Retrying (2 of 5)…"


@pytest.mark.anyio
async def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    sleep = FakeSleep()
    last = busy()
    operation = Flaky(busy(), busy(), last, busy())
    with pytest.raises(ServerError) as raised:
        await call_with_retries(operation, RetryPolicy(max_attempts=3), sleep=sleep)
    assert raised.value is last
    assert operation.calls == 3
    assert len(sleep.waits) == 2


@pytest.mark.anyio
async def test_non_retryable_errors_are_raised_at_once() -> None:
    sleep = FakeSleep()
    operation = Flaky(ValidationFailed("bad"))
    with pytest.raises(ValidationFailed):
        await call_with_retries(operation, RetryPolicy(), sleep=sleep)
    assert operation.calls == 1 and sleep.waits == []


@pytest.mark.anyio
async def test_an_error_that_may_have_taken_effect_is_never_retried() -> None:
    operation = Flaky(ServerError("504", retryable=True, possibly_created=True))
    with pytest.raises(ServerError):
        await call_with_retries(operation, RetryPolicy(), sleep=FakeSleep())
    assert operation.calls == 1


@pytest.mark.anyio
@pytest.mark.real_backoff
async def test_retry_after_is_honoured_within_the_cap() -> None:
    sleep = FakeSleep()
    operation = Flaky(
        ServerError("429", retryable=True, retry_after=3.0),
        ServerError("429", retryable=True, retry_after=999.0),
    )
    policy = RetryPolicy(max_attempts=5, base_delay=0.1, max_delay=10.0)
    await call_with_retries(operation, policy, sleep=sleep, rand=lambda: 0.0)
    assert sleep.waits == [3.0, 10.0]


@pytest.mark.anyio
@pytest.mark.real_backoff
async def test_the_delay_scale_multiplies_backoff_and_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(defaults, "RETRY_DELAY_SCALE", 0.5)
    sleep = FakeSleep()
    operation = Flaky(busy(), ServerError("429", retryable=True, retry_after=4.0))
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=10.0)
    await call_with_retries(operation, policy, sleep=sleep, rand=lambda: 1.0)
    assert sleep.waits == [0.5, 2.0]


@pytest.mark.anyio
async def test_with_zero_waits_the_retries_still_happen_and_are_reported() -> None:
    # What every other test runs with (tests/conftest.py zeroes the scale).
    assert defaults.RETRY_DELAY_SCALE == 0.0
    sleep, notices = FakeSleep(), list[RetryNotice]()
    operation = Flaky(busy(), ServerError("429", retryable=True, retry_after=30.0))
    policy = RetryPolicy(max_attempts=5, base_delay=1.0, max_delay=10.0)
    assert await call_with_retries(operation, policy, on_retry=notices.append, sleep=sleep) == "ok"
    assert operation.calls == 3 and sleep.waits == [0.0, 0.0]
    assert [n.delay for n in notices] == [0.0, 0.0]
