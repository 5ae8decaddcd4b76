"""Two senders on one computer: a ``submit`` in a real child process and a second CLI beside
it. The second never resumes what the first is sending; once the first is killed, the
submission reads "interrupted" at once and its resume sends it exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import core_helpers
import pytest
from core_helpers import Core
from test_cli import TARGET, make_runner, write_profile

from runway_desktop.base.paths import data_dir
from runway_desktop.core.session import HISTORY_FILE_NAME
from runway_desktop.core.submit.send_claim import BUSY_REASON
from runway_desktop.history.records import SubmissionRecord
from runway_desktop.history.store import HistoryStore
from runway_desktop.sandbox.server import Sandbox

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL"),
]
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core

# Long enough to look at the first sender twice while its upload's answer is held back.
HELD_SECONDS = 30.0


def start_submit(profile_file: Path, csv: Path) -> subprocess.Popen[str]:
    argv = [
        sys.executable, "-m", "runway_desktop.cli", "--profile-file", str(profile_file),
        "submit", *TARGET, "--bundle", "assessments/MAP_Growth", "--file", f"INPUT_FILE={csv}",
    ]  # fmt: skip
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )


def uploading_record(child: subprocess.Popen[str], timeout: float = 30) -> SubmissionRecord:
    """The child's submission once its upload has begun (read as another process would)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        path = data_dir() / HISTORY_FILE_NAME
        if path.exists():
            history = HistoryStore(path)
            try:
                records = list(history.all_submissions())
            finally:
                history.close()
            found = [r for page in records for r in page]
            if found and found[0].state == "uploading":
                return found[0]
        time.sleep(0.1)
    raise AssertionError("the child never began uploading")


async def test_a_second_cli_never_resumes_what_another_process_is_sending(
    core: Core, capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.faults.set("s3_delay", {"seconds": HELD_SECONDS, "count": 1})
    cli = make_runner(capsys, sandbox, tmp_path)
    profile_file = write_profile(sandbox, tmp_path / "child-profile.json")
    child = start_submit(profile_file, core.csv())
    try:
        record = await asyncio.to_thread(uploading_record, child)
        sid = str(record.id)

        # Beside it, the same submission reads "Sending", and a resume does nothing at all.
        shown = await asyncio.to_thread(cli, "--json", "history", "show", sid)
        assert shown.code == 0 and shown.json()["state"] == "sending", shown.out
        resumed = await asyncio.to_thread(cli, "--json", "history", "resume", sid)
        assert resumed.code == 4, resumed.err
        assert resumed.json()["error"]["message"] == BUSY_REASON
        assert len(core.job_uids()) == 1
        assert core.runs(core.job_uids()[0]) == []

        os.kill(child.pid, signal.SIGKILL)
        await asyncio.to_thread(child.wait, 10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)

    # The OS dropped the claim with the process: "interrupted" at once, and Resume sends it.
    shown = await asyncio.to_thread(cli, "--json", "history", "show", sid)
    assert shown.json()["state"] == "interrupted", shown.out
    sandbox.faults.clear()
    resumed = await asyncio.to_thread(cli, "--json", "history", "resume", sid)
    assert resumed.code == 0, resumed.err
    started = [uid for uid in core.job_uids() if core.runs(uid)]
    assert started == [resumed.json()["job_uid"]]
    assert [len(core.runs(uid)) for uid in started] == [1]
