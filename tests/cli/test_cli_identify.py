"""``identify`` on the real vendor samples (and files that are none), and ``submit`` refusing a
wrong file with the same words as the Submit screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import STAR_FILES, TARGET, CliRunner, make_runner

from runway_desktop.bundles.content_check import check_content
from runway_desktop.cli.main import main
from runway_desktop.sandbox.server import Sandbox

DATA = Path(__file__).resolve().parents[1] / "bundles" / "data"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def _identify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["identify", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_identify_names_bundle_slot_year_and_name_for_each_sample(
    capsys: pytest.CaptureFixture[str], samples_dir: Path
) -> None:
    # STAR's three files in an order that is not the slots' order, plus MAP Growth.
    star = [
        samples_dir / "STAR" / STAR_FILES[env]
        for env in ("INPUT_FILE_SA", "INPUT_FILE", "INPUT_FILE_DS")
    ]
    map_file = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    code, out, err = _identify(capsys, "--json", *map(str, [*star, map_file]))
    assert code == 0, err
    files = json.loads(out)["files"]
    got = [(f["bundle"], f["slot"], f["school_year"], f["display_name"]) for f in files]
    assert got == [
        ("assessments/STAR", "INPUT_FILE_SA", 2024, "Star Assessments"),
        ("assessments/STAR", "INPUT_FILE", 2024, "Star Assessments"),
        ("assessments/STAR", "INPUT_FILE_DS", 2024, "Star Assessments"),
        ("assessments/MAP_Growth", "INPUT_FILE", 2022, "MAP Growth Assessment"),
    ]
    assert all(0.5 <= f["confidence"] <= 1 for f in files)
    assert [f["path"] for f in files] == [str(p) for p in [*star, map_file]]

    code, out, _ = _identify(capsys, str(star[1]))
    assert code == 0
    assert out == (
        f"{star[1]}: Star Assessments (assessments/STAR), slot INPUT_FILE “Overall assessment "
        "data”, 2023–24, 100% sure\n"
    )


def test_every_practice_sample_is_identified_as_its_own_slot(
    capsys: pytest.CaptureFixture[str], samples_dir: Path
) -> None:
    from runway_desktop.core.practice import practice_files

    expected = {
        str(path): (bundle, env)
        for bundle, slots in practice_files().items()
        for env, paths in slots.items()
        for path in paths
    }
    code, out, _ = _identify(capsys, "--json", *expected)
    assert code == 0
    got = {f["path"]: (f["bundle"], f["slot"]) for f in json.loads(out)["files"]}
    right = sum(got[path] == want for path, want in expected.items())
    print(f"\nidentify: {right}/{len(expected)} practice samples right")
    assert got == expected


def test_nothing_that_fits_well_gives_null_bundle_and_slot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("Teacher,Room,Period\nMs A,12,3\n", encoding="utf-8")
    workbook = tmp_path / "scores.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(200))
    idel = DATA / "IDEL_sample_anonymized_file.csv"
    code, out, _ = _identify(capsys, "--json", str(notes), str(workbook), str(idel))
    assert code == 0
    plain, excel, unlisted = json.loads(out)["files"]
    assert (plain["bundle"], plain["slot"], plain["display_name"]) == (None, None, None)
    assert (excel["bundle"], excel["slot"]) == (None, None)
    assert excel["problem"].startswith("This is an Excel workbook (.xlsx)")
    # A bundle Runway does not list cannot be chosen: null, but the name says what it is.
    assert (unlisted["bundle"], unlisted["slot"], unlisted["display_name"]) == (None, None, "IDEL")
    code, out, _ = _identify(capsys, str(notes))
    assert out == f"{notes}: not identified; no assessment's columns fit it well.\n"


def test_unreadable_files_exit_5_after_the_others_and_no_path_is_usage(
    capsys: pytest.CaptureFixture[str], samples_dir: Path, tmp_path: Path
) -> None:
    sat = samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    code, out, err = _identify(
        capsys, "--json", str(tmp_path / "gone.csv"), str(tmp_path), str(sat)
    )
    assert code == 5
    document = json.loads(out)
    assert document["ok"] is False
    assert [f["bundle"] for f in document["files"]] == ["assessments/PSAT_SAT"]
    assert f"Error: {tmp_path / 'gone.csv'} does not exist." in err
    assert f"Error: {tmp_path} is a folder." in err
    code, _, err = _identify(capsys)
    assert code == 2 and "PATH" in err


def test_submit_refuses_another_bundles_file_with_the_screens_words(
    cli: CliRunner, sandbox: Sandbox, samples_dir: Path
) -> None:
    map_file = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    run = cli("submit", *TARGET, "--bundle", "assessments/STAR", "--file", f"INPUT_FILE={map_file}")
    assert run.code == 5, run.err
    finding = check_content(map_file, "assessments/STAR", "INPUT_FILE")
    assert finding is not None and finding.message.startswith("This looks like a MAP Growth")
    assert f"Error: {map_file.name}: {finding.message}" in run.err
    assert sandbox.call(lambda: list(sandbox.server.state.jobs)) == []


def test_submit_names_both_school_years_when_they_differ(
    cli: CliRunner, sandbox: Sandbox, samples_dir: Path
) -> None:
    # Refused until accepted (test_cli_accept_mismatch.py sends it with --accept-mismatch).
    star = samples_dir / "STAR" / STAR_FILES["INPUT_FILE"]
    run = cli("submit", *TARGET, "--bundle", "assessments/STAR", "--file", f"INPUT_FILE={star}")
    assert run.code == 5, run.err
    assert f"Error: {star.name}: This file's school year is 2023–24; you chose 2025–26." in run.err
    assert "--accept-mismatch" in run.err
    assert sandbox.call(lambda: list(sandbox.server.state.jobs)) == []
