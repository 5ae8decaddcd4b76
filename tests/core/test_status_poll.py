"""One status poll against the sandbox: sets recorded, changes reported once, gentle queries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import core_helpers
import pytest
from core_helpers import Core

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.models import OutputSetFilter
from runway_desktop.core.status_poll import PollReport, StatusPoller
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.core.submission_state import derive_state
from runway_desktop.history.records import utc_now

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


def poller(core: Core, **kwargs: object) -> StatusPoller:
    return StatusPoller(core.history, lambda name: core.client if name == "sandbox" else None,
                        **kwargs)  # type: ignore[arg-type]  # fmt: skip


async def poll_until_changed(p: StatusPoller, within: float = 10.0) -> PollReport:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        report = await p.poll_once()
        if report.changes:
            return report
        assert asyncio.get_running_loop().time() < deadline, "no status change"
        await asyncio.sleep(0.1)


@pytest.mark.parametrize(("year", "expected"), [("2026", S.LOADED), ("2025", S.PROCESSED)])
async def test_a_run_that_succeeds_becomes_processed_or_loaded(
    core: Core, year: str, expected: S
) -> None:
    result = await core.pipeline().submit(core.map_request(core.csv(), school_year=year))
    assert result.ok and result.job_uid
    p = poller(core)
    assert [r.id for r in p.waiting()] == [result.submission_id]

    report = await poll_until_changed(p)
    (change,) = report.changes
    assert (change.submission_id, change.before, change.after) == (
        result.submission_id, S.WAITING, expected,
    )  # fmt: skip
    assert report.polled == (("sandbox", "acme"),) and report.still_waiting == 0
    assert not p.has_waiting()  # nothing left: the GUI stops polling
    assert (await p.poll_once()) == PollReport()  # and a poll now asks nothing


async def test_a_failed_run_reaches_no_result_yet_once(core: Core) -> None:
    core.sandbox.set_executor(outcome="fail")
    result = await core.pipeline().submit(core.map_request(core.csv()))
    assert result.ok and result.job_uid
    await core.wait_runs_finished(result.job_uid)
    now = [utc_now()]
    p = poller(core, no_result_after=lambda: timedelta(minutes=30), clock=lambda: now[0])

    first = await p.poll_once()
    assert first.changes == () and first.still_waiting == 1
    now[0] += timedelta(minutes=31)
    second = await p.poll_once()
    (change,) = second.changes
    assert (change.before, change.after) == (S.WAITING, S.NO_RESULT_YET)
    assert (
        result.job_uid
        in derive_state(
            change.record, now=now[0], no_result_after=timedelta(minutes=30)
        ).explanation
    )
    assert (await p.poll_once()).changes == ()  # reported once, not at every poll
    assert p.has_waiting()  # a late result can still come: keep looking, gently


async def test_created_after_lags_behind_the_oldest_waiting_start(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await core.pipeline().submit(core.map_request(core.csv()))
    record = core.history.get(result.submission_id)
    assert record is not None and record.started_at is not None
    asked: list[OutputSetFilter] = []
    original = RunwayClient.list_output_sets

    async def spy(self: RunwayClient, query: OutputSetFilter, **kw: object) -> object:
        asked.append(query)
        return await original(self, query)

    monkeypatch.setattr(RunwayClient, "list_output_sets", spy)
    await poller(core, lag=timedelta(minutes=15)).poll_once()
    (query,) = asked
    assert query.partner == "acme"
    assert query.created_after == record.started_at - timedelta(minutes=15)


async def test_profiles_without_a_connection_are_skipped(core: Core) -> None:
    await core.pipeline().submit(core.map_request(core.csv()))
    p = StatusPoller(core.history, lambda _name: None)
    report = await p.poll_once()
    assert report.skipped == (("sandbox", "acme"),) and report.polled == ()


async def test_server_errors_are_reported_not_raised(core: Core) -> None:
    await core.pipeline().submit(core.map_request(core.csv()))
    core.sandbox.faults.set("api_error", {"status": 503})
    report = await poller(core).poll_once()
    core.sandbox.faults.set("api_error", None)
    assert report.polled == () and len(report.errors) == 1
    assert report.errors[0][:2] == ("sandbox", "acme")
