"""Sending a plan against the sandbox: each item once, nothing twice on a second run, an
interrupted item resumed, a lost start never repeated, one item's failure no one else's."""

from __future__ import annotations

import asyncio
import contextvars
import os
from pathlib import Path
from typing import Any

import core_helpers
import pytest
from batch_helpers import FASTBRIDGE_MATH, SAT, STAR, copy_sample
from core_helpers import Core

from runway_desktop.api.errors import ErrorCode
from runway_desktop.bundles.preflight import preflight_file
from runway_desktop.core.batch import run as run_module
from runway_desktop.core.batch.plan import BatchPlan, PlanItem
from runway_desktop.core.batch.run import (
    BatchEvent,
    BatchRunner,
    ItemFinished,
    ItemOutcome,
    ItemStarted,
    ItemStatus,
    ItemStep,
)
from runway_desktop.core.batch.waiting import wait_for_outputs
from runway_desktop.core.submission_state import SubmissionState
from runway_desktop.core.submit.events import (
    PipelineEvent,
    Step,
    StepStarted,
    SubmissionInvalid,
)
from runway_desktop.settings import Profile

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


def star_item(folder: Path, tenant: str = "district-a") -> PlanItem:
    files = {env: copy_sample(f"STAR/{name}", folder / "star") for env, name in STAR.items()}
    return PlanItem("assessments/STAR", tenant, "2024", files)


def math_item(folder: Path, tenant: str = "district-b") -> PlanItem:
    path = copy_sample(FASTBRIDGE_MATH, folder / "math", "math.csv")
    return PlanItem("assessments/FastBridge_Math", tenant, "2024", {"INPUT_FILE": path})


def sat_item(folder: Path, test_type: str = "SAT") -> PlanItem:
    path = copy_sample(f"PSAT_SAT/{SAT}", folder / "sat")
    return PlanItem(
        "assessments/PSAT_SAT", "district-a", "2026", {"INPUT_FILE": path}, {"TEST_TYPE": test_type}
    )


def runner(
    core: Core, events: list[BatchEvent] | None = None, *, jobs: int = 2, resend: bool = False
) -> BatchRunner:
    profile, _ = Profile.from_sandbox_json(core.sandbox.profile, name=core_helpers.PROFILE)
    listener = events.append if events is not None else None
    return BatchRunner(
        core.client, core.http, core.history, profile, core.registry,
        jobs=jobs, resend=resend, listener=listener,
    )  # fmt: skip


async def run(core: Core, *items: PlanItem, resend: bool = False) -> list[ItemOutcome]:
    plan = BatchPlan(core.tmp, "acme", items)
    return await runner(core, resend=resend).run(plan, "acme")


def statuses(outcomes: list[ItemOutcome]) -> list[ItemStatus]:
    return [o.status for o in outcomes]


def started_runs(core: Core) -> dict[str, int]:
    """Runs per job of the sandbox (a start Runway accepted makes one)."""
    return {uid: len(core.runs(uid)) for uid in core.job_uids()}


async def test_each_item_is_sent_once_and_a_second_run_sends_nothing(core: Core) -> None:
    events: list[BatchEvent] = []
    items = (star_item(core.tmp), math_item(core.tmp), sat_item(core.tmp))
    plan = BatchPlan(core.tmp, "acme", items)
    first = await runner(core, events).run(plan, "acme")

    assert statuses(first) == [ItemStatus.SENT] * 3, [o.error for o in first]
    assert [o.number for o in first] == [1, 2, 3]
    runs = started_runs(core)
    assert sorted(runs) == sorted(o.job_uid or "" for o in first) and set(runs.values()) == {1}
    # Each item reached Runway as planned: its district, year, files and parameters.
    sat_job = core.sandbox.call(lambda: core.sandbox.server.state.find_job(first[2].job_uid or ""))
    assert sat_job is not None and sat_job.params == {"TEST_TYPE": "SAT"}
    assert sorted(core.input_objects(first[0].job_uid or "")) == sorted(STAR)
    # Plain values for a front end: each item started, stepped through the pipeline, finished.
    assert [e.number for e in events if isinstance(e, ItemStarted)] == [1, 2, 3]
    assert {e.outcome.number for e in events if isinstance(e, ItemFinished)} == {1, 2, 3}
    steps = [e.event for e in events if isinstance(e, ItemStep) and e.number == 1]
    assert StepStarted(Step.START) in steps

    second = await run(core, *items)
    assert statuses(second) == [ItemStatus.ALREADY_SENT] * 3
    assert started_runs(core) == runs  # no job created, no file uploaded, nothing started
    assert [o.submission_id for o in second] == [o.submission_id for o in first]
    assert second[0].state is SubmissionState.WAITING
    assert second[0].reason.startswith("These files were already sent for Star Assessments")

    # Asked for, the same files are sent again: a new job each.
    third = await run(core, items[1], resend=True)
    assert statuses(third) == [ItemStatus.SENT] and third[0].job_uid not in runs


