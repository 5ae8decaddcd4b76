"""The command-line front end end to end against the in-process sandbox: submit and fetch.

Also home of the helpers the other ``test_cli_*`` modules import (the runner that checks every
captured output for credentials, and sandbox shortcuts).
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from core_helpers import CSV as MAP_GROWTH_CSV

from runway_desktop.cli.main import main
from runway_desktop.core.submission_state import NO_OUTPUT_CAUSE
from runway_desktop.sandbox.server import Sandbox

STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}
TARGET = ["--partner", "acme", "--tenant", "district-a", "--year", "2026"]
# The STAR samples' test dates are in 2023–24; acme's 2024 sends to no ODS.
STAR_TARGET = ["--partner", "acme", "--tenant", "district-a", "--year", "2024"]
__all__ = ["MAP_GROWTH_CSV"]  # shared with the other test_cli_* modules


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def assert_no_credentials(text: str, secret: str) -> None:
    """No client secret, bearer token (a JWT starts ``eyJ``) or presigned URL in any output."""
    assert secret not in text
    assert "eyJ" not in text
    assert "X-Amz-Signature" not in text and "X-Amz-Credential" not in text


class CliRunner:
    """Calls ``main`` in-process with the sandbox's profile file and captures its output."""

    def __init__(self, capsys: pytest.CaptureFixture[str], profile_file: Path, secret: str):
        self.capsys = capsys
        self.profile_file = profile_file
        self.secret = secret

    def __call__(self, *args: str, use_profile_file: bool = True) -> CliRun:
        argv = ["--profile-file", str(self.profile_file), *args] if use_profile_file else [*args]
        code = main(argv)
        captured = self.capsys.readouterr()
        assert_no_credentials(captured.out + captured.err, self.secret)
        assert "Traceback" not in captured.err
        return CliRun(code, captured.out, captured.err)


def write_profile(sandbox: Sandbox, path: Path, **changes: Any) -> Path:
    path.write_text(json.dumps({**sandbox.profile, **changes}), encoding="utf-8")
    return path


