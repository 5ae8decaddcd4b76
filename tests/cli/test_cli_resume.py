"""``resume`` in the CLI: the same plan as History's Resume, so a lost start answer is settled
by looking for output, never by a second start."""

from __future__ import annotations

import asyncio
from pathlib import Path

import core_helpers
import pytest
from core_helpers import Core, fail_next_start
from test_cli import make_runner

from runway_desktop.base.paths import data_dir
from runway_desktop.core.session import HISTORY_FILE_NAME
from runway_desktop.core.submission_state import derive_state
from runway_desktop.core.submit.events import Outcome, SubmissionResult
from runway_desktop.history.records import SubmissionRecord, utc_now
from runway_desktop.history.store import HistoryStore
from runway_desktop.sandbox.server import Sandbox

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


async def submit_with_lost_start(core: Core) -> SubmissionResult:
    """A submission whose start answer was lost, recorded in the History the CLI reads."""
    history = HistoryStore(data_dir() / HISTORY_FILE_NAME)
    try:
        pipeline = core.pipeline(history=history, listener=fail_next_start(core))
        result = await pipeline.submit(core.map_request(core.csv()))
    finally:
        history.close()
    assert result.outcome is Outcome.UNDECIDED and result.job_uid is not None
    return result


def record_of(result: SubmissionResult) -> SubmissionRecord:
    history = HistoryStore(data_dir() / HISTORY_FILE_NAME)
    try:
        record = history.get(result.submission_id)
    finally:
        history.close()
    assert record is not None
    return record


async def test_resume_after_a_lost_start_answer_looks_and_never_starts(
    core: Core, capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path
) -> None:
    first = await submit_with_lost_start(core)
    assert first.job_uid is not None
    cli = make_runner(capsys, sandbox, tmp_path)

    result = await asyncio.to_thread(cli, "--json", "history", "resume", str(first.submission_id))
    assert result.code == 4, result.err
    error = result.json()["error"]
    assert error["message"].startswith("Couldn't tell whether Runway started job")
    assert f"runway-desktop-cli history resume {first.submission_id}" in error["next_step"]
    assert core.runs(first.job_uid) == []  # asked twice, started never
    # History in the CLI says it in the words the History screen uses.
    shown = await asyncio.to_thread(cli, "--json", "history", "show", str(first.submission_id))
    assert shown.code == 0 and shown.json()["state"] == "start_uncertain"
    assert shown.json()["label"] == derive_state(record_of(first), now=utc_now()).label
    listed = await asyncio.to_thread(cli, "history", "list")
    assert f"#{first.submission_id}" in listed.out and shown.json()["label"] in listed.out

    # The lost start had reached Runway after all: its output settles it.
    await core.client.start_job(first.job_uid)
    await core.wait_for_sets(first.job_uid)
    result = await asyncio.to_thread(cli, "--json", "history", "resume", str(first.submission_id))
    assert result.code == 0, result.err
    assert result.json()["job_uid"] == first.job_uid
    assert "was not started again" in result.err
    waited = await asyncio.to_thread(
        cli, "--json", "history", "resume", str(first.submission_id), "--wait", "--timeout", "20"
    )
    assert waited.code == 0, waited.err
    assert [s["uid"] for s in waited.json()["output_sets"]] == [
        s.uid for s in await core.wait_for_sets(first.job_uid)
    ]
    shown = await asyncio.to_thread(cli, "--json", "history", "show", str(first.submission_id))
    assert shown.json()["state"] in ("processed", "loaded")
    assert shown.json()["output_sets"] == [s["uid"] for s in waited.json()["output_sets"]]
    assert len(core.runs(first.job_uid)) == 1


async def test_resume_of_an_unknown_submission_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path
) -> None:
    cli = make_runner(capsys, sandbox, tmp_path)
    result = await asyncio.to_thread(cli, "history", "resume", "4242")
    assert result.code == 2
    assert "There is no submission #4242 on this computer." in result.err
