"""Checks beside the uploads, against the sandbox: a large file's start is checked before any
byte is sent, the rest while it is sent, and no job starts whose files failed a check."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import core_helpers
import pytest
from core_helpers import CSV, MAP_HEADER, Core, md5_of, write_big_csv

from runway_desktop.bundles.preflight import QUICK_LOOK_BYTES, PreflightReport, preflight_file
from runway_desktop.core.submission_state import SubmissionState as S
from runway_desktop.core.submission_state import derive_state
from runway_desktop.core.submit import whole_file_checks
from runway_desktop.core.submit.checks import checked_report
from runway_desktop.core.submit.events import (
    FileProgress,
    FileScanned,
    FilesChecked,
    Outcome,
    PipelineEvent,
    Step,
    StepFinished,
    StepStarted,
    SubmissionInvalid,
)
from runway_desktop.history.records import utc_now

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
BIG_MB = 12
# What the quick look reads must be well short of the files here: the rest waits for later.
assert BIG_MB * 1_000_000 > 4 * QUICK_LOOK_BYTES


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_big_csv(tmp_path_factory.mktemp("big") / "big.csv", BIG_MB)


@pytest.fixture(scope="module")
def quote_never_closed(tmp_path_factory: pytest.TempPathFactory, big_csv: Path) -> Path:
    """A valid start (the quick look passes) and, far down, a quote that is never closed: the
    csv module reads the rest as one cell until its field limit, so only a whole-file read
    finds it."""
    path = tmp_path_factory.mktemp("bad") / "quote_far_down.csv"
    width = MAP_HEADER.count(b",") + 1
    plain = b",".join([b"605999"] + [b"x"] * (width - 1)) + b"\n"
    with path.open("wb") as out:
        out.write(big_csv.read_bytes())
        out.write(b'605998,"this quote is never closed\n')
        out.write(plain * (300_000 // len(plain)))  # no quote after it: past the field limit
    return path


def content_of(path: Path) -> bytes:
    return path.read_bytes()


def data_rows(path: Path) -> int:
    return content_of(path).count(b"\n") - 1  # one row a line, after the header


def kinds(events: list[PipelineEvent]) -> list[str]:
    return [type(e).__name__ for e in events]


def first_index(events: list[PipelineEvent], found: Callable[[PipelineEvent], bool]) -> int:
    return next(i for i, e in enumerate(events) if found(e))


def sent_bytes(event: PipelineEvent) -> bool:
    return isinstance(event, FileProgress) and event.progress.bytes_done > 0


def hold_until(event: asyncio.Event, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole-file checks begin only once ``event`` is set (within 20 s, else they fail)."""

    async def held(*args: Any, **kwargs: Any) -> PreflightReport:
        await asyncio.wait_for(event.wait(), timeout=20)
        return await preflight_file(*args, **kwargs)

    monkeypatch.setattr(whole_file_checks, "preflight_file", held)


