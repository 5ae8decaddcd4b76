"""The one rule for files that may be the wrong ones, in the pipeline against the sandbox:
refused until the request says the user accepted them, and the choice kept in History."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import core_helpers
import pytest
from core_helpers import Core, write_big_csv

from runway_desktop.core.submit.checks import SEND_ANYWAY_PREFIX, accept_all
from runway_desktop.core.submit.events import Notice, Outcome, SubmissionInvalid
from runway_desktop.history.records import SubmissionRecord

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core

STAR = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


def map_sample(samples_dir: Path) -> Path:
    return samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"


def check_message(record: SubmissionRecord | None) -> str:
    assert record is not None
    [check] = [s for s in record.steps if s.step == "CHECK"]
    assert check.status == "done"
    return check.message or ""


async def test_another_bundles_file_is_refused_and_named_until_accepted(
    core: Core, samples_dir: Path
) -> None:
    request = core.request("assessments/STAR", {"INPUT_FILE": map_sample(samples_dir)})
    refused = await core.pipeline().submit(request)

    assert refused.outcome is Outcome.FAILED
    assert isinstance(refused.error, SubmissionInvalid)
    [mismatch] = [m for m in refused.error.mismatches if m.kind == "content"]
    assert mismatch.key == "INPUT_FILE:content" and mismatch.run_will_fail
    assert mismatch.message.startswith("This looks like a MAP Growth")
    assert refused.error.problems[0].field == "file:INPUT_FILE"
    assert core.job_uids() == [] and core.history.submissions() == []

    # Accepting the year alone does not pass the content: each key is its own decision.
    partial = await core.pipeline().submit(
        replace(request, accepted_mismatches=("INPUT_FILE:year",))
    )
    assert partial.outcome is Outcome.FAILED and core.job_uids() == []

    core.events.clear()
    sent = await core.pipeline().submit(
        replace(request, accepted_mismatches=accept_all(request.files))
    )
    assert sent.outcome is Outcome.STARTED, sent.error
    message = check_message(core.history.get(sent.submission_id))
    assert message.startswith(SEND_ANYWAY_PREFIX)
    assert f"{map_sample(samples_dir).name}: {mismatch.message}" in message
    notices = [e.text for e in core.events if isinstance(e, Notice)]
    assert any(t.startswith("Sending anyway, as you chose:") for t in notices), notices


async def test_a_wrong_school_year_is_refused_for_each_file_until_accepted(
    core: Core, samples_dir: Path
) -> None:
    files = {env: samples_dir / "STAR" / name for env, name in STAR.items()}
    request = core.request("assessments/STAR", files, school_year="2026")
    refused = await core.pipeline().submit(request)
    assert isinstance(refused.error, SubmissionInvalid)
    assert sorted(m.key for m in refused.error.mismatches) == [
        "INPUT_FILE:year",
        "INPUT_FILE_DS:year",
        "INPUT_FILE_SA:year",
    ]
    assert not any(m.run_will_fail for m in refused.error.mismatches)
    assert "2023–24" in refused.error.problems[0].message
    assert "2025–26" in refused.error.problems[0].message

    one = replace(request, accepted_mismatches=("INPUT_FILE:year",))
    still = await core.pipeline().submit(one)
    assert isinstance(still.error, SubmissionInvalid)
    assert sorted(m.key for m in still.error.mismatches) == [
        "INPUT_FILE_DS:year",
        "INPUT_FILE_SA:year",
    ]

    keys = ("INPUT_FILE:year", "INPUT_FILE_DS:year", "INPUT_FILE_SA:year")
    sent = await core.pipeline().submit(replace(request, accepted_mismatches=keys))
    assert sent.ok, sent.error
    assert "you chose 2025–26" in check_message(core.history.get(sent.submission_id))


async def test_the_right_year_and_file_need_nothing_accepted(core: Core, samples_dir: Path) -> None:
    files = {env: samples_dir / "STAR" / name for env, name in STAR.items()}
    sent = await core.pipeline().submit(core.request("assessments/STAR", files, school_year="2024"))
    assert sent.ok, sent.error
    assert check_message(core.history.get(sent.submission_id)) == "3 file(s) checked"


async def test_an_unrecognised_file_waits_for_a_decision_too(core: Core) -> None:
    unknown = core.csv("scores.csv", b"StudentID,Score\n605000,10\n605001,20\n")
    request = core.map_request(unknown)
    refused = await core.pipeline().submit(request)
    assert isinstance(refused.error, SubmissionInvalid)
    [mismatch] = refused.error.mismatches
    assert mismatch.key == "INPUT_FILE:content" and not mismatch.run_will_fail
    assert mismatch.message.startswith("This does not look like the MAP Growth")


async def test_a_resume_keeps_the_choice_made_when_sending(
    core: Core, samples_dir: Path, tmp_path: Path
) -> None:
    """Resume from History builds its request from the record, without the choice: the
    record's "Sent anyway" step carries it, for exactly the words the user accepted."""
    big = write_big_csv(tmp_path / "big.csv", 16)
    files = {"INPUT_FILE": big}
    request = core.request("assessments/STAR", files, school_year="2024")
    pipeline = core.pipeline()
    task = asyncio.ensure_future(
        pipeline.submit(replace(request, accepted_mismatches=accept_all(files)))
    )
    # Polls the sandbox's state (no event to wait on): cancel once the job exists.
    while not task.done() and (pipeline.submission_id is None or not core.job_uids()):  # noqa: ASYNC110
        await asyncio.sleep(0.002)
    pipeline.cancel()
    first = await task
    assert first.outcome is Outcome.CANCELLED, first.error
    assert check_message(core.history.get(first.submission_id)).startswith(SEND_ANYWAY_PREFIX)

    again = await pipeline.resume(first.submission_id, request)  # no accepted_mismatches
    assert again.ok, again.error
    # A new submission of the same file still asks.
    fresh = await core.pipeline().submit(request)
    assert isinstance(fresh.error, SubmissionInvalid) and fresh.error.mismatches