async def test_a_second_run_reads_only_the_files_history_cannot_vouch_for(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files sent and started before, unchanged (same size and modification time), are not
    read again to be skipped; one touched since is read (and, the same bytes, still skipped)."""
    items = (star_item(core.tmp), math_item(core.tmp))
    assert statuses(await run(core, *items)) == [ItemStatus.SENT] * 2
    read: list[Path] = []
    checked = preflight_file  # the run's own import of it is the one replaced

    async def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        read.append(path)
        return await checked(path, *args, **kwargs)

    monkeypatch.setattr(run_module, "preflight_file", counting)  # as the run calls it
    assert statuses(await run(core, *items)) == [ItemStatus.ALREADY_SENT] * 2
    assert read == []

    math = items[1].files["INPUT_FILE"]
    info = math.stat()
    os.utime(math, ns=(info.st_atime_ns, info.st_mtime_ns + 1000))  # touched: maybe changed
    again = await run(core, *items)
    assert statuses(again) == [ItemStatus.ALREADY_SENT] * 2 and read == [math]
    # Sending again on purpose reads every file.
    read.clear()
    assert statuses(await run(core, items[1], resend=True)) == [ItemStatus.SENT]
    assert read == [math]


async def test_one_items_failure_stops_no_other(core: Core) -> None:
    unknown = PlanItem("assessments/Nope", "district-a", "2026", {"INPUT_FILE": core.tmp / "x"})
    outcomes = await run(
        core,
        math_item(core.tmp, tenant="district-x"),  # Runway does not know this district
        unknown,
        sat_item(core.tmp, test_type=""),  # a required parameter left empty
        star_item(core.tmp),
    )
    assert statuses(outcomes) == [ItemStatus.FAILED] * 3 + [ItemStatus.SENT]
    refused = outcomes[0].error
    assert refused is not None and refused.code is ErrorCode.TENANT_NOT_FOUND
    # Refused by the submission's own check before anything is read or sent.
    fields = [o.error.fields if o.error is not None else () for o in outcomes[1:3]]
    assert all(isinstance(o.error, SubmissionInvalid) for o in outcomes[1:3])
    assert fields == [("bundle",), ("param:TEST_TYPE",)]
    assert list(started_runs(core).values()) == [1]


async def test_the_limit_holds_the_number_of_items_sent_at_once(core: Core) -> None:
    events: list[BatchEvent] = []
    items = (star_item(core.tmp), math_item(core.tmp), sat_item(core.tmp))
    outcomes = await runner(core, events, jobs=2).run(BatchPlan(core.tmp, "", items), "acme")
    assert statuses(outcomes) == [ItemStatus.SENT] * 3
    busy, most = 0, 0
    for event in events:
        busy += isinstance(event, ItemStarted) - isinstance(event, ItemFinished)
        most = max(most, busy)
    assert most == 2


async def test_the_same_files_twice_in_one_plan_are_sent_once(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    core.sandbox.faults.set("s3_delay", {"seconds": 1.0, "count": 1})  # the first is slow
    # The first item's files are read slowly too: the second's reading, done first, must not
    # make the second the one sent (the first one listed is sent; the later one is the copy).
    # Each item runs in its own task, which the item's ItemStarted names (a context variable).
    reading_for: contextvars.ContextVar[int] = contextvars.ContextVar("reading_for", default=0)
    check = preflight_file

    async def first_read_slowly(path: Path, slot: Any) -> Any:
        if reading_for.get() == 1:
            await asyncio.sleep(0.5)
        return await check(path, slot)

    def note_item(event: BatchEvent) -> None:
        if isinstance(event, ItemStarted):
            reading_for.set(event.number)

    monkeypatch.setattr(run_module, "preflight_file", first_read_slowly)
    item = math_item(core.tmp)
    sender = runner(core)
    sender.listener = note_item
    outcomes = await sender.run(BatchPlan(core.tmp, "acme", (item, item)), "acme")
    assert statuses(outcomes) == [ItemStatus.SENT, ItemStatus.ALREADY_SENT]
    assert list(started_runs(core).values()) == [1]


async def test_an_interrupted_item_is_resumed_and_never_started_twice(core: Core) -> None:
    item = math_item(core.tmp)
    request = core.request(
        "assessments/FastBridge_Math", item.files, school_year="2024", tenant="district-b"
    )
    sending: list[asyncio.Task[object]] = []

    def kill_when_uploading(event: PipelineEvent) -> None:
        # As a killed process: no failure is recorded, the record stays "uploading".
        if isinstance(event, StepStarted) and event.step is Step.UPLOAD:
            sending[0].cancel()

    sending.append(
        asyncio.ensure_future(core.pipeline(listener=kill_when_uploading).submit(request))
    )
    with pytest.raises(asyncio.CancelledError):
        await sending[0]
    (interrupted,) = core.history.submissions()
    assert interrupted.state == "uploading" and interrupted.job_uid is not None

    (outcome,) = await run(core, item)
    assert outcome.status is ItemStatus.RESUMED and outcome.new_job, outcome
    assert outcome.job_uid != interrupted.job_uid  # its upload links died with the process
    assert started_runs(core) == {interrupted.job_uid: 0, outcome.job_uid: 1}
    (again,) = await run(core, item)
    assert again.status is ItemStatus.ALREADY_SENT and again.submission_id == outcome.submission_id
    assert started_runs(core) == {interrupted.job_uid: 0, outcome.job_uid: 1}


async def test_a_lost_start_answer_is_never_sent_again(core: Core) -> None:
    def lose_start(event: BatchEvent) -> None:
        if isinstance(event, ItemStep) and event.event == StepStarted(Step.START):
            core.sandbox.faults.set("api_error", {"status": 503, "count": 1})

    item = math_item(core.tmp)
    plan = BatchPlan(core.tmp, "acme", (item,))
    batch = runner(core)
    batch.listener = lose_start
    (first,) = await batch.run(plan, "acme")
    assert first.status is ItemStatus.UNDECIDED and first.job_uid is not None
    assert "Couldn't tell whether Runway started job" in first.reason

    (second,) = await run(core, item)  # looks for its output; never starts it
    assert second.status is ItemStatus.UNDECIDED and second.submission_id == first.submission_id
    assert started_runs(core) == {first.job_uid: 0}

    # The lost start had reached Runway after all: its output settles it, still one run.
    await core.client.start_job(first.job_uid)
    await core.wait_for_sets(first.job_uid)
    (third,) = await run(core, item, resend=True)  # --resend never re-sends an unknown start
    assert third.status is ItemStatus.RESUMED and third.already_started
    assert started_runs(core) == {first.job_uid: 1}
    (fourth,) = await run(core, item)
    assert fourth.status is ItemStatus.ALREADY_SENT and fourth.state is SubmissionState.PROCESSED


async def test_a_second_run_beside_the_first_leaves_its_items_alone(core: Core) -> None:
    core.sandbox.faults.set("s3_delay", {"seconds": 2.0, "count": 1})
    item = math_item(core.tmp)
    uploading = asyncio.Event()

    def note_upload(event: BatchEvent) -> None:
        if isinstance(event, ItemStep) and event.event == StepStarted(Step.UPLOAD):
            uploading.set()  # the first run holds the item's claim, its upload held back

    batch = runner(core)
    batch.listener = note_upload
    first = asyncio.ensure_future(batch.run(BatchPlan(core.tmp, "acme", (item,)), "acme"))
    await asyncio.wait_for(uploading.wait(), 10)
    (beside,) = await run(core, item)
    assert beside.status is ItemStatus.BUSY and "Another batch run" in beside.reason
    (sent,) = await first
    assert sent.status is ItemStatus.SENT
    assert list(started_runs(core).values()) == [1]


async def test_waiting_finds_each_started_jobs_output(core: Core) -> None:
    outcomes = await run(core, star_item(core.tmp), math_item(core.tmp, tenant="district-x"))
    waited = await wait_for_outputs(core.client, core.history, "acme", outcomes, 20.0)
    assert waited[0].waited and waited[0].output_sets and waited[0].ok
    assert {s.job_uid for s in waited[0].output_sets} == {outcomes[0].job_uid}
    assert not waited[1].waited and waited[1].status is ItemStatus.FAILED
    # Recorded as every listing is: History shows the job as processed.
    record = core.history.get(outcomes[0].submission_id or 0)
    assert record is not None and record.sets
