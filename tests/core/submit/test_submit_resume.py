"""Resuming interrupted submissions: never a second start, new jobs only when they are needed."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from pathlib import Path

import core_helpers
import pytest
from core_helpers import Core, fail_next_start, md5_of, write_big_csv

from runway_desktop.api.errors import S3Error
from runway_desktop.core.submission_state import SubmissionState as SubmissionStatus
from runway_desktop.core.submission_state import derive_state
from runway_desktop.core.submit.checks import accept_all
from runway_desktop.core.submit.events import (
    FileProgress,
    Notice,
    Outcome,
    SubmissionResult,
)
from runway_desktop.core.submit.links import UploadLinkCache
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import HistoryStore

pytestmark = pytest.mark.anyio
# Fixtures shared with the other core suites (assigned, not imported: ruff F811).
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
MARKER = b"StudentID,Score\n999999,1\n"


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_big_csv(tmp_path_factory.mktemp("big") / "big.csv", 16)


def notices(core: Core) -> list[str]:
    return [e.text for e in core.events if isinstance(e, Notice)]


async def cancelled_during_upload(core: Core, path: Path) -> SubmissionResult:
    pipeline = core.pipeline(
        listener=lambda e: pipeline.cancel() if isinstance(e, FileProgress) else None
    )
    result = await pipeline.submit(core.map_request(path))
    assert result.outcome is Outcome.CANCELLED and result.job_uid is not None
    return result


def assert_superseded(core: Core, old: SubmissionResult, new: SubmissionResult) -> None:
    assert new.ok and new.new_job and new.job_uid not in (None, old.job_uid)
    assert new.job_uid is not None and old.job_uid is not None
    assert core.runs(old.job_uid) == []
    assert len(core.runs(new.job_uid)) == 1
    record = core.history.get(old.submission_id)
    assert record is not None and record.error_kind == "superseded"
    assert f"#{new.submission_id}" in (record.error_message or "")
    # only the new submission may be resumed
    assert not derive_state(record, now=utc_now()).offers_resume
    fresh = core.history.get(new.submission_id)
    assert fresh is not None and fresh.resumed_from == old.submission_id


async def test_expired_upload_link_then_resume_creates_a_new_job(core: Core) -> None:
    core.sandbox.faults.set("s3_expired", {"count": 1})
    pipeline = core.pipeline()
    request = core.map_request(core.csv())
    first = await pipeline.submit(request)

    assert first.outcome is Outcome.FAILED
    assert isinstance(first.error, S3Error) and first.error.needs_new_url
    assert "new upload links" in first.error.user_text()
    assert first.job_uid is not None and core.runs(first.job_uid) == []

    second = await pipeline.resume(first.submission_id, request)
    assert_superseded(core, first, second)
    assert any("expired" in text for text in notices(core))


@pytest.mark.parametrize("server_started", ["no", "running", "succeeded", "failed"])
async def test_a_lost_start_answer_never_leads_to_a_second_start(
    core: Core, server_started: str
) -> None:
    """The start's 503 hides whether it took. Runway's answer to a second start cannot tell a
    job that never ran from one whose run already failed (CONTRACT §4.4), so the app starts it
    never again: only an output set settles it."""
    core.sandbox.set_executor(
        delay_seconds=5.0 if server_started == "running" else 0.2,
        outcome="fail" if server_started == "failed" else "succeed",
    )
    request = core.map_request(core.csv())
    first = await core.pipeline(listener=fail_next_start(core)).submit(request)

    assert first.outcome is Outcome.UNDECIDED and first.job_uid is not None
    assert first.error is not None and first.error.possibly_started
    assert "Nothing was started again" in first.reason
    record = core.history.get(first.submission_id)
    assert record is not None and record.start_requested_at is not None
    assert derive_state(record, now=utc_now()).state is SubmissionStatus.START_UNCERTAIN
    assert core.runs(first.job_uid) == []
    if server_started != "no":
        # The lost answer's start did reach Runway: start it behind the client's back.
        await core.client.start_job(first.job_uid)
        if server_started == "succeeded":
            await core.wait_for_sets(first.job_uid)
        if server_started == "failed":
            await core.wait_for_runs(first.job_uid, "error")

    again = await core.pipeline().resume(first.submission_id, request)
    runs_before = 0 if server_started == "no" else 1
    assert len(core.runs(first.job_uid)) == runs_before
    assert core.job_uids() == [first.job_uid]
    if server_started == "succeeded":
        assert again.ok and again.already_started and not again.new_job
    else:
        assert again.outcome is Outcome.UNDECIDED and again.job_uid == first.job_uid
        assert "Nothing was started" in again.reason


async def test_a_listing_that_fails_is_not_read_as_no_output(core: Core) -> None:
    request = core.map_request(core.csv())
    first = await core.pipeline(listener=fail_next_start(core)).submit(request)
    assert first.outcome is Outcome.UNDECIDED and first.job_uid is not None
    core.sandbox.faults.set("api_error", {"status": 500})
    try:
        again = await core.pipeline().resume(first.submission_id, request)
    finally:
        core.sandbox.faults.clear()
    assert again.outcome is Outcome.UNDECIDED
    assert again.reason.startswith("Couldn't reach Runway")
    assert core.runs(first.job_uid) == []


async def test_resume_reuploads_only_missing_files_with_the_same_links(
    core: Core, samples_dir: Path, big_csv: Path
) -> None:
    star = samples_dir / "STAR"
    files = {
        "INPUT_FILE": big_csv,
        "INPUT_FILE_DS": star / "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
        "INPUT_FILE_SA": star / "SR_SkillArea_v1_sample_anonymized_file.csv",
    }
    # The big MAP Growth file stands in for STAR's overall file (what matters is its size):
    # sent anyway, as a user may. The resume below passes the same request, accepted again.
    request = core.request("assessments/STAR", files, school_year="2024")
    request = replace(request, accepted_mismatches=accept_all(files))
    pipeline = core.pipeline()
    task = asyncio.ensure_future(pipeline.submit(request))
    small = {"INPUT_FILE_DS", "INPUT_FILE_SA"}
    while not task.done():
        record = core.history.get(pipeline.submission_id or 0)
        done = {f.env_var for f in record.files if f.uploaded_at} if record else set()
        if small <= done:
            pipeline.cancel()
            break
        await asyncio.sleep(0.002)
    first = await task
    assert first.outcome is Outcome.CANCELLED and first.job_uid is not None
    record = core.history.get(first.submission_id)
    assert record is not None
    assert {f.env_var for f in record.files if f.uploaded_at} == small, "big file finished"

    # Mark what is already in the store: a re-upload would overwrite the markers.
    keys = core.input_keys(first.job_uid)
    store = core.sandbox.server.store
    core.sandbox.call(lambda: [store.put_bytes(keys[env], MARKER) for env in small])

    again = await pipeline.resume(first.submission_id, request)
    assert again.ok, again.error
    assert again.job_uid == first.job_uid and not again.new_job
    objects = core.input_objects(first.job_uid)
    assert objects["INPUT_FILE_DS"] == MARKER and objects["INPUT_FILE_SA"] == MARKER
    uploaded = objects["INPUT_FILE"]
    assert uploaded is not None
    assert hashlib.md5(uploaded, usedforsecurity=False).hexdigest() == md5_of(big_csv)
    assert len(core.runs(first.job_uid)) == 1


async def test_resume_after_restart_creates_a_new_job(core: Core, big_csv: Path) -> None:
    first = await cancelled_during_upload(core, big_csv)
    # App restart: a new history store on the same file and an empty link cache.
    history = HistoryStore(core.history.path)
    try:
        pipeline = core.pipeline(links=UploadLinkCache(), history=history)
        second = await pipeline.resume(first.submission_id, core.map_request(big_csv))
    finally:
        history.close()
    assert_superseded(core, first, second)
    assert any("upload links of the first job have expired" in t for t in notices(core))


async def test_resume_with_a_changed_file_creates_a_new_job(core: Core) -> None:
    path = core.csv()
    first = await cancelled_during_upload(core, path)
    path.write_bytes(path.read_bytes() + b"605003,40\n")

    second = await core.pipeline().resume(first.submission_id, core.map_request(path))
    assert_superseded(core, first, second)
    assert any("scores.csv changed since it was first sent" in t for t in notices(core))
    assert second.job_uid is not None
    assert core.input_objects(second.job_uid) == {"INPUT_FILE": path.read_bytes()}


async def test_resume_of_a_started_submission_never_starts_again(core: Core) -> None:
    core.sandbox.set_executor(outcome="fail")  # a failed run: "start" would re-run it
    request = core.map_request(core.csv())
    first = await core.pipeline().submit(request)
    assert first.ok and first.job_uid is not None
    assert await core.wait_runs_finished(first.job_uid) == ["error"]

    again = await core.pipeline().resume(first.submission_id, request)
    assert again.ok and again.already_started and again.job_uid == first.job_uid
    assert core.runs(first.job_uid) == ["error"]


async def test_resume_of_a_superseded_submission_is_refused(core: Core) -> None:
    path = core.csv()
    first = await cancelled_during_upload(core, path)
    path.write_bytes(path.read_bytes() + b"605003,40\n")
    second = await core.pipeline().resume(first.submission_id, core.map_request(path))
    assert second.ok and second.new_job
    with pytest.raises(ValueError, match=r"superseded"):
        await core.pipeline().resume(first.submission_id, core.map_request(path))
    assert len(core.job_uids()) == 2
    assert second.job_uid is not None and len(core.runs(second.job_uid)) == 1


async def test_resume_when_no_job_was_created_says_why_honestly(core: Core) -> None:
    core.sandbox.faults.set("api_error", {"status": 504, "count": 1})
    request = core.map_request(core.csv())
    first = await core.pipeline().submit(request)
    assert first.outcome is Outcome.FAILED and first.job_uid is None

    second = await core.pipeline().resume(first.submission_id, request)
    assert second.ok and second.job_uid is not None
    assert len(core.runs(second.job_uid)) == 1
    texts = notices(core)
    assert texts and not any("expired" in t for t in texts), texts
