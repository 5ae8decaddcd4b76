"""Pause, resume and stop for the rest of a batch's queue, and the cap on uploads at once
over the whole batch: against the sandbox, over real HTTP."""

from __future__ import annotations

import asyncio

import core_helpers
import httpx
import pytest
from core_helpers import Core
from test_batch_run import math_item, runner, star_item, started_runs, statuses

from runway_desktop.core.batch.plan import BatchPlan
from runway_desktop.core.batch.queue_control import NOT_SENT_TEXT, QueueControl
from runway_desktop.core.batch.run import BatchEvent, ItemFinished, ItemStarted, ItemStatus

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


async def test_stop_leaves_the_rest_unsent_and_the_next_run_sends_it(core: Core) -> None:
    events: list[BatchEvent] = []
    batch = runner(core, events, jobs=1)

    def stop_after_first_begins(event: BatchEvent) -> None:
        events.append(event)
        if isinstance(event, ItemStarted) and event.number == 1:
            batch.control.stop()

    batch.listener = stop_after_first_begins
    items = (math_item(core.tmp, "district-a"), math_item(core.tmp, "district-b"))
    plan = BatchPlan(core.tmp, "acme", items)
    outcomes = await batch.run(plan, "acme")

    # The one under way ran to its end; the other never began and says so.
    assert statuses(outcomes) == [ItemStatus.SENT, ItemStatus.NOT_SENT]
    assert outcomes[1].error is not None and outcomes[1].error.message == NOT_SENT_TEXT
    assert [e.number for e in events if isinstance(e, ItemStarted)] == [1]
    assert {e.outcome.number for e in events if isinstance(e, ItemFinished)} == {1, 2}
    assert len(started_runs(core)) == 1

    again = await runner(core).run(plan, "acme")
    assert statuses(again) == [ItemStatus.ALREADY_SENT, ItemStatus.SENT]
    assert set(started_runs(core).values()) == {1} and len(started_runs(core)) == 2


async def test_pause_holds_items_not_begun_until_resumed(core: Core) -> None:
    events: list[BatchEvent] = []
    batch = runner(core, jobs=1)
    first_done = asyncio.Event()

    def pause_after_first_begins(event: BatchEvent) -> None:
        events.append(event)
        if isinstance(event, ItemStarted) and event.number == 1:
            batch.control.pause()
        if isinstance(event, ItemFinished) and event.outcome.number == 1:
            first_done.set()

    batch.listener = pause_after_first_begins
    items = (math_item(core.tmp, "district-a"), math_item(core.tmp, "district-b"))
    sending = asyncio.ensure_future(batch.run(BatchPlan(core.tmp, "acme", items), "acme"))
    await asyncio.wait_for(first_done.wait(), 30)
    await asyncio.sleep(0.3)  # time enough for item 2 to begin, were it not held
    assert batch.control.paused and not sending.done()
    assert [e.number for e in events if isinstance(e, ItemStarted)] == [1]

    batch.control.resume()
    outcomes = await asyncio.wait_for(sending, 30)
    assert statuses(outcomes) == [ItemStatus.SENT, ItemStatus.SENT]


def test_a_paused_queue_that_is_stopped_ends() -> None:
    async def scenario() -> bool:
        control = QueueControl()
        control.pause()
        waiting = asyncio.ensure_future(control.may_begin())
        await asyncio.sleep(0)
        assert not waiting.done()
        control.stop()
        control.pause()  # too late: a stopped queue stays stopped
        return await asyncio.wait_for(waiting, 1)

    assert asyncio.run(scenario()) is False


async def test_uploads_at_once_stay_under_the_batch_cap(core: Core) -> None:
    # Each S3 PUT is held a moment, so uploads that could overlap do.
    core.sandbox.faults.set("s3_delay", {"seconds": 0.3, "count": 20})
    in_flight, most = 0, 0

    async def sent(request: httpx.Request) -> None:
        nonlocal in_flight, most
        if request.method == "PUT":
            in_flight += 1
            most = max(most, in_flight)

    async def answered(response: httpx.Response) -> None:
        nonlocal in_flight
        if response.request.method == "PUT":
            in_flight -= 1

    core.http.event_hooks["request"].append(sent)
    core.http.event_hooks["response"].append(answered)
    batch = runner(core, jobs=2)
    batch.max_uploads = 2
    # STAR sends three files side by side: alone it would hold three uploads at once.
    items = (star_item(core.tmp), math_item(core.tmp))
    outcomes = await batch.run(BatchPlan(core.tmp, "acme", items), "acme")
    assert statuses(outcomes) == [ItemStatus.SENT] * 2
    assert most == 2
