"""``history batches`` and ``history show``: a batch run's own summary, after ``batch run``."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import CliRunner, make_runner
from test_cli_batch import drop_folder

from runway_desktop.sandbox.server import Sandbox


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def test_a_batch_run_is_listed_with_its_summary(cli: CliRunner, tmp_path: Path) -> None:
    empty = cli("history", "batches")
    assert empty.code == 0 and "No batch has been sent" in empty.err

    folder = drop_folder(tmp_path / "drop")
    plan = tmp_path / "plan.toml"
    planned = cli("batch", "plan", str(folder), "--partner", "acme", "--year", "2026",
                  "-o", str(plan))  # fmt: skip
    assert planned.code == 0, planned.err
    plan.write_text(plan.read_text(encoding="utf-8").replace('TEST_TYPE = ""', 'TEST_TYPE = "SAT"'))
    sent = cli("--json", "batch", "run", str(plan))
    assert sent.code == 0, sent.err
    batch_id = sent.json()["batch_id"]
    assert f"Kept in History as batch #{batch_id}" in sent.err

    listed = cli("history", "batches")
    assert listed.code == 0
    (line,) = listed.out.splitlines()
    assert line.startswith(f"Batch #{batch_id}: 3 submissions from {plan.resolve()}, ")
    assert "3 sent." in line and "Now: Started — waiting for Runway (3)." in line
    (document,) = cli("--json", "history", "batches").json()
    assert document["outcomes"] == {"sent": 3} and document["states"] == {"waiting": 3}
    first = document["items"][0]
    assert first["status"] == "sent" and first["label"].startswith("Star Assessments")

    shown = cli("history", "show", str(first["submission_id"]))
    assert shown.code == 0 and f"Part of Batch #{batch_id}: 3 submissions" in shown.out
    assert cli("--json", "history", "show", str(first["submission_id"])).json()["batches"] == [
        batch_id
    ]
    assert cli("history", "batches", "--limit", "0").code == 2