def binary_start(core: Core) -> dict[str, Path]:
    data = CSV[:200] + b"\x00\x01\x02" + CSV[200:]
    return {"INPUT_FILE": core.csv("binary.csv", data * (BIG_MB * 1_000_000 // len(data)))}


def another_bundles_file(core: Core, big: Path) -> dict[str, Path]:
    return {"INPUT_FILE": big}  # a MAP Growth export in STAR's slot


@pytest.mark.parametrize("case", ["binary-start", "another-bundle"])
async def test_a_failed_quick_check_sends_no_byte_and_makes_no_job(
    core: Core, big_csv: Path, case: str
) -> None:
    if case == "binary-start":
        request = core.request("assessments/MAP_Growth", binary_start(core))
    else:
        request = core.request("assessments/STAR", another_bundles_file(core, big_csv))
    result = await core.pipeline().submit(request)

    assert result.outcome is Outcome.FAILED and isinstance(result.error, SubmissionInvalid)
    assert result.error.fields == ("file:INPUT_FILE",)
    assert core.job_uids() == [] and core.history.submissions() == []
    # Nothing was sent, and nothing was read further than the quick look.
    assert not any(isinstance(e, (FileProgress, FileScanned)) for e in core.events)
    checked = next(e for e in core.events if isinstance(e, FilesChecked))
    assert [r.md5 for r in checked.reports.values()] == [""]  # not read to its end either


@pytest.mark.parametrize("found", ["on-its-own-time", "before-the-job-is-made", "while-sending"])
async def test_a_problem_far_down_fails_before_start(
    core: Core, quote_never_closed: Path, found: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned, bytes_out = asyncio.Event(), asyncio.Event()
    if found == "before-the-job-is-made":  # signing in waits for the check's end
        tokens, sign_in = core.client.tokens, core.client.tokens.get_token

        async def after_the_check() -> str:
            await asyncio.wait_for(scanned.wait(), timeout=20)
            return await sign_in()

        monkeypatch.setattr(tokens, "get_token", after_the_check)
    if found == "while-sending":  # the check begins once the first bytes went out
        hold_until(bytes_out, monkeypatch)

    def listener(event: PipelineEvent) -> None:
        if isinstance(event, FileScanned):
            scanned.set()
        if sent_bytes(event):
            bytes_out.set()

    result = await core.pipeline(listener=listener).submit(core.map_request(quote_never_closed))

    assert result.outcome is Outcome.FAILED
    error = result.error
    assert isinstance(error, SubmissionInvalid) and error.fields == ("file:INPUT_FILE",)
    assert "quote mark" in error.message and "is never closed" in error.message
    assert error.message.startswith(f"{quote_never_closed.name}: Around row ")
    # Wherever the check ended, nothing was ever started.
    assert all(core.runs(uid) == [] for uid in core.job_uids())
    assert not any(isinstance(e, StepStarted) and e.step is Step.START for e in core.events)
    failed = [e for e in core.events if isinstance(e, StepFinished) and e.status == "failed"]
    assert failed[-1].step is Step.CHECK and failed[-1].message == error.message
    record = core.history.get(result.submission_id)
    assert record is not None and record.state == "failed" and record.started_at is None
    assert record.start_requested_at is None and record.error_message == error.message
    [whole] = [s for s in record.steps if s.step == "CHECK_FILE"]
    assert whole.status == "failed" and "is never closed" in (whole.message or "")
    if found == "before-the-job-is-made":
        assert core.job_uids() == [] and record.job_uid is None
        assert not any(isinstance(e, FileProgress) for e in core.events)
    # History and the CLI say what it is, in words that never advise starting those uploads.
    derived = derive_state(record, now=utc_now())
    assert derived.state is (S.FILE_REFUSED if record.job_uid else S.NOT_SENT)
    assert not derived.offers_resume and derived.offers_resubmit_first
    if found == "while-sending":
        assert result.job_uid is not None and core.job_uids() == [result.job_uid]


async def test_the_recorded_md5_is_the_md5_of_the_file(core: Core, big_csv: Path) -> None:
    result = await core.pipeline().submit(core.map_request(big_csv))
    assert result.ok and result.job_uid is not None, result.error

    checked = next(e for e in core.events if isinstance(e, FilesChecked))
    assert checked.reports["INPUT_FILE"].md5 == ""  # not hashed before sending
    record = core.history.get(result.submission_id)
    assert record is not None
    [sent] = record.files
    assert sent.md5 == md5_of(big_csv)  # hashed while sent, recorded before the start
    assert sent.etag == sent.md5 and sent.etag_checked
    assert core.input_objects(result.job_uid) == {"INPUT_FILE": content_of(big_csv)}
    assert len(core.runs(result.job_uid)) == 1


async def test_the_upload_begins_before_the_whole_file_check_ends(
    core: Core, big_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole-file check is held until the file's first bytes have gone out: were the
    upload waiting for the check, neither would ever finish."""
    bytes_out = asyncio.Event()
    hold_until(bytes_out, monkeypatch)
    pipeline = core.pipeline(listener=lambda e: bytes_out.set() if sent_bytes(e) else None)
    result = await pipeline.submit(core.map_request(big_csv))

    assert result.ok, result.error
    events = core.events
    first_sent = first_index(events, sent_bytes)
    scanned = first_index(events, lambda e: isinstance(e, FileScanned))
    started = first_index(events, lambda e: isinstance(e, StepStarted) and e.step is Step.START)
    assert first_sent < scanned < started, kinds(events)
    report = events[scanned]
    assert isinstance(report, FileScanned) and report.report.whole_file
    assert report.report.row_count == data_rows(big_csv)


async def test_the_quick_check_reads_a_large_files_start_and_a_small_file_whole(
    core: Core, big_csv: Path
) -> None:
    slot = core.bundle("assessments/MAP_Growth").file("INPUT_FILE")
    assert slot is not None
    small = core.csv()
    # Blank lines past the quick look, then the rows: only the whole file can say it has rows.
    late_rows = core.csv("late_rows.csv", MAP_HEADER + b"\n" * (2 * QUICK_LOOK_BYTES) + CSV)

    whole = await checked_report(small, slot, None, quick=True)
    start = await checked_report(big_csv, slot, None, quick=True)
    blank_start = await checked_report(late_rows, slot, None, quick=True)

    assert whole.whole_file and whole.ok and whole.md5 == md5_of(small)
    assert not start.whole_file and start.ok and start.md5 == ""
    assert 0 < start.row_count < data_rows(big_csv) and start.content is not None
    assert not blank_start.whole_file and blank_start.row_count == 0
    assert blank_start.ok, blank_start.errors  # "no data rows" waits for the whole file


async def test_a_cancel_while_waiting_for_the_checks_never_starts(
    core: Core, big_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The uploads end, the whole-file check is still running (held here): Cancel ends the
    wait at once, and the job is never started."""
    hold_until(asyncio.Event(), monkeypatch)  # never released: only the cancel ends it
    pipeline = core.pipeline(
        listener=lambda e: pipeline.cancel() if waiting_for_checks(e) else None
    )
    result = await asyncio.wait_for(pipeline.submit(core.map_request(big_csv)), timeout=15)

    assert result.outcome is Outcome.CANCELLED and result.job_uid is not None
    assert core.runs(result.job_uid) == []
    assert not any(isinstance(e, StepStarted) and e.step is Step.START for e in core.events)
    assert ("CHECK", "cancelled") in [
        (e.step.name, e.status) for e in core.events if isinstance(e, StepFinished)
    ]
    record = core.history.get(result.submission_id)
    assert record is not None and record.state == "cancelled"
    [whole] = [s for s in record.steps if s.step == "CHECK_FILE"]
    assert whole.status == "cancelled"
    assert all(f.uploaded_at is not None and f.md5 == md5_of(big_csv) for f in record.files)


def waiting_for_checks(event: PipelineEvent) -> bool:
    """The second start of the CHECK step: the uploads are done, the start waits."""
    return isinstance(event, StepStarted) and event.step is Step.CHECK and bool(event.detail)
