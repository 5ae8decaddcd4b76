"""``outputs download --csv``: a CSV for Excel beside each downloaded JSONL file, end to end."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_cli import (
    MAP_GROWTH_CSV,
    TARGET,
    CliRunner,
    assert_folder_matches,
    inject,
    make_runner,
    sandbox_files,
)

from runway_desktop.cli.main import main
from runway_desktop.sandbox.server import Sandbox


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def rows_of(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_submit_then_download_with_csv_writes_a_csv_beside_each_jsonl(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = tmp_path / "map.csv"
    source.write_bytes(MAP_GROWTH_CSV)
    submitted = cli(
        "--json", "submit", *TARGET, "--bundle", "assessments/MAP_Growth",
        "--file", f"INPUT_FILE={source}", "--wait", "--timeout", "30",
    )  # fmt: skip
    assert submitted.code == 0, submitted.err
    [set_info] = submitted.json()["output_sets"]

    out = tmp_path / "out"
    done = cli("outputs", "download", "--new", "--to", str(out), "--partner", "acme", "--csv")
    assert done.code == 0, done.err
    [folder] = [Path(line) for line in done.out.splitlines()]  # stdout: still the folder only
    served = sandbox_files(sandbox, set_info["uid"])
    jsonl = sorted(n for n in served if n.endswith(".jsonl"))
    assert jsonl
    expected = {**served, **{n.removesuffix(".jsonl") + ".csv": b"" for n in jsonl}}
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    for name in jsonl:
        csv_path = folder / (name.removesuffix(".jsonl") + ".csv")
        records = [json.loads(line) for line in served[name].decode().splitlines()]
        header, *rows = rows_of(csv_path)
        assert len(rows) == len(records)
        assert f"Saved {csv_path.name} for Excel ({len(records):,} rows) in {folder}" in done.err
        if name == "studentAssessments.jsonl":
            column = header.index("studentReference.studentUniqueId")
            assert [r[column] for r in rows] == [
                rec["studentReference"]["studentUniqueId"] for rec in records
            ]
    # The JSONL files themselves are untouched.
    assert {n: (folder / n).read_bytes() for n in served} == served


def test_download_by_uid_with_csv_and_json_lists_the_csvs(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    files = {
        "studentAssessments.jsonl": b'{"studentReference":{"studentUniqueId":"=1+1"}}\n',
        "notes.txt": b"not converted\n",
    }
    uid = inject(sandbox, files=files)
    out = tmp_path / "out"
    done = cli("--json", "outputs", "download", uid, "--to", str(out), "--partner", "acme", "--csv")
    assert done.code == 0, done.err
    [entry] = done.json()["downloads"]
    folder = Path(entry["folder"])
    assert entry["csv"] == [str(folder / "studentAssessments.csv")]
    assert rows_of(folder / "studentAssessments.csv") == [
        ["studentReference.studentUniqueId"],
        ["'=1+1"],  # server text: shown, never run as a formula
    ]
    assert not (folder / "notes.csv").exists()

    # Without --csv nothing but the set's own files.
    other = inject(sandbox, files=files)
    plain = cli("--json", "outputs", "download", other, "--to", str(out), "--partner", "acme")
    [entry] = plain.json()["downloads"]
    assert "csv" not in entry
    assert_folder_matches(Path(entry["folder"]), files)


def test_help_documents_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outputs", "download", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--csv" in text and "CSV for Excel" in text
    assert "studentReference.studentUniqueId" in text