def make_runner(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    """A runner pointed at the sandbox through a ``--profile-file`` (each module's ``cli``)."""
    profile_file = write_profile(sandbox, tmp_path / "sandbox-profile.json")
    return CliRunner(capsys, profile_file, str(sandbox.profile["client_secret"]))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    """A MAP Growth export of 2025–26, the year TARGET sends (the authors' sample is of
    2021–22, a mismatch these tests are not about)."""
    path = tmp_path / "map_growth_2025-26.csv"
    path.write_bytes(MAP_GROWTH_CSV)
    return path


def star_file_args(samples_dir: Path) -> list[str]:
    args: list[str] = []
    for key, name in STAR_FILES.items():
        args += ["--file", f"{key}={samples_dir / 'STAR' / name}"]
    return args


def sandbox_files(sandbox: Sandbox, set_uid: str) -> dict[str, bytes]:
    """The bytes the sandbox's S3 holds for an output set, by file name."""

    def read() -> dict[str, bytes]:
        found = sandbox.server.state.find_set(set_uid)
        assert found is not None
        _, record = found
        return {n: sandbox.server.store.read_bytes(f"{record.folder}/{n}") for n in record.files}

    return sandbox.call(read)


def assert_folder_matches(folder: Path, expected: dict[str, bytes]) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    for name, content in expected.items():
        assert (folder / name).read_bytes() == content


def inject(sandbox: Sandbox, **overrides: Any) -> str:
    settings: dict[str, Any] = {
        "partner": "acme",
        "tenant": "district-b",
        "school_year": "2025",
        "bundle": "assessments/MAP_Growth",
        "count": 1,
        "sent_to_ods": False,
        "files": {"studentAssessments.jsonl": b'{"studentUniqueId": "605000"}\n'},
    }
    settings.update(overrides)
    uids = sandbox.inject_output_sets(**settings)
    assert len(uids) == 1
    return uids[0]


# --- the "done when" ------------------------------------------------------------------


def test_star_submit_wait_then_download_new_once_and_pick_up_new_sets(
    cli: CliRunner, sandbox: Sandbox, samples_dir: Path, tmp_path: Path
) -> None:
    submitted = cli(
        "--json", "submit", *STAR_TARGET, "--bundle", "assessments/STAR",
        *star_file_args(samples_dir), "--wait", "--timeout", "30",
    )  # fmt: skip
    assert submitted.code == 0, submitted.err
    summary = submitted.json()
    assert summary["ok"] is True and summary["outcome"] == "started"
    assert isinstance(summary["submission_id"], int)
    sets = summary["output_sets"]
    assert len(sets) == 1 and sets[0]["sentToOds"] is False  # 2024 is not an ODS year for acme
    job = sandbox.call(lambda: sandbox.server.state.find_job(summary["job_uid"]))
    assert job is not None and {f.env_var for f in job.files} == set(STAR_FILES)

    out = tmp_path / "out"
    first = cli("outputs", "download", "--new", "--to", str(out), "--partner", "acme")
    assert first.code == 0, first.err
    [folder] = [Path(line) for line in first.out.splitlines()]
    assert folder.is_relative_to(out) and "Star Assessments" in folder.parts
    assert_folder_matches(folder, sandbox_files(sandbox, sets[0]["uid"]))

    again = cli("outputs", "download", "--new", "--to", str(out), "--partner", "acme")
    assert again.code == 0 and again.out == ""
    assert "No new output sets" in again.err

    new_uid = inject(sandbox)
    later = cli("outputs", "download", "--new", "--to", str(out), "--partner", "acme")
    assert later.code == 0, later.err
    [new_folder] = [Path(line) for line in later.out.splitlines()]
    assert new_uid[:8] in new_folder.name and "2024-25" in new_folder.parts
    assert_folder_matches(new_folder, sandbox_files(sandbox, new_uid))


def test_submit_prints_only_the_job_uid_on_stdout_and_steps_on_stderr(
    cli: CliRunner, sandbox: Sandbox, map_file: Path
) -> None:
    result = cli(
        "submit", *TARGET, "--bundle", "assessments/MAP_Growth", "--file", f"INPUT_FILE={map_file}"
    )
    assert result.code == 0, result.err
    job_uid = result.out.strip()
    assert sandbox.call(lambda: sandbox.server.state.find_job(job_uid)) is not None
    # stderr is not a terminal here: one plain line per step, no redrawn bar.
    assert "Uploading: done" in result.err and "Starting: done" in result.err
    assert "\r" not in result.err


def test_psat_sat_submit_sends_the_test_type_param(
    cli: CliRunner, sandbox: Sandbox, samples_dir: Path
) -> None:
    sat = samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    result = cli(
        "--json", "submit", *TARGET, "--bundle", "assessments/PSAT_SAT",
        "--file", f"INPUT_FILE={sat}", "--param", "TEST_TYPE=SAT", "--wait", "--timeout", "30",
    )  # fmt: skip
    assert result.code == 0, result.err
    summary = result.json()
    job = sandbox.call(lambda: sandbox.server.state.find_job(summary["job_uid"]))
    assert job is not None and job.params == {"TEST_TYPE": "SAT"}
    assert len(summary["output_sets"]) == 1


# --- exit codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--file", "INPUT_FILE"], "not in the form KEY=VALUE"),
        (["--file", "INPUT_FILE_DS=x.csv"], "overall assessment data"),  # required slot missing
        (["--file", "INPUT_FILE=a.csv", "--file", "NOT_A_SLOT=b.csv"], "NOT_A_SLOT"),
        (["--file", "INPUT_FILE=a.csv", "--timeout", "5"], "--timeout only makes sense"),
    ],
)
def test_bad_submit_usage_exits_2(
    cli: CliRunner, samples_dir: Path, extra: list[str], expected: str
) -> None:
    result = cli("submit", *TARGET, "--bundle", "assessments/STAR", *extra)
    assert result.code == 2
    assert expected in result.err
    assert result.out == ""


