"""``outputs list`` filters and formats, ``outputs download`` by uid, and their failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_cli import (
    CliRunner,
    assert_folder_matches,
    inject,
    make_runner,
    sandbox_files,
    write_profile,
)

from runway_desktop.sandbox.server import Sandbox

OLD = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


@pytest.fixture
def three_sets(sandbox: Sandbox) -> dict[str, str]:
    return {
        "star_ods": inject(
            sandbox, tenant="district-a", school_year="2026", bundle="assessments/STAR",
            sent_to_ods=True, files={"a.jsonl": b"1\n", "b.jsonl": b"2\n", "c.jsonl": b"3\n"},
        ),
        "map_old": inject(sandbox, created_on=OLD),
        "ea_set": inject(sandbox, partner="ea", tenant="tenant1"),
    }  # fmt: skip


def listed_uids(cli: CliRunner, *args: str) -> set[str]:
    result = cli("--json", "outputs", "list", *args)
    assert result.code == 0, result.err
    return {entry["uid"] for entry in result.json()}


def test_list_filters_match_the_server_side_filters(
    cli: CliRunner, three_sets: dict[str, str]
) -> None:
    star, old = three_sets["star_ods"], three_sets["map_old"]
    assert listed_uids(cli, "--partner", "acme") == {star, old}
    assert listed_uids(cli, "--partner", "acme", "--tenant", "district-a") == {star}
    assert listed_uids(cli, "--partner", "acme", "--year", "2025") == {old}
    assert listed_uids(cli, "--partner", "acme", "--bundle", "assessments/STAR") == {star}
    assert listed_uids(cli, "--partner", "acme", "--sent-to-ods", "true") == {star}
    assert listed_uids(cli, "--partner", "acme", "--sent-to-ods", "false") == {old}
    after = "2025-06-01T00:00:00Z"
    assert listed_uids(cli, "--partner", "acme", "--created-after", after) == {star}
    assert listed_uids(cli, "--partner", "ea") == {three_sets["ea_set"]}


def test_list_json_keeps_the_api_fields_and_adds_the_assessment_name(
    cli: CliRunner, three_sets: dict[str, str]
) -> None:
    result = cli("outputs", "list", "--partner", "acme", "--tenant", "district-a", "--json")
    assert result.code == 0
    [entry] = result.json()
    assert entry["uid"] == three_sets["star_ods"]
    assert entry["assessment"] == "Star Assessments" and entry["schoolYear"] == "2026"
    assert entry["sentToOds"] is True and len(entry["files"]) == 3
    assert entry["createdAt"].endswith("Z")


def test_list_table_is_readable(cli: CliRunner, three_sets: dict[str, str]) -> None:
    result = cli("outputs", "list", "--partner", "acme")
    assert result.code == 0
    header, *rows = result.out.splitlines()
    assert header.split() == ["Created", "Tenant", "Year", "Assessment", "Files", "Sent", "to",
                              "ODS", "UID"]  # fmt: skip
    star_row = next(r for r in rows if three_sets["star_ods"] in r)
    assert "2025–26" in star_row and "Star Assessments" in star_row and " yes " in star_row
    old_row = next(r for r in rows if three_sets["map_old"] in r)
    assert "2024–25" in old_row and "MAP Growth Assessment" in old_row and " no " in old_row


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "25-26x"],
        ["--created-after", "last tuesday"],
        ["--sent-to-ods", "yes"],
    ],
)
def test_list_rejects_bad_filters_with_exit_2(cli: CliRunner, args: list[str]) -> None:
    result = cli("outputs", "list", "--partner", "acme", *args)
    assert result.code == 2 and result.out == ""


def test_partner_must_be_chosen_when_the_token_has_several(cli: CliRunner) -> None:
    result = cli("--json", "outputs", "list")
    assert result.code == 2
    assert "acme, ea" in result.json()["error"]["message"]


def test_profile_default_partner_is_used(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path, three_sets: dict[str, str]
) -> None:
    cli.profile_file = write_profile(sandbox, tmp_path / "ea.json", default_partner="ea")
    assert listed_uids(cli) == {three_sets["ea_set"]}


def test_server_503_on_list_exits_4(cli: CliRunner, sandbox: Sandbox) -> None:
    sandbox.faults.set("api_error", {"status": 503})
    result = cli("--json", "outputs", "list", "--partner", "acme")
    assert result.code == 4
    assert result.json()["error"]["category"] == "network"


def test_token_down_exits_4(cli: CliRunner, sandbox: Sandbox) -> None:
    sandbox.faults.set("token_down", {"status": 503})
    result = cli("outputs", "list", "--partner", "acme")
    assert result.code == 4 and result.out == ""


def test_partner_outside_the_token_exits_3(cli: CliRunner) -> None:
    result = cli("outputs", "list", "--partner", "globex")
    assert result.code == 3


def test_download_by_uid_prints_folders_and_matches_the_server_bytes(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path, three_sets: dict[str, str]
) -> None:
    star, old = three_sets["star_ods"], three_sets["map_old"]
    out = tmp_path / "by-uid"
    result = cli("outputs", "download", star, old, "--to", str(out), "--partner", "acme")
    assert result.code == 0, result.err
    folders = [Path(line) for line in result.out.splitlines()]
    assert len(folders) == 2
    assert_folder_matches(folders[0], sandbox_files(sandbox, star))
    assert_folder_matches(folders[1], sandbox_files(sandbox, old))

    # Downloading by uid counts for --new too: only the ea set's partner has anything left.
    again = cli("outputs", "download", "--new", "--to", str(out), "--partner", "acme")
    assert again.code == 0 and again.out == ""


def test_download_json_and_unknown_uid(
    cli: CliRunner, tmp_path: Path, three_sets: dict[str, str]
) -> None:
    out = tmp_path / "json"
    result = cli(
        "--json", "outputs", "download", three_sets["ea_set"], "--to", str(out), "--partner", "ea"
    )
    assert result.code == 0
    [entry] = result.json()["downloads"]
    assert entry["ok"] is True and entry["files"] == ["studentAssessments.jsonl"]

    unknown = "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d"
    missing = cli("outputs", "download", unknown, "--to", str(out), "--partner", "ea")
    assert missing.code == 3 and unknown in missing.err


@pytest.mark.parametrize("args", [["--to", "x"], ["some-uid", "--new", "--to", "x"], ["--new"]])
def test_download_needs_uids_or_new_and_a_folder(cli: CliRunner, args: list[str]) -> None:
    result = cli("outputs", "download", *args, "--partner", "acme")
    assert result.code == 2


def test_download_into_an_unwritable_folder_exits_5(
    cli: CliRunner, tmp_path: Path, three_sets: dict[str, str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli(
        "outputs", "download", three_sets["ea_set"], "--to", str(blocker), "--partner", "ea"
    )
    assert result.code == 5
    assert three_sets["ea_set"] in result.err


def test_two_download_new_runs_at_once_fetch_each_set_once(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Two real processes (a scheduled run and one typed in a terminal) on one computer."""
    uids = {inject(sandbox, tenant=f"district-{n}") for n in range(3)}
    profile = write_profile(sandbox, tmp_path / "sandbox-profile.json")
    home, root = tmp_path / "home", tmp_path / "results"
    # Every API answer comes late, so both runs list the same sets before either has one.
    sandbox.faults.set("api_delay", {"seconds": 0.4})
    env = {**os.environ, "RUNWAY_DESKTOP_HOME": str(home)}
    argv = [sys.executable, "-m", "runway_desktop.cli", "--profile-file", str(profile), "--json",
            "outputs", "download", "--new", "--partner", "acme", "--to", str(root)]  # fmt: skip
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env) for _ in (1, 2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    sandbox.faults.clear()
    assert [run.returncode for run in runs] == [0, 0], outputs
    reports = [json.loads(out)["downloads"] for out in outputs]
    fetched = [d["uid"] for report in reports for d in report if not d["byAnotherProcess"]]
    assert sorted(fetched) == sorted(uids)  # each set fetched by exactly one of the two
    waited = [d for report in reports for d in report if d["byAnotherProcess"]]
    assert waited, "the runs did not overlap: the test proved nothing"
    for entry in waited:
        folder = Path(entry["folder"])
        assert entry["ok"] and sorted(p.name for p in folder.iterdir()) == entry["files"]
