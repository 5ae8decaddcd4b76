"""``submit`` refuses a file that looks wrong (exit 5, naming what it looks like) unless
``--accept-mismatch`` is given; then it sends, says so, and History records the choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import STAR_FILES, TARGET, CliRunner, make_runner

from runway_desktop.base.paths import data_dir
from runway_desktop.core.session import HISTORY_FILE_NAME
from runway_desktop.core.submission_state import NO_OUTPUT_CAUSE
from runway_desktop.history.store import HistoryStore
from runway_desktop.sandbox.server import Sandbox


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def check_step_message(submission_id: int) -> str:
    history = HistoryStore(data_dir() / HISTORY_FILE_NAME)
    try:
        record = history.get(submission_id)
    finally:
        history.close()
    assert record is not None
    return next(s.message or "" for s in record.steps if s.step == "CHECK")


def test_another_bundles_file_exits_5_naming_it_then_goes_with_accept_mismatch(
    cli: CliRunner, sandbox: Sandbox, samples_dir: Path
) -> None:
    map_file = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    args = ["submit", *TARGET, "--bundle", "assessments/STAR", "--file", f"INPUT_FILE={map_file}"]
    refused = cli("--json", *args)
    assert refused.code == 5, refused.err
    error = refused.json()["error"]
    assert "This looks like a MAP Growth" in error["message"]
    assert "--accept-mismatch" in error["next_step"]
    assert "most likely fail" in error["next_step"]  # said plainly: no output would come
    assert sandbox.call(lambda: list(sandbox.server.state.jobs)) == []

    # The sandbox fails the run as Runway would (STAR's columns are not in it): --wait ends
    # without output and says the likely cause.
    sent = cli("--json", *args, "--accept-mismatch", "--wait", "--timeout", "6")
    assert sent.code == 4, sent.err
    document = sent.json()
    assert "Sending anyway, as you chose:" in sent.err and "MAP Growth" in sent.err
    assert NO_OUTPUT_CAUSE in document["error"]["message"]
    job = sandbox.call(lambda: sandbox.server.state.find_job(document["job_uid"]))
    assert job is not None and [run.status for run in job.runs] == ["error"]
    message = check_step_message(document["submission_id"])
    assert message.startswith("Sent anyway: ") and "This looks like a MAP Growth" in message


def test_a_wrong_school_year_exits_5_then_goes_with_accept_mismatch(
    cli: CliRunner, sandbox: Sandbox, samples_dir: Path
) -> None:
    files = [f"--file={env}={samples_dir / 'STAR' / name}" for env, name in STAR_FILES.items()]
    args = ["submit", *TARGET, "--bundle", "assessments/STAR", *files]
    refused = cli(*args)
    assert refused.code == 5
    # Every file is named, not "3 things need fixing." alone.
    for name in STAR_FILES.values():
        assert f"{name}: This file's school year is 2023–24; you chose 2025–26." in refused.err
    assert sandbox.call(lambda: list(sandbox.server.state.jobs)) == []

    sent = cli("--json", *args, "--accept-mismatch")
    assert sent.code == 0, sent.err
    summary = json.loads(sent.out)
    job = sandbox.call(lambda: sandbox.server.state.find_job(summary["job_uid"]))
    assert job is not None and job.school_year == "2026"
    assert "you chose 2025–26" in check_step_message(summary["submission_id"])


def test_accept_mismatch_does_not_pass_a_file_that_cannot_be_sent(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = cli(
        "submit", *TARGET, "--bundle", "assessments/MAP_Growth",
        "--file", f"INPUT_FILE={empty}", "--accept-mismatch",
    )  # fmt: skip
    assert result.code == 5 and "empty" in result.err
    assert sandbox.call(lambda: list(sandbox.server.state.jobs)) == []
