"""The practice server keeps its jobs and output sets in its data directory across restarts
(sandbox/persistence.py), as the desktop app needs: yesterday's practice submission still
finds its results today, and a run cut short by a stop finishes at the next start."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from core_helpers import CSV as MAP_GROWTH_CSV

from runway_desktop.cli.main import main
from runway_desktop.core.practice_server import PracticeServer
from runway_desktop.sandbox.persistence import STATE_FILE_NAME, StateKeeper
from runway_desktop.sandbox.server import SandboxServer
from runway_desktop.sandbox.state import SandboxState

TARGET = ["--partner", "acme", "--tenant", "district-a", "--year", "2026"]

# Long enough that a stop right after the start interrupts the run.
EXECUTOR_DELAY = 3.0


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class CliRunner:
    capsys: pytest.CaptureFixture[str]
    profile_file: Path

    def __call__(self, *args: str) -> Run:
        code = main(["--profile-file", str(self.profile_file), *args])
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)


def started(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[PracticeServer, CliRunner]:
    server = PracticeServer(data_dir, executor_delay=EXECUTOR_DELAY)
    profile = server.start()
    profile_file = tmp_path / f"profile-{server.pid}.json"
    profile_file.write_text(json.dumps(profile), encoding="utf-8")
    return server, CliRunner(capsys, profile_file)


def set_uids_by_job(cli: CliRunner) -> dict[str, list[str]]:
    listed = cli("--json", "outputs", "list", "--partner", "acme")
    assert listed.code == 0, listed.err
    found: dict[str, list[str]] = {}
    for output_set in listed.json():
        found.setdefault(output_set["jobUid"], []).append(output_set["uid"])
    return found


def wait_for_job_sets(cli: CliRunner, job_uid: str, seconds: float = 30) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if uids := set_uids_by_job(cli).get(job_uid):
            return uids
        time.sleep(0.3)
    raise AssertionError(f"no output set for job {job_uid}")


def test_jobs_and_sets_outlive_a_restart_and_a_cut_run_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    map_file = tmp_path / "map_growth_2025-26.csv"
    map_file.write_bytes(MAP_GROWTH_CSV)
    data_dir = tmp_path / "sandbox"
    submit = ["submit", *TARGET, "--bundle", "assessments/MAP_Growth", "--file",
              f"INPUT_FILE={map_file}"]  # fmt: skip
    server, cli = started(data_dir, tmp_path, capsys)
    try:
        first = cli(*submit)
        assert first.code == 0, first.err
        done_job = first.out.strip()
        done_sets = wait_for_job_sets(cli, done_job)
        second = cli(*submit)  # started; the stop below comes before its run ends
        assert second.code == 0, second.err
        cut_job = second.out.strip()
    finally:
        server.stop()
    assert server.returncode == 0
    saved = json.loads((data_dir / STATE_FILE_NAME).read_text(encoding="utf-8"))
    runs = {job["uid"]: [r["status"] for r in job["runs"]] for job in saved["jobs"]}
    assert runs[done_job] == ["success"] and runs[cut_job] in (["new"], ["running"])

    server, cli = started(data_dir, tmp_path, capsys)
    try:
        assert set_uids_by_job(cli)[done_job] == done_sets  # same sets, same uids
        assert wait_for_job_sets(cli, cut_job)  # the cut run was picked up again
        folder = tmp_path / "downloads"
        got = cli("--json", "outputs", "download", *done_sets, "--to", str(folder),
                  "--partner", "acme")  # fmt: skip
        assert got.code == 0, got.err  # the set's objects were kept too
        assert any(p.suffix == ".jsonl" for p in folder.rglob("*"))
    finally:
        server.stop()


def test_an_unreadable_state_file_is_set_aside_and_the_sandbox_starts_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / STATE_FILE_NAME).write_text("{not json", encoding="utf-8")
    state = SandboxState()
    StateKeeper(tmp_path, state).load()
    assert state.jobs == {}
    assert (tmp_path / f"{STATE_FILE_NAME}.unreadable").read_text() == "{not json"
    assert "could not be read" in capsys.readouterr().err


def test_a_temporary_sandbox_keeps_nothing() -> None:
    server = SandboxServer()
    try:
        assert server.keeper is None  # its data directory is deleted at stop anyway
    finally:
        shutil.rmtree(server.data_dir, ignore_errors=True)
