"""``batch plan`` and ``batch run`` end to end against the in-process sandbox: a plan a person
edits, sent once; run again, nothing is sent twice; a killed run continues where it stopped."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import core_helpers
import pytest
from core_helpers import Core
from test_cli import CliRunner, make_runner, write_profile
from test_cli_two_senders import uploading_record

from runway_desktop.base.resources import samples_dir
from runway_desktop.sandbox.server import Sandbox

STAR = (
    "SR_sample_anonymized_file.csv",
    "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "SR_SkillArea_v1_sample_anonymized_file.csv",
)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def drop_folder(root: Path) -> Path:
    """district-a: STAR's three files (2023–24); district-b: FastBridge Early Math (2023–24)
    and a SAT export (its rows name no year); at the top, a note that is no vendor file."""
    (root / "district-a").mkdir(parents=True)
    (root / "district-b").mkdir()
    for name in STAR:
        shutil.copyfile(samples_dir() / "STAR" / name, root / "district-a" / name)
    shutil.copyfile(
        samples_dir() / "FastBridge_Math" / "sample_anonymized_file.csv",
        root / "district-b" / "math.csv",
    )
    shutil.copyfile(
        samples_dir() / "PSAT_SAT" / "sample_anonymized_file_sat.csv",
        root / "district-b" / "sat.csv",
    )
    (root / "readme.txt").write_text("Spring uploads, see the shared drive.\n")
    return root


def jobs(sandbox: Sandbox) -> dict[str, tuple[str, dict[str, Any], int]]:
    """job uid -> (tenant, params, runs): what Runway received and how often it was started."""

    def read() -> dict[str, tuple[str, dict[str, Any], int]]:
        state = sandbox.server.state
        return {uid: (j.tenant, dict(j.params), len(j.runs)) for uid, j in state.jobs.items()}

    return sandbox.call(read)


def test_plan_edit_run_and_run_again(cli: CliRunner, sandbox: Sandbox, tmp_path: Path) -> None:
    folder = drop_folder(tmp_path / "drop")
    plan_path = tmp_path / "plan.toml"
    planned = cli("--json", "batch", "plan", str(folder), "--partner", "acme", "--year", "2026",
                  "-o", str(plan_path))  # fmt: skip
    assert planned.code == 0, planned.err
    document = planned.json()
    assert [(i["bundle"], i["tenant"], i["school_year"]) for i in document["items"]] == [
        ("assessments/STAR", "district-a", "2024"),
        ("assessments/FastBridge_Math", "district-b", "2024"),
        ("assessments/PSAT_SAT", "district-b", "2026"),
    ]
    assert sorted(document["items"][0]["files"]) == ["INPUT_FILE", "INPUT_FILE_DS", "INPUT_FILE_SA"]
    assert [u["file"] for u in document["unplaced"]] == [str(folder / "readme.txt")]
    assert "readme.txt" in planned.err and "1 item(s) need a value" in planned.err
    # Without -o the plan is the output; with -o an existing plan (maybe edited) is kept.
    shown = cli("batch", "plan", str(folder), "--partner", "acme", "--year", "2026")
    assert tomllib.loads(shown.out)["item"][0]["bundle"] == "assessments/STAR"
    kept = cli("batch", "plan", str(folder), "-o", str(plan_path))
    assert kept.code == 2 and "--force" in kept.err

    # The person fills in the test type, and moves the math file to a district Runway lacks.
    text = plan_path.read_text(encoding="utf-8")
    assert text.count('TEST_TYPE = ""') == 1 and text.count('tenant = "district-b"') == 2
    text = text.replace('TEST_TYPE = ""', 'TEST_TYPE = "SAT"')
    plan_path.write_text(text.replace('tenant = "district-b"', 'tenant = "district-x"', 1))

    first = cli("--json", "batch", "run", str(plan_path))
    assert first.code == 3, first.err  # the refused district: Runway said no
    result = first.json()
    assert [i["status"] for i in result["items"]] == ["sent", "failed", "sent"]
    assert result["ok"] is False and result["exit_code"] == 3
    assert result["summary"] == {"sent": 2, "resumed": 0, "already_sent": 0, "undecided": 0,
                                 "busy": 0, "not_sent": 0, "failed": 1}  # fmt: skip
    failed = result["items"][1]
    assert failed["tenant"] == "district-x" and failed["exit_code"] == 3
    assert failed["error"]["code"] == "tenant_not_found" and failed["error"]["message"]
    sent = {i["job_uid"]: i for i in result["items"] if i["status"] == "sent"}
    received = jobs(sandbox)
    assert sorted(received) == sorted(sent)  # nothing was created for the refused item
    # The edited plan is what was sent: the SAT export with its test type, once each.
    assert sorted(received.values()) == [
        ("district-a", {}, 1), ("district-b", {"TEST_TYPE": "SAT"}, 1)
    ]  # fmt: skip

    again = cli("batch", "run", str(plan_path))
    assert again.code == 3
    # One line per item as it ends (the number says which), then the summary.
    *lines, summary = again.out.splitlines()
    lines.sort(key=lambda line: int(line.split("/", 1)[0]))
    assert lines[0].startswith("1/3  already sent") and "Star Assessments, district-a" in lines[0]
    assert "These files were already sent for Star Assessments" in lines[0]
    assert lines[1].startswith("2/3  failed") and lines[2].startswith("3/3  already sent")
    assert summary == "3 item(s): 2 already sent, 1 failed."
    assert jobs(sandbox) == received  # no job, no upload, no start

    # Back to the right district: only that item is sent, and waited for.
    plan_path.write_text(text)
    fixed = cli("--json", "batch", "run", str(plan_path), "--wait", "--timeout", "30")
    assert fixed.code == 0, fixed.err
    items = fixed.json()["items"]
    assert [i["status"] for i in items] == ["already_sent", "sent", "already_sent"]
    assert items[1]["output_sets"] and items[0]["output_sets"] == []
    assert items[0]["state"] == "waiting" and items[1]["state"] is None
    assert fixed.json()["ok"] is True
    assert sorted(r for *_, r in jobs(sandbox).values()) == [1, 1, 1]


def test_a_file_gone_since_planning_is_a_local_file_problem(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    folder = drop_folder(tmp_path / "drop")
    plan_path = folder / "plan.toml"  # in the folder it plans: planned again, it is left out
    for again in ([], ["--force"]):
        planned = cli("--json", "batch", "plan", str(folder), "--partner", "acme",
                      "--year", "2026", "-o", str(plan_path), *again)  # fmt: skip
        assert planned.code == 0, planned.err
        assert [u["file"] for u in planned.json()["unplaced"]] == [str(folder / "readme.txt")]
    (folder / "district-b" / "math.csv").unlink()
    plan_path.write_text(plan_path.read_text().replace('TEST_TYPE = ""', 'TEST_TYPE = "SAT"'))
    result = cli("--json", "batch", "run", str(plan_path))
    assert result.code == 5, result.err
    items = result.json()["items"]
    assert [i["status"] for i in items] == ["sent", "failed", "sent"]
    assert items[1]["exit_code"] == 5 and "math.csv" in items[1]["error"]["message"]
    assert len(jobs(sandbox)) == 2


def test_a_broken_plan_or_option_sends_nothing(cli: CliRunner, tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.toml"
    plan_path.write_text('folder = "."\n[[item]]\nbundle = "assessments/STAR"\n')
    broken = cli("--json", "batch", "run", str(plan_path))
    assert broken.code == 2 and broken.json()["error"]["message"].startswith("Item 1 has no")
    assert cli("batch", "run", str(plan_path), "--jobs", "0").code == 2
    assert cli("batch", "plan", str(tmp_path / "missing")).code == 2
    assert cli("batch", "plan", str(tmp_path), "--year", "2025-26").code == 2


anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
# Long enough to find the child uploading and kill it there.
HELD_SECONDS = 30.0


@pytest.mark.anyio
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_a_killed_run_continues_and_never_starts_twice(
    core: Core, capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path
) -> None:
    folder = drop_folder(tmp_path / "drop")
    (folder / "district-b" / "sat.csv").unlink()
    cli = make_runner(capsys, sandbox, tmp_path)
    plan_path = tmp_path / "plan.toml"
    planned = await asyncio.to_thread(
        cli, "batch", "plan", str(folder), "--partner", "acme", "-o", str(plan_path)
    )
    assert planned.code == 0, planned.err
    sandbox.faults.set("s3_delay", {"seconds": HELD_SECONDS, "count": 1})
    profile = write_profile(sandbox, tmp_path / "child-profile.json")
    argv = [sys.executable, "-m", "runway_desktop.cli", "--profile-file", str(profile),
            "batch", "run", str(plan_path), "--jobs", "1"]  # fmt: skip
    child = subprocess.Popen(  # noqa: ASYNC220 - started once; the waits are in threads
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        await asyncio.to_thread(uploading_record, child)  # STAR's files, one of them held
        os.kill(child.pid, signal.SIGKILL)
        await asyncio.to_thread(child.wait, 10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    sandbox.faults.clear()
    assert [runs for *_, runs in jobs(sandbox).values()] == [0]  # killed before any start

    resumed = await asyncio.to_thread(cli, "--json", "batch", "run", str(plan_path))
    assert resumed.code == 0, resumed.err
    items = resumed.json()["items"]
    assert [(i["status"], i["new_job"]) for i in items] == [("resumed", True), ("sent", False)]
    runs = {uid: r for uid, (*_, r) in jobs(sandbox).items()}
    assert sorted(runs.values()) == [0, 1, 1]  # the killed attempt's job is never started
    assert {uid for uid, r in runs.items() if r} == {i["job_uid"] for i in items}

    third = await asyncio.to_thread(cli, "--json", "batch", "run", str(plan_path))
    assert [i["status"] for i in third.json()["items"]] == ["already_sent"] * 2
    assert {uid: r for uid, (*_, r) in jobs(sandbox).items()} == runs