def test_missing_option_and_unknown_bundle_exit_2_with_json_errors(cli: CliRunner) -> None:
    missing = cli("--json", "submit", "--tenant", "district-a", "--year", "2026")
    assert missing.code == 2
    error = missing.json()["error"]
    assert error["category"] == "usage" and "--bundle" in error["message"]

    unknown = cli("submit", *TARGET, "--bundle", "assessments/STARR", "--file", "INPUT_FILE=a")
    assert unknown.code == 2 and "assessments/STAR" in unknown.err  # suggests the near match


def test_invalid_param_choice_exits_2_before_sending(
    cli: CliRunner, sandbox: Sandbox, samples_dir: Path
) -> None:
    sat = samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    result = cli(
        "submit", *TARGET, "--bundle", "assessments/PSAT_SAT",
        "--file", f"INPUT_FILE={sat}", "--param", "TEST_TYPE=ACT",
    )  # fmt: skip
    assert result.code == 2
    assert "ACT" in result.err
    assert sandbox.call(lambda: sandbox.server.state.summary())["jobs"] == []


def test_unknown_tenant_exits_3_and_names_the_tenant(cli: CliRunner, map_file: Path) -> None:
    result = cli(
        "--json", "submit", "--partner", "acme", "--tenant", "district-zz", "--year", "2026",
        "--bundle", "assessments/MAP_Growth", "--file", f"INPUT_FILE={map_file}",
    )  # fmt: skip
    assert result.code == 3
    error = result.json()["error"]
    assert error["category"] == "rejected" and "district-zz" in error["message"]
    assert "district-zz" in result.err


def test_workbook_renamed_csv_and_missing_file_exit_5(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    workbook = tmp_path / "scores.csv"
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    renamed = cli(
        "--json", "submit", *TARGET, "--bundle", "assessments/MAP_Growth",
        "--file", f"INPUT_FILE={workbook}",
    )  # fmt: skip
    assert renamed.code == 5
    assert "Excel workbook" in renamed.json()["error"]["message"]

    missing = cli(
        "submit", *TARGET, "--bundle", "assessments/MAP_Growth",
        "--file", f"INPUT_FILE={tmp_path / 'not-there.csv'}",
    )  # fmt: skip
    assert missing.code == 5 and "no longer exists" in missing.err
    assert sandbox.call(lambda: sandbox.server.state.summary())["jobs"] == []


def test_wait_timeout_exits_4_with_the_job_id_and_the_web_app_hint(
    cli: CliRunner, sandbox: Sandbox, map_file: Path
) -> None:
    sandbox.set_executor(outcome="fail")
    result = cli(
        "--json", "submit", *TARGET, "--bundle", "assessments/MAP_Growth",
        "--file", f"INPUT_FILE={map_file}", "--wait", "--timeout", "1.5",
    )  # fmt: skip
    assert result.code == 4
    document = result.json()
    job_uid = document["job_uid"]
    assert document["error"]["kind"] == "WaitTimedOut"
    assert "web app" in document["error"]["message"] and job_uid in document["error"]["message"]
    # Says why nothing came, in History's words.
    assert NO_OUTPUT_CAUSE in document["error"]["message"]
    assert job_uid in result.err


def test_token_service_down_exits_4(cli: CliRunner, sandbox: Sandbox, map_file: Path) -> None:
    sandbox.faults.set("token_down", {"status": 503})
    result = cli(
        "submit", *TARGET, "--bundle", "assessments/MAP_Growth", "--file", f"INPUT_FILE={map_file}"
    )
    assert result.code == 4
    assert "Signing in: failed" in result.err
